#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# /init of the xfrmpp test VM (busybox sh). It mounts the pseudo file systems, loads the XFRM/IPsec
# modules, runs every scenario named in /xfrmpp/scenarios.list (added by run_vm.sh as a second cpio
# archive) and powers the VM off. The host reads these lines from the serial console:
#   XFRMPP-BOOT: <kernel release> <uptime>s          init started
#   XFRMPP-BEGIN: <name>                               scenario output follows
#   XFRMPP-END: <name> <seconds>s                      scenario output ends
#   XFRMPP-RESULT: <name> PASS|FAIL <reason>|SKIP <reason>
#   XFRMPP-DONE: <n> passed, <n> failed, <n> skipped   every scenario ran
# A scenario is killed (with everything in its session) after its timeout, `# vm-timeout: SECONDS`
# in its header, default 60. Between scenarios every netns, link and XFRM state/policy of the
# initial namespace is removed, so scenarios do not see each other's leftovers.

PATH=/xfrmpp/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
IP=/usr/sbin/ip

mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# /run and /tmp stay on the (RAM) root file system: a tmpfs on top would hide libraries that
# build_initramfs.sh copied to their ldd paths, which may be under /tmp for a build tree there.
echo "XFRMPP-BOOT: $(uname -r) $(cut -d' ' -f1 /proc/uptime)s"

XFRMPP_TIMEOUT=60
XFRMPP_TRACE=
[ -f /xfrmpp/run.conf ] && . /xfrmpp/run.conf

# Crypto modules (authenc, gcm, chacha20poly1305, ...) are loaded on demand by the kernel through
# /sbin/modprobe (busybox) when an SA needs them.
for m in xfrm_algo xfrm_user esp4 esp6 ah4 ah6 ipcomp ipcomp6 tunnel4 tunnel6 xfrm4_tunnel \
	xfrm6_tunnel veth af_key tun; do
	modprobe "$m" || echo "XFRMPP-WARN: modprobe $m failed"
done
# `ipsec-engine run` opens /dev/net/tun. Loading tun.ko makes devtmpfs create the node; should it
# not, make it by hand (misc major 10, minor 200).
if [ ! -c /dev/net/tun ]; then
	mkdir -p /dev/net
	mknod -m 0666 /dev/net/tun c 10 200 || echo "XFRMPP-WARN: cannot create /dev/net/tun"
fi
$IP link set lo up
echo "XFRMPP-READY: $(cut -d' ' -f1 /proc/uptime)s"

cleanup() {
	for ns in $($IP netns list | cut -d' ' -f1); do $IP netns delete "$ns"; done
	for l in $($IP -o link show | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'); do
		[ "$l" = lo ] || $IP link delete "$l" 2>/dev/null
	done
	$IP xfrm state flush
	$IP xfrm policy flush
}

npass=0 nfail=0 nskip=0
while read -r name; do
	[ -n "$name" ] || continue
	f=/xfrmpp/scenarios/$name.sh
	t=$(sed -n 's/^# *vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n1)
	t=${t:-$XFRMPP_TIMEOUT}
	work=/tmp/xfrmpp/$name
	mkdir -p "$work"
	echo "XFRMPP-BEGIN: $name"
	t0=$(cut -d. -f1 /proc/uptime)
	# timeout execs setsid, which execs sh: $! is the scenario's session leader, so everything the
	# scenario started can be killed through its process group afterwards.
	XFRMPP_WORK=$work XFRMPP_RESULT=$work/result XFRMPP_NAME=$name XFRMPP_TRACE=$XFRMPP_TRACE \
		timeout -s KILL "$t" setsid sh -c 'cd "$XFRMPP_WORK" && . /xfrmpp/lib.sh &&
			{ [ -z "$XFRMPP_TRACE" ] || set -x; } && set -e && . "$1"' "$name" "$f" </dev/null &
	pid=$!
	wait $pid
	rc=$?
	kill -KILL -$pid 2>/dev/null
	elapsed=$(($(cut -d. -f1 /proc/uptime) - t0))
	cleanup >/dev/null 2>&1
	echo "XFRMPP-END: $name ${elapsed}s"
	if [ -s "$work/result" ]; then
		res=$(head -n1 "$work/result")
	elif [ $rc -eq 137 ] && [ $elapsed -ge "$t" ]; then
		res="FAIL timed out after ${t}s"
	elif [ $rc -eq 0 ]; then
		res=PASS
	else
		res="FAIL exit status $rc (a command failed under set -e, or the scenario exited)"
	fi
	case $res in
	PASS*) npass=$((npass + 1)) ;;
	SKIP*) nskip=$((nskip + 1)) ;;
	*) nfail=$((nfail + 1)) ;;
	esac
	echo "XFRMPP-RESULT: $name $res"
done </xfrmpp/scenarios.list

echo "XFRMPP-DONE: $npass passed, $nfail failed, $nskip skipped"
sync
poweroff -f
