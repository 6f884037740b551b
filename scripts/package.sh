#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds the Debian packages from the tree as a build daemon would, and checks them:
#   1. the tracked files (HEAD plus uncommitted changes to tracked files; never untracked ones) are
#      copied to build/pkg/xfrmpp-VERSION/;
#   2. dpkg-buildpackage -us -uc -b runs there without network (unshare -n), tests included;
#   3. lintian -EIL +pedantic on the .changes: any E: or W: tag fails (I:/P: tags are listed in
#      debian/README.source);
#   4. dpkg -c of each .deb must list the files that package must hold, and none another one holds.
# Everything is written under build/pkg/. `package.sh --check` repeats steps 3 and 4 on the last build.
# XFRMPP_PKG_JOBS (default 2) is the build's parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/build/pkg
version=$(sed -n 's/^project(xfrmpp VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[[ -n $version ]] || { echo "package.sh: no project(VERSION) in CMakeLists.txt" >&2; exit 1; }
changelog_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
[[ $changelog_version == "$version" ]] || {
  echo "package.sh: debian/changelog is at $changelog_version, CMakeLists.txt at $version" >&2
  exit 1
}
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
multiarch=$(dpkg-architecture -q DEB_HOST_MULTIARCH)
changes=$out/xfrmpp_${version}_${arch}.changes
fail=0
problem() { echo "package.sh: $*" >&2; fail=1; }

build() {
  local src=$out/xfrmpp-$version rev
  rm -rf "$out"
  mkdir -p "$src"
  # A commit object of the tracked files as they are now (HEAD when nothing changed); touches nothing.
  # XFRMPP_PKG_REV=COMMIT builds that commit instead (e.g. a trial merge made with git commit-tree).
  rev=${XFRMPP_PKG_REV:-$(git stash create 2>/dev/null || true)}
  git archive "${rev:-HEAD}" | tar -x -C "$src"
  local -a isolate=(unshare -n)
  # Without root, a user namespace maps us to root so that the network namespace can be made.
  [[ $(id -u) -eq 0 ]] || isolate=(unshare -rn)
  (cd "$src" && nice "${isolate[@]}" dpkg-buildpackage -us -uc -b -j"${XFRMPP_PKG_JOBS:-2}") \
    >"$out/build.log" 2>&1 || {
    tail -n 60 "$out/build.log"
    echo "package.sh: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
    exit 1
  }
  echo "package.sh: built $(cd "$out" && echo *.deb)"
}

run_lintian() {
  local tags
  tags=$(lintian -EIL +pedantic --fail-on none "$changes" 2>&1) || problem "lintian did not run"
  printf '%s\n' "$tags" | tee "$out/lintian.log"
  if grep -qE '^[EW]: ' <<<"$tags"; then
    problem "lintian reports errors or warnings (above)"
  fi
}

# check_deb PACKAGE MUST_REGEX... -- MUST_NOT_REGEX...  (extended regexes on the paths of dpkg -c)
check_deb() {
  local pkg=$1 deb paths re
  shift
  deb=$(compgen -G "$out/${pkg}_${version}_*.deb" | head -n 1) || true
  [[ -n $deb ]] || { problem "no $pkg .deb in $out"; return; }
  # dpkg -c: mode owner size date time path [-> target]; keep the path without its leading '.'.
  paths=$(dpkg -c "$deb" | awk '{print substr($6, 2)}')
  local must=1
  for re in "$@"; do
    if [[ $re == -- ]]; then must=0; continue; fi
    if ((must)); then
      grep -qxE "$re" <<<"$paths" || problem "$pkg lacks $re"
    elif grep -xE "$re" <<<"$paths" >"$out/unwanted"; then
      problem "$pkg holds what belongs elsewhere: $(tr '\n' ' ' <"$out/unwanted")"
    fi
  done
}

check_contents() {
  local lib=/usr/lib/$multiarch tool tools=(setkey ipsecconf ipseckey ipsec-sysctl ipsec-stat ipsec-engine)
  local -a xfrmpp=()
  for tool in "${tools[@]}"; do
    xfrmpp+=("/usr/sbin/$tool" "/usr/share/man/man8/$tool\\.8\\.gz"
             "/usr/share/bash-completion/completions/$tool" "/usr/share/zsh/vendor-completions/_$tool"
             "/usr/share/fish/vendor_completions\\.d/$tool\\.fish")
  done
  xfrmpp+=(/lib/systemd/system/setkey\\.service /lib/systemd/system/ipsecconf\\.service
           /lib/systemd/system/ipseckey\\.service /usr/share/doc/xfrmpp/copyright)
  # The LD_PRELOAD module lives in a directory of its own (no soname); no shared library, no .pc.
  xfrmpp+=("$lib/xfrmpp/libxfrmpp-preload\\.so")
  check_deb xfrmpp "${xfrmpp[@]}" -- "$lib/(lib|pkgconfig|cmake).*" "/usr/include/.*" "/usr/share/man/man3/.*"
  check_deb libxfrmpp0 "$lib/libxfrmpp\\.so\\.0" "$lib/libxfrmpp\\.so\\.0\\.[0-9.]+" \
    /usr/share/doc/libxfrmpp0/copyright \
    -- "$lib/libxfrmpp\\.so" "/usr/sbin/.*" "/usr/include/.*" "$lib/(pkgconfig|cmake)/.*" "/usr/share/man/.*"
  check_deb libxfrmpp-dev "/usr/include/xfrmpp/.+\\.h(pp)?" "$lib/libxfrmpp\\.so" "$lib/pkgconfig/xfrmpp\\.pc" \
    "$lib/cmake/xfrmpp/xfrmpp-?[cC]onfig\\.cmake" "/usr/share/man/man3/xfrmpp_set_socket_policy\\.3\\.gz" \
    -- "$lib/libxfrmpp\\.so\\.0.*" "/usr/sbin/.*" "/usr/share/man/man8/.*" "/lib/systemd/.*"
}

if [[ ${1:-} != --check ]]; then
  start=$SECONDS
  build
  echo "package.sh: dpkg-buildpackage took $((SECONDS - start)) s"
fi
[[ -f $changes ]] || { echo "package.sh: no $changes; run without --check first" >&2; exit 1; }
run_lintian
check_contents
if ((fail)); then exit 1; fi
echo "package.sh: lintian clean (no E:/W:), every package holds its files"
