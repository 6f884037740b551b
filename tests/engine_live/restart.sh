#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run, stopped hard and stopped cleanly (ESP transport, aes-gcm-16, IPv4 and IPv6):
# 1. A pings B every 0.2 s; B's engine is killed (SIGKILL) in the middle and started again on the same
#    state: the pings are answered again, B's TUN device went away with the process, the new start left
#    one rule of its table (the stale one removed, not a second added), B's sequence numbers never go
#    back (every ESP frame of SA B -> A on the wire has a new, higher one: the reserve persisted ahead),
#    and A, the peer, counts no replay (XfrmInStateSeqError 0). While B's engine is down its prohibit
#    routes keep its traffic to A from leaving in the clear (fail closed).
# 2. B's engine stopped with SIGTERM: while it ran, its rule (v4 and v6), its routes in table 2800 and
#    its TUN device were there; after the stop none is.
#   restart.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
gcm="-E aes-gcm-16 $k16$salt"
cat > sas.conf << EOF2
add $A4 $B4 esp 0x4001 -m transport -r 64 $gcm;
add $B4 $A4 esp 0x4002 -m transport -r 64 $gcm;
add $A6 $B6 esp 0x4101 -m transport -r 64 $gcm;
add $B6 $A6 esp 0x4102 -m transport -r 64 $gcm;
EOF2
start_pair sas.conf esp/transport//require
capture_start wire A va

replies() { grep -c ' bytes from ' "$1.log"; }
# wait_replies NAME N SECONDS: until the ping in NAME.log has N replies
wait_replies() {
  local i=0
  until (($(replies "$1") >= $2)); do
    ((i++ < $3 * 10)) || { echo "  $1: $(replies "$1") replies after $3 s, want $2"; return 1; }
    sleep 0.1
  done
}
bg_ns ping-long A busybox ping -i 0.2 -W 1 "$B4"
long=$BG_PID
check "the pings are answered before the kill" wait_replies ping-long 5 5
engine_kill b
before=$(replies ping-long)
sleep 1
check "after SIGKILL, no reply comes while B's engine is down" [ "$(replies ping-long)" -le $((before + 1)) ]
if ip -n "$(ns B)" link show xfrmpp0 > /dev/null 2>&1; then bad "B's TUN device went away with the killed engine"; else ok "B's TUN device went away with the killed engine"; fi
# Fail closed: the device's routes went with it, the prohibit routes behind them stay, so B's own
# traffic to A (the echo replies, B's own pings) cannot leave in the clear until the restart.
prohibits() { ip -n "$(ns B)" "$1" route show table 2800 | grep -c '^prohibit'; }
check "while B's engine is down its table keeps a prohibit route (IPv4)" [ "$(prohibits -4)" -ge 1 ]
check "while B's engine is down its table keeps a prohibit route (IPv6)" [ "$(prohibits -6)" -ge 1 ]
if nsx B busybox ping -c 1 -W 1 "$A4" > ping-down.log 2>&1; then bad "B's own ping to A went out while its engine was down"; else ok "B's own ping to A is refused while its engine is down"; fi
engine_start b B
rules() { ip -n "$(ns B)" "$1" rule show | grep -c 'lookup 2800'; }
check "after the restart B has one rule of table 2800 (IPv4)" [ "$(rules -4)" -eq 1 ]
check "after the restart B has one rule of table 2800 (IPv6)" [ "$(rules -6)" -eq 1 ]
down=$(replies ping-long)
check "the pings are answered again after the restart" wait_replies ping-long $((down + 5)) 5
kill -INT "$long"
wait "$long" 2> /dev/null
note "long ping: $(grep 'packets transmitted' ping-long.log)"
check "3 pings A -> B over IPv6 answered after the restart" pings A "$B6"

# 2. While B's engine runs: its rule, routes and device are there (so the checks after the stop can fail).
present() {  # what B shows of the engine: rules v4/v6, routes v4/v6 in table 2800, the device
  echo "$(rules -4) $(rules -6) $(ip -n "$(ns B)" -4 route show table 2800 | wc -l) $(ip -n "$(ns B)" -6 route show table 2800 | wc -l)" \
    "$(ip -n "$(ns B)" link show xfrmpp0 > /dev/null 2>&1 && echo tun || echo no-tun)"
}
running=$(present)
note "B while its engine runs: rules v4 v6, routes v4 v6, device: $running"
check "while B's engine runs: 1 rule each (v4, v6), two routes each in table 2800 (TUN, prohibit), the TUN device" [ "$running" = "1 1 2 2 tun" ]
capture_stop wire
engine_stop b
engine_stop a
after=$(present)
note "B after SIGTERM: $after"
check "after SIGTERM: no rule, no route in table 2800, no TUN device in B" [ "$after" = "0 0 0 0 no-tun" ]
note "B's ip rule after the stop: $(ip -n "$(ns B)" rule show | tr '\n' ';')"

check "no cleartext ICMP echo on the wire, also while B's engine was down" [ "$(wire_cleartext wire.pcap)" -eq 0 ]
check "A, the restarted engine's peer, counts no replay (XfrmInStateSeqError)" counter_is a XfrmInStateSeqError 0
check "B counts no replay either" counter_is b XfrmInStateSeqError 0
# Every sequence number of B's SA on the wire is new and higher than the one before.
ts wire.pcap -Y 'esp.spi == 0x4002' -T fields -e esp.sequence > seq-b.txt
seq_increasing() {
  awk 'NR > 1 && $1 <= last { bad++; printf "  sequence %s after %s\n", $1, last } { last = $1; n++ }
       NR > 1 && $1 > prev + 1 { jumps++; printf "  jump from %s to %s\n", prev, $1 } { prev = $1 }
       END { printf "  %d ESP frames of SA 0x4002, %d jump(s)\n", n, jumps; exit bad > 0 || n < 10 }' seq-b.txt
}
check "B's sequence numbers on the wire only go up, across the restart" seq_increasing
live_done
