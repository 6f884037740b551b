# SPDX-License-Identifier: BSD-3-Clause
# SA bulk-load benchmark, run inside the test VM by bench/sa_vm.sh (not a CTest scenario).
# bench/sa_vm.sh prepends SA_VM_COUNT=N and SA_VM_ROUNDS=R. Loads N ESP transport SAs
# (aes-cbc 128 + hmac-sha256, unique SPIs, one destination per SA) into a fresh namespace, once
# with `setkey -f` and once with `ip -batch`, R times in the order setkey, ip, ip, setkey, ... so
# that neither tool always runs on a warmer kernel; checks that every load left exactly N SAs and
# that the two tools produced the same SAD; prints "BENCH" lines (wall, user and system time of each
# load) and a "PARSE" line (`setkey -n`, no kernel) that bench/sa_vm.sh turns into a table. With
# SA_VM_PROFILE=1 it then loads once more per tool under ftrace's function_graph tracer, limited to the
# kernel functions in $prof_funcs, and prints "PROF" lines (calls, total ms) for where the kernel's
# time goes (the tracer slows every traced call, so these loads are not timed).
# vm-timeout: 1500
need_bin setkey
n=${SA_VM_COUNT:-10000}
rounds=${SA_VM_ROUNDS:-1}
profile=${SA_VM_PROFILE:-0}
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
	[ "${2:-}" = traced ] && trace_start
	s=$(cut -d' ' -f1 /proc/uptime)
	# busybox time: user and system seconds of the tool (system: mostly the kernel's work per SA)
	if [ "$1" = setkey ]; then
		busybox time -o cpu.$run -f '%U %S' /usr/sbin/ip netns exec $ns "$XFRMPP_BIN/setkey" -f sa.conf ||
			fail "setkey -f failed (run $run)"
	else
		busybox time -o cpu.$run -f '%U %S' /usr/sbin/ip netns exec $ns /usr/sbin/ip -batch sa.batch ||
			fail "ip -batch failed (run $run)"
	fi
	e=$(cut -d' ' -f1 /proc/uptime)
	got=$(ip -n $ns xfrm state count | awk '{ print $NF }')
	[ "$got" = "$n" ] || fail "$1 run $run left $got SAs, expected $n"
	if [ "${2:-}" = traced ]; then
		trace_report "$1"
	else
		echo "BENCH $1 $run $n $(echo "$e $s" | awk '{ printf "%.2f", $1 - $2 }') $(cat cpu.$run)"
	fi
	if [ ! -f sad.$1 ]; then sad $ns >sad.$1; fi
	# free the SAs now rather than in the next load's time (netns teardown is deferred work)
	ip -n $ns xfrm state flush
	ip netns delete $ns
	sleep 2
}
# kernel functions a traced load reports on (those that exist in this kernel; the tracer skips the
# rest). The tracer is not limited to the tool, and a total includes time asleep inside the call
# (xfrm_hash_resize waits for an RCU grace period), so these are hints, not a CPU budget.
prof_funcs="netlink_sendmsg netlink_rcv_skb __xfrm_init_state crypto_alloc_aead crypto_aead_setkey
	xfrm_state_alloc xfrm_state_add km_state_notify netlink_ack xfrm_hash_resize
	__x64_sys_sendmsg __x64_sys_sendto __x64_sys_recvmsg __x64_sys_recvmmsg __x64_sys_socket
	__x64_sys_close __x64_sys_execve"
T=/sys/kernel/tracing
trace_start() {
	[ -f $T/current_tracer ] || mount -t tracefs nodev $T || fail "no tracefs"
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	: >$T/set_ftrace_filter
	for f in $prof_funcs; do echo $f >>$T/set_ftrace_filter 2>/dev/null; done
	echo 65536 >$T/buffer_size_kb
	echo function_graph >$T/current_tracer || fail "no function_graph tracer"
	echo 1 >$T/options/funcgraph-tail
	echo 0 >$T/options/funcgraph-irqs
	: >$T/trace
	echo 1 >$T/tracing_on
}
# trace_report TOOL: one PROF line per traced function: calls and total (inclusive) milliseconds
trace_report() {
	echo 0 >$T/tracing_on
	awk -v tool="$1" '
		/ us / && match($0, /[0-9]+\.[0-9]+ us/) {
			dur = substr($0, RSTART, RLENGTH - 3) + 0
			if (match($0, /\/\* [A-Za-z0-9_.]+ \*\//)) name = substr($0, RSTART + 3, RLENGTH - 6)
			else if (match($0, /[A-Za-z0-9_.]+\(\);/)) name = substr($0, RSTART, RLENGTH - 3)
			else next
			t[name] += dur; c[name]++
		}
		END { for (k in t) printf "PROF %s %s %d %.1f\n", tool, k, c[k], t[k] / 1000 }' $T/trace
	echo nop >$T/current_tracer
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
s=$(cut -d' ' -f1 /proc/uptime)
"$XFRMPP_BIN/setkey" -n -f sa.conf >/dev/null || fail "setkey -n failed"
e=$(cut -d' ' -f1 /proc/uptime)
echo "PARSE $n $(echo "$e $s" | awk '{ printf "%.2f", $1 - $2 }')"
if [ "$profile" = 1 ]; then load setkey traced; load ip traced; fi
cmp -s sad.setkey sad.ip || { diff sad.setkey sad.ip | head -20; fail "setkey and ip -batch produced different SADs"; }
log "setkey and ip -batch produced the same $n SAs"
