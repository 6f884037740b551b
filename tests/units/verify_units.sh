#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# systemd-analyze verify on the boot-time units, as installed but with /usr/sbin/TOOL pointing at the
# build tree's TOOL (verify insists every ExecStart/ExecStop binary exists) and man pages looked up in
# the source tree (verify runs man(1) on every Documentation=man: entry).
# verify_units.sh WORKDIR BINDIR UNIT...
# Any message fails the test: verify exits 0 on unknown keys or sections, only printing a warning.
# First a copy with a missing binary and an unknown key must be rejected, so a verify that accepts
# everything (no systemd, odd container) cannot make the test pass.
set -euo pipefail
work=$1 bindir=$(cd "$2" && pwd)
shift 2
command -v systemd-analyze >/dev/null || { echo "SKIPPED: no systemd-analyze"; exit 77; }
man_dir=$(cd "$(dirname "$0")/../../man" && pwd)

rm -rf "$work"
mkdir -p "$work/units" "$work/broken" "$work/man/man8"
for page in "$man_dir"/*.8; do ln -s "$page" "$work/man/man8/"; done
export MANPATH=$work/man

verify() { # prints verify's messages; status 1 when there are any or verify failed
  local out
  if ! out=$(systemd-analyze verify "$@" 2>&1) || [[ -n $out ]]; then
    printf '%s\n' "$out"
    return 1
  fi
}

names=()
for unit in "$@"; do
  name=$(basename "$unit")
  # A template is verified as one of its instances (verify refuses a bare template name).
  [[ $name == *@.service ]] && name=${name/@./@verify.}
  grep -q '^ExecStart=/usr/sbin/' "$unit" || { echo "FAIL: $name: ExecStart is not a /usr/sbin tool"; exit 1; }
  sed "s|/usr/sbin/|$bindir/|g" "$unit" >"$work/units/$name"
  names+=("$work/units/$name")
done
((${#names[@]})) || { echo "FAIL: no units given"; exit 1; }

# Negative control: the same unit with a binary that does not exist and a misspelt key.
# (a unit with RemainAfterExit=, which the control misspells)
first=
for u in "${names[@]}"; do grep -q '^RemainAfterExit=' "$u" && { first=$(basename "$u"); break; }; done
[[ -n $first ]] || { echo "FAIL: no oneshot unit for the negative control"; exit 1; }
sed "s|^ExecStart=$bindir/|ExecStart=$work/missing/|; s|^RemainAfterExit=|RemainAfterExi=|" \
  "$work/units/$first" >"$work/broken/$first"
if verify "$work/broken/$first" >"$work/broken.log"; then
  echo "FAIL: systemd-analyze verify accepted a broken $first; it cannot check the units here"
  exit 1
fi
grep -q 'missing' "$work/broken.log" && grep -q 'RemainAfterExi' "$work/broken.log" || {
  echo "FAIL: the broken $first was rejected for another reason:"
  cat "$work/broken.log"
  exit 1
}

if ! verify "${names[@]}"; then
  echo "FAIL: systemd-analyze verify complained about the units above"
  exit 1
fi
echo "ok: ${#names[@]} units verify cleanly"
