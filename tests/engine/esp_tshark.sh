#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The engine's ESP, checked by another implementation: setkey --backend=engine loads SAs and policies,
# `ipsec-engine process --out` turns a capture of plain UDP and ICMP into ESP, and tshark, given the same
# keys (its esp_sa table), must find every ICV good and the original payload inside. Controls: with a
# wrong key, or one ciphertext byte changed, tshark must not. Also: the peer's `process --in` gives the
# original packets back, a second run continues the sequence numbers, ACQUIRE and EXPIRE are reported,
# and a failing run leaves no output.
#   esp_tshark.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$(realpath "$1")
src=$(realpath "$2")
. "$src/tests/tools/lib.sh"
command -v tshark > /dev/null || { echo "skipped: no tshark"; exit 77; }
command -v jq > /dev/null || { echo "skipped: no jq"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
unset XFRMPP_BACKEND XFRMPP_STATE
gen() { python3 "$src/tests/engine/make_pcap.py" "$@"; }
engine() { "$bin/ipsec-engine" "$@"; }
# tshark's own settings must not decide anything: an empty configuration directory.
mkdir -p tshark-conf
ts() { HOME=$work XDG_CONFIG_HOME=$work/tshark-conf tshark -n -r "$@" 2> tshark.err; }

k16=000102030405060708090a0b0c0d0e0f
k20=${k16}10111213
k32=${k16}101112131415161718191a1b1c1d1e1f
salt=c0ffee01
# name|spi|src|dst|setkey algorithms|tshark encryption|tshark key|tshark authentication|tshark key
sas=(
  "cbc-sha256|0x1001|10.0.1.1|10.0.1.2|-E aes-cbc 0x$k16 -A hmac-sha256 0x$k32|AES-CBC [RFC3602]|0x$k16|HMAC-SHA-256-128 [RFC4868]|0x$k32"
  "gcm16|0x1002|10.0.2.1|10.0.2.2|-E aes-gcm-16 0x$k16$salt|AES-GCM with 16 octet ICV [RFC4106]|0x$k16$salt|NULL|"
  "ctr-sha1|0x1003|10.0.3.1|10.0.3.2|-E aes-ctr 0x$k16$salt -A hmac-sha1 0x$k20|AES-CTR [RFC3686]|0x$k16$salt|HMAC-SHA-1-96 [RFC2404]|0x$k20"
  "gcm16-tunnel|0x2001|192.0.2.1|192.0.2.2|-m tunnel -E aes-gcm-16 0x$k32$salt|AES-GCM with 16 octet ICV [RFC4106]|0x$k32$salt|NULL|"
  "cbc-sha256-v6|0x3001|2001:db8::1|2001:db8::2|-E aes-cbc 0x$k32 -A hmac-sha256 0x$k32|AES-CBC [RFC3602]|0x$k32|HMAC-SHA-256-128 [RFC4868]|0x$k32"
)
# tshark 4.0 (Debian 12) has no ChaCha20-Poly1305 for ESP (added in 4.2): only the peer's --in checks it.
chacha="add 10.0.4.1 10.0.4.2 esp 0x1004 -r 64 -E chacha20-poly1305 0x$k32$salt;"
policies() {  # DIR: the policies of the sending host (out) or of the receiving one (in)
  cat << EOF
spdadd 10.0.1.1 10.0.1.2 any -P $1 ipsec esp/transport//require;
spdadd 10.0.2.1 10.0.2.2 any -P $1 ipsec esp/transport//require;
spdadd 10.0.3.1 10.0.3.2 any -P $1 ipsec esp/transport//require;
spdadd 10.0.4.1 10.0.4.2 any -P $1 ipsec esp/transport//require;
spdadd 10.1.0.0/16 10.2.0.0/16 any -P $1 ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;
spdadd 2001:db8::1 2001:db8::2 any -P $1 ipsec esp/transport//require;
EOF
}
{
  for s in "${sas[@]}"; do
    IFS='|' read -r _ spi a b algs _ <<< "$s"
    # -r: a replay window, or the peer would not check replays (as the kernel with replay-window 0).
    echo "add $a $b esp $spi -r 64 $algs;"
  done
  echo "$chacha"
} > sas.conf
{ cat sas.conf; policies out; } > out.conf
{ cat sas.conf; policies in; } > in.conf
chmod 600 ./*.conf
"$bin/setkey" --backend=engine --state "$work/out.state" -f out.conf > load.out 2>&1 &&
  "$bin/setkey" --backend=engine --state "$work/in.state" -f in.conf >> load.out 2>&1 ||
  { bad "setkey loads the SAs and policies: $(cat load.out)"; exit 1; }

flows=(10.0.1.1,10.0.1.2 10.0.2.1,10.0.2.2 10.0.3.1,10.0.3.2 10.1.0.5,10.2.0.9 2001:db8::1,2001:db8::2
       10.0.4.1,10.0.4.2 10.0.9.1,10.0.9.2)
gen plain.pcap eth -n 3 "${flows[@]}"
engine process --state "$work/out.state" --out -r plain.pcap -w esp.pcap --json > out.json 2> err
rc=$?
[[ $rc -eq 0 && -s esp.pcap ]] && ok "process --out writes a capture" || { bad "process --out: rc=$rc: $(cat err)"; exit 1; }
read -r nread npass ndrop nnonip < <(jq -r '.packets | "\(.read) \(.passed) \(.dropped) \(.non_ip)"' out.json)
# Per flow 3 UDP + 1 echo, 7 flows, one ARP; the last flow has no policy and goes out in clear.
[[ $nread == 29 && $npass == 29 && $ndrop == 0 && $nnonip == 1 ]] &&
  ok "summary: 29 read, 29 passed, 0 dropped, 1 not IP" || bad "summary: $(jq -c .packets out.json)"
[[ $(jq '[.packets.transformed]|.[0]' out.json) == 24 ]] && ok "24 packets got ESP" || bad "transformed: $(jq -c .packets out.json)"

# The esp_sa table: protocol, source, destination, SPI, encryption, key, authentication, key.
uat_args() {  # [wrong]: every key with its first byte changed
  local s name spi a b enc ekey auth akey proto
  for s in "${sas[@]}"; do
    IFS='|' read -r name spi a b _ enc ekey auth akey <<< "$s"
    if [[ ${1-} == wrong ]]; then
      ekey=0xff${ekey:4}
      [[ -n $akey ]] && akey=0xff${akey:4}
    fi
    [[ $a == *:* ]] && proto=IPv6 || proto=IPv4
    printf -- '-o\nuat:esp_sa:"%s","%s","%s","%s","%s","%s","%s","%s"\n' "$proto" "$a" "$b" "$spi" "$enc" "$ekey" "$auth" "$akey"
  done
}
mapfile -t uat < <(uat_args)
mapfile -t uat_wrong < <(uat_args wrong)
esp_opts=(-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE)
fields=(-T fields -E separator=, -e frame.number -e esp.spi -e esp.icv_good -e esp.icv_bad -e data.data)
ts plain.pcap "${fields[@]}" > plain.txt
ts esp.pcap "${esp_opts[@]}" "${uat[@]}" "${fields[@]}" > esp.txt || bad "tshark: $(cat tshark.err)"
grep -q 'esp_sa' tshark.err && bad "tshark refused the esp_sa table: $(cat tshark.err)"

# Row by row (every packet passed, in order): ESP with a good ICV and the original payload, per SA.
check_sa() {  # NAME SPI TABLE
  awk -F, -v spi="$(printf '0x%08x' "$2")" '
    NR == FNR { payload[$1] = $5; next }
    $2 == spi { n++; if ($3 == "1" && $4 != "1" && $5 != "" && $5 == payload[$1]) good++ }
    END { printf "%d %d\n", n, good }' plain.txt "$3"
}
for s in "${sas[@]}"; do
  IFS='|' read -r name spi _ <<< "$s"
  read -r n good < <(check_sa "$name" "$spi" esp.txt)
  [[ $n -eq 4 && $good -eq 4 ]] && ok "$name: tshark decrypts all 4 packets, ICV good, payload as sent" ||
    bad "$name: $good of $n ESP packets decrypted with a good ICV and the original payload"
done
# The flow without a policy is on the wire as it was.
awk -F, 'NR == FNR { p[$1] = $5; next } FNR >= 27 && FNR <= 29 && $2 == "" && $5 == p[$1] { n++ } END { exit n != 3 }' \
  plain.txt esp.txt && ok "the flow without a policy passes in clear" || bad "clear flow changed"

# Control 1: a wrong key in the table, and tshark must fail the ICV and show no payload.
ts esp.pcap "${esp_opts[@]}" "${uat_wrong[@]}" "${fields[@]}" > wrong.txt
for s in "${sas[@]}"; do
  IFS='|' read -r name spi _ <<< "$s"
  read -r n good < <(check_sa "$name" "$spi" wrong.txt)
  # No ICV may pass. Not "4 bad": with a wrong encryption key tshark may stop at the garbage trailer
  # (a random CBC IV makes it vary) before it reports the ICV at all.
  good_icv=$(awk -F, -v spi="$(printf '0x%08x' "$spi")" '$2 == spi && $3 == "1" { n++ } END { print n + 0 }' wrong.txt)
  bad_icv=$(awk -F, -v spi="$(printf '0x%08x' "$spi")" '$2 == spi && $4 == "1" { n++ } END { print n + 0 }' wrong.txt)
  [[ $n -eq 4 && $good -eq 0 && $good_icv -eq 0 && $bad_icv -ge 1 ]] && ok "control: $name with a wrong key: no payload, no good ICV" ||
    bad "control: $name with a wrong key: $good decrypted, $good_icv good and $bad_icv bad ICVs of $n"
done
# Control 2: one ciphertext byte changed in frame 1 (cbc-sha256): that ICV is bad, the others stay good.
python3 - esp.pcap flipped.pcap << 'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
# global header 24, record header 16, Ethernet 14, IPv4 20, ESP header 8, IV 16: the first ciphertext byte
d[24 + 16 + 14 + 20 + 8 + 16] ^= 0x01
open(sys.argv[2], "wb").write(d)
EOF
ts flipped.pcap "${esp_opts[@]}" "${uat[@]}" "${fields[@]}" > flipped.txt
read -r n good < <(check_sa cbc-sha256 0x1001 flipped.txt)
[[ $(awk -F, '$1 == 1 { print $4 }' flipped.txt) == 1 && $good -eq 3 ]] &&
  ok "control: a changed ciphertext byte fails that packet's ICV only" || bad "control: flipped byte: $(head -2 flipped.txt)"

# The peer: process --in on its own state gives back the very packets that were sent, ChaCha20 included.
engine process --state "$work/in.state" --in -r esp.pcap -w back.pcap --json > in.json 2> err ||
  bad "process --in: $(cat err)"
python3 - plain.pcap back.pcap << 'EOF' && ok "process --in at the peer restores every packet byte for byte" || bad "process --in differs"
import sys
def records(path):
    d = open(path, "rb").read()
    out, off = [], 24
    while off < len(d):
        n = int.from_bytes(d[off + 8:off + 12], "little")
        out.append((d[off:off + 8], d[off + 16:off + 16 + n]))
        off += 16 + n
    return out
a, b = records(sys.argv[1]), records(sys.argv[2])
bad = [i + 1 for i, (x, y) in enumerate(zip(a, b)) if x != y]
if len(a) != len(b) or bad:
    print(f"{len(a)} vs {len(b)} records, differing: {bad[:10]}")
    sys.exit(1)
EOF
[[ $(jq '.packets.transformed' in.json) == 24 && $(jq '.packets.dropped' in.json) == 0 ]] &&
  ok "process --in: 24 packets had ESP removed, none dropped" || bad "process --in summary: $(jq -c .packets in.json)"
# The same capture again at the peer: every ESP packet is a replay now (the clear ones still pass).
engine process --state "$work/in.state" --in -r esp.pcap -w again.pcap --json > again.json 2> err
[[ $(jq '.packets.dropped' again.json) == 24 &&
   $(jq '[.counters[] | select(.name == "XfrmInStateSeqError") | .run] | add' again.json) == 24 ]] &&
  ok "the same capture again at the peer: 24 replays under XfrmInStateSeqError" || bad "replay: $(jq -c '.packets, .counters' again.json)"
# ipsec-stat reads the same counters back from the peer's state file (a user's view of the drops).
stat=$("$bin/ipsec-stat" --backend=engine --state "$work/in.state" --json 2> err)
[[ $(jq '[.counters[] | select(.name == "XfrmInStateSeqError") | .value] | add' <<< "$stat") == 24 &&
   $(jq '[.counters[] | select(.name == "XfrmInNoStates") | .value] | add' <<< "$stat") == 0 ]] &&
  ok "ipsec-stat --backend=engine shows the 24 replays" || bad "ipsec-stat: $(cat err) $(jq -c '[.counters[] | select(.value > 0)]' <<< "$stat")"

# A second --out run continues the sequence numbers the first one committed.
engine process --state "$work/out.state" --out -r plain.pcap -w esp2.pcap > /dev/null 2> err || bad "second run: $(cat err)"
seqs=$(ts esp2.pcap -Y 'esp.spi == 0x1001' -T fields -e esp.sequence | tr '\n' ' ')
[[ $seqs == "5 6 7 8 " ]] && ok "a second run continues at sequence number 5" || bad "second run sequence numbers: $seqs"

# ACQUIRE for a policy without an SA, soft and hard EXPIRE for an SA with byte limits.
cat > ev.conf << EOF
spdadd 10.0.5.1 10.0.5.2 any -P out ipsec esp/transport//unique:7;
add 10.0.6.1 10.0.6.2 esp 0x1006 -bs 200 -bh 400 -E aes-gcm-16 0x$k16$salt;
spdadd 10.0.6.1 10.0.6.2 any -P out ipsec esp/transport//require;
EOF
chmod 600 ev.conf
"$bin/setkey" --backend=engine --state "$work/ev.state" -f ev.conf > load.out 2>&1 || bad "load ev.conf: $(cat load.out)"
gen ev.pcap raw -n 6 --size 100 10.0.5.1,10.0.5.2 10.0.6.1,10.0.6.2
engine process --state "$work/ev.state" --out -r ev.pcap -w ev-out.pcap --json > ev.json 2> err || bad "events run: $(cat err)"
# (One per flow here, the UDP one and the echo: the engine keys a pending ACQUIRE by the flow's selector.)
[[ $(jq '[.events[] | select(.event == "acquire" and .sa.reqid == 7 and .policy.reqids == [7])] | length' ev.json) -ge 1 ]] &&
  ok "an ACQUIRE with reqid 7 for the policy without an SA" || bad "acquire: $(jq -c .events ev.json)"
[[ $(jq '[.events[] | select(.event == "expire-soft" and .sa.spi == 4102)] | length' ev.json) == 1 &&
   $(jq '[.events[] | select(.event == "expire-hard" and .sa.spi == 4102)] | length' ev.json) == 1 ]] &&
  ok "soft and hard EXPIRE for SA 0x1006" || bad "expire: $(jq -c .events ev.json)"
[[ $(jq .packets.dropped ev.json) -gt 0 && $(jq '[.drops[].packets] | add' ev.json) == $(jq .packets.dropped ev.json) &&
   $(jq '[.counters[].run] | add' ev.json) == $(jq .packets.dropped ev.json) ]] &&
  ok "every drop is counted, and the counters add up to the drops" || bad "drops vs counters: $(jq -c '.drops, .counters' ev.json)"
# The table, from a state of its own: in ev.state the ACQUIRE is pending now and is not raised again.
"$bin/setkey" --backend=engine --state "$work/ev2.state" -f ev.conf > load.out 2>&1 || bad "load ev.conf: $(cat load.out)"
engine process --state "$work/ev2.state" --out -r ev.pcap -w ev-out2.pcap > ev.txt 2> err
grep -q '^  acquire esp 10.0.5.1->10.0.5.2 transport reqid 7 policy' ev.txt && grep -q '^XfrmOutNoStates ' ev.txt &&
  ok "the table names the ACQUIRE and the counter" || bad "table: $(cat ev.txt)"

# Errors: one line, exit 1, nothing written, no temporary file left beside the output.
expect_error() {  # WHAT PATTERN ARGS...
  local what=$1 pattern=$2
  shift 2
  rm -f never.pcap
  engine process "$@" -w never.pcap > out 2> err
  local rc=$? n
  n=$(wc -l < err)
  [[ $rc -eq 1 && $n -eq 1 && ! -e never.pcap && -z $(ls -A | grep '^\.never') ]] && grep -q "$pattern" err &&
    ok "error: $what" || bad "error: $what: rc=$rc: $(cat err)"
}
printf 'not a capture' > junk.pcap
python3 -c "
import struct, sys
open('wifi.pcap', 'wb').write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 105))"
head -c 60 plain.pcap > cut.pcap
expect_error "unreadable capture" "junk.pcap: " --state "$work/out.state" --out -r junk.pcap
expect_error "missing capture" "missing.pcap: " --state "$work/out.state" --out -r missing.pcap
expect_error "unsupported link type" "unsupported link type IEEE802_11" --state "$work/out.state" --out -r wifi.pcap
expect_error "truncated capture" "cut.pcap: " --state "$work/out.state" --out -r cut.pcap
expect_error "missing state file" "no such state file" --state "$work/none.state" --out -r plain.pcap
printf 'garbage' > bad.state
expect_error "damaged state file" "bad.state: " --state "$work/bad.state" --out -r plain.pcap
engine process --state "$work/out.state" -r plain.pcap -w never.pcap > /dev/null 2>&1
[[ $? -eq 2 && ! -e never.pcap ]] && ok "usage error without --out or --in" || bad "no direction"

echo "$passes passed, $fails failed"
((fails == 0))
