# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the consumer tests: ok/bad/die, and `install_tree WORK BUILD LIBDIR CMAKE`, which installs
# the build into WORK/dest as a package would (DESTDIR, prefix /usr) and sets `dest` and `tree_libdir`.
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }
die() { echo "FAIL: $1"; exit 1; }

install_tree() {
  local work=$1 build=$2 libdir=$3 cmake=$4
  dest=$work/dest
  rm -rf "$work" && mkdir -p "$work" || die "cannot make $work"
  DESTDIR=$dest "$cmake" --install "$build" --prefix /usr > "$work/install.log" 2>&1 ||
    { cat "$work/install.log"; die "cmake --install failed"; }
  [[ $libdir == /* ]] && tree_libdir=$dest$libdir || tree_libdir=$dest/usr/$libdir
}
