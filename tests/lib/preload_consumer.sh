#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libxfrmpp-preload.so as installed (issue 13 items 2 and 4): `cmake --install` of this build into a DESTDIR
# (prefix /usr); the programs of tests/lib/preload built against that tree only (pkg-config xfrmpp-compat,
# strict C99), then run in namespace A of two joined by a veth, where our setkey has loaded an SPD that
# requires ESP between A and B and there are no SAs:
#  1. bsd_bypass (ipsec_set_policy "in bypass"/"out bypass" + setsockopt(IP_IPSEC_POLICY)) and
#     solaris_never (ipsec_req_t with IPSEC_PREF_NEVER + setsockopt(IP_SEC_OPT), getsockopt back) under
#     LD_PRELOAD: their datagrams reach B, and setkey -DP, run while the socket is open, lists the socket
#     policies; the same programs' "plain" sockets (no policy) get nothing through;
#  2. the control: without LD_PRELOAD both fail at setsockopt (EOPNOTSUPP from a kernel without PF_KEY;
#     ENOPROTOOPT for IP_SEC_OPT, an option Linux does not have) and nothing reaches B;
#  3. solaris_required: REQUIRED/UNIQUE become ESP and AH transport templates with the algorithm masks;
#     ipsr_self_encap_req and an algorithm id above 31 are refused with EINVAL, silently unless
#     XFRMPP_PRELOAD_DEBUG=1;
#  4. a program using neither option sees no change: busybox's UDP sender under LD_PRELOAD still sends
#     nothing through the SPD.
#   preload_consumer.sh BUILD_DIR SOURCE_DIR LIBDIR CC CMAKE [FLAGS]
set -u
. "$(dirname "$0")/../support/netns.sh"
require_netns "$@"
build=$1 src=$2 libdir=$3 cc=$4 cmake=$5 flags=${6:-}
work=$build/tests/lib-preload
. "$(dirname "$0")/install_tree.sh"
install_tree "$work" "$build" "$libdir" "$cmake"
preload=$tree_libdir/xfrmpp/libxfrmpp-preload.so
setkey=$dest/usr/sbin/setkey
[[ -x $setkey ]] || setkey=$build/bin/setkey
for f in "$preload" "$dest/usr/include/xfrmpp/compat/netinet/in.h" "$dest/usr/include/xfrmpp/compat/net/pfkeyv2.h" \
         "$dest/usr/share/man/man8/libxfrmpp-preload.8"; do
  [[ -f $f ]] && ok "installed ${f#"$dest"}" || bad "not installed: ${f#"$dest"}"
done

pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$tree_libdir/pkgconfig PKG_CONFIG_PATH= pkg-config "$@"; }
pcflags=$(pc --cflags --libs xfrmpp-compat) || die "pkg-config --cflags --libs xfrmpp-compat failed against the tree"
compat=$dest/usr/include/xfrmpp/compat
for p in bsd_bypass solaris_never solaris_required udp_recv; do
  # shellcheck disable=SC2086  # word splitting of the flags is the point
  "$cc" -std=c99 -pedantic-errors -Wall -Wextra -Werror $flags "$src/tests/lib/preload/$p.c" -o "$work/$p" $pcflags \
    > "$work/cc-$p.log" 2>&1 || { cat "$work/cc-$p.log"; die "$p does not build against the install tree"; }
done
ok "the programs build with pkg-config xfrmpp-compat alone"
# shellcheck disable=SC2086
used=$("$cc" -M $(pc --cflags xfrmpp-compat) "$src/tests/lib/preload/solaris_never.c" | tr -s ' \\' '\n')
grep -qx "$compat/netinet/in.h" <<< "$used" && grep -qx "$compat/net/pfkeyv2.h" <<< "$used" &&
  ok "solaris_never.c includes the tree's <netinet/in.h> and <net/pfkeyv2.h>" ||
  bad "solaris_never.c did not use the tree's compat headers"

A=xfrmpp-preload-a-$$ B=xfrmpp-preload-b-$$
cleanup() { ip netns del "$A" 2> /dev/null; ip netns del "$B" 2> /dev/null; }
trap cleanup EXIT
ip netns add "$A" && ip netns add "$B" || die "ip netns add failed"
ip -n "$A" link add va type veth peer name vb netns "$B" &&
  ip -n "$A" addr add 10.99.7.1/24 dev va && ip -n "$B" addr add 10.99.7.2/24 dev vb &&
  ip -n "$A" link set va up && ip -n "$B" link set vb up && ip -n "$A" link set lo up || die "veth setup failed"
cat > "$work/spd.conf" << 'EOF'
spdadd 10.99.7.1 10.99.7.2 any -P out ipsec esp/transport//require;
spdadd 10.99.7.2 10.99.7.1 any -P in ipsec esp/transport//require;
EOF
export LD_LIBRARY_PATH=$tree_libdir  # the tree's setkey and libxfrmpp
ip netns exec "$A" "$setkey" -f "$work/spd.conf" > "$work/setkey.log" 2>&1 || { cat "$work/setkey.log"; die "setkey -f failed"; }

inA() { ip netns exec "$A" "$@"; }
port=6000
# send NAME COMMAND...: a fresh receiver in B on a new port, then COMMAND in A with ADDR PORT appended
# as its 2nd and 3rd arguments (after the mode) and, when CMD is set, CMD as its 4th. Output in
# $work/NAME.out, exit status in $rc, what arrived in $work/NAME.recv.
send() {
  local name=$1 exe=$2 mode=$3
  shift 3
  port=$((port + 1))
  ip netns exec "$B" "$work/udp_recv" "$port" 1 > "$work/$name.recv" &
  local rpid=$!
  for _ in $(seq 100); do [[ -s $work/$name.recv ]] && break; sleep 0.02; done
  inA env "$@" "$work/$exe" "$mode" 10.99.7.2 "$port" ${CMD:+"$CMD"} > "$work/$name.out" 2>&1
  rc=$?
  wait "$rpid"
}
arrived() { grep -qx "$2" "$work/$1.recv"; }
show() { sed 's/^/    /' "$work/$1"; }

for prog in bsd:bsd_bypass:bypass:bsd- solaris:solaris_never:never:solaris-; do
  IFS=: read -r tag exe mode word <<< "$prog"
  # 1. With the preload library: the policy socket gets through, and setkey -DP sees its policies.
  rm -f "$work/$tag-dump.txt"
  CMD="$setkey -DP > $work/$tag-dump.txt" send "$tag-preload" "$exe" "$mode" LD_PRELOAD="$preload"
  if ((rc == 0)) && arrived "$tag-preload" "$word"; then
    ok "$exe $mode under LD_PRELOAD: setsockopt succeeds and the datagram reaches B through the ESP-only SPD"
  else
    bad "$exe $mode under LD_PRELOAD: exit $rc, B got: $(tr '\n' ' ' < "$work/$tag-preload.recv")"; show "$tag-preload.out"
  fi
  n=$(grep -cE '^[[:space:]]+(in|out)\(socket\) ' "$work/$tag-dump.txt" 2> /dev/null)
  [[ $n == 2 ]] && ok "setkey -DP while $exe's socket is open lists its in and out socket policies" ||
    { bad "setkey -DP while $exe's socket is open lists ${n:-no} socket policies (want 2)"; show "$tag-dump.txt"; }
  [[ $tag == solaris ]] && { grep -q '^getsockopt: 16 bytes, ah 0x1, esp 0x1, self-encap 0x0$' "$work/$tag-preload.out" &&
    ok "getsockopt(IP_SEC_OPT) gives back the IPSEC_PREF_NEVER request" || bad "getsockopt(IP_SEC_OPT) read back wrong"; }
  # The same program's plain socket, under the preload library too: held by the SPD.
  CMD= send "$tag-plain" "$exe" plain LD_PRELOAD="$preload"
  arrived "$tag-plain" "$word" && bad "$exe plain: its datagram reached B, so the SPD does not hold plain sockets" ||
    ok "$exe plain (no policy): its datagram does not reach B (sendto exit $rc)"
  # 2. The control: no preload library, as on Linux today.
  CMD= send "$tag-control" "$exe" "$mode"
  want=$([[ $tag == bsd ]] && echo "setsockopt(IP_IPSEC_POLICY, \"in bypass\"): Operation not supported" ||
         echo "setsockopt(IP_SEC_OPT): Protocol not available")
  if ((rc == 2)) && grep -qxF "$want" "$work/$tag-control.out" && ! arrived "$tag-control" "$word"; then
    ok "control: without LD_PRELOAD $exe fails at setsockopt ($want) and nothing reaches B"
  else
    bad "control: without LD_PRELOAD $exe exited $rc"; show "$tag-control.out"
  fi
done

# 3. REQUIRED / UNIQUE with algorithms; the refusals.
CMD="ip -s xfrm policy > $work/required-xfrm.txt; $setkey -DP > $work/required-dump.txt"
if inA env LD_PRELOAD="$preload" "$work/solaris_required" required "$CMD" > "$work/required.out" 2>&1; then
  ok "IPSEC_PREF_REQUIRED / IPSEC_PREF_UNIQUE with algorithm ids: set and read back"
else
  bad "solaris_required required failed"; show required.out
fi
# ESP: enc AES-CBC (id 12) and auth HMAC-SHA1 (3); AH: auth HMAC-SHA256 (5). Each direction has both.
# The socket policies' blocks of `ip -s xfrm policy` (a block starts at "src ...").
sockets=$(awk '/^src / { keep = 0 } /^[[:space:]]+socket (in|out) / { keep = 1 } keep' "$work/required-xfrm.txt" | tr -s ' \t' ' ')
esp=$(grep -A2 'proto esp' <<< "$sockets")
ah=$(grep -A2 'proto ah' <<< "$sockets")
if [[ $(grep -c 'proto esp' <<< "$sockets") == 2 && $(grep -c 'proto ah' <<< "$sockets") == 2 ]] &&
   grep -q "enc-mask $(printf %08x $((1 << 12))) auth-mask $(printf %08x $((1 << 3)))" <<< "$esp" &&
   grep -q "auth-mask $(printf %08x $((1 << 5)))" <<< "$ah" && grep -q 'level required' <<< "$ah" && grep -q 'level required' <<< "$esp"; then
  ok "the templates carry the algorithm masks (ESP enc bit 12, auth bit 3; AH auth bit 5)"
else
  bad "the socket's templates are not as asked"; show required-xfrm.txt
fi
# UNIQUE without a reqid is what the library makes of "ah/transport//unique" on a socket: a required
# template with reqid 0 (XFRM has no other unique), which setkey lists as require.
socket_blocks=$(awk '/^[^[:space:]]/ { in_socket = ($0 ~ /^\(per-socket policy\)/) } in_socket' "$work/required-dump.txt")
[[ $(grep -c '^[[:space:]]*esp/transport//require$' <<< "$socket_blocks") == 2 &&
   $(grep -c '^[[:space:]]*ah/transport//require$' <<< "$socket_blocks") == 2 ]] &&
  ok "setkey -DP: esp/transport//require and ah/transport//require on both socket policies" ||
  { bad "setkey -DP does not show the required/unique socket templates"; show required-dump.txt; }
for what in selfencap badalg; do
  out=$(inA env LD_PRELOAD="$preload" "$work/solaris_required" "$what" 2>&1) && [[ $out == "setsockopt: Invalid argument" ]] &&
    ok "$what: refused with EINVAL, nothing on stderr" || bad "$what: $out"
  out=$(inA env LD_PRELOAD="$preload" XFRMPP_PRELOAD_DEBUG=1 "$work/solaris_required" "$what" 2>&1)
  grep -q '^libxfrmpp-preload: IP_SEC_OPT on fd [0-9]*: .*refused (EINVAL)$' <<< "$out" &&
    ok "$what with XFRMPP_PRELOAD_DEBUG=1: the reason on stderr" || bad "$what with XFRMPP_PRELOAD_DEBUG=1: $out"
done

# 4. Other programs are unaffected: busybox's nc under the preload library is still held by the SPD,
#    and prints nothing of ours.
if command -v busybox > /dev/null; then
  port=$((port + 1))
  ip netns exec "$B" "$work/udp_recv" "$port" 1 > "$work/nc.recv" &
  rpid=$!
  for _ in $(seq 100); do [[ -s $work/nc.recv ]] && break; sleep 0.02; done
  echo nc- | inA env LD_PRELOAD="$preload" timeout 2 busybox nc -u -w 1 10.99.7.2 "$port" > "$work/nc.out" 2>&1
  wait "$rpid"
  ! arrived nc nc- && ! grep -q libxfrmpp-preload "$work/nc.out" &&
    ok "busybox nc under LD_PRELOAD: still held by the SPD, nothing printed by the preload" ||
    { bad "busybox nc under LD_PRELOAD behaved differently"; show nc.out; }
fi

((fails == 0)) && echo "PASS" && exit 0
echo "$fails check(s) failed"; exit 1
