#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# fetch_kernel.sh [--offline] CACHE_DIR
#
# Puts a Debian kernel (vmlinuz plus the module trees the VM tests need) under CACHE_DIR without
# installing it: `apt-get download` of linux-image-<abi>-amd64, then only the needed members of the
# .deb are extracted. Nothing is written to /boot or /lib/modules. A complete cache is reused, so
# later runs need no network at all.
#
# On success prints the kernel root (a directory holding boot/vmlinuz-VER and lib/modules/VER) on
# stdout and exits 0. If the kernel cannot be obtained it explains why on stderr and exits 77
# (or 1 when XFRMPP_REQUIRE_KERNEL=1, where a missing prerequisite is a failure).
#
# --offline: only a complete cache (or XFRMPP_VM_KERNEL_ROOT) is used; nothing is looked up or
# downloaded. The CTest tests run it so (through run_vm.sh --no-fetch): ctest never calls apt-get,
# scripts/test.sh fetches the kernel before ctest starts.
# A cache unpacked with an older LAYOUT is unpacked again from its kept .deb (no network, also offline).
#
# Environment:
#   XFRMPP_VM_KERNEL_ROOT     use this directory instead (e.g. "/" for the host's installed kernel
#                             if it has the modules); nothing is downloaded
#   XFRMPP_VM_KERNEL_PACKAGE  download this package (e.g. linux-image-6.1.0-56-amd64) instead of the
#                             one linux-image-amd64 depends on
#   XFRMPP_VM_REFRESH=1       re-resolve linux-image-amd64 even if a kernel is cached
set -euo pipefail

die_prereq() {
	echo "fetch_kernel: $*" >&2
	if [ "${XFRMPP_REQUIRE_KERNEL:-}" = 1 ]; then echo "fetch_kernel: XFRMPP_REQUIRE_KERNEL=1, so this is a failure" >&2; exit 1; fi
	exit 77
}

offline=
if [ "${1:-}" = --offline ]; then
	offline=1
	shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--offline] CACHE_DIR" >&2; exit 2; }
# absolute, since kernel.current records paths under it for runs from any directory
mkdir -p "$1"
cache=$(cd "$1" && pwd)

# Everything the initramfs takes from the kernel package. Bump LAYOUT when this list changes, so
# old caches are re-extracted from the kept .deb.
LAYOUT=3
members=(
	'./boot/vmlinuz-*' '*/modules/*/modules.builtin' '*/modules/*/modules.builtin.modinfo'
	'*/modules/*/modules.order' '*/modules/*/kernel/crypto/*' '*/modules/*/kernel/lib/*'
	'*/modules/*/kernel/net/xfrm/*' '*/modules/*/kernel/net/ipv4/*' '*/modules/*/kernel/net/ipv6/*'
	'*/modules/*/kernel/net/core/*' '*/modules/*/kernel/net/key/*'
	'*/modules/*/kernel/drivers/net/veth.ko*' '*/modules/*/kernel/drivers/net/tun.ko*'
)

check_root() { # a usable kernel root has exactly one vmlinuz and its module directory
	local r=$1 v
	v=$(ls "$r"/boot/vmlinuz-* 2>/dev/null | head -n1) || return 1
	[ -n "$v" ] && [ -r "$v" ] || return 1
	v=${v##*/vmlinuz-}
	[ -d "$r/lib/modules/$v" ] || [ -d "$r/usr/lib/modules/$v" ]
}

if [ -n "${XFRMPP_VM_KERNEL_ROOT:-}" ]; then
	check_root "$XFRMPP_VM_KERNEL_ROOT" || die_prereq "XFRMPP_VM_KERNEL_ROOT=$XFRMPP_VM_KERNEL_ROOT has no boot/vmlinuz-VER with lib/modules/VER"
	echo "$XFRMPP_VM_KERNEL_ROOT"
	exit 0
fi

mkdir -p "$cache"
# concurrent test runs share the cache: one fetches, the others wait and reuse
exec 9>"$cache/.lock"
flock 9
current="$cache/kernel.current"
if [ -z "${XFRMPP_VM_REFRESH:-}" ] && [ -z "${XFRMPP_VM_KERNEL_PACKAGE:-}" ] && [ -f "$current" ]; then
	root=$(cat "$current")
	case $root in /*) ;; *) root=/nonexistent ;; esac # written by an older version from a relative CACHE_DIR
	if [ -f "$root/.complete-$LAYOUT" ] && check_root "$root"; then
		echo "$root"
		exit 0
	fi
	# an older LAYOUT (fewer members unpacked): unpack the same package again from its kept .deb,
	# with no look-up, so a layout change needs no network (and works with --offline)
	old_pkg=${root##*/}
	case $old_pkg in linux-image-*) ;; *) old_pkg= ;; esac
	if [ -n "$old_pkg" ] && ls "$cache/debs/${old_pkg}_"*_amd64.deb >/dev/null 2>&1; then
		echo "fetch_kernel: re-unpacking $old_pkg from its kept .deb (cache layout changed)" >&2
		XFRMPP_VM_KERNEL_PACKAGE=$old_pkg
		offline=
	fi
fi

[ -z "$offline" ] || die_prereq "no kernel in $cache (tests never download one: run tests/vm/fetch_kernel.sh $cache" \
	"before ctest, as scripts/test.sh does, or set XFRMPP_VM_KERNEL_ROOT)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
	die_prereq "apt-get/dpkg-deb not found: cannot download a Debian kernel (set XFRMPP_VM_KERNEL_ROOT)"

updated=
apt_update_once() { # stale or missing package lists are the usual reason for a failed look-up
	[ -z "$updated" ] && [ "$(id -u)" -eq 0 ] || return 1
	updated=1
	echo "fetch_kernel: running apt-get update" >&2
	apt-get update -qq >&2 || true
}

resolve_pkg() {
	{ apt-cache show --no-all-versions linux-image-amd64 2>/dev/null || true; } |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n1
}

pkg=${XFRMPP_VM_KERNEL_PACKAGE:-}
if [ -z "$pkg" ]; then
	pkg=$(resolve_pkg)
	if [ -z "$pkg" ] && apt_update_once; then pkg=$(resolve_pkg); fi
	[ -n "$pkg" ] || die_prereq "cannot resolve linux-image-amd64 (no apt package lists? run apt-get update)"
fi

dl="$cache/debs"
mkdir -p "$dl"
deb=$(ls "$dl/${pkg}_"*_amd64.deb 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$deb" ]; then
	echo "fetch_kernel: downloading $pkg" >&2
	# apt-get download writes into the current directory. As root it warns that the _apt sandbox
	# user cannot write there; a private 0777 staging directory avoids that without chown games.
	stage=$(mktemp -d "$dl/.stage.XXXXXX")
	chmod 0777 "$stage"
	if ! (cd "$stage" && apt-get download -q "$pkg" >&2); then
		if apt_update_once && (cd "$stage" && apt-get download -q "$pkg" >&2); then :; else
			rm -rf "$stage"
			die_prereq "apt-get download $pkg failed"
		fi
	fi
	mv "$stage"/*.deb "$dl"/
	rmdir "$stage"
	deb=$(ls "$dl/${pkg}_"*_amd64.deb | sort -V | tail -n1)
fi

root="$cache/${pkg}"
tmp="$root.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
# Only the members above are unpacked (about 20 MiB instead of 400 MiB for `dpkg-deb -x`).
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "${members[@]}" ||
	{ rm -rf "$tmp"; die_prereq "cannot unpack $deb"; }
check_root "$tmp" || { rm -rf "$tmp"; die_prereq "$deb has no vmlinuz/modules"; }
touch "$tmp/.complete-$LAYOUT"
rm -rf "$root"
mv "$tmp" "$root"
echo "$root" >"$current"
# drop older kernels (70 MB per .deb)
for old in "$cache"/linux-image-* "$dl"/linux-image-*.deb; do
	case $old in "$root" | "$deb") ;; *) rm -rf "$old" ;; esac
done
echo "$root"
