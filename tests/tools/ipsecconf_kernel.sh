#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ipsecconf end to end against the real kernel SPD, each case in private network namespaces:
# -a / -l round trip (the listing reloads to the same SPD), -d, -r, -f, -F, -a -f replace, duplicates,
# the IKE bypass, per-namespace rule records, and bad files that change nothing.
# Exit 77 (skip) without namespaces, 1 then when XFRMPP_REQUIRE_KERNEL=1.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_backend "$@"
ipsecconf=$1 golden=$2
work=$(mktemp -d)
export XFRMPP_IPSECCONF_STATE_DIR=$work/state
H="--hosts $golden/hosts --tunnels $golden/tunnels"
trap 'ip netns del icka 2>/dev/null; ip netns del ickb 2>/dev/null; rm -rf "$work"' EXIT
# spd_list, foreign_policy, flush_spd (lib.sh) reach the engine through setkey.
setkey_bin=$(dirname "$ipsecconf")/setkey
export setkey_bin
# The SPD as sorted one-line records, priorities replaced by their rank: a reload assigns new priority
# numbers (rules come back in match order), but the relative order must be the same.
norm_spd() {
  spd_list | awk '
    /^src / { if (rec != "") print rec; rec = $0; next }
    { rec = rec " |" $0 }
    END { if (rec != "") print rec }' |
    sed -E 's/[[:space:]]+/ /g' | awk '
    { line[NR] = $0; if (match($0, /priority [0-9]+/)) { p = substr($0, RSTART + 9, RLENGTH - 9); prio[NR] = p; seen[p] = 1 } }
    END {
      n = 0; for (p in seen) vals[++n] = p + 0
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (vals[j] < vals[i]) { t = vals[i]; vals[i] = vals[j]; vals[j] = t }
      for (i = 1; i <= n; i++) rank[vals[i]] = i
      for (k = 1; k <= NR; k++) { l = line[k]; if (k in prio) sub(/priority [0-9]+/, "priority#" rank[prio[k] + 0], l); print l }
    }' | sort
}
export -f norm_spd

cat "$golden"/ex0[1-8]*.conf "$golden"/ex1[0-7]*.conf "$golden"/ipsecinit-sample.conf "$golden"/or-alternatives.conf \
  "$golden"/icmp-and-protocols.conf "$golden"/multihomed-and-old-syntax.conf > "$work/all.conf"

# 1. load, list, reload the listing elsewhere: the same SPD.
rm -rf "$work/state"
in_ns "$ipsecconf $H -q -a $work/all.conf 2>$work/add.err; echo rc=\$? >$work/add.rc; $ipsecconf -L >$work/list1; norm_spd >$work/spd1; $ipsecconf >$work/view1"
grep -qx rc=0 "$work/add.rc" && ok "-a of every man-page example loads" || { bad "-a failed: $(cat "$work/add.rc")"; cat "$work/add.err"; }
n1=$(wc -l <"$work/spd1")
[[ $n1 -gt 60 ]] && ok "$n1 policies in the SPD" || bad "only $n1 policies"
grep -q 'Duplicate policy entry (ignored)' "$work/add.err" && bad "-q should hide duplicate notices" || ok "-q hides duplicate notices"
grep -c '^#INDEX' "$work/view1" | grep -qv '^0$' && ok "the no-argument view shows the rules as written" || bad "empty view"
grep -q '^{proto 17 lport 4789 raddr 2001:db8::7} ipsec {encr_algs 12 encr_auth_algs 5}$' "$work/view1" && ok "view keeps the original text" || bad "view lost the original text"
rm -rf "$work/state"
in_ns "$ipsecconf $H -q -a $work/list1 2>$work/re.err; echo rc=\$? >$work/re.rc; $ipsecconf -L >$work/list2; norm_spd >$work/spd2"
grep -qx rc=0 "$work/re.rc" && ok "the -L listing loads back" || { bad "reload of the listing failed"; cat "$work/re.err"; }
if diff "$work/spd1" "$work/spd2" >"$work/diff"; then ok "ipsecconf -a F; ipsecconf -L re-parses to the same SPD"; else bad "SPD after reloading the listing differs"; head -20 "$work/diff"; fi
diff <(grep -v '^#' "$work/list1") <(grep -v '^#' "$work/list2") >/dev/null && ok "and lists the same rules again" || bad "second listing differs"
grep -q '^# UDP ports 500 and 4500' "$work/list1" && ok "-l mentions the IKE bypass" || bad "no IKE bypass in the listing"
grep -q '^#INDEX ip.tun0,' "$work/list1" && ok "tunnel rules list as #INDEX tunnel,n" || bad "no tunnel index in -L"

# 2. -l shows match order: bypass rules first, drop rules last.
in_ns "$ipsecconf $H -q -a $golden/ipsecinit-sample.conf 2>/dev/null; $ipsecconf -l >$work/order" ; rm -rf "$work/state"
first=$(grep -v '^#' "$work/order" | head -1) last=$(grep -v '^#' "$work/order" | tail -1)
[[ $first == *"pass { }"* && $last == *"drop { }"* ]] && ok "-l lists in match order (bypass first, drop last)" || { bad "match order"; cat "$work/order"; }

# 3. IKE bypass, -d, duplicates, -r, -f, -F.
cat >"$work/small.conf" <<'EOF'
{laddr 10.0.0.1 raddr 10.0.0.2 ulp tcp} ipsec {encr_algs aes encr_auth_algs sha256}
{laddr 10.0.0.1 raddr 10.0.0.3} drop {}
{lport 22 dir both} bypass {}
EOF
cat >"$work/dup.conf" <<'EOF'
{laddr 10.0.0.1 raddr 10.0.0.2 ulp tcp} ipsec {encr_algs 3des encr_auth_algs md5}
{laddr 10.0.0.1 raddr 10.0.0.4} drop {}
EOF
printf '{ laddr 10.0.0.1 raddr 10.0.0.3 } drop {}\n' >"$work/remove.conf"
in_ns "
$ipsecconf -q -a $work/small.conf 2>/dev/null
spd_list | grep -c 'proto udp' >$work/bypass.count
$ipsecconf -a $work/dup.conf >$work/dup.out 2>$work/dup.err; echo rc=\$? >$work/dup.rc
$ipsecconf >$work/view2
$ipsecconf -d 2; echo rc=\$? >$work/del.rc
$ipsecconf -d 2; echo rc=\$? >$work/del2.rc
spd_list | grep -c 10.0.0.3 >$work/del.count
$ipsecconf >$work/view3
$ipsecconf -q -r $work/remove.conf 2>$work/r1.err; echo rc=\$? >$work/r1.rc
$ipsecconf -q -a $work/remove.conf; $ipsecconf -q -r $work/remove.conf; echo rc=\$? >$work/r2.rc
spd_list | grep -c 10.0.0.3 >$work/r2.count
foreign_policy 10.9.9.1 10.9.9.2 out 5 block
$ipsecconf -l >$work/foreign.list
$ipsecconf -f; spd_list | grep -c src >$work/flush.count; $ipsecconf >$work/view4
"
[[ $(cat "$work/bypass.count") -eq 8 ]] && ok "UDP 500/4500 bypass policies installed (8)" || bad "bypass policies: $(cat "$work/bypass.count")"
grep -qx rc=0 "$work/dup.rc" && ok "a duplicate rule is not an error (as on Solaris)" || bad "duplicate: $(cat "$work/dup.rc")"
grep -q 'Duplicate policy entry (ignored)' "$work/dup.err" && ok "and is reported as ignored" || { bad "no duplicate notice"; cat "$work/dup.err"; }
grep -q 'WARNING' "$work/dup.out" && ok "-a without -q prints the warning" || bad "no warning without -q"
grep -q '10.0.0.4' "$work/view2" && ! grep -q '3des' "$work/view2" && ok "the duplicate's good neighbour was recorded, the duplicate not" || { bad "view after dup"; cat "$work/view2"; }
grep -qx rc=0 "$work/del.rc" && ok "-d 2 deletes" || bad "-d 2 failed"
grep -qx rc=1 "$work/del2.rc" && ok "-d of a non-existent index exits 1" || bad "-d twice: $(cat "$work/del2.rc")"
[[ $(cat "$work/del.count") -eq 0 ]] && ok "-d removed exactly that rule's policies" || bad "policies of rule 2 left"
grep -q '^#INDEX 1$' "$work/view3" && grep -q '^#INDEX 3$' "$work/view3" && grep -q '^#INDEX 4$' "$work/view3" && ! grep -q '^#INDEX 2$' "$work/view3" &&
  ok "other indexes are stable" || { bad "indexes after -d"; cat "$work/view3"; }
grep -qx rc=1 "$work/r1.rc" && grep -q 'no installed rule matches' "$work/r1.err" && ok "-r of a rule that is not installed fails" || bad "-r not installed: $(cat "$work/r1.rc")"
grep -qx rc=0 "$work/r2.rc" && [[ $(cat "$work/r2.count") -eq 0 ]] && ok "-r removes the listed rule" || bad "-r: $(cat "$work/r2.rc") $(cat "$work/r2.count")"
grep -q '^# kernel policy not installed by ipsecconf: dir out priority 5 10.9.9.1/32 -> 10.9.9.2/32' "$work/foreign.list" && ok "-l shows foreign policies" || { bad "foreign"; cat "$work/foreign.list"; }
[[ $(cat "$work/flush.count") -eq 0 && ! -s $work/view4 ]] && ok "-f empties the host SPD and the record" || bad "-f left $(cat "$work/flush.count") policies"

# 3b. -r of the last rule also takes the IKE bypass away (nothing left to protect IKE from).
in_ns "
$ipsecconf -q -a $work/remove.conf
spd_list | grep -c 'proto udp' >$work/rlast.before
$ipsecconf -q -r $work/remove.conf; echo rc=\$? >$work/rlast.rc
spd_list | grep -c src >$work/rlast.after
"
[[ $(cat "$work/rlast.before") -eq 8 && $(cat "$work/rlast.after") -eq 0 ]] && grep -qx rc=0 "$work/rlast.rc" &&
  ok "-r of the last rule leaves an empty SPD (IKE bypass removed too)" || bad "-r last: before $(cat "$work/rlast.before") after $(cat "$work/rlast.after")"

# 3c. A policy another tool set with the same selector but another action is a conflict: exit 1, nothing
# sent, nothing recorded (the SPD would keep allowing while -l says drop). One that does the same is a
# duplicate, as on Solaris.
data=$(dirname "$0")/data
in_ns "
foreign_policy 10.7.0.1 10.7.0.4 out 0 allow
$ipsecconf -q -a $data/ic_conflict_existing_allow.conf 2>$work/cf.err; echo rc=\$? >$work/cf.rc
spd_list >$work/cf.spd; $ipsecconf >$work/cf.view
flush_spd; rm -rf $work/state
foreign_policy 10.7.0.1 10.7.0.4 out 0 block
$ipsecconf -q -a $data/ic_conflict_existing_allow.conf 2>$work/cf2.err; echo rc=\$? >$work/cf2.rc
spd_list >$work/cf2.spd
"
rm -rf "$work/state"
grep -qx rc=1 "$work/cf.rc" && ok "-a of a drop rule over another tool's allow policy exits 1" || { bad "conflict: $(cat "$work/cf.rc")"; cat "$work/cf.err"; }
grep -q 'ic_conflict_existing_allow.conf:1:1: error: conflicts with a pass policy already in the SPD that was not set by ipsecconf (dir out priority 0 10.7.0.1/32 -> 10.7.0.4/32 proto 0 none)' "$work/cf.err" &&
  grep -q "this rule's drop" "$work/cf.err" && grep -q 'nothing was changed' "$work/cf.err" &&
  ok "the error names the existing policy and says ipsecconf did not set it" || { bad "conflict text"; cat "$work/cf.err"; }
[[ $(grep -c '^src' "$work/cf.spd") -eq 1 && ! -s $work/cf.view ]] && ok "after a conflict the SPD holds only the old policy and nothing is recorded" ||
  { bad "conflict half-applied"; cat "$work/cf.spd" "$work/cf.view"; }
grep -qx rc=0 "$work/cf2.rc" && ! grep -q error "$work/cf2.err" && grep -q 'dir in action block' "$work/cf2.spd" &&
  ok "the same selector with the same action is a duplicate, not a conflict" || { bad "same-action duplicate: $(cat "$work/cf2.rc")"; cat "$work/cf2.err"; }

# 3d. A tunnel missing on this machine is only a warning under -c (ipsecconf -c of a gateway's file in
# CI, tests/tools/fidelity_cli.sh); -a keeps the error and sends nothing.
in_ns "$ipsecconf -a $data/ic_tun.conf 2>$work/tun.err; echo rc=\$? >$work/tun.rc; spd_list | grep -c src >$work/tun.spd"
rm -rf "$work/state"
grep -qx rc=1 "$work/tun.rc" && grep -q 'ic_tun.conf:1:9: error: Cannot find tunnel interface tun0' "$work/tun.err" && [[ $(cat "$work/tun.spd") -eq 0 ]] &&
  ok "-a of a rule whose tunnel does not exist is still an error, nothing sent" || { bad "-a unknown tunnel: $(cat "$work/tun.rc")"; cat "$work/tun.err"; }

# 4. Replace: the new file's rules, nothing of the old, a policy both share survives the switch.
cat >"$work/new.conf" <<'EOF'
{laddr 10.0.0.1 raddr 10.0.0.2 ulp tcp} ipsec {encr_algs aes encr_auth_algs sha256}
{laddr 10.0.0.1 raddr 10.0.0.5} drop {}
EOF
in_ns "
$ipsecconf -q -a $work/small.conf 2>/dev/null
foreign_policy 10.9.9.1 10.9.9.2 out 0 block
$ipsecconf -q -a $work/new.conf -f; echo rc=\$? >$work/rep.rc
spd_list >$work/rep.spd; $ipsecconf >$work/rep.view
$ipsecconf -q -f -a $work/small.conf; echo rc=\$? >$work/rep2.rc
"
grep -qx rc=0 "$work/rep.rc" && ok "-a file -f replaces" || bad "replace failed"
grep -q 10.0.0.5 "$work/rep.spd" && ! grep -q 10.0.0.3 "$work/rep.spd" && ! grep -q 10.9.9.1 "$work/rep.spd" && ! grep -q 'dport 22' "$work/rep.spd" && grep -q 'dport 500' "$work/rep.spd" &&
  ok "new rules in, old rules and foreign host policies out, IKE bypass kept" || bad "SPD after replace"
[[ $(grep -c '^#INDEX' "$work/rep.view") -eq 2 ]] && ok "the record holds only the new rules" || { bad "record after replace"; cat "$work/rep.view"; }
grep -qx rc=0 "$work/rep2.rc" && ok "-f -a file works too" || bad "-f -a"

# 5. Two namespaces on one host (two state files for the engine) keep separate rule lists and indexes.
if [[ $backend == engine ]]; then
  space() { local n=$1; shift; XFRMPP_BACKEND=engine XFRMPP_STATE=$work/$n.state "$@"; }
else
  ip netns add icka && ip netns add ickb || bad "ip netns add"
  space() { local n=$1; shift; ip netns exec "$n" "$@"; }
fi
space icka $ipsecconf -q -a "$work/small.conf"
space ickb $ipsecconf -q -a "$work/new.conf"
space icka $ipsecconf >"$work/na.view"
space ickb $ipsecconf >"$work/nb.view"
[[ $(grep -c '^#INDEX' "$work/na.view") -eq 3 && $(grep -c '^#INDEX' "$work/nb.view") -eq 2 ]] && grep -q '^#INDEX 1$' "$work/nb.view" &&
  ok "per-namespace rule records and indexes" || { bad "namespaces share records"; cat "$work/na.view" "$work/nb.view"; }
space ickb $ipsecconf -d 1
[[ $(space icka bash -c spd_list | grep -c 10.0.0.2) -eq 2 ]] && ok "-d in one namespace leaves the other alone" || bad "cross-namespace delete"
[[ $backend == engine ]] || { ip netns del icka; ip netns del ickb; }

# 6. A bad file changes nothing; -c never touches the kernel; -F; usage errors.
printf '{laddr 10.0.0.1} ipsec {encr_algs aes}\n{raddr 10.0.0.2 dir sideways} pass {}\n' >"$work/bad.conf"
in_ns "
$ipsecconf -a $work/bad.conf 2>$work/bad.err; echo rc=\$? >$work/bad.rc
spd_list | grep -c src >$work/bad.count
$ipsecconf -c $golden/ex01-outbound-tcp-aes.conf $H >$work/check.out; spd_list | grep -c src >$work/check.count
$ipsecconf -q -a $work/small.conf; $ipsecconf $H -q -a $golden/ex16-tunnel-vpn-client.conf
$ipsecconf -f; spd_list | grep -c if_id >$work/tun.count
$ipsecconf -F; spd_list | grep -c src >$work/F.count; $ipsecconf >$work/F.view
$ipsecconf -l -F 2>/dev/null; echo rc=\$? >$work/usage.rc
"
grep -qx rc=1 "$work/bad.rc" && ok "a bad file exits 1" || bad "bad file exit $(cat "$work/bad.rc")"
grep -q 'bad.conf:2:21: error: Bad Direction on line: 2' "$work/bad.err" && ok "the error names line 2, column 21" || { bad "error text"; cat "$work/bad.err"; }
[[ $(cat "$work/bad.count") -eq 0 ]] && ok "nothing was sent for a bad file" || bad "SPD not empty after a bad file"
[[ $(cat "$work/check.count") -eq 0 ]] && grep -q 'does not contain any errors' "$work/check.out" && ok "-c checks without touching the SPD" || bad "-c"
[[ $(cat "$work/tun.count") -eq 3 ]] && ok "-f keeps tunnel rules (host SPD only)" || bad "-f and tunnels: $(cat "$work/tun.count")"
[[ $(cat "$work/F.count") -eq 0 && ! -s $work/F.view ]] && ok "-F flushes every SPD" || bad "-F"
grep -qx rc=1 "$work/usage.rc" && ok "conflicting options exit 1" || bad "usage exit $(cat "$work/usage.rc")"

finish
