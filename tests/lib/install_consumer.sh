#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libxfrmpp as a packager and a user see it (issue 9): `cmake --install` of this build into a DESTDIR under
# the build tree with prefix /usr, then, against that tree only,
#  1. examples/socket_policy.c built with `cc $(pkg-config --cflags --libs xfrmpp)` (PKG_CONFIG_SYSROOT_DIR
#     and PKG_CONFIG_LIBDIR into the tree, plus a flagless stub for the nlohmann_json.pc that xfrmpp.pc
#     requires) and run in a private network namespace with LD_LIBRARY_PATH to the tree's libdir;
#  2. a find_package(xfrmpp) consumer configured, built and run;
#  3. no RPATH/RUNPATH in the installed library and tools (lintian's binary-or-shlib-defines-rpath).
# Exit 77 (skip) when no network namespace can be made (unshare -n, or unshare -Urn without root),
# unless XFRMPP_REQUIRE_KERNEL=1.
#   install_consumer.sh BUILD_DIR SOURCE_DIR LIBDIR CC CXX CMAKE [FLAGS]
set -u
build=$1 src=$2 libdir=$3 cc=$4 cxx=$5 cmake=$6 flags=${7:-}
work=$build/tests/lib-install
. "$(dirname "$0")/install_tree.sh"
install_tree "$work" "$build" "$libdir" "$cmake"
[[ -f $tree_libdir/pkgconfig/xfrmpp.pc ]] || die "no $tree_libdir/pkgconfig/xfrmpp.pc"

# 1. pkg-config alone, from the tree.
# xfrmpp.pc requires nlohmann_json (a C++ header dependency). Its system .pc says -I/usr/include, which
# PKG_CONFIG_SYSROOT_DIR would turn into the tree's include dir and so hide a broken xfrmpp.pc: a stub
# with the system's version and no flags stands in for it.
json_version=$(pkg-config --modversion nlohmann_json) || die "nlohmann_json.pc not found on the system"
json_pc=$work/pc-deps
mkdir -p "$json_pc" &&
  printf 'Name: nlohmann_json\nDescription: stub for the test\nVersion: %s\n' "$json_version" > "$json_pc/nlohmann_json.pc"
pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$tree_libdir/pkgconfig:$json_pc PKG_CONFIG_PATH= pkg-config "$@"; }
[[ $(pc --variable=pcfiledir xfrmpp) == "$tree_libdir/pkgconfig" ]] && ok "xfrmpp.pc comes from the install tree" ||
  bad "xfrmpp.pc found at $(pc --variable=pcfiledir xfrmpp)"
pcflags=$(pc --cflags --libs xfrmpp) || die "pkg-config --cflags --libs xfrmpp failed against the tree"
[[ " $pcflags " == *" -I$dest/usr/include "* && " $pcflags " == *" -L$tree_libdir "* && " $pcflags " == *" -lxfrmpp "* ]] &&
  ok "pkg-config: $pcflags" || bad "pkg-config gives '$pcflags' (want -I and -L into $dest, -lxfrmpp)"
exe=$work/socket_policy
# shellcheck disable=SC2086  # word splitting of the flags is the point
"$cc" -std=c99 -pedantic-errors -Wall -Wextra -Werror $flags "$src/examples/socket_policy.c" -o "$exe" $pcflags \
  > "$work/cc.log" 2>&1 && ok "examples/socket_policy.c builds with pkg-config alone" ||
  { cat "$work/cc.log"; bad "examples/socket_policy.c does not build against the install tree"; }

# 3. No RPATH in what is installed (the build-tree RPATH is for build/bin only).
for f in "$tree_libdir"/libxfrmpp.so.0 "$dest"/usr/sbin/*; do
  [[ -e $f ]] || continue
  if readelf -d "$f" | grep -qE 'RPATH|RUNPATH'; then bad "$f has an RPATH/RUNPATH"; else ok "no RPATH in ${f#"$dest"}"; fi
done

# 2. find_package(xfrmpp) -> xfrmpp::xfrmpp, with the C++ API and its public nlohmann_json dependency.
mkdir -p "$work/consumer"
cat > "$work/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(xfrmpp_consumer CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(xfrmpp 0 REQUIRED CONFIG)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE xfrmpp::xfrmpp)
CMAKE
cat > "$work/consumer/main.cpp" <<'CXX'
#include <xfrmpp/diag/diagnostic.hpp>
#include <xfrmpp/policy_string.hpp>
#include <xfrmpp/render/json.hpp>

#include <cstdio>

int main() {
  xfrmpp::diag::SourceBuffer source("policy", "out ipsec esp/transport//require");
  xfrmpp::diag::DiagnosticSink sink;
  auto policy = xfrmpp::policy_string::parse(source, sink);
  if (!policy) return 1;
  std::puts(xfrmpp::render::to_json(*policy).dump().c_str());
  return 0;
}
CXX
cmake_flags=()
[[ -n $flags ]] && cmake_flags=("-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags")
if "$cmake" -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$dest/usr" \
     -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${cmake_flags[@]}" > "$work/consumer.log" 2>&1 &&
   "$cmake" --build "$work/consumer/build" >> "$work/consumer.log" 2>&1; then
  found=$(grep -h '^xfrmpp_DIR' "$work/consumer/build/CMakeCache.txt" | cut -d= -f2)
  [[ $found == "$dest"/* ]] && ok "find_package(xfrmpp) found the tree's package ($found)" ||
    bad "find_package(xfrmpp) found '$found', not the install tree"
  out=$(LD_LIBRARY_PATH=$tree_libdir "$work/consumer/build/consumer")
  [[ $out == *'"esp"'* && $out == *'"transport"'* && $out == *'"require"'* ]] &&
    ok "the find_package consumer runs: $out" || bad "the consumer printed '$out'"
else
  cat "$work/consumer.log"; bad "the find_package(xfrmpp) consumer does not configure or build"
fi

# 1, run: needs CAP_NET_ADMIN, in a private network namespace.
if [[ -x $exe ]]; then
  resolved=$(LD_LIBRARY_PATH=$tree_libdir ldd "$exe" | awk '$1 == "libxfrmpp.so.0" { print $3 }')
  [[ $resolved == "$tree_libdir"/* ]] && ok "the example loads $resolved" || bad "the example loads libxfrmpp from '$resolved'"
  # As root a plain network namespace; otherwise a user namespace with it, where the mapped root has
  # CAP_NET_ADMIN for the new network namespace, which is all IP_XFRM_POLICY asks for.
  if unshare -n true 2> /dev/null; then
    ns=(unshare -n)
  elif unshare -Urn true 2> /dev/null; then
    ns=(unshare -Urn)
  else
    ((fails == 0)) || { echo "$fails check(s) failed"; exit 1; }
    [[ ${XFRMPP_REQUIRE_KERNEL:-} == 1 ]] && die "cannot create a network namespace, and XFRMPP_REQUIRE_KERNEL=1"
    echo "SKIPPED: cannot create a network namespace to run the example (need root or user namespaces)"; exit 77
  fi
  want=$'out: out ipsec esp/transport//require\nin: (none: the SPD decides)\ncleared\nout: (none: the SPD decides)\nin: (none: the SPD decides)'
  got=$(LD_LIBRARY_PATH=$tree_libdir "${ns[@]}" "$exe" "out ipsec esp/transport//require" "in entrust" 2>&1)
  [[ $got == "$want" ]] && ok "the installed-tree example sets, shows and clears socket policies" ||
    bad "the example printed:"$'\n'"$got"
  got=$(LD_LIBRARY_PATH=$tree_libdir "${ns[@]}" "$exe" -6 "out ipsec esp/transport//bogus" 2>&1)
  [[ $got == *"unknown level 'bogus'"* ]] && ok "the installed-tree example reports the library's parse error" ||
    bad "a bad policy gave: $got"
fi

((fails == 0)) && echo "PASS" && exit 0
echo "$fails check(s) failed"; exit 1
