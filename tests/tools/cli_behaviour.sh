#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What packagers and admins meet at the command line (issue 9, item 6), end to end:
#   --help on stdout with exit 0 and messages named by the bare program name (all five tools);
#   setkey -n --save (no kernel) prints what -D --save / -DP --save print after loading the file;
#   --json parse errors as a JSON "errors" array on stdout, keys masked as in the text;
#   an unprivileged dump names CAP_NET_ADMIN (private netns, setpriv to nobody);
#   ipsecconf -l and the view work with a read-only or absent state directory.
# The kernel parts run in private network namespaces and are skipped (77 overall only when nothing else
# could run) without them.
#   cli_behaviour.sh BIN_DIR
set -uo pipefail
bin=$1
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
command -v jq > /dev/null || { echo "SKIPPED: jq is not installed"; exit 77; }
key=00112233445566778899aabbccddeeff
# jq -e FILTER FILE, false on an empty FILE (jq 1.6 -e accepts no input at all).
jqt() { [[ -s $2 ]] && jq -e "$1" "$2" > /dev/null; }

# --- --help and program names ----------------------------------------------------------------------
for t in setkey ipsecconf ipseckey ipsec-stat ipsec-sysctl; do
  "$bin/$t" --help > out 2> err; rc=$?
  [[ $rc -eq 0 && -s out && ! -s err ]] && ok "$t --help: stdout, exit 0" || bad "$t --help: rc=$rc, $(wc -c < out) bytes out, stderr: $(head -2 err)"
  for opt in --no-such-option -Z; do
    # Run by a path, as from a build tree: getopt would name the program "./ipsecconf".
    (cd "$bin" && "./$t" $opt > /dev/null 2> "$work/err"); rc=$?
    msgs=$(grep -vE $'^(\t|Usage:|Linux options:|Try )' err)
    if [[ $rc -ne 0 && -n $msgs ]] && ! grep -vq "^$t: " <<< "$msgs"; then ok "$t $opt: every message begins '$t: '"
    else bad "$t $opt: rc=$rc: $msgs"; fi
  done
done

# --- setkey -n --save ------------------------------------------------------------------------------
cat > in.conf << EOF
add 192.0.2.1 192.0.2.2 esp 0x1000 -m tunnel -E aes-cbc 0x$key -A hmac-sha256 0x$key$key;
add 192.0.2.1 192.0.2.2 esp 0x1001 -E aes-cbc 0x$key;
delete 192.0.2.1 192.0.2.2 esp 0x1001;
add 192.0.2.2 192.0.2.1 ah 0x2000 -A hmac-sha1 0x${key}00112233;
spdadd 10.1.0.0/16 10.2.0.0/16 any -P out ipsec esp/tunnel/192.0.2.1-192.0.2.2/require;
spdadd 10.2.0.0/16 10.1.0.0/16 any -P in prio high + 3 ipsec esp/tunnel/192.0.2.2-192.0.2.1/unique;
spdadd 10.9.0.0/16 10.8.0.0/16 tcp -P out none;
spddelete 10.9.0.0/16 10.8.0.0/16 tcp -P out;
spdadd 192.0.2.1[500] 192.0.2.2[500] udp -P out prio high + 100 none;
EOF
"$bin/setkey" -n --save -f in.conf > save1 2> err; rc=$?
[[ $rc -eq 0 && ! -s err ]] && ok "setkey -n --save runs without a kernel" || bad "setkey -n --save: rc=$rc: $(cat err)"
[[ $(grep -c '^add ' save1) -eq 2 && $(grep -c '^spdadd ' save1) -eq 3 ]] && ! grep -q '0x1001\|10.9.0.0' save1 &&
  ok "-n --save applies deletes: 2 SAs, 3 policies" || { bad "-n --save content"; cat save1; }
grep -q '/unique;$' save1 && ok "-n --save keeps a bare unique" || bad "-n --save lost 'unique': $(grep 10.2.0.0 save1)"
"$bin/setkey" -n --save -f save1 > save2 && diff save1 save2 > /dev/null && ok "-n --save output is a fixed point" || bad "-n --save of its own output differs"
"$bin/setkey" --save -f in.conf > /dev/null 2> err; [[ $? -eq 2 ]] && grep -q -- '--save goes with -D, -DP or -n' err &&
  ok "--save with a load but without -n is a usage error" || bad "--save without -n: $(cat err)"

# --- --json errors ---------------------------------------------------------------------------------
printf 'spdadd 10.0.0.1 10.0.0.2 any -P out none 0x%s;\nspdadd 10.0.0.1 10.0.0.2 any -P sideways none;\n' "$key" > bad.conf
"$bin/setkey" -n --json -f bad.conf > out 2> err; rc=$?
[[ $rc -eq 1 ]] && ok "setkey -n --json with errors: exit 1" || bad "setkey -n --json: rc=$rc"
jqt '.schema == "xfrmpp/1" and (.errors | length) == 2 and (.errors[1] | .file == "bad.conf" and .line == 2 and .column == 33
       and (.message | test("sideways")))' out && ok "setkey: errors array with file, line, column, message" ||
  bad "setkey errors array: $(cat out)"
grep -q "$key" out && bad "setkey --json shows the key" || ok "setkey --json errors hold no key"
# The same messages as the text on stderr, masking included.
diff <(jq -r '.errors[] | "\(.file):\(.line):\(.column): error: \(.message)"' out) <(grep ': error: ' err) > /dev/null &&
  grep -q "'<key>'" out && ok "setkey: JSON messages are the text's, the key masked as <key>" ||
  bad "setkey JSON vs text: $(jq -c .errors out) / $(grep ': error: ' err)"
"$bin/setkey" -n -f bad.conf > out 2> /dev/null
[[ ! -s out ]] && ok "without --json nothing goes to stdout" || bad "setkey -n without --json printed: $(head -3 out)"
"$bin/setkey" -n --json -f in.conf > out && jqt 'has("errors") | not' out && ok "setkey -n --json without errors: no errors member" ||
  bad "setkey -n --json of a good file"
"$bin/setkey" -n --json -f "$work/missing.conf" > out 2> /dev/null; rc=$?
[[ $rc -eq 1 ]] && jqt '.errors[0] | .line == 0 and (.message | test("No such file"))' out &&
  ok "setkey: an unreadable input is an error without a position" || bad "setkey missing file: rc=$rc $(cat out)"

printf '{raddr 10.0.0.1} ipsec {encr_algs bogus}\n' > bad.ipc
"$bin/ipsecconf" -c bad.ipc --json > out 2> err; rc=$?
[[ $rc -eq 1 ]] && jqt '.errors | length == 1 and (.[0] | .file == "bad.ipc" and .line == 1 and .column > 0)' out &&
  grep -q 'Bad Encryption Algorithm' err && ok "ipsecconf -c --json: errors array, text on stderr too" || bad "ipsecconf -c --json: rc=$rc $(cat out)"

printf 'add esp spi 0x100 src 10.0.0.1 dst 10.0.0.2 encr_alg aes encrkey %s bogusword 0x%s\n' "$key" "$key" > bad.ik
chmod 600 bad.ik
"$bin/ipseckey" --json -c bad.ik > out 2> err; rc=$?
[[ $rc -eq 1 ]] && jqt '.errors | length == 1 and (.[0] | .line == 1 and (.message | test("bogusword")))' out &&
  ! grep -q "$key" out && ok "ipseckey -c --json: errors array, no key" || bad "ipseckey -c --json: rc=$rc $(cat out)"
"$bin/ipseckey" --json get esp spi 0x100 dst 10.0.0.999 > out 2> /dev/null; rc=$?
[[ $rc -eq 1 ]] && jqt '.errors[0].file == "<command line>"' out && ok "ipseckey --json command line: errors array" ||
  bad "ipseckey --json command line: rc=$rc $(cat out)"

# --- kernel: privilege and the read-only rule record ---------------------------------------------
if ! unshare -n true 2> /dev/null || ! command -v setpriv > /dev/null; then
  if [[ ${XFRMPP_REQUIRE_KERNEL:-} == 1 ]]; then
    bad "no network namespace or setpriv, and XFRMPP_REQUIRE_KERNEL=1: the kernel checks must run"
  else
    echo "# no network namespace or setpriv: the kernel checks are skipped"
  fi
  finish
  exit
fi
# The kernel side of -n --save: load the file, save from the kernel, compare. A kernel without ESP/AH
# (no esp4/ah4 modules: "Requested type not found") takes the policies only; the VM tests have both.
chmod 600 in.conf
if unshare -n -- bash -c "'$bin/setkey' -f in.conf && '$bin/setkey' -D --save && '$bin/setkey' -DP --save" > kernel.save 2> err; then
  diff save1 kernel.save > save.diff && ok "setkey -n --save prints what -D --save and -DP --save print after the load" ||
    { bad "-n --save differs from the kernel's --save"; cat save.diff err; }
elif grep -q 'Requested type not found' err; then
  echo "# this kernel has no ESP/AH states: comparing the policies only"
  grep -v '^add\|^delete' in.conf > spd.conf
  unshare -n -- bash -c "'$bin/setkey' -f spd.conf && '$bin/setkey' -DP --save" > kernel.save 2> err
  diff <(sed -n '/^# setkey -DP --save/,$p' save1) kernel.save > save.diff &&
    ok "setkey -n --save prints the policies -DP --save prints after the load" || { bad "-n --save differs from -DP --save"; cat save.diff err; }
else
  bad "setkey -f in.conf in a namespace: $(cat err)"
fi

chmod 755 "$work"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
export -f nobody
for cmd in "setkey -D" "setkey -DP" "setkey -F" "ipseckey dump" "ipsecconf -l --state-dir $work/absent" \
  "ipsec-sysctl net.inet.ipsec.def_policy" "ipsec-stat"; do
  unshare -n -- bash -c "nobody $bin/$cmd" > err 2>&1; rc=$?  # ipsec-stat reports on stdout
  [[ $rc -eq 1 ]] && grep -q 'Operation not permitted (needs CAP_NET_ADMIN in this network namespace; without it, use --backend=engine)$' err &&
    ok "unprivileged $cmd names CAP_NET_ADMIN" || bad "unprivileged $cmd: rc=$rc: $(cat err)"
done

# A user with CAP_NET_ADMIN (the capability a listing needs) but no write access to the state directory.
netadmin() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin "$@"; }
export -f netadmin
mkdir -p ro absent-parent
printf '{laddr 10.0.0.1 raddr 10.0.0.2 ulp tcp} ipsec {encr_algs aes encr_auth_algs sha256}\n' > one.ipc
unshare -n -- bash -c "
  '$bin/ipsecconf' -q --state-dir '$work/ro' -a one.ipc || exit 9
  chmod 555 '$work/ro'; chmod 444 '$work'/ro/*
  chmod 555 '$work/absent-parent'
  netadmin '$bin/ipsecconf' -l --state-dir '$work/ro' > ro.list 2> ro.err; echo \$? > ro.rc
  XFRMPP_IPSECCONF_STATE_DIR='$work/ro' netadmin '$bin/ipsecconf' > ro.view 2> ro.view.err; echo \$? > ro.view.rc
  netadmin '$bin/ipsecconf' -l --state-dir '$work/absent-parent/state' > abs.list 2> abs.err; echo \$? > abs.rc
  netadmin '$bin/ipsecconf' -a one.ipc --state-dir '$work/ro' > /dev/null 2> w.err; echo \$? > w.rc
"
[[ $(cat ro.rc) == 0 && ! -s ro.err ]] && grep -q '^#INDEX 1$' ro.list && grep -q 'laddr 10.0.0.1' ro.list &&
  ok "ipsecconf -l with a read-only state dir lists the rules" || bad "ipsecconf -l read-only: rc=$(cat ro.rc): $(cat ro.err)"
[[ $(cat ro.view.rc) == 0 ]] && grep -q '^#INDEX 1$' ro.view && ok "the no-argument view too" || bad "view read-only: $(cat ro.view.err)"
[[ $(cat abs.rc) == 0 && ! -s abs.err && ! -e absent-parent/state ]] && ok "ipsecconf -l with an absent state dir creates nothing" ||
  bad "ipsecconf -l absent dir: rc=$(cat abs.rc): $(cat abs.err)"
[[ $(cat w.rc) != 0 ]] && grep -q 'ipsecconf: cannot' w.err && ok "a change still needs a writable state dir" || bad "-a with a read-only dir: $(cat w.err)"
chmod -R u+w "$work"
finish
