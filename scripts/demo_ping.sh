#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An encrypted ping between two private network namespaces joined by a veth pair, with the same
# setkey file (examples/engine/two-hosts.conf) loaded into each side. Where the kernel has ESP our setkey
# loads it into each namespace's kernel; where it has none (a kernel built without it, a container that
# may not load modules) into a software-engine state per side, each served by `ipsec-engine run`.
# A capture on the veth shows what went over the wire: ESP only; the script fails otherwise.
# Run as root: scripts/demo_ping.sh [BINDIR [CONF]]
set -euo pipefail
bin=$(cd "${1:-$(dirname "$0")/../build/bin}" && pwd)
conf=${2:-$(cd "$(dirname "$0")/../examples/engine" && pwd)/two-hosts.conf}
work=$(mktemp -d)
a="xfrmpp-demo-a-$$" b="xfrmpp-demo-b-$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for ns in "$a" "$b"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
ip -n "$a" addr add 192.0.2.1/24 dev veth-a
ip -n "$b" addr add 192.0.2.2/24 dev veth-b
ip -n "$a" link set veth-a up
ip -n "$b" link set veth-b up
install -m 600 "$conf" "$work/two-hosts.conf"

# Does this kernel have ESP? One SA added in a scratch namespace tells.
if ip netns exec "$a" "$bin/setkey" -c <<<'add 198.51.100.1 198.51.100.2 esp 0x1 -E aes-cbc 0x000102030405060708090a0b0c0d0e0f;' >/dev/null 2>&1; then
  ip netns exec "$a" "$bin/setkey" -F
  mode=kernel
  echo "== this kernel has ESP: our setkey loads two-hosts.conf into each namespace's kernel"
  for ns in "$a" "$b"; do ip netns exec "$ns" "$bin/setkey" -f "$work/two-hosts.conf"; done
else
  mode=engine
  echo "== this kernel has no ESP: our setkey loads two-hosts.conf into a software-engine state per side,"
  echo "   and ipsec-engine run carries the traffic (TUN device, raw ESP sockets, routes of its own)"
  for ns in "$a" "$b"; do
    "$bin/setkey" --backend=engine --state "$work/$ns.state" -f "$work/two-hosts.conf"
    ip netns exec "$ns" "$bin/ipsec-engine" run --state "$work/$ns.state" 2>"$work/$ns.log" &
    pids+=($!)
  done
  for ns in "$a" "$b"; do
    for _ in $(seq 100); do grep -q 'ipsec-engine: ready:' "$work/$ns.log" && break; sleep 0.1; done
    grep 'ipsec-engine: ready:' "$work/$ns.log" || { cat "$work/$ns.log"; exit 1; }
  done
fi

ip netns exec "$b" dumpcap -q -i veth-b -f 'ip' -w "$work/wire.pcapng" 2>/dev/null &
cap=$!
for _ in $(seq 50); do [[ -s $work/wire.pcapng ]] && break; sleep 0.1; done
echo "== busybox ping -c 3 192.0.2.2 (from 192.0.2.1)"
ip netns exec "$a" busybox ping -c 3 -W 2 192.0.2.2
sleep 0.5
kill "$cap"; wait "$cap" 2>/dev/null || true
echo "== what the veth carried (tshark)"
tshark -r "$work/wire.pcapng" 2>/dev/null
esp=$(tshark -r "$work/wire.pcapng" -Y esp 2>/dev/null | wc -l)
icmp=$(tshark -r "$work/wire.pcapng" -Y icmp 2>/dev/null | wc -l)
echo "== $esp ESP frames, $icmp cleartext ICMP frames ($mode)"
if [[ $mode == engine ]]; then
  for p in "${pids[@]}"; do kill -TERM "$p"; done
  wait
  pids=()
  echo "== the engine's SAs after the ping (setkey -D --backend=engine), host 192.0.2.1"
  "$bin/setkey" -D --backend=engine --state "$work/$a.state" --nokeys | grep -E '^[0-9]|esp |current:|allocated'
fi
[[ $esp -ge 6 && $icmp -eq 0 ]]
