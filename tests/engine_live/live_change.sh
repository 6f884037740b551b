#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsec-engine run picks up changes to its state while it runs (ESP transport, cbc(aes) + hmac(sha256),
# IPv4). Both engines start with an empty state, and A's pings to B go in the clear. With a ping running
# every 0.2 s, the SAs and policies are loaded into both states with setkey --backend=engine: each engine
# logs a reload, and the pings go on through ESP (clear echoes first on the wire, then only ESP). Then 3
# pings, all answered, exactly 3 ESP frames per SA. Last, a policy without SAs (A -> 10.77.1.2, an
# address of B) is hit: `setkey -x --backend=engine` on A's state, running in the background, shows
# the ACQUIRE, and A's engine logs it.
#   live_change.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
live_init "$@"

live_two_hosts
live_addr B vb 10.77.1.2/24
live_empty_state a
live_empty_state b
engine_start a A
engine_start b B
bg monitor "$bin/setkey" -x --json --backend=engine --state "$work/a.state"
monitor=$BG_PID

capture_start before A va
pings A "$B4" && PINGS_OK=1 || PINGS_OK=0
capture_stop before
check "with empty states the pings are answered" pings_ok
clear=$(wire_cleartext before.pcap)
check "... in the clear (6 echo packets on the wire)" [ "$clear" -eq 6 ]

alg="-E aes-cbc $k16 -A hmac-sha256 $k32"
cat > sas.conf << EOF2
add $A4 $B4 esp 0x6001 -m transport -r 64 $alg;
add $B4 $A4 esp 0x6002 -m transport -r 64 $alg;
EOF2
{ cat sas.conf; spd "$A4" "$B4" esp/transport//require; } > a.conf
{ cat sas.conf; spd "$B4" "$A4" esp/transport//require; } > b.conf
capture_start change A va
bg_ns ping-long A busybox ping -i 0.2 -W 1 "$B4"
long=$BG_PID
sleep 1
reloads_a=$(grep -c '^ipsec-engine: reload:' a.log) reloads_b=$(grep -c '^ipsec-engine: reload:' b.log)
live_load b
live_load a
reloaded() {  # NAME COUNT_BEFORE: a new reload line within 3 s
  local i=0
  until (($(grep -c '^ipsec-engine: reload:' "$1.log") > $2)); do
    ((i++ < 60)) || { echo "  $1: no reload line within 3 s of setkey -f"; return 1; }
    sleep 0.05
  done
}
check "engine a logs a reload" reloaded a "$reloads_a"
check "engine b logs a reload" reloaded b "$reloads_b"
note "$(grep '^ipsec-engine: reload:' a.log | tail -n1)"
sleep 2
kill -INT "$long"
wait "$long" 2> /dev/null
capture_stop change
note "ping across the change: $(grep 'packets transmitted' ping-long.log)"
# The order on the wire: some echoes in the clear, then ESP only.
ts change.pcap -Y "icmp or esp" -T fields -e frame.number -e esp.spi > change.txt
switched() {
  awk '$2 == "" { clear++; if (esp) back++ } $2 != "" { esp++ }
       END { printf "  %d clear, %d ESP, %d clear after the first ESP\n", clear, esp, back; exit !(clear > 0 && esp >= 10 && back == 0) }' change.txt
}
check "on the wire: echoes in the clear before the change, then only ESP" switched

capture_start after A va
pings A "$B4" && PINGS_OK=1 || PINGS_OK=0
capture_stop after
check "after the change, 3 pings A -> B answered" pings_ok
check "... and the wire carries only ESP, 3 frames per SA" wire_protected after.pcap 'esp.spi == 0x6001=3' 'esp.spi == 0x6002=3'

# ACQUIRE: a policy whose SA is missing, hit by a ping.
acquires_log=$(grep -c '^ipsec-engine: acquire:' a.log) reloads_a=$(grep -c '^ipsec-engine: reload:' a.log)
echo "spdadd $A4 10.77.1.2 any -P out ipsec esp/transport//require;" > a-acq.conf
chmod 600 a-acq.conf
sk a -f a-acq.conf > load-a-acq.log 2>&1 || bad "spdadd without SAs: $(cat load-a-acq.log)"
check "engine a logs a reload for the new policy" reloaded a "$reloads_a"
nsx A busybox ping -c 2 -W 1 10.77.1.2 > ping-acq.log 2>&1
acquire_seen() {
  local i=0
  until jq -e 'select(.event == "acquire")' monitor.log > /dev/null 2>&1; do
    ((i++ < 40)) || { echo "  setkey -x: no acquire event within 2 s: $(jq -c -r '.event' monitor.log 2> /dev/null | sort | uniq -c | tr '\n' ' ')"; return 1; }
    sleep 0.05
  done
  jq -c 'select(.event == "acquire")' monitor.log | head -n 1 | grep -q '10\.77\.1\.2' ||
    { echo "  the acquire does not name 10.77.1.2: $(jq -c 'select(.event == "acquire")' monitor.log | head -n 1)"; return 1; }
}
check "setkey -x --backend=engine shows the ACQUIRE for A -> 10.77.1.2" acquire_seen
check "A's engine logs the acquire" [ "$(grep -c '^ipsec-engine: acquire:' a.log)" -gt "$acquires_log" ]
kill -TERM "$monitor"
wait "$monitor" 2> /dev/null
engine_stop a
engine_stop b
check "A counts the echoes without an SA under XfrmOutNoStates" counter_is a XfrmOutNoStates 2
live_done
