#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# setkey end to end against the real kernel SPD, each case in its own private network namespace:
# load -> -DP -> --save -> reload elsewhere -> identical -DP; a bad file changes nothing; kernel
# rejections name the statement. Exit 77 (skip) without namespaces, 1 then when XFRMPP_REQUIRE_KERNEL=1.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_backend "$@"
setkey=$1 examples=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Times, kernel ids and pids differ between loads; everything else must match.
normalize() { sed -E 's/created: .*lastused: .*/created: T lastused: T/; s/spid=[0-9]+ seq=[0-9]+ pid=[0-9]+/spid=N seq=0 pid=P/'; }

cat "$examples"/*.conf > "$work/all.conf"
cat >> "$work/all.conf" <<'CONF'
spdadd 10.9.0.0/24 10.8.0.0/24 any -P in ipsec esp/tunnel/192.0.2.7-192.0.2.8/unique;
spdadd 10.9.0.0/24 10.8.0.0/24 any -P out ipsec esp/tunnel/192.0.2.8-192.0.2.7/unique ah/transport//use;
spdadd 192.0.2.50 192.0.2.51 icmp 8,0 -mark 0x5/0xff -if_id 9 -P out prio low - 3 discard;
CONF

for mode in -r -k; do
  in_ns "$setkey $mode -f $work/all.conf && $setkey -DP > $work/d1$mode && $setkey $mode -DP --save > $work/s1$mode" ||
    { bad "load $mode"; continue; }
  in_ns "$setkey $mode -f $work/s1$mode && $setkey -DP > $work/d2$mode" || { bad "reload of --save output $mode"; continue; }
  if diff <(normalize < "$work/d1$mode") <(normalize < "$work/d2$mode") > "$work/diff"; then
    ok "save/reload gives an identical SPD ($mode)"
  else
    bad "save/reload differs ($mode)"; cat "$work/diff"
  fi
  n1=$(grep -c '^	spid=' "$work/d1$mode")
  [[ $n1 -gt 10 ]] && ok "$n1 policies in the SPD ($mode)" || bad "only $n1 policies loaded ($mode)"
done
# RFC mode adds one fwd per in policy; kernel mode does not.
fwd_r=$(grep -c '^	fwd ' "$work/d1-r") fwd_k=$(grep -c '^	fwd ' "$work/d1-k")
in_k=$(grep -c '^	in ' "$work/d1-k")
[[ $fwd_r -eq $((fwd_k + in_k)) ]] && ok "RFC mode adds a fwd copy of each in policy" || bad "fwd copies: rfc=$fwd_r kernel=$fwd_k in=$in_k"
grep -q 'unique#16385' "$work/d1-k" && ok "generated reqids start above the manual range" || bad "no generated reqid in the dump"

# A file with an error on line 40 leaves the SPD empty and names line 40 and its column.
for i in $(seq 1 39); do echo "spdadd 10.0.0.$i 10.0.1.1 any -P out none;"; done > "$work/bad.conf"
echo "spdadd 10.0.0.40 10.0.1.1 any -P out ipsec esp/transport//requir;" >> "$work/bad.conf"
in_ns "$setkey -f $work/bad.conf 2> $work/bad.err; echo rc=\$? > $work/bad.rc; $setkey -DP > $work/bad.dump"
grep -q 'rc=1' "$work/bad.rc" && ok "bad file exits 1" || bad "bad file exit: $(cat "$work/bad.rc")"
grep -q "bad.conf:40:59: error: unknown level 'requir'" "$work/bad.err" && ok "error names line 40, column 59" || { bad "error location"; cat "$work/bad.err"; }
grep -q '^ *\^~~~~~$' "$work/bad.err" && ok "caret under the word" || bad "no caret"
grep -qx 'No SPD entries.' "$work/bad.dump" && ok "nothing was sent" || { bad "SPD not empty after a bad file"; head "$work/bad.dump"; }

# A kernel rejection names the statement, the errno text, and how far the load got.
cat > "$work/reject.conf" <<'CONF'
spdadd 10.0.0.1 10.0.0.2 any -P out none;
spdadd 10.0.0.3 10.0.0.4 any -P out none;
spddelete 10.7.7.7 10.7.7.8 any -P out;
spdadd 10.0.0.5 10.0.0.6 any -P out none;
CONF
in_ns "$setkey -k -f $work/reject.conf 2> $work/reject.err; echo rc=\$? > $work/reject.rc; $setkey -DP > $work/reject.dump"
grep -q 'rc=1' "$work/reject.rc" && ok "kernel rejection exits 1" || bad "rejection exit: $(cat "$work/reject.rc")"
grep -q 'reject.conf:3:1: error: spddelete failed: No such file or directory' "$work/reject.err" && ok "rejection names line 3" || { bad "rejection message"; cat "$work/reject.err"; }
grep -q '2 of 4 statements applied; stopped at .*reject.conf:3' "$work/reject.err" && ok "reports how many were applied" || { bad "applied count"; cat "$work/reject.err"; }
[[ $(grep -c '^	spid=' "$work/reject.dump") -eq 2 ]] && ok "statements after the rejection were not applied" || bad "SPD after rejection: $(grep -c spid "$work/reject.dump")"

# In RFC mode the count is of statements as written: the automatic fwd copies of 'in' policies are not
# statements. This host kernel has no ESP, so the SA add on line 4 is rejected after three statements
# that installed five policies; a failed fwd copy takes its 'in' back with it.
cat > "$work/rfccount.conf" <<'CONF'
spdadd 10.0.0.1 10.0.0.2 any -P in none;
spdadd 10.0.0.1 10.0.0.3 any -P in none;
spdadd 10.0.0.1 10.0.0.4 any -P out none;
add 10.0.0.1 10.0.0.2 esp 0x1000 -E null;
spdadd 10.0.0.1 10.0.0.5 any -P in none;
CONF
in_ns "$setkey -r -f $work/rfccount.conf 2> $work/rc.err; echo rc=\$? > $work/rc.rc; $setkey -DP > $work/rc.dump
$setkey -FP; echo 'spdadd 10.6.0.1 10.6.0.2 any -P fwd none;' | $setkey -k -c
printf 'spdadd 10.6.0.9 10.6.0.9 any -P out none;\nspdadd 10.6.0.1 10.6.0.2 any -P in none;\n' | $setkey -r -c 2> $work/rcf.err; $setkey -DP > $work/rcf.dump"
if [[ $backend == kernel ]]; then
  grep -q 'rc=1' "$work/rc.rc" && grep -q 'rfccount.conf:4:1: error: add failed' "$work/rc.err" && ok "the SA add is rejected on this kernel" || { bad "rfc count: no rejection"; cat "$work/rc.err"; }
  grep -q '3 of 5 statements applied; stopped at .*rfccount.conf:4' "$work/rc.err" && ok "RFC mode counts the statements written, not the fwd copies" || { bad "rfc count"; cat "$work/rc.err"; }
  [[ $(grep -c '^	spid=' "$work/rc.dump") -eq 5 ]] && ok "and the SPD holds exactly those statements' policies (2 in, 2 fwd, 1 out)" || bad "rfc count: $(grep -c spid "$work/rc.dump") policies"
else
  # The engine has ESP: the whole file loads, 3 in policies with their 3 fwd copies and 1 out.
  grep -q 'rc=0' "$work/rc.rc" && [[ $(grep -c '^	spid=' "$work/rc.dump") -eq 7 ]] &&
    ok "the engine takes the SA add, and the SPD holds 3 in, 3 fwd and 1 out" || { bad "rfc count (engine)"; cat "$work/rc.err"; }
fi
grep -q '1 of 2 statements applied' "$work/rcf.err" && ! grep -q $'^\tin ' "$work/rcf.dump" &&
  ok "an 'in' whose fwd copy is rejected is taken back and not counted" || { bad "failed fwd copy"; cat "$work/rcf.err" "$work/rcf.dump"; }

# unique:N above 16383 loads as PF_KEY loaded it: with a generated reqid, and a warning naming it.
cat > "$work/bigreqid.conf" <<'CONF'
spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique:16383;
spdadd 10.0.0.1 10.0.0.3 any -P out ipsec esp/transport//unique:20000;
CONF
in_ns "$setkey -k -f $work/bigreqid.conf 2> $work/br.err; echo rc=\$? > $work/br.rc; $setkey -DP > $work/br.dump"
grep -qx rc=0 "$work/br.rc" && ok "unique:20000 loads" || { bad "unique:20000: $(cat "$work/br.rc")"; cat "$work/br.err"; }
grep -q 'bigreqid.conf:2:58: warning: unique:20000 is above 16383, the largest reqid a policy may choose: as with PF_KEY, the request gets a generated reqid 16384 instead' "$work/br.err" &&
  [[ $(grep -c warning "$work/br.err") -eq 1 ]] && ok "with one warning naming the reqid it got (none for unique:16383)" || { bad "unique:20000 warning"; cat "$work/br.err"; }
grep -q 'unique#16384' "$work/br.dump" && grep -q 'unique:16383' "$work/br.dump" && ! grep -q 20000 "$work/br.dump" &&
  ok "the kernel holds generated reqid 16384 and the user's 16383" || { bad "reqids in the SPD"; cat "$work/br.dump"; }

# --atomic: a rejection late in the file puts back deletes, updates and adds of earlier statements.
cat > "$work/seed.conf" <<'CONF'
spdadd 10.5.0.1 10.5.0.2 any -P out none;
spdadd 10.5.0.9 10.5.0.10 any -P out discard;
CONF
cat > "$work/atomic.conf" <<'CONF'
spdadd 10.0.0.1 10.0.0.2 any -P out none;
spddelete 10.5.0.1 10.5.0.2 any -P out;
spdupdate 10.5.0.9 10.5.0.10 any -P out prio high none;
spddelete 10.9.9.9 10.9.9.9 any -P out;
CONF
in_ns "$setkey -k -f $work/seed.conf && $setkey -DP > $work/at.before; $setkey -k --atomic -f $work/atomic.conf 2> $work/at.err; echo rc=\$? > $work/at.rc; $setkey -DP > $work/at.after"
strip_ids() { sed -E 's/spid=[0-9]+ seq=[0-9]+ pid=[0-9]+//; s/created: .*//'; }
grep -q 'rc=1' "$work/at.rc" && ok "--atomic run fails on the rejection" || bad "--atomic exit: $(cat "$work/at.rc")"
diff <(strip_ids < "$work/at.before") <(strip_ids < "$work/at.after") >/dev/null && ok "--atomic puts the SPD back exactly" || { bad "--atomic left changes"; diff "$work/at.before" "$work/at.after"; }
grep -q 'rolled back (1 removed, 1 re-added, 1 restored)' "$work/at.err" && ok "--atomic reports what it undid" || { bad "--atomic report"; cat "$work/at.err"; }
# Negative control: without --atomic the same run leaves its earlier statements applied.
in_ns "$setkey -k -f $work/seed.conf; $setkey -k -f $work/atomic.conf 2>/dev/null; $setkey -DP > $work/na.after"
grep -q '10.0.0.1\[any\] 10.0.0.2' "$work/na.after" && ok "without --atomic the earlier statements stay" || bad "control: no partial state without --atomic"

# Host-wide statements: default policy, hash thresholds and counts round-trip through the kernel.
cat > "$work/host.conf" <<'CONF'
spdsetdefault in block out accept;
spdhthresh hthresh4 24 16;
spdadd 10.0.0.0/24 10.0.1.0/24 any -P out none;
spdadd 10.0.0.0/24 10.0.1.0/24 any -P in none;
CONF
in_ns "$setkey -k -f $work/host.conf && printf 'spdgetdefault;\nspdinfo;\nsadinfo;\n' | $setkey -c > $work/host.out"
grep -qx 'spdsetdefault in block fwd accept out accept;' "$work/host.out" && ok "default policy set and read back" || { bad "default policy"; cat "$work/host.out"; }
grep -qx 'spdhthresh hthresh4 24 16 hthresh6 128 128;' "$work/host.out" && ok "hash thresholds set, v6 kept" || bad "hash thresholds"
grep -qx 'SPD in 1 out 1 fwd 0' "$work/host.out" && ok "spdinfo counts policies per direction" || bad "spdinfo counts"
grep -qx 'SAD 0 SAs' "$work/host.out" && ok "sadinfo counts SAs" || bad "sadinfo"
# The printed defaults are a statement that loads back.
in_ns "$setkey -c <<< 'spdsetdefault in block fwd block out block;' && $setkey -c <<< 'spdgetdefault;' > $work/d1 && $setkey -c < $work/d1 && $setkey -c <<< 'spdgetdefault;' > $work/d2"
cmp -s "$work/d1" "$work/d2" && grep -q 'fwd block' "$work/d1" && ok "spdgetdefault output re-loads" || bad "spdgetdefault round trip"

# A request written `default` takes the namespace's default level (ipsec-sysctl *_deflev), require if unset.
sysctl_bin=$(dirname "$setkey")/ipsec-sysctl
if [[ -x $sysctl_bin ]]; then
  echo 'spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//default ah/transport//default;' > "$work/deflev.conf"
  in_ns "$setkey -f $work/deflev.conf && $setkey -DP > $work/deflev.before; $setkey -FP; $sysctl_bin -w net.inet.ipsec.esp_trans_deflev=1 >/dev/null && $setkey -f $work/deflev.conf && $setkey -DP > $work/deflev.after"
  grep -q 'esp/transport//require' "$work/deflev.before" && ok "default level is require when no knob is set" || bad "default level without knob"
  grep -q 'esp/transport//use' "$work/deflev.after" && grep -q 'ah/transport//require' "$work/deflev.after" &&
    ok "esp_trans_deflev=use makes esp 'default' requests use, ah stays require" || { bad "default level from the knob"; cat "$work/deflev.after"; }
fi

# -FP empties the SPD; --json is a versioned document.
in_ns "$setkey -f $work/all.conf && $setkey -FP && $setkey -DP > $work/flushed && $setkey -f $examples/host-to-host.conf && $setkey -DP --json > $work/json"
grep -qx 'No SPD entries.' "$work/flushed" && ok "-FP flushes" || bad "-FP left policies"
grep -q '"schema": "xfrmpp/1"' "$work/json" && ok "--json carries the schema" || bad "--json schema missing"

finish
