#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The libipsec API as installed (issue 13 item 1): `cmake --install` of this build into a DESTDIR under the
# build tree (prefix /usr), then, against that tree only,
#  1. tests/lib/libipsec_consumer.c built with `cc $(pkg-config --cflags --libs xfrmpp-compat)`, with
#     <netinet6/ipsec.h> and (-DUSE_NETIPSEC) with <netipsec/ipsec.h>, strict C99 and as C++, and run:
#     lengths, struct sadb_x_policy fields and dumps as expected, and a bad policy's message;
#  2. the same program through find_package(xfrmpp) and the target xfrmpp::compat;
#  3. the control: with the flags of `pkg-config xfrmpp` (no compat), <netinet6/ipsec.h> is not ours: not
#     found here (or the system's own, where one exists), so the compat headers shadow nothing.
# No network namespace is needed: nothing here touches a socket.
#   compat_consumer.sh BUILD_DIR SOURCE_DIR LIBDIR CC CXX CMAKE [FLAGS]
set -u
build=$1 src=$2 libdir=$3 cc=$4 cxx=$5 cmake=$6 flags=${7:-}
work=$build/tests/lib-compat
prog=$src/tests/lib/libipsec_consumer.c
. "$(dirname "$0")/install_tree.sh"
install_tree "$work" "$build" "$libdir" "$cmake"
compat=$dest/usr/include/xfrmpp/compat
for f in "$compat/netinet6/ipsec.h" "$compat/netipsec/ipsec.h" "$tree_libdir/pkgconfig/xfrmpp-compat.pc" \
         "$dest/usr/share/man/man3/ipsec_set_policy.3" "$dest/usr/share/man/man3/ipsec_dump_policy.3"; do
  [[ -f $f ]] && ok "installed ${f#"$dest"}" || bad "not installed: ${f#"$dest"}"
done

# xfrmpp.pc requires nlohmann_json, which the control's `pkg-config xfrmpp` needs: a flagless stub with
# the system's version stands in for it (as in install_consumer.sh). xfrmpp-compat.pc requires nothing.
json_pc=$work/pc-deps
mkdir -p "$json_pc"
json_version=$(pkg-config --modversion nlohmann_json 2> /dev/null || echo 3.0.0)
printf 'Name: nlohmann_json\nDescription: stub for the test\nVersion: %s\n' "$json_version" > "$json_pc/nlohmann_json.pc"
pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$tree_libdir/pkgconfig:$json_pc PKG_CONFIG_PATH= pkg-config "$@"; }

# 1. pkg-config xfrmpp-compat alone.
pcflags=$(pc --cflags --libs xfrmpp-compat) || die "pkg-config --cflags --libs xfrmpp-compat failed against the tree"
[[ " $pcflags " == *" -I$compat "* && " $pcflags " == *" -L$tree_libdir "* && " $pcflags " == *" -lxfrmpp "* ]] &&
  ok "pkg-config xfrmpp-compat: $pcflags" || bad "pkg-config xfrmpp-compat gives '$pcflags' (want -I$compat, -L, -lxfrmpp)"

run() { LD_LIBRARY_PATH=$tree_libdir "$@" 2>&1; }
policies=("out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require" "in bypass" "out prio high + 10 ipsec esp/transport//unique:7")
want=$'out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require: 64 bytes, exttype 18, dir 2 (out), type 2: out prio def ipsec esp/tunnel/10.0.0.1-10.0.0.2/require
in bypass: 16 bytes, exttype 18, dir 1, type 4: in prio def bypass
out prio high + 10 ipsec esp/transport//unique:7: 32 bytes, exttype 18, dir 2 (out), type 2: out prio high + 10 ipsec esp/transport//unique:7'
check_program() {  # NAME EXE
  local got
  got=$(run "$2" "${policies[@]}")
  [[ $got == "$want" ]] && ok "$1 prints the expected lengths, fields and dumps" || bad "$1 printed:"$'\n'"$got"
  got=$(run "$2" "out ipsec esp/transport//requir")
  [[ $got == *"error 5: Invalid security policy: policy:1:26: error: unknown level 'requir'"* ]] &&
    ok "$1 reports a bad policy with ipsec_strerror()" || bad "$1 on a bad policy printed:"$'\n'"$got"
}
# shellcheck disable=SC2086  # word splitting of the flags is the point
for variant in netinet6 netipsec; do
  def=()
  [[ $variant == netipsec ]] && def=(-DUSE_NETIPSEC)
  exe=$work/consumer-$variant
  if "$cc" -std=c99 -pedantic-errors -Wall -Wextra -Werror $flags "${def[@]}" "$prog" -o "$exe" $pcflags \
       > "$work/cc-$variant.log" 2>&1; then
    ok "the C program builds with <$variant/ipsec.h> and pkg-config xfrmpp-compat alone"
    used=$("$cc" -M "${def[@]}" $(pc --cflags xfrmpp-compat) "$prog" | tr -s ' \\' '\n' | grep '/ipsec\.h$' | head -1)
    [[ $used == "$compat/$variant/ipsec.h" ]] && ok "it includes the tree's <$variant/ipsec.h>" ||
      bad "<$variant/ipsec.h> resolved to '$used'"
    check_program "the <$variant/ipsec.h> program" "$exe"
  else
    cat "$work/cc-$variant.log"; bad "the C program does not build with <$variant/ipsec.h> against the install tree"
  fi
  # The header is C++ too.
  if "$cxx" -x c++ -std=c++17 -Wall -Wextra -Werror $flags "${def[@]}" "$prog" -o "$exe-cxx" $pcflags \
       > "$work/cxx-$variant.log" 2>&1; then
    check_program "the <$variant/ipsec.h> program built as C++" "$exe-cxx"
  else
    cat "$work/cxx-$variant.log"; bad "the program does not build as C++ with <$variant/ipsec.h>"
  fi
done

# 2. find_package(xfrmpp) -> xfrmpp::compat.
mkdir -p "$work/cmake-consumer"
cat > "$work/cmake-consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.22)
project(xfrmpp_compat_consumer C)
find_package(xfrmpp 0 REQUIRED CONFIG)
add_executable(consumer $prog)
target_link_libraries(consumer PRIVATE xfrmpp::compat)
CMAKE
cmake_flags=()
[[ -n $flags ]] && cmake_flags=("-DCMAKE_C_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags")
if "$cmake" -S "$work/cmake-consumer" -B "$work/cmake-consumer/build" -DCMAKE_C_COMPILER="$cc" \
     -DCMAKE_PREFIX_PATH="$dest/usr" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${cmake_flags[@]}" > "$work/cmake.log" 2>&1 &&
   "$cmake" --build "$work/cmake-consumer/build" >> "$work/cmake.log" 2>&1; then
  found=$(grep -h '^xfrmpp_DIR' "$work/cmake-consumer/build/CMakeCache.txt" | cut -d= -f2)
  [[ $found == "$dest"/* ]] && ok "find_package(xfrmpp) found the tree's package ($found)" ||
    bad "find_package(xfrmpp) found '$found', not the install tree"
  check_program "the find_package(xfrmpp) + xfrmpp::compat program" "$work/cmake-consumer/build/consumer"
else
  cat "$work/cmake.log"; bad "the xfrmpp::compat consumer does not configure or build"
fi

# 3. Control: a program that does not ask for xfrmpp-compat does not get our <netinet6/ipsec.h>.
plain=$(pc --cflags xfrmpp) || die "pkg-config --cflags xfrmpp failed against the tree"
[[ $plain != */xfrmpp/compat* ]] && ok "pkg-config xfrmpp adds no compat directory ($plain)" || bad "pkg-config xfrmpp gives '$plain'"
printf '#include <netinet6/ipsec.h>\nint main(void) { return 0; }\n' > "$work/plain.c"
# shellcheck disable=SC2086
if deps=$("$cc" -M $plain "$work/plain.c" 2> "$work/plain.log"); then
  # This system has a <netinet6/ipsec.h> of its own: it must be that one.
  [[ $deps != *"$compat"* ]] && ok "without xfrmpp-compat, <netinet6/ipsec.h> is the system's" ||
    bad "without xfrmpp-compat, <netinet6/ipsec.h> came from the tree: $deps"
else
  grep -q 'netinet6/ipsec.h' "$work/plain.log" && ok "without xfrmpp-compat, <netinet6/ipsec.h> is not found (this system has none)" ||
    { cat "$work/plain.log"; bad "the control program failed for another reason"; }
fi

((fails == 0)) && echo "PASS" && exit 0
echo "$fails check(s) failed"; exit 1
