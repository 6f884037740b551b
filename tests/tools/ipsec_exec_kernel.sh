#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-exec against the kernel, in two namespaces joined by a veth pair (label kernel):
#
#   srv 10.9.0.1 (va) ---- veth ---- (vb) 10.9.0.2 cli
#
# srv's SPD (loaded with our setkey) requires ESP for all traffic with cli, in and out; no SA exists (and
# this kernel has no ESP), so a plain SYN from cli is dropped on input (XfrmInTmplMismatch) and anything
# srv sends to cli is dropped on output (the ACQUIRE finds no SA). cli has no SPD: its packets leave plain.
# The only way a TCP connection can be made is a socket policy on srv's side that bypasses in *and* out.
#
# LISTEN_FDS mode: systemd-socket-activate -l 10.9.0.1:PORT ipsec-exec --listen-fds -p 'in bypass'
# -p 'out bypass' -- inetd_server srv --listen. systemd-socket-activate (as a socket unit with Accept=no)
# starts the service on the first connection attempt, which the SPD drops; so a local connection from
# srv itself (10.9.0.1 to 10.9.0.1, which no SPD entry selects) starts it. Then cli connects and reads the
# greeting, and while that connection is open the kernel lists 4 socket policies (2 for the listening
# socket, 2 copied to the accepted one; 2 before cli connects).
# Controls, which must get no connection through, each for its own reason:
#   - no ipsec-exec: the SYN is dropped on input (XfrmInTmplMismatch grows);
#   - -p 'in bypass' only: the SYN is taken, the SYN-ACK is dropped on output (the out SPD entry);
#   - -p 'in ipsec esp/transport//require' -p 'out bypass': the SYN is dropped on input again.
# inetd mode (systemd-socket-activate --inetd -a: the accepted connection on fd 0/1, as inetd hands it
# over) with no SPD at all, since the listening socket there is systemd-socket-activate's own: ipsec-exec
# -p 'out ipsec esp/transport//require' makes the server's greeting undeliverable (no SA), while the same
# server with -p 'out bypass' or without ipsec-exec greets cli (the controls).
# Round trip: a KAME inetd.conf ("#@ out ipsec esp/transport//require", then a service running
# inetd_server) through ipsec-inetd-convert; the server command of the line it writes, run the way an
# inetd runs a nowait service (systemd-socket-activate --inetd -a), gets the policy (greeting blocked, one
# socket policy); the control converts "#@ out bypass" instead and is greeted.
# usage: ipsec_exec_kernel.sh IPSEC_EXEC SETKEY INETD_SERVER [IPSEC_INETD_CONVERT]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/netns.sh"
require_netns "$@"
set -uo pipefail
ipsec_exec=${1:?ipsec-exec} setkey=${2:?setkey} server=${3:?inetd_server} convert=${4:-}
command -v systemd-socket-activate > /dev/null || { echo "SKIPPED: systemd-socket-activate is not installed"; exit 77; }
srv=xfrmpp-exec-srv-$$ cli=xfrmpp-exec-cli-$$
tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
  ip netns del "$srv" 2> /dev/null
  ip netns del "$cli" 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

ip netns add "$srv" && ip netns add "$cli" || exit 1
ip link add va netns "$srv" type veth peer name vb netns "$cli" || exit 1
ip -n "$srv" addr add 10.9.0.1/24 dev va && ip -n "$cli" addr add 10.9.0.2/24 dev vb || exit 1
for ns in "$srv" "$cli"; do ip -n "$ns" link set lo up; done
ip -n "$srv" link set va up && ip -n "$cli" link set vb up || exit 1

spd() {
  printf 'spdadd 10.9.0.1 10.9.0.2 any -P out ipsec esp/transport//require;\nspdadd 10.9.0.2 10.9.0.1 any -P in ipsec esp/transport//require;\n' |
    ip netns exec "$srv" "$setkey" -c
}
# The socket policies of srv as setkey -DP lists them ("(per-socket policy)"), checked against ip xfrm.
socket_policies() {
  local ours theirs
  ours=$(ip netns exec "$srv" "$setkey" -DP | grep -c '^(per-socket policy)')
  theirs=$(ip netns exec "$srv" ip xfrm policy | grep -cE '^[[:space:]]+socket (in|out) ')
  [[ $ours == "$theirs" ]] || echo "setkey -DP lists $ours socket policies, ip xfrm policy $theirs" >&2
  echo "$ours"
}
stat_of() { ip netns exec "$srv" awk -v k="$1" '$1 == k { print $2 }' /proc/net/xfrm_stat; }
# "hello srv" when a connection from NS to 10.9.0.1:PORT greets within 3 seconds; then it stays open for
# HOLD seconds (the policy count is read meanwhile) and must echo a line.
client() { # NS PORT HOLD
  ip netns exec "$1" timeout $(( 3 + $3 )) bash -c '
    exec 3<>/dev/tcp/10.9.0.1/'"$2"' || exit 1
    read -r -t 3 l <&3 || exit 1
    echo "$l"; sleep '"$3"'; echo ping >&3; read -r -t 2 m <&3 && echo "$m"' 2> /dev/null
}
# Starts WRAPPER... SERVER under systemd-socket-activate in srv on PORT; the pid lands in $started.
activate() { # PORT ARGS...
  local port=$1
  shift
  ip netns exec "$srv" systemd-socket-activate -l "10.9.0.1:$port" "$@" > "$tmp/sa.$port" 2>&1 &
  started=$!
  pids+=("$started")
  local i
  for i in $(seq 50); do ip netns exec "$srv" ss -ltn | grep -q "10.9.0.1:$port " && return 0; sleep 0.1; done
  fail "nothing listens on port $port"
}
# The local connection that makes systemd-socket-activate exec its service.
kick() { [[ $(client "$srv" "$1" 0 | head -n 1) == "hello srv" ]] || fail "port $1: the local connection got no greeting"; }

spd || { echo "FAIL: setkey could not load the SPD"; exit 1; }
[[ $(ip netns exec "$srv" ip xfrm policy | grep -c 'tmpl src 0.0.0.0 dst 0.0.0.0') -ge 2 ]] || fail "the SPD is not in the kernel"

# --- LISTEN_FDS mode, with both directions bypassed: the connection works.
activate 7001 "$ipsec_exec" --listen-fds -p 'in bypass' -p 'out bypass' -- "$server" srv --listen
kick 7001
before=$(socket_policies)
client "$cli" 7001 1 > "$tmp/c7001" &
cpid=$!
sleep 0.6
during=$(socket_policies)
ip netns exec "$srv" "$setkey" -DP > "$tmp/dump"
ip netns exec "$srv" ip xfrm policy > "$tmp/xfrm"
[[ -n ${XFRMPP_TEST_SHOW:-} ]] && cat "$tmp/dump" "$tmp/xfrm"
wait "$cpid"
[[ $(cat "$tmp/c7001") == $'hello srv\nping' ]] || fail "bypass: cli got no greeting and echo: $(cat "$tmp/c7001")"
[[ $before == 2 ]] || fail "bypass: $before socket policies on the listening socket, not 2"
[[ $during == 4 ]] || fail "bypass: $during socket policies while a connection is open, not 4 (listener + accepted)"
[[ $(grep -c '^	in(socket) ' "$tmp/dump") == 2 && $(grep -c '^	out(socket) ' "$tmp/dump") == 2 ]] ||
  fail "bypass: setkey -DP does not show the in and out socket policies of both sockets"
kill "$started" 2> /dev/null

# --- controls: no connection, each dropped where the header says.
in_drop=$(stat_of XfrmInTmplMismatch)
activate 7002 "$server" srv --listen
kick 7002
[[ -z $(client "$cli" 7002 0) ]] || fail "control (no ipsec-exec): cli got through the SPD"
[[ $(stat_of XfrmInTmplMismatch) -gt $in_drop ]] || fail "control (no ipsec-exec): no input drop counted"
[[ $(socket_policies) == 0 ]] || fail "control (no ipsec-exec): socket policies exist"

activate 7003 "$ipsec_exec" --listen-fds -p 'in bypass' -- "$server" srv --listen
kick 7003
in_drop=$(stat_of XfrmInTmplMismatch)
[[ -z $(client "$cli" 7003 0) ]] || fail "control (in bypass only): cli got through the SPD"
[[ $(stat_of XfrmInTmplMismatch) == "$in_drop" ]] || fail "control (in bypass only): the SYN was dropped on input"
kill "$started" 2> /dev/null

activate 7004 "$ipsec_exec" --listen-fds -p 'in ipsec esp/transport//require' -p 'out bypass' -- "$server" srv --listen
kick 7004
in_drop=$(stat_of XfrmInTmplMismatch)
[[ -z $(client "$cli" 7004 0) ]] || fail "control (in require): cli got through"
[[ $(stat_of XfrmInTmplMismatch) -gt $in_drop ]] || fail "control (in require): no input drop counted"
for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
sleep 0.2

# --- inetd mode (fd 0/1 = the accepted connection), no SPD: the policy given blocks the greeting.
ip netns exec "$srv" "$setkey" -FP
activate 7005 --inetd -a "$ipsec_exec" -p 'out ipsec esp/transport//require' -- "$server" srv
client "$cli" 7005 1 > "$tmp/c7005" &
cpid=$!
sleep 0.6
during=$(socket_policies)
wait "$cpid"
[[ -z $(cat "$tmp/c7005") ]] || fail "inetd mode: the greeting passed 'out ipsec esp/transport//require' without an SA"
[[ $during == 1 ]] || fail "inetd mode: $during socket policies on the accepted connection, not 1"
activate 7006 --inetd -a "$ipsec_exec" -p 'out bypass' -- "$server" srv
[[ $(client "$cli" 7006 0 | head -n 1) == "hello srv" ]] || fail "inetd control (out bypass): no greeting"
activate 7007 --inetd -a "$server" srv
[[ $(client "$cli" 7007 0 | head -n 1) == "hello srv" ]] || fail "inetd control (no ipsec-exec): no greeting"

# --- round trip through ipsec-inetd-convert (the server fields of its line: program, argv0, args).
# The server command of the converted line for policy $1, as an array in $cmd.
converted() {
  printf '#@ %s\ngreet\tstream\ttcp\tnowait\troot\t%s\tinetd_server srv\n' "$1" "$server" |
    "$convert" --exec "$ipsec_exec" > "$tmp/inetd.conf" || { fail "ipsec-inetd-convert refused policy $1"; return 1; }
  local line
  line=$(grep '^greet' "$tmp/inetd.conf")
  read -r -a cmd <<< "$line"
  cmd=("${cmd[5]}" "${cmd[@]:7}")  # the program and its arguments (argv0, cmd[6], is inetd's to set)
}
if [[ -n $convert ]]; then
  if converted 'out ipsec esp/transport//require'; then
    activate 7008 --inetd -a "${cmd[@]}"
    # 7005's connection may linger (orphaned, its greeting still unsent) with its policy: count the new one.
    before=$(socket_policies)
    client "$cli" 7008 1 > "$tmp/c7008" &
    cpid=$!
    sleep 0.6
    during=$(socket_policies)
    wait "$cpid"
    [[ -z $(cat "$tmp/c7008") ]] || fail "round trip: the converted line's policy did not block the greeting"
    [[ $((during - before)) == 1 ]] || fail "round trip: $during socket policies after $before, not one more"
  fi
  if converted 'out bypass'; then
    activate 7009 --inetd -a "${cmd[@]}"
    [[ $(client "$cli" 7009 0 | head -n 1) == "hello srv" ]] || fail "round trip control (out bypass): no greeting"
  fi
else
  echo "note: no ipsec-inetd-convert given, round trip not run"
fi

# --- refusals: nothing runs when a policy cannot be applied.
out=$(ip netns exec "$srv" "$ipsec_exec" --fd 0 -p 'in bypass' -- touch "$tmp/ran" < /dev/null 2>&1)
[[ ! -e $tmp/ran && $out == *"fd 0 is not a socket"* ]] || fail "--fd 0 on a file: $out"

if [[ $fails -ne 0 ]]; then
  for f in "$tmp"/sa.*; do echo "--- $f"; cat "$f"; done
  echo "$fails failure(s)"
  exit 1
fi
echo "PASS: ipsec-exec LISTEN_FDS and inetd modes under an ESP-only SPD"
