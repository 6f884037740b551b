#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every source, script, build file, man page, completion and unit of the tree names its licence in an SPDX line
# within its first three lines.  check_spdx.sh ROOT [--list]   (--list prints the files it checks)
set -euo pipefail
root=${1:?usage: check_spdx.sh ROOT [--list]}
cd "$root"
tag='SPDX-License-Identifier: BSD-3-Clause'
list() {
  # Test inputs, golden outputs, corpora and build trees are data, not source: their bytes are compared or fed in.
  # A build tree is any directory holding a CMakeCache.txt, whatever it is called (cmake -B b).
  local builds=()
  while IFS= read -r c; do builds+=(-o -path "${c%/CMakeCache.txt}"); done < <(find . -path ./.git -prune -o -name CMakeCache.txt -print)
  find . \( -path ./.git -o -path './build*' -o -path './obj-*' -o -path ./tests/fuzz/corpus -o -path '*/data' ${builds[@]+"${builds[@]}"} \
       -o -path ./debian/.debhelper -o -path ./debian/tmp -o -path './debian/xfrmpp' -o -path './debian/libxfrmpp*' \) -prune -o \
    -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.cmake' \
       -o -name '*.in' -o -name '*.py' -o -name '*.fish' -o -name '*.service' -o -name CMakeLists.txt \
       -o -path './man/*.[0-9]' -o -path './completions/*' -o -path './scripts/*' -o -path ./.ci/run -o -path ./debian/rules \) \
    -print | sed 's|^\./||' | LC_ALL=C sort
}
if [[ ${2:-} == --list ]]; then list; exit 0; fi
missing=0 checked=0
while IFS= read -r f; do
  checked=$((checked + 1))
  head -n 3 -- "$f" | grep -qF "$tag" || { echo "no SPDX line in the first 3 lines: $f"; missing=$((missing + 1)); }
done < <(list)
((checked > 0)) || { echo "check_spdx: no files found under $root"; exit 1; }
echo "check_spdx: $checked files, $missing without an SPDX line"
((missing == 0))
