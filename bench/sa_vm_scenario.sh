# SPDX-License-Identifier: BSD-3-Clause
# SA bulk-load benchmark, run inside the test VM by bench/sa_vm.sh (not a CTest scenario).
# bench/sa_vm.sh prepends SA_VM_COUNT=N and SA_VM_ROUNDS=R. Loads N ESP transport SAs
# (aes-cbc 128 + hmac-sha256, unique SPIs, one destination per SA) into a fresh namespace, once
# with `setkey -f` and once with `ip -batch`, R times in the order setkey, ip, ip, setkey, ... so
# that neither tool always runs on a warmer kernel; checks that every load left exactly N SAs and
# that the two tools produced the same SAD; prints "BENCH" lines that bench/sa_vm.sh turns into a
# table.
# vm-timeout: 1500
need_bin setkey
n=${SA_VM_COUNT:-10000}
rounds=${SA_VM_ROUNDS:-1}
enc=0x000102030405060708090a0b0c0d0e0f
auth=0x101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f
t0=$(cut -d' ' -f1 /proc/uptime)
awk -v n="$n" -v enc="$enc" -v auth="$auth" 'BEGIN {
	for (i = 0; i < n; i++) {
		d = sprintf("10.%d.%d.%d", int(i / 65536), int(i / 256) % 256, i % 256)
		printf "add 192.0.2.1 %s esp %d -m transport -E aes-cbc %s -A hmac-sha256 %s;\n", d, 4096 + i, enc, auth >"sa.conf"
		printf "xfrm state add src 192.0.2.1 dst %s proto esp spi %d mode transport enc cbc(aes) %s auth-trunc hmac(sha256) %s 128\n", d, 4096 + i, enc, auth >"sa.batch"
	}
}'
t1=$(cut -d' ' -f1 /proc/uptime)
log "generated $n statements per tool in $(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')s ($(wc -c <sa.conf) and $(wc -c <sa.batch) bytes)"

# sad NS: the SAD of NS as comparable text (iproute2's view, without the timestamps)
sad() { ip -n "$1" xfrm state | grep -v 'add [0-9-]* [0-9:]* use' | sort; }
run=0
# load TOOL: one timed load into a fresh namespace; prints a BENCH line
load() {
	run=$((run + 1))
	ns=bench$run
	ip netns add $ns
	s=$(cut -d' ' -f1 /proc/uptime)
	if [ "$1" = setkey ]; then
		ip netns exec $ns "$XFRMPP_BIN/setkey" -f sa.conf || fail "setkey -f failed (run $run)"
	else
		ip netns exec $ns ip -batch sa.batch || fail "ip -batch failed (run $run)"
	fi
	e=$(cut -d' ' -f1 /proc/uptime)
	got=$(ip -n $ns xfrm state count | awk '{ print $NF }')
	[ "$got" = "$n" ] || fail "$1 run $run left $got SAs, expected $n"
	echo "BENCH $1 $run $n $(echo "$e $s" | awk '{ printf "%.2f", $1 - $2 }')"
	if [ ! -f sad.$1 ]; then sad $ns >sad.$1; fi
	# free the SAs now rather than in the next load's time (netns teardown is deferred work)
	ip -n $ns xfrm state flush
	ip netns delete $ns
	sleep 2
}
# warm-up (not measured): loads the crypto modules and grows the kernel caches once
ip netns add warm
head -n 200 sa.conf >warm.conf
ip netns exec warm "$XFRMPP_BIN/setkey" -f warm.conf || fail "warm-up load failed"
ip -n warm xfrm state flush
ip netns delete warm
sleep 1
i=0
while [ $i -lt "$rounds" ]; do
	if [ $((i % 2)) -eq 0 ]; then load setkey; load ip; else load ip; load setkey; fi
	i=$((i + 1))
done
cmp -s sad.setkey sad.ip || { diff sad.setkey sad.ip | head -20; fail "setkey and ip -batch produced different SADs"; }
log "setkey and ip -batch produced the same $n SAs"
