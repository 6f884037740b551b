#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A build without the kernel backend (-DXFRMPP_KERNEL=OFF, issue 10 item 6) is the "non-Linux" build:
#   1. no source file it compiles (compile_commands.json) includes a <linux/...> header itself, and no
#      project header those sources reach (ninja's dependency log) does either. System headers may
#      (glibc's <errno.h> pulls in <linux/errno.h>); what is checked is our own code;
#   2. nothing is compiled with XFRMPP_HAVE_KERNEL, and no netlink or socket-policy source is compiled;
#   3. libxfrmpp.so needs no libmnl and references no mnl_* symbol.
#   no_linux_headers.sh BUILD_DIR SOURCE_DIR [LIBRARY]
set -uo pipefail
build=${1:?usage: no_linux_headers.sh BUILD_DIR SOURCE_DIR [LIBRARY]}
src=${2:?usage: no_linux_headers.sh BUILD_DIR SOURCE_DIR [LIBRARY]}
lib=${3:-}
command -v jq > /dev/null || { echo "SKIPPED: jq is not installed"; exit 77; }
db=$build/compile_commands.json
[[ -s $db ]] || { echo "FAIL: no $db (configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON)"; exit 1; }
src=$(cd "$src" && pwd -P)
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*<linux/'

mapfile -t sources < <(jq -r '.[].file' "$db" | sort -u)
((${#sources[@]})) || { echo "FAIL: $db lists no source"; exit 1; }
# Project headers the objects were compiled with (ninja's deps log); none in a fresh or non-Ninja tree.
headers=()
if [[ -f $build/build.ninja ]] && command -v ninja > /dev/null; then
  mapfile -t headers < <(ninja -C "$build" -t deps 2> /dev/null | awk '/^    / { print $1 }' | sort -u)
fi
checked=0
for f in "${sources[@]}" "${headers[@]}"; do
  [[ $f = /* ]] || f=$build/$f
  [[ -f $f ]] || continue
  f=$(realpath "$f")
  [[ $f == "$src"/* && $f != "$build"/* ]] || continue  # ours, not a system or generated file
  checked=$((checked + 1))
  if hits=$(grep -nE "$include_re" "$f"); then bad "${f#"$src"/} includes a Linux header: $hits"; fi
done
echo "checked ${#sources[@]} compiled sources and the project headers they include: $checked files of $src"
((checked > 0)) || bad "no file of $src was checked"

if hits=$(jq -r '.[] | select(.command | test("XFRMPP_HAVE_KERNEL")) | .file' "$db" | head -3) && [[ -n $hits ]]; then
  bad "compiled with XFRMPP_HAVE_KERNEL: $hits"
fi
if hits=$(printf '%s\n' "${sources[@]}" | grep -E '/libxfrmpp/src/(netlink|socket)/') && [[ -n $hits ]]; then
  bad "kernel-backend sources compiled: $(head -3 <<< "$hits")"
fi
if [[ -n $lib ]]; then
  if readelf -d "$lib" | grep -q 'NEEDED.*libmnl'; then bad "$lib needs libmnl"; fi
  if nm -D --undefined-only "$lib" | grep -q ' mnl_'; then bad "$lib references mnl_* symbols"; fi
  echo "checked $lib: no libmnl"
fi
((fails == 0)) && echo PASS && exit 0
echo "$fails problem(s)"
exit 1
