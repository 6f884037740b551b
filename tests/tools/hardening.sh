#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue 8, items 1 and 4: inputs that crashed a tool (uncaught exceptions, rc 134) end with a clear
# error or valid output; a failure after the SPD was changed (the rule record cannot be written, or an
# internal error) takes the change back; ipseckey -s never writes keys where others can read them.
# Each kernel case runs in its own private network namespace; with XFRMPP_TEST_BACKEND=engine (hardening_tools_engine)
# in its own engine state file instead, as nobody (lib.sh).
# Exit 77 (skip) without namespaces, 1 then when XFRMPP_REQUIRE_KERNEL=1.
set -uo pipefail
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
require_backend "$@"
bin=$(realpath "$1") data=$(realpath "$2")
setkey=$bin/setkey ipsecconf=$bin/ipsecconf ipseckey=$bin/ipseckey sysctl=$bin/ipsec-sysctl
setkey_bin=$setkey  # spd_list (lib.sh) on the engine
export setkey_bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# rc FILE CMD...: runs CMD with stdout in FILE.out, stderr in FILE.err, and the status in FILE.rc.
rc() {
  local f=$1
  shift
  "$@" >"$f.out" 2>"$f.err"
  echo $? >"$f.rc"
}
status() { cat "$1.rc"; }
valid_json() { jq -e . "$1" >/dev/null 2>&1; }

# --- invalid UTF-8 reaching JSON: valid JSON with U+FFFD, never type_error.316 / rc 134 ----------
for f in json_invalid_utf8_ctx json_invalid_utf8_sa; do
  rc $f "$setkey" -n --json -f "$data/$f.conf"
  if [[ $(status $f) == 0 ]] && valid_json $f.out && grep -q $'\xef\xbf\xbd' $f.out; then ok "setkey -n --json $f: valid JSON, bad bytes as U+FFFD"
  else bad "setkey -n --json $f: rc $(status $f): $(head -c 300 $f.err)"; fi
done
rc tun "$ipsecconf" -c "$data/ic_json_invalid_utf8_tunnel.conf" --tunnels "$data/tunnels_utf8.txt" --json
if [[ $(status tun) == 0 ]] && valid_json tun.out && grep -q $'t\xef\xbf\xbd negotiate' tun.out; then ok "ipsecconf -c --json: a tunnel name that is not UTF-8"
else bad "ipsecconf -c --json with a Latin-1 tunnel: rc $(status tun): $(head -c 300 tun.err)"; fi
rc ik "$ipseckey" -c "$data/ik_json_utf8.keys" --json
[[ $(status ik) == 1 ]] && grep -q 'label is not supported' ik.err && ok "ipseckey -c --json: a label that is not UTF-8 is an error, not a crash" ||
  bad "ipseckey -c --json ik_json_utf8.keys: rc $(status ik): $(cat ik.err)"

# --- tunnel tables: if_id is checked, not std::stoul'd or truncated -----------------------------------
for t in bad:'if_id=abc: not a number' huge:'out of range (0 to 4294967295)' trunc:'if_id=0x100000007: out of range'; do
  name=${t%%:*} want=${t#*:}
  rc $name "$ipsecconf" -c "$data/ic_tun.conf" --tunnels "$data/tunnels_${name}_ifid.txt"
  [[ $(status $name) == 1 ]] && grep -qF "tunnels_${name}_ifid.txt:1: " $name.err && grep -qF "$want" $name.err &&
    ok "tunnel table tunnels_${name}_ifid.txt: $(cat $name.err)" || bad "tunnels_${name}_ifid.txt: rc $(status $name): $(cat $name.err)"
done

# --- a corrupt rule record: a clear error that names the file -----------------------------------------
for f in state_bad_type:'next_index has the wrong type' state_bad_prefix:"bad prefix '10.0.0.0/abc'"; do
  name=${f%%:*} want=${f#*:}
  # The reproducers carry the cookie of the namespace they came from; 0 means "any namespace".
  in_ns "mkdir -p $work/$name.d; sed 's/\"netns_cookie\": [0-9]*/\"netns_cookie\": 0/' $data/$name.json >$work/$name.d/netns-\$(stat -L -c %i /proc/self/ns/net).json
         $ipsecconf -l --state-dir $work/$name.d >$work/$name.out 2>$work/$name.err; echo \$? >$work/$name.rc"
  [[ $(status $name) == 1 ]] && grep -qF "$work/$name.d/netns-" $name.err && grep -qF "malformed rule record: $want" $name.err &&
    ok "ipsecconf -l with $name.json: $(sed "s|$work/||" $name.err)" || bad "ipsecconf -l with $name.json: rc $(status $name): $(cat $name.err)"
done

# --- a Latin-1 file name: -a loads and records it (it aborted after installing, leaving policies unrecorded)
latin1=$(printf 'r\350gles.conf')
cp "$data/ic_latin1_filename_contents.conf" "$latin1"
in_ns "$ipsecconf -q -a '$latin1' --state-dir $work/l1 2>$work/l1.err; echo \$? >$work/l1.rc
       $ipsecconf -l --state-dir $work/l1 >$work/l1.list; spd_list | grep -c '^src' >$work/l1.spd"
[[ $(status l1) == 0 ]] && grep -qx '{ laddr 10.7.0.1/32 raddr 10.7.0.9/32 dir both } drop { }' l1.list &&
  valid_json l1/netns-*.json && grep -q $'"origin": "r\xef\xbf\xbdgles.conf:1"' l1/netns-*.json &&
  ok "ipsecconf -a of a Latin-1 named file: loaded, recorded ($(cat l1.spd) policies), -l lists it" ||
  bad "ipsecconf -a of a Latin-1 named file: rc $(status l1): $(cat l1.err)"

# --- a Latin-1 comment after a rule: -a records it, and the record and -l --json stay valid JSON ------
cp "$data/ic_json_comment.conf" comment.conf
in_ns "$ipsecconf -q -a $work/comment.conf --state-dir $work/cm 2>$work/cm.err; echo \$? >$work/cm.rc
       $ipsecconf -l --json --state-dir $work/cm >$work/cm.json 2>>$work/cm.err"
[[ $(status cm) == 0 ]] && valid_json cm.json && valid_json cm/netns-*.json && grep -q '"rules"' cm.json &&
  ok "ipsecconf -a/-l --json with a Latin-1 comment: valid record and listing" ||
  bad "ipsecconf with a Latin-1 comment: rc $(status cm): $(cat cm.err)"

# The SPD, normalised, for "as it was" comparisons.
spd='spd_list | grep -v "^\s*\(lastused\|created\)" | sort'
echo 'spdadd 10.9.9.1 10.9.9.2 any -P out none;' >seed.conf
seed="$setkey -f $work/seed.conf"

# --- the rule record cannot be written (a full file system): the policies are taken out again, rc 1 -
# A small tmpfs in a mount namespace of the case's own; on the engine, as nobody, that takes a user namespace
# too (where the system allows none, this case is left out, saying so).
for i in $(seq 1 40); do echo "{laddr 10.7.0.$i raddr 10.7.1.9} drop {}"; done >many.conf
mkdir -p full
mount_ns='unshare -m'
[[ $backend == engine && $(id -u) -ne 0 ]] && mount_ns='unshare -Urm'
if [[ $backend == engine ]] && ! $mount_ns true 2>/dev/null; then
  echo "skip - ipsecconf -a whose record cannot be written: no mount namespace ($mount_ns)"
else
  in_ns "$mount_ns bash -c '$seed; $spd >$work/full.before; mount -t tmpfs -o size=4k tmpfs $work/full
         $ipsecconf -q -a $work/many.conf --state-dir $work/full >$work/full.out 2>$work/full.err; echo \$? >$work/full.rc
         $spd >$work/full.after'"
  [[ $(status full) == 1 ]] && grep -q 'cannot write the rule record: .*No space left' full.err && grep -q 'added policies taken back' full.err &&
    [[ -s full.before ]] && cmp -s full.before full.after && ok "ipsecconf -a whose record cannot be written: rc 1, SPD as before" ||
    bad "ipsecconf -a with a full record file system: rc $(status full): $(grep -v 'dir string\|both directions\|^{\|^ *^' full.err); SPD diff: $(diff full.before full.after | head -5)"
fi

# --- an internal error after applying: exit 70 after the run's changes were taken back ----------------
# XFRMPP_TEST_FAULT is the tools' fault-injection hook: it throws at the named point.
printf 'spdadd 10.0.0.1 10.0.0.2 any -P out none;\nspdadd 10.0.0.3 10.0.0.4 any -P in none;\nadd 10.0.0.1 10.0.0.2 esp 0x100 -E null;\n' >add.conf
sed '/^add /d' add.conf >add_no_sa.conf
printf 'spdflush;\nspdadd 10.0.0.5 10.0.0.6 any -P out none;\n' >flush.conf
fault() {  # NAME FAULT-POINT COMMAND: runs COMMAND with the fault armed in a seeded namespace
  in_ns "$seed; $spd >$work/$1.before; XFRMPP_TEST_FAULT=$2 $3 >$work/$1.out 2>$work/$1.err; echo \$? >$work/$1.rc; $spd >$work/$1.after"
}
check_fault() {  # NAME PROGRAM WHAT
  if [[ $(status $1) == 70 ]] && grep -q "^$2: internal error: injected fault" $1.err && grep -q 10.9.9.1 $1.before && cmp -s $1.before $1.after; then ok "$3: exit 70, $(tail -1 $1.err | sed "s/^$2: //")"
  else bad "$3: rc $(status $1): $(cat $1.err); SPD diff: $(diff $1.before $1.after | head -5)"; fi
}
fault sk setkey-after-apply "$setkey -f $work/add_no_sa.conf"
check_fault sk setkey "setkey, an internal error after applying"
fault ska setkey-after-apply "$setkey --atomic -f $work/flush.conf"
check_fault ska setkey "setkey --atomic, an internal error after a flush"
fault ic ipsecconf-after-apply "$ipsecconf -q -a $work/many.conf --state-dir $work/ic"
check_fault ic ipsecconf "ipsecconf -a, an internal error after applying"
fault icf ipsecconf-after-apply "$ipsecconf -q -a $work/many.conf -f --state-dir $work/icf"
check_fault icf ipsecconf "ipsecconf -a -f (replace), an internal error after applying"
in_ns "$sysctl net.inet.ipsec.def_policy >$work/sc.before; XFRMPP_TEST_FAULT=ipsec-sysctl-after-apply $sysctl --state-dir $work/sc -w net.inet.ipsec.def_policy=0 >/dev/null 2>$work/sc.err
       echo \$? >$work/sc.rc; $sysctl net.inet.ipsec.def_policy >$work/sc.after"
[[ $(status sc) == 70 ]] && grep -q '^ipsec-sysctl: internal error: injected fault' sc.err && grep -q 'back to their old values' sc.err && cmp -s sc.before sc.after &&
  ok "ipsec-sysctl -w, an internal error after setting: exit 70, knob set back" || bad "ipsec-sysctl fault: rc $(status sc): $(cat sc.err)"
in_ns "XFRMPP_TEST_FAULT=ipseckey-after-apply $ipseckey -f /dev/null >/dev/null 2>$work/ikf.err; echo \$? >$work/ikf.rc"
[[ $(status ikf) == 70 ]] && grep -q '^ipseckey: internal error: injected fault' ikf.err && ok "ipseckey -f, an internal error: exit 70" ||
  bad "ipseckey fault: rc $(status ikf): $(cat ikf.err)"

# --- ipseckey -s: keys only into files nobody else can read ----------------------------------------------
echo untouched >target && chmod 600 target && ln -s target link
echo untouched >wide && chmod 644 wide
mkfifo fifo
in_ns "$ipseckey -s $work/link 2>$work/s_link.err; echo \$? >$work/s_link.rc
       $ipseckey -s $work/wide 2>$work/s_wide.err; echo \$? >$work/s_wide.rc
       $ipseckey -s $work/new 2>$work/s_new.err; echo \$? >$work/s_new.rc
       $ipseckey -s $work/new 2>$work/s_again.err; echo \$? >$work/s_again.rc
       $ipseckey -s /dev/null 2>$work/s_null.err; echo \$? >$work/s_null.rc
       cat $work/fifo >$work/fifo.data & $ipseckey -s $work/fifo 2>$work/s_fifo.err; echo \$? >$work/s_fifo.rc; wait
       $ipseckey -s - >$work/s_stdout.out 2>$work/s_stdout.err; echo \$? >$work/s_stdout.rc
       $ipseckey -f /dev/null 2>$work/f_null.err; echo \$? >$work/f_null.rc
       $ipseckey -f $work/fifo 2>$work/f_fifo.err & echo >$work/fifo; wait; echo \$? >$work/f_fifo.rc"
[[ $(status s_link) == 1 ]] && grep -q 'symbolic link; refusing' s_link.err && [[ -L link && $(cat target) == untouched ]] &&
  ok "ipseckey -s through a symlink: refused, target untouched" || bad "ipseckey -s symlink: rc $(status s_link): $(cat s_link.err); target: $(cat target)"
[[ $(status s_wide) == 1 ]] && grep -q 'exists with permission 644' s_wide.err && [[ $(cat wide) == untouched ]] &&
  ok "ipseckey -s into an existing 0644 file: refused, file untouched" || bad "ipseckey -s 0644: rc $(status s_wide): $(cat s_wide.err); file: $(cat wide)"
[[ $(status s_new) == 0 && $(status s_again) == 0 && $(stat -c %a new) == 400 ]] && grep -q "generated by the ipseckey" new && [[ -z $(ls | grep '\.tmp\.') ]] &&
  ok "ipseckey -s into a new file, then again: mode 0400, no temporary left" || bad "ipseckey -s new: rc $(status s_new)/$(status s_again) mode $(stat -c %a new): $(cat s_new.err s_again.err)"
for c in s_null s_fifo s_stdout f_null f_fifo; do
  [[ $(status $c) == 0 && ! -s $c.err ]] && ok "ipseckey $c: no warning" || bad "ipseckey $c: rc $(status $c): $(cat $c.err)"
done
grep -q "generated by the ipseckey" fifo.data && grep -q "generated by the ipseckey" s_stdout.out && [[ -p fifo && -c /dev/null ]] &&
  ok "ipseckey -s to a FIFO and to stdout: the keys arrive; the FIFO and /dev/null stay what they were" || bad "ipseckey -s FIFO/stdout output"

finish
