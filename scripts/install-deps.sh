#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs everything xfrmpp needs to build and test, from Debian 12 packages only. Idempotent: it
# asks apt only when something is missing. Must run as root (or through sudo).
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config ccache
  libmnl-dev libnl-3-dev libnl-xfrm-3-dev libcli11-dev libfmt-dev doctest-dev nlohmann-json3-dev
  libssl-dev zlib1g-dev
  # ipsec-engine process reads and writes captures
  libpcap-dev
  # run and test: ip(8) for namespaces, /usr/bin/time for the benchmark, groff for the man-page check,
  # jq to check that tool output is valid JSON; mandoc, man-db and col (bsdextrautils) for the man-page
  # lint and width checks (tests/docs/check_man_pages.sh)
  iproute2 time groff-base jq
  # tshark checks the engine's ESP with an independent implementation (tests/engine/esp_tshark.sh)
  tshark
  mandoc man-db bsdextrautils
  # real-kernel tests (tests/vm): QEMU and a static busybox for the initramfs
  qemu-system-x86 busybox-static xz-utils cpio
  # the Debian package (scripts/package.sh): dpkg-buildpackage, dh, lintian; systemd-analyze, man(1) and
  # mandoc for the unit and manual checks; python3 and col(1) for test scripts
  build-essential dpkg-dev debhelper lintian systemd man-db mandoc python3 bsdextrautils
  # fuzzing (tests/fuzz): clang and its runtime with libFuzzer and the sanitizers (only recommended by clang)
  clang libclang-rt-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    SUDO=sudo
  else
    SUDO=
  fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
