#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The library's layering (issue 9): nothing in libxfrmpp/ includes or links parsers/ or tools/, and the
# built libxfrmpp.so.0 holds and needs no symbol of xfrmpp::parsers or xfrmpp::tools.
#   layering.sh SOURCE_DIR LIBRARY
set -u
src=$1 lib=$2
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

includes=$(grep -rnE '^\s*#\s*include\s*[<"](\.\./)*(parsers|tools|common)/' "$src/libxfrmpp" 2>/dev/null)
[[ -z $includes ]] && ok "no libxfrmpp/ source includes parsers/ or tools/" || bad "includes upward: $includes"
links=$(grep -rnE 'xfrmpp_parsers|xfrmpp_tool_common|\.\./(parsers|tools)|CMAKE_SOURCE_DIR\}/(parsers|tools)' \
          "$src/libxfrmpp" --include=CMakeLists.txt --include='*.cmake' --include='*.in' 2>/dev/null)
[[ -z $links ]] && ok "libxfrmpp/CMakeLists.txt links nothing of parsers/ or tools/" || bad "links upward: $links"
upward=$(nm -C "$lib" | grep -E 'xfrmpp::(parsers|tools)::' | head -5)
[[ -z $upward ]] && ok "libxfrmpp.so.0 defines and references nothing in xfrmpp::parsers or xfrmpp::tools" ||
  bad "libxfrmpp.so.0 has: $upward"

((fails == 0)) && echo PASS && exit 0
echo "$fails check(s) failed"; exit 1
