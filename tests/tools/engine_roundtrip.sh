#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The README's "checking a policy file without root" (issue 10, done-when 3), as an ordinary user with no
# privileges: setkey --backend=engine -f FILE into one state file, -D --save and -DP --save, that output
# loaded into a second state file gives the same dumps; the state file is 0600; a file with an error
# changes nothing.
#   engine_roundtrip.sh BIN_DIR
set -uo pipefail
bin=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
cd "$work" || exit 1
unset XFRMPP_BACKEND XFRMPP_STATE
# An ordinary user: xtest when it exists, else nobody (as root); else whoever runs this.
user=()
if [[ $(id -u) -eq 0 ]]; then
  u=nobody
  id xtest > /dev/null 2>&1 && u=xtest
  user=(setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups --inh-caps=-all)
fi
sk() { ${user[@]+"${user[@]}"} "$bin/setkey" --backend=engine "$@"; }

key=00112233445566778899aabbccddeeff
cat > in.conf << EOF
add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -E aes-cbc 0x$key -A hmac-sha256 0x$key$key;
add 192.0.2.2 192.0.2.1 esp 0x1001 -m tunnel -E aes-cbc 0x$key -A hmac-sha256 0x$key$key;
add 2001:db8::1 2001:db8::2 ah 0x2000 -A hmac-sha1 0x${key}00112233;
spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;
spdadd 10.2.0.0/16 10.1.0.0/16 any -P in prio high + 3 ipsec esp/tunnel/192.0.2.2-192.0.2.1/unique;
spdadd 10.9.0.0/16 10.8.0.0/16 tcp -P out discard;
spdadd 192.0.2.1[500] 192.0.2.2[500] udp -P out prio high + 100 none;
spdadd 2001:db8::/64 2001:db8:1::/64 icmp6 135,0 -P out none;
EOF
chmod 644 in.conf
sk --state "$work/s1.state" -f in.conf > out 2> err; rc=$?
[[ $rc -eq 0 ]] && ok "an ordinary user loads a policy file into the engine" || bad "load: rc=$rc: $(cat err)"
[[ $(stat -c %a s1.state 2> /dev/null) == 600 ]] && ok "the state file is mode 0600" || bad "state file mode: $(stat -c %a s1.state 2>&1)"
sk --state "$work/s1.state" -D --save > sa1 2> err && sk --state "$work/s1.state" -DP --save > sp1 2>> err ||
  bad "dump s1: $(cat err)"
[[ $(grep -c '^add ' sa1) -eq 3 && $(grep -c '^spdadd ' sp1) -ge 5 ]] && ok "-D --save and -DP --save print what was loaded" ||
  { bad "dumps of s1"; cat sa1 sp1; }
chmod 644 sa1 sp1
sk --state "$work/s2.state" -f sa1 -f sp1 > out 2> err; rc=$?
[[ $rc -eq 0 ]] && ok "the saved statements load into a second state file" || bad "reload: rc=$rc: $(cat err)"
sk --state "$work/s2.state" -D --save > sa2 2> err && sk --state "$work/s2.state" -DP --save > sp2 2>> err || bad "dump s2: $(cat err)"
diff sa1 sa2 > d 2>&1 && diff sp1 sp2 >> d 2>&1 && ok "both state files give the same dumps" || { bad "dumps differ"; cat d; }

printf 'spdadd 10.3.0.0/16 10.4.0.0/16 any -P out none;\nspdadd 10.5.0.0/16 10.6.0.0/16 any -P sideways none;\n' > bad.conf
chmod 644 bad.conf
sk --state "$work/s1.state" -f bad.conf > out 2> err; rc=$?
sk --state "$work/s1.state" -DP --save > sp3 2> /dev/null
[[ $rc -eq 1 ]] && diff sp1 sp3 > /dev/null && ok "a file with an error changes nothing in the state" || { bad "bad file: rc=$rc"; diff sp1 sp3; }

# Host knobs Linux lacks are the engine's own: set and read back as the same user, kept in the state file;
# the kernel answers that it has none (control: the same read without the engine).
sysctl() { ${user[@]+"${user[@]}"} "$bin/ipsec-sysctl" "$@"; }
sysctl --backend=engine --state "$work/s1.state" -w net.inet.ipsec.dfbit=2 > out 2> err &&
  sysctl --backend=engine --state "$work/s1.state" -n net.inet.ipsec.dfbit > v 2>> err
[[ $(cat v 2> /dev/null) == 2 ]] && ok "ipsec-sysctl --backend=engine sets and reads dfbit" || bad "engine dfbit: $(cat out err v)"
sysctl --backend=engine --state "$work/s1.state" -w net.inet.ipsec.dfbit=7 > out 2> err; rc=$?
[[ $rc -ne 0 ]] && grep -q 'out of range (0 to 2)' err && ok "an out-of-range knob value is refused" || bad "dfbit=7: rc=$rc $(cat err)"
unshare -n true 2> /dev/null && { unshare -n -- "$bin/ipsec-sysctl" --backend=kernel net.inet.ipsec.dfbit > out 2>&1
  grep -q 'no Linux equivalent' out && ok "control: the kernel has no dfbit" || bad "kernel dfbit: $(cat out)"; }
finish
