#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The kernel and the engine give the same output for the same input (issue 10): setkey -DP, -DP --save and
# -DP --json, ipsecconf -l, ipseckey dump, and -D / -D --save / --json for SAs where the kernel can hold
# them (this host's kernel has no ESP: the VM scenario engine_agrees_sa covers SAs). Kernel-stamped
# fields are masked: the pid and the times in setkey's dumps (a load may cross a second). Each load goes
# into a fresh network namespace and a fresh state file.   backends_agree.sh BIN_DIR EXAMPLES_DIR IPSECCONF_GOLDEN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
require_netns "$@"
bin=$1 examples=$2 golden=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
mask() {
  sed -E -e 's/(spid=[0-9]+ seq=[0-9]+) pid=[0-9]+/\1 pid=P/' -e 's/created: .*lastused:.*/created: T lastused: T/' \
    -e 's/created: .*current: .*/created: T current: T/' -e 's/diff: [0-9]+\(s\)/diff: N(s)/' -e 's/"(created|add_time)": [0-9]+/"\1": T/'
}
sk=$bin/setkey ic=$bin/ipsecconf ik=$bin/ipseckey
export XFRMPP_IPSECCONF_STATE_DIR=$work/icstate

cat "$examples"/*.conf > "$work/all.conf"
cat >> "$work/all.conf" <<'CONF'
spdadd 10.9.0.0/24 10.8.0.0/24 any -P in ipsec esp/tunnel/192.0.2.7-192.0.2.8/unique;
spdadd 10.9.0.0/24 10.8.0.0/24 any -P out ipsec esp/tunnel/192.0.2.8-192.0.2.7/unique ah/transport//use;
spdadd 192.0.2.50 192.0.2.51 icmp 8,0 -mark 0x5/0xff -if_id 9 -P out prio low - 3 discard;
spdadd 2001:db8::/64 2001:db8:1::/48 tcp -P out prio high + 7 none;
spdadd 10.1.2.3[80] 10.3.2.1[any] tcp -P fwd prio 77 discard;
CONF
ic_files=("$golden"/ex0[1-9]*.conf)
# Loads everything through the backend named by $1 (XFRMPP_BACKEND), then writes every dump as $1.NAME.
load_and_dump() {
  local be=$1 out=$work/$1
  XFRMPP_BACKEND=$be XFRMPP_STATE=$work/$be.state bash -c "
    '$sk' -k -f '$work/all.conf' 2> '$out.load.err' || exit 1
    '$sk' -DP > '$out.dp' && '$sk' -DP --save > '$out.save' && '$sk' -DP --json > '$out.json' &&
    '$sk' -D > '$out.sa' && '$sk' -D --save > '$out.sasave' && '$sk' -D --json > '$out.sajson' &&
    '$ik' dump > '$out.ikdump' &&
    '$sk' -FP || exit 1
    for f in ${ic_files[*]}; do '$ic' -q -a \$f --hosts '$golden/hosts' --tunnels '$golden/tunnels' 2>> '$out.ic.err' || exit 1; done
    '$ic' -l > '$out.icl' && '$sk' -DP > '$out.icdp'"
}
unshare -n -- bash -c "$(declare -f load_and_dump mask); $(declare -p work sk ic ik ic_files golden); load_and_dump kernel" ||
  bad "kernel load: $(cat "$work"/kernel.*.err)"
load_and_dump engine || bad "engine load: $(cat "$work"/engine.*.err)"

for f in dp:"setkey -DP" save:"setkey -DP --save" json:"setkey -DP --json" sa:"setkey -D" sasave:"setkey -D --save" \
         sajson:"setkey -D --json" ikdump:"ipseckey dump" icl:"ipsecconf -l" icdp:"setkey -DP after ipsecconf -a"; do
  name=${f%%:*} what=${f#*:}
  if [[ ! -s $work/kernel.$name ]]; then
    bad "$what: no kernel output"
  elif diff <(mask < "$work/kernel.$name") <(mask < "$work/engine.$name") > "$work/diff"; then
    ok "$what: the kernel and the engine agree ($(wc -l < "$work/kernel.$name") lines)"
  else
    bad "$what differs between the kernel and the engine"; head -20 "$work/diff"
  fi
done
n=$(grep -c $'^\tspid=' "$work/kernel.dp")
[[ $n -gt 10 ]] && ok "$n policies compared" || bad "only $n policies loaded"
[[ $(grep -c $'^\tspid=' "$work/kernel.icdp") -gt 10 ]] && ok "ipsecconf installed $(grep -c $'^\tspid=' "$work/kernel.icdp") policies" ||
  bad "ipsecconf installed too little"
# The mask hides only the pid: a different policy would show (the control of the comparison itself).
sed 's/10.9.0.0/10.9.0.1/' "$work/engine.save" > "$work/tampered"
! diff -q <(mask < "$work/kernel.save") <(mask < "$work/tampered") > /dev/null && ok "control: a changed policy is seen" ||
  bad "control: the comparison misses a change"
finish
