#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --backend and --state on every tool (issue 10 item 3), without the kernel and without a working engine:
#   --state without the engine is a usage error; an unknown --backend (or $XFRMPP_BACKEND) is one that names
#   the valid backends; --state with $XFRMPP_BACKEND=engine is accepted; the engine's state file is --state,
#   else $XFRMPP_STATE, else $XDG_RUNTIME_DIR/xfrmpp/engine.state for a user (the root rule, which points at
#   the host's /run, is left to tests/unit/backend); without CAP_NET_ADMIN the kernel's refusal names
#   --backend=engine (as the user xtest, else nobody, else in a user namespace without privileges over this
#   network namespace). In a build without the kernel backend the default is the engine and
#   --backend=kernel says the build has none.
#   backend_options.sh BIN_DIR kernel|nokernel
set -uo pipefail
bin=$(realpath "$1") build=$2
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
unset XFRMPP_BACKEND XFRMPP_STATE

# One command per tool that opens its backend, and the exit status of a usage error there.
declare -A cmd=([setkey]="-D" [ipsecconf]="-l" [ipseckey]="dump" [ipsec-sysctl]="net.inet.ipsec.def_policy" [ipsec-stat]="")
declare -A usage_rc=([setkey]=2 [ipsecconf]=1 [ipseckey]=1 [ipsec-sysctl]=2 [ipsec-stat]=2)
tools=(setkey ipsecconf ipseckey ipsec-sysctl ipsec-stat)
# Every run in a fresh network namespace when one can be made: should a tool ever ignore --backend=engine,
# its -F must not flush the host's SAD.
iso() { if unshare -n true 2> /dev/null; then unshare -n -- "$@"; else "$@"; fi; }
run() { local t=$1; shift; iso "$bin/$t" "$@" ${cmd[$t]} > out 2> err; }

for t in "${tools[@]}"; do
  want=${usage_rc[$t]}
  run "$t" --backend=bogus; rc=$?
  [[ $rc -eq $want ]] && grep -q "^$t: --backend: 'bogus' is not a backend; choose 'kernel' or 'engine'$" err &&
    ok "$t --backend=bogus: usage error naming kernel and engine" || bad "$t --backend=bogus: rc=$rc: $(cat err)"
  XFRMPP_BACKEND=kernal run "$t"; rc=$?
  [[ $rc -eq $want ]] && grep -q "^$t: XFRMPP_BACKEND: 'kernal' is not a backend; choose 'kernel' or 'engine'$" err &&
    ok "$t with XFRMPP_BACKEND=kernal: usage error naming the variable" || bad "$t XFRMPP_BACKEND=kernal: rc=$rc: $(cat err)"
  run "$t" --backend=kernel --state "$work/s.state"; rc=$?
  [[ $rc -eq $want ]] && grep -q "^$t: --state goes with --backend=engine$" err &&
    ok "$t --backend=kernel --state: usage error" || bad "$t --backend=kernel --state: rc=$rc: $(cat err)"
  # Accepted: a read of a state file that does not exist yet is a read of empty databases (and creates nothing).
  XFRMPP_BACKEND=engine run "$t" --state "$work/$t.state"; rc=$?
  [[ $rc -eq 0 ]] && ! grep -q 'goes with --backend=engine\|is not a backend' err && [[ ! -e $work/$t.state ]] &&
    ok "$t --state with XFRMPP_BACKEND=engine: the engine gets that file" || bad "$t XFRMPP_BACKEND=engine --state: rc=$rc: $(cat out err)"
  "$bin/$t" --help > out 2>&1
  grep -q -- '--backend' out && grep -q -- '--state' out && ok "$t --help lists --backend and --state" || bad "$t --help: $(cat out)"
done

# The state file: --state, else $XFRMPP_STATE, else (a user) $XDG_RUNTIME_DIR/xfrmpp/engine.state. An spdadd
# writes, so the engine creates the file there; an error would name it.
state_used() { [[ -e $1 ]] || grep -qF "$1" err; }
add=$'spdadd 10.0.0.1 10.0.0.2 any -P out none;\n'
XFRMPP_STATE=$work/env.state iso "$bin/setkey" --backend=engine -c <<< "$add" > out 2> err
state_used "$work/env.state" && ok "setkey --backend=engine uses \$XFRMPP_STATE" || bad "XFRMPP_STATE: $(cat err)"
XFRMPP_STATE=$work/env.state iso "$bin/setkey" --backend=engine --state "$work/opt.state" -c <<< "$add" > out 2> err
state_used "$work/opt.state" && ! grep -qF "$work/env.state" err &&
  ok "--state wins over \$XFRMPP_STATE" || bad "--state vs XFRMPP_STATE: $(cat err)"

# An ordinary user: xtest when it exists, else nobody (as root), else this user when it is not root.
as_user=()
if [[ $(id -u) -eq 0 ]]; then
  u=nobody
  id xtest > /dev/null 2>&1 && u=xtest
  as_user=(setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups --inh-caps=-all)
fi
chmod 755 "$work"
mkdir -p "$work/xdg" && chmod 777 "$work/xdg"
iso env -u XFRMPP_STATE XDG_RUNTIME_DIR="$work/xdg" ${as_user[@]+"${as_user[@]}"} "$bin/setkey" --backend=engine -c <<< "$add" > out 2> err
state_used "$work/xdg/xfrmpp/engine.state" && ok "a user's engine state is \$XDG_RUNTIME_DIR/xfrmpp/engine.state" ||
  bad "XDG_RUNTIME_DIR rule: $(cat err)"

if [[ $build == kernel ]]; then
  # Without CAP_NET_ADMIN: as that user, or (not root) in a new user namespace, which has no say over
  # this network namespace. Only dumps: nothing can change, privileged or not.
  unpriv=(${as_user[@]+"${as_user[@]}"})
  [[ ${#unpriv[@]} -eq 0 ]] && unpriv=(unshare -U --)
  if "${unpriv[@]}" true 2> /dev/null; then
    hint='Operation not permitted (needs CAP_NET_ADMIN in this network namespace; without it, use --backend=engine)'
    for t in "${tools[@]}"; do
      iso "${unpriv[@]}" "$bin/$t" ${cmd[$t]} > out 2> err; rc=$?
      [[ $rc -eq 1 ]] && grep -qF "$hint" out err && ok "unprivileged $t ${cmd[$t]}: the refusal names --backend=engine" ||
        bad "unprivileged $t: rc=$rc: $(cat out err)"
    done
  else
    echo "# no way to drop privileges here: the CAP_NET_ADMIN message is not checked"
  fi
else
  iso "$bin/setkey" --backend=kernel -D > out 2> err; rc=$?
  [[ $rc -eq 1 ]] && grep -q 'this build has no kernel backend.*use --backend=engine' err &&
    ok "no kernel backend built: --backend=kernel says so and names --backend=engine" || bad "--backend=kernel without it: rc=$rc: $(cat err)"
  iso "$bin/setkey" --state "$work/default.state" -c <<< "$add" > out 2> err
  ! grep -q 'goes with --backend=engine' err && state_used "$work/default.state" &&
    ok "no kernel backend built: the engine is the default, --state needs no --backend" || bad "default engine: $(cat err)"
fi
finish
