#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Negative control for no_linux_headers.sh: a compile database naming one scratch source that includes
# <linux/xfrm.h> and another, clean one must be refused, naming the first only.
#   no_linux_headers_control.sh SCRATCH_DIR
set -uo pipefail
d=${1:?usage: no_linux_headers_control.sh SCRATCH_DIR}
here=$(dirname "$0")
command -v jq > /dev/null || { echo "SKIPPED: jq is not installed"; exit 77; }
rm -rf "$d" && mkdir -p "$d/src/b" || exit 1
printf '#include <stdio.h>\n  #  include <linux/xfrm.h>\n' > "$d/src/bad.cpp"
printf '#include <stdio.h>\n// <linux/xfrm.h> named in a comment only\n' > "$d/src/good.cpp"
jq -n --arg dir "$d/src/b" --arg src "$d/src" \
  '[{directory: $dir, command: "c++ -c ../bad.cpp", file: ($src + "/bad.cpp")},
    {directory: $dir, command: "c++ -c ../good.cpp", file: ($src + "/good.cpp")}]' > "$d/src/b/compile_commands.json"
out=$("$here/no_linux_headers.sh" "$d/src/b" "$d/src"); rc=$?
echo "$out"
if [[ $rc -eq 1 ]] && grep -q 'FAIL: bad.cpp includes a Linux header: 2:  #  include <linux/xfrm.h>' <<< "$out" &&
  ! grep -q 'good.cpp' <<< "$out" && grep -q 'checked 2 compiled sources' <<< "$out"; then
  echo "PASS: the check refuses a source that includes <linux/xfrm.h> and only that one"
  exit 0
fi
echo "FAIL: the check did not refuse the scratch source as it should (rc=$rc)"
exit 1
