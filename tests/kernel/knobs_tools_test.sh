#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end: examples/socket_policy.c (built as C), ipsec-sysctl and ipsec-stat, each case in a private
# network namespace. Exit 77 (skip) without namespaces, 1 then when XFRMPP_REQUIRE_KERNEL=1.
#   knobs_tools_test.sh SOCKET_POLICY_EXAMPLE IPSEC_SYSCTL IPSEC_STAT
set -uo pipefail
. "$(dirname "$0")/../support/netns.sh"
require_netns "$@"
example=$1 sysctl=$2 stat=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fails=0
ok() { echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
in_ns() { unshare -n -- bash -c "$1"; }
# As root of a user namespace (no root: tests/support/netns.sh) the kernel hides the net.core.xfrm_* sysctls of
# the namespace (they are exported only to namespaces of the initial user namespace): reading them must fail,
# saying why, and the checks that write them are skipped.
userns=
grep -qE '^ *0 +0 +4294967295$' /proc/self/uid_map || userns=1
knob_count=$("$sysctl" -a -N | wc -l)

# --- the C example ---
in_ns "$example > $work/ex.out 2> $work/ex.err; echo \$? > $work/ex.rc"
[[ $(cat "$work/ex.rc") == 0 ]] && ok "example runs" || { bad "example exit $(cat "$work/ex.rc")"; cat "$work/ex.err"; }
printf 'out: out bypass\nin: in bypass\ncleared\nout: (none: the SPD decides)\nin: (none: the SPD decides)\n' > "$work/ex.want"
diff "$work/ex.want" "$work/ex.out" > /dev/null && ok "example prints the policies it set, then none" || { bad "example output"; cat "$work/ex.out"; }
in_ns "$example -6 'out ipsec esp/transport//default' 'in entrust' > $work/ex6.out 2>&1"
grep -qx 'out: out ipsec esp/transport//require' "$work/ex6.out" && ok "IPv6 socket; 'default' resolves to require when unset" ||
  { bad "example -6"; cat "$work/ex6.out"; }
in_ns "$example 'out ipsec esp/transport//requir' > /dev/null 2> $work/ex.bad; echo \$? > $work/ex.rc"
[[ $(cat "$work/ex.rc") == 1 ]] && grep -q "policy:1:26: error: unknown level 'requir'" "$work/ex.bad" && grep -q '^ *\^~~~~~$' "$work/ex.bad" &&
  ok "a bad policy fails with the parser's message and caret" || { bad "bad policy"; cat "$work/ex.bad"; }
if command -v setpriv > /dev/null; then
  in_ns "setpriv --inh-caps=-all --bounding-set=-net_admin $example > /dev/null 2> $work/ex.perm; echo \$? > $work/ex.rc"
  [[ $(cat "$work/ex.rc") == 1 ]] && grep -q 'Operation not permitted' "$work/ex.perm" && grep -q CAP_NET_ADMIN "$work/ex.perm" &&
    ok "without CAP_NET_ADMIN the example fails with EPERM and says why" || { bad "no CAP_NET_ADMIN"; cat "$work/ex.perm"; }
else
  echo "note: setpriv missing; the unprivileged case is covered by socket_policy_test only"
fi

# --- ipsec-sysctl ---
[[ $knob_count -ge 30 ]] && ok "$knob_count knobs" || bad "only $knob_count knobs"
in_ns "$sysctl -a --state-dir $work/state > $work/all.out 2> $work/all.err; echo \$? > $work/all.rc"
if [[ -z $userns ]]; then
  [[ $(cat "$work/all.rc") == 0 ]] && ok "-a exits 0" || { bad "-a exit $(cat "$work/all.rc")"; cat "$work/all.err"; }
else
  [[ $(cat "$work/all.rc") == 1 ]] && grep -q 'net.core.xfrm_acq_expires: cannot read' "$work/all.err" &&
    ! grep -qv '^ipsec-sysctl: [a-z0-9_.]*: cannot read /proc/sys/net/core/xfrm_[a-z_]*: No such file or directory$' "$work/all.err" &&
    ok "-a in a user namespace: exit 1, naming each knob kept in a hidden net.core.xfrm_* sysctl" || { bad "-a exit $(cat "$work/all.rc") in a user namespace"; cat "$work/all.err"; }
fi
[[ $(wc -l < "$work/all.out") == "$knob_count" ]] && ok "-a lists every knob once" || bad "-a printed $(wc -l < "$work/all.out") lines"
bad_lines=$(grep -cvE '^[a-z0-9_.]+: [^ ]+	# .+' "$work/all.out")
[[ $bad_lines == 0 ]] && ok "every -a line is 'name: value<TAB># Linux mapping'" || bad "$bad_lines malformed -a lines"
for n in net.inet.ipsec.debug net.inet.ipsec.dfbit net.inet6.ipsec6.ecn ipsec_policy_log_interval net.inet.ipsec.filtertunnel; do
  grep -q "^$n: -	# no Linux equivalent" "$work/all.out" || bad "$n is not listed as having no Linux equivalent"
done
grep -q '^net.inet.ipsec.def_policy: 1	# XFRM default policy' "$work/all.out" && ok "-a shows def_policy and its mapping" || bad "def_policy line"

in_ns "$sysctl -w net.inet.ipsec.debug=1 > $work/debug.out 2> $work/debug.err; echo \$? > $work/debug.rc"
[[ $(cat "$work/debug.rc") == 1 && ! -s $work/debug.out ]] && grep -q 'net.inet.ipsec.debug: no Linux equivalent' "$work/debug.err" &&
  ok "setting a knob without an equivalent exits 1 and says so" || { bad "debug write"; cat "$work/debug.err"; }

in_ns "$sysctl -w net.inet.ipsec.def_policy=0 > $work/dp.out && ip xfrm policy getdefault > $work/dp.k0 &&
       $sysctl -n net.inet6.ipsec6.def_policy > $work/dp.v6 && $sysctl net.inet6.ipsec6.def_policy=1 >> $work/dp.out &&
       ip xfrm policy getdefault > $work/dp.k1" || bad "def_policy commands failed"
grep -qx 'net.inet.ipsec.def_policy: 1 -> 0' "$work/dp.out" && grep -qx 'net.inet6.ipsec6.def_policy: 0 -> 1' "$work/dp.out" &&
  ok "def_policy writes report old -> new" || { bad "def_policy output"; cat "$work/dp.out"; }
# iproute2 prints " in:  block" (6.x) or "Default IN: block"; accept both.
getdef() { grep -qiE "(^ *$2: +|Default $2: )$3" "$1"; }
getdef "$work/dp.k0" in block && getdef "$work/dp.k0" fwd block && getdef "$work/dp.k0" out block &&
  getdef "$work/dp.k1" in accept && getdef "$work/dp.k1" out accept && [[ $(cat "$work/dp.v6") == 0 ]] &&
  ok "def_policy is the kernel default policy (ip xfrm policy getdefault agrees)" || { bad "getdefault"; cat "$work/dp.k0" "$work/dp.k1"; }

in_ns "$sysctl icmp_accept_clear_messages=1 > /dev/null && ip xfrm policy > $work/icmp1 && $sysctl -w icmp_accept_clear_messages=0 > /dev/null &&
       ip xfrm policy > $work/icmp0" || bad "icmp knob commands failed"
grep -q 'proto icmp' "$work/icmp1" && grep -q 'proto ipv6-icmp' "$work/icmp1" && grep -c 'dir in priority 0' "$work/icmp1" | grep -qx 2 &&
  [[ ! -s $work/icmp0 ]] && ok "icmp_accept_clear_messages installs and removes two 'in' bypass policies" || { bad "icmp policies"; cat "$work/icmp1"; }

if [[ -z $userns ]]; then
  in_ns "$sysctl -w net.core.xfrm_acq_expires=45 > /dev/null && cat /proc/sys/net/core/xfrm_acq_expires > $work/acq &&
         $sysctl -n net.key.larval_lifetime >> $work/acq" || bad "acq_expires commands failed"
  [[ $(tr '\n' ' ' < "$work/acq") == '45 45 ' ]] && ok "net.core.xfrm_acq_expires writes /proc/sys; net.key.larval_lifetime reads it" ||
    bad "acq_expires: $(cat "$work/acq")"
else
  echo "skip - net.core.xfrm_acq_expires: no such sysctl in a user namespace's network namespace"
fi

in_ns "$sysctl --state-dir $work/lv -w net.inet.ipsec.esp_trans_deflev=1 > /dev/null && $sysctl --state-dir $work/lv -n net.inet.ipsec.esp_trans_deflev > $work/lv.out"
[[ $(cat "$work/lv.out") == 1 ]] && ls "$work"/lv/netns-*.json > /dev/null 2>&1 && ok "a default level is kept in the per-netns state file" ||
  bad "deflev state"
in_ns "$sysctl --state-dir $work/lv -n net.inet.ipsec.esp_trans_deflev > $work/lv2.out"
[[ $(cat "$work/lv2.out") == 2 ]] && ok "another namespace does not see it" || bad "deflev leaked into a new namespace: $(cat "$work/lv2.out")"

in_ns "$sysctl net.inet.ipsec.def_polcy > /dev/null 2> $work/unk.err; echo \$? > $work/unk.rc"
[[ $(cat "$work/unk.rc") == 1 ]] && grep -q "did you mean 'net.inet.ipsec.def_policy'" "$work/unk.err" && ok "unknown knob: exit 1 with a suggestion" ||
  { bad "unknown knob"; cat "$work/unk.err"; }
"$sysctl" > /dev/null 2>&1; [[ $? == 2 ]] && ok "no arguments is a usage error (2)" || bad "usage exit"
in_ns "$sysctl -a --json --state-dir $work/state > $work/all.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['schema']=='xfrmpp-sysctl/1' and len(d['knobs'])==int(sys.argv[2]); \
assert all(k['mapping'] in ('default-policy','default-level','proc-sysctl','bypass-policies','fixed','none') for k in d['knobs'])" \
  "$work/all.json" "$knob_count" && ok "--json lists every knob with its mapping" || bad "--json"

# --- ipsec-stat: a blocked send shows up explained ---
in_ns "ip link set lo up && ip link add xv0 type veth peer name xv1 && ip addr add 10.99.0.1/24 dev xv0 && ip link set xv0 up &&
       ip link set xv1 up && ip neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev xv0 nud permanent &&
       $stat > $work/st0 &&
       ip xfrm policy add src 10.99.0.1/32 dst 10.99.0.2/32 proto udp dir out tmpl proto esp mode transport level required &&
       echo x > /dev/udp/10.99.0.2/9 && $stat > $work/st1 && $stat --json > $work/st1.json" || bad "ipsec-stat commands failed"
grep -q 'none: all 32 counters are 0' "$work/st0" && ok "ipsec-stat: a fresh namespace has no errors (control)" || { bad "st0"; cat "$work/st0"; }
# bash's /dev/udp connects first, so the lookup (and the count) happens more than once.
grep -qE '^  XfrmOutNoStates +[1-9][0-9]*  outbound packet matched a policy but a template has no SA' "$work/st1" &&
  grep -q '^SPD: 1 policies (in 0, out 1, fwd 0)' "$work/st1" && ok "ipsec-stat explains XfrmOutNoStates next to the SPD count" ||
  { bad "st1"; cat "$work/st1"; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['spd']['out']==1 and d['sad']['count']==0; \
c={x['name']:x for x in d['counters']}; assert len(c)==32 and c['XfrmOutNoStates']['value']>=1 and c['XfrmOutNoStates']['explanation']" \
  "$work/st1.json" && ok "ipsec-stat --json" || bad "ipsec-stat --json"
printf 'XfrmInTmplMismatch\t5\nXfrmFutureCounter\t2\nXfrmInError\t0\n' > "$work/fake_stat"
in_ns "$stat --stat-file $work/fake_stat > $work/st2"
grep -qE '^  XfrmInTmplMismatch +5  inbound packet was decrypted but' "$work/st2" && grep -q 'XfrmFutureCounter .*not explained' "$work/st2" &&
  grep -q '(1 other counters are 0)' "$work/st2" && ok "ipsec-stat --stat-file, unknown counters marked" || { bad "st2"; cat "$work/st2"; }

echo "$fails failure(s)"
[[ $fails == 0 ]]
