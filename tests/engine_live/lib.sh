# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034
# Sourced by the tests/engine_live scenarios (bash): the live dataplane, `ipsec-engine run`, one per
# private network namespace, the namespaces joined by veth pairs. Each side's engine state is loaded with
# `setkey --backend=engine --state FILE -f`, the hosts ping each other (busybox ping), the wire between the
# protected hosts is captured (dumpcap, read by tshark) and the engines' counters are read back from their
# state files (setkey -D / ipsec-stat --backend=engine) once the engines are stopped.
#
# A scenario is `SCENARIO.sh BIN_DIR` and starts with
#   . "$(dirname "$0")/lib.sh"
#   live_init "$@"
# (live_init may re-execute the script in private namespaces: call it before anything else). Then it builds
# its topology (live_ns, live_link, live_addr), loads the states (live_load), starts the engines
# (engine_start), checks, and ends with live_done. Everything it starts is stopped, and every namespace
# deleted, by the EXIT trap. Files go to a scratch directory (the working directory): NAME.state and
# NAME.conf per engine, NAME.log per background process, NAME.pcap per capture.
#
# A test that cannot run (no namespace, no /dev/net/tun, a tool missing) exits 77 (CTest SKIP), or 1 with
# XFRMPP_REQUIRE_KERNEL=1, the rule of tests/support/netns.sh.

. "$(dirname "${BASH_SOURCE[0]}")/../support/netns.sh"

fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }
note() { echo "# $*"; }

# check WHAT CMD...: CMD is a positive assertion (it explains itself on failure): ok when it holds.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

# control WHAT CMD...: a negative control: the positive assertion CMD must fail here, else the test could
# not tell a working dataplane from a broken one.
control() {
  local what=$1
  shift
  if "$@"; then bad "control: $what: the assertion held, where it must fail"; else ok "control: $what: the assertion fails"; fi
}

live_skip() {
  if [[ ${XFRMPP_REQUIRE_KERNEL:-} == 1 ]]; then
    echo "FAILED: live engine test cannot run and XFRMPP_REQUIRE_KERNEL=1: $1"
    exit 1
  fi
  echo "SKIPPED: $1"
  exit 77
}

live_init() {
  require_netns "$@"
  if [[ $# -lt 1 ]]; then
    echo "usage: $0 BIN_DIR"
    exit 2
  fi
  bin=$(realpath "$1")
  local t
  for t in busybox dumpcap tshark jq; do
    command -v "$t" > /dev/null || live_skip "no $t"
  done
  [[ -c /dev/net/tun ]] || live_skip "no /dev/net/tun"
  [[ -x $bin/ipsec-engine && -x $bin/setkey && -x $bin/ipsec-stat ]] || { echo "FAILED: no ipsec-engine/setkey/ipsec-stat in $bin"; exit 1; }
  "$bin/ipsec-engine" run --help > /dev/null 2>&1 || { echo "FAILED: $bin/ipsec-engine has no 'run' subcommand"; exit 1; }
  unset XFRMPP_BACKEND XFRMPP_STATE
  work=$(mktemp -d)
  # Unique namespace names: the test's pid (they live in the private /run of require_netns anyway).
  ns_prefix=xl$$
  live_namespaces=() live_pids=()
  trap live_cleanup EXIT
  cd "$work" || exit 1
  mkdir -p tshark-conf
}

# What a failing run leaves to read: the tail of every log, then everything goes.
live_cleanup() {
  local pid ns f
  for pid in "${live_pids[@]}"; do kill -KILL "$pid" 2> /dev/null; done
  for pid in "${live_pids[@]}"; do wait "$pid" 2> /dev/null; done
  for ns in "${live_namespaces[@]}"; do ip netns del "$ns" 2> /dev/null; done
  if ((fails > 0)) || [[ ${live_finished:-0} != 1 ]]; then
    for f in "$work"/*.log; do
      [[ -e $f ]] || continue
      echo "--- ${f##*/} (last 15 lines)"
      tail -n 15 "$f" | sed 's/^/  | /'
    done
  fi
  cd / && rm -rf "$work"
}

# live_done: the summary line and the exit status.
live_done() {
  live_finished=1
  echo "$passes passed, $fails failed"
  ((fails == 0)) && exit 0
  exit 1
}

# ns NAME: the real name of the scenario's namespace NAME
ns() { echo "$ns_prefix-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

# live_ns NAME...: new namespaces, lo up
live_ns() {
  local n
  for n in "$@"; do
    ip netns add "$(ns "$n")" || { echo "FAILED: ip netns add $(ns "$n")"; exit 1; }
    live_namespaces+=("$(ns "$n")")
    ip -n "$(ns "$n")" link set lo up
  done
}

# live_link NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up
live_link() {
  ip -n "$(ns "$1")" link add "$2" type veth peer name "$4" netns "$(ns "$3")" || { echo "FAILED: veth $1/$2-$3/$4"; exit 1; }
  ip -n "$(ns "$1")" link set "$2" up
  ip -n "$(ns "$3")" link set "$4" up
}

# live_addr NS IF ADDR/PLEN...: addresses (IPv6 without duplicate address detection, usable at once)
live_addr() {
  local n=$1 dev=$2 a
  shift 2
  for a in "$@"; do
    if [[ $a == *:* ]]; then ip -n "$(ns "$n")" addr add "$a" dev "$dev" nodad; else ip -n "$(ns "$n")" addr add "$a" dev "$dev"; fi
  done
}

# sk NAME ARGS...: setkey on engine NAME's state file
sk() { local n=$1; shift; "$bin/setkey" --backend=engine --state "$work/$n.state" "$@"; }

# live_load NAME: load NAME.conf (written by the scenario) into NAME.state
live_load() {
  chmod 600 "$1.conf"
  sk "$1" -f "$1.conf" > "load-$1.log" 2>&1 || { echo "FAILED: setkey -f $1.conf: $(cat "load-$1.log")"; exit 1; }
}

# bg NAME CMD...: CMD (a program, not a shell function: its pid is what gets the signals) in the
# background, output appended to NAME.log; BG_PID = its pid (killed by the trap)
bg() {
  local name=$1
  shift
  touch "$name.log"
  "$@" >> "$name.log" 2>&1 &
  BG_PID=$!
  live_pids+=("$BG_PID")
}

# bg_ns NAME NS CMD...: bg in namespace NS (ip netns exec execs CMD: BG_PID is CMD's pid)
bg_ns() {
  local name=$1 n=$2
  shift 2
  bg "$name" ip netns exec "$(ns "$n")" "$@"
}

# wait_log FILE ERE SECONDS PID [AFTER]: until more than AFTER (default 0) lines of FILE match ERE (ok),
# PID exits, or the time is up
wait_log() {
  local i=0 n=$(($3 * 20))
  until (($(grep -Ec -- "$2" "$1") > ${5:-0})); do
    kill -0 "$4" 2> /dev/null || { echo "  $1: the process exited before /$2/"; return 1; }
    ((i++ < n)) || { echo "  $1: no /$2/ after $3 s"; return 1; }
    sleep 0.05
  done
}

declare -A engine_pid engine_ns
# engine_start NAME NS [RUN_ARGS...]: `ipsec-engine run --state NAME.state` in NS, log NAME.log (appended
# to on a restart); waits for its new ready line (10 s). Fails the test when it does not get ready.
engine_start() {
  local name=$1 n=$2
  shift 2
  touch "$name.log"
  local before
  before=$(grep -c '^ipsec-engine: ready:' "$name.log")
  bg_ns "$name" "$n" "$bin/ipsec-engine" run --state "$work/$name.state" "$@"
  engine_pid[$name]=$BG_PID engine_ns[$name]=$n
  if wait_log "$name.log" '^ipsec-engine: ready:' 10 "$BG_PID" "$before"; then
    note "$name: $(grep '^ipsec-engine: ready:' "$name.log" | tail -n 1)"
  else
    bad "engine $name is ready in $n"
    live_done
  fi
}

# The most packets the kernel may hand an engine through its TUN device in one run of these scenarios
# (a few pings, a few seconds of 0.2 s pings): more means a loop (a packet the engine sends that comes
# back to it, as the TUN's own router solicitations once did, at 100,000s per second).
tun_packets_max=2000

# engine_stop NAME: SIGTERM, and it must exit 0 having logged its stop line (the state is saved then);
# before, its TUN device must not have handed it more than tun_packets_max packets
engine_stop() {
  local pid=${engine_pid[$1]} rc tx
  tx=$(nsx "${engine_ns[$1]}" cat /sys/class/net/xfrmpp0/statistics/tx_packets 2> /dev/null)
  if [[ -n $tx ]] && ((tx > tun_packets_max)); then
    bad "engine $1: its TUN device handed it $tx packets (at most $tun_packets_max in this test: a loop?)"
  fi
  kill -TERM "$pid" 2> /dev/null
  wait "$pid"
  rc=$?
  if [[ $rc -eq 0 ]] && grep -q '^ipsec-engine: stop:' "$1.log"; then
    return 0
  fi
  bad "engine $1 stops on SIGTERM: exit $rc, $(grep -c '^ipsec-engine: stop:' "$1.log") stop line(s)"
}

# engine_kill NAME: SIGKILL, no clean-up of its own
engine_kill() {
  kill -KILL "${engine_pid[$1]}" 2> /dev/null
  wait "${engine_pid[$1]}" 2> /dev/null
  return 0
}

declare -A capture_pid
# capture_start NAME NS IF: dumpcap on IF in NS (both directions) into NAME.pcap, once it captures
capture_start() {
  bg_ns "$1-capture" "$2" dumpcap -q -P -i "$3" -w "$work/$1.pcap"
  capture_pid[$1]=$BG_PID
  wait_log "$1-capture.log" "^Capturing on" 10 "$BG_PID" || { bad "dumpcap on $2/$3"; live_done; }
}

capture_stop() {
  sleep 0.3  # the last frames reach the capture buffer
  kill -INT "${capture_pid[$1]}" 2> /dev/null
  wait "${capture_pid[$1]}" 2> /dev/null
  [[ -s $1.pcap ]] || bad "capture $1 wrote $1.pcap"
}

# ts PCAP ARGS...: tshark without any user settings
ts() { HOME=$work XDG_CONFIG_HOME=$work/tshark-conf tshark -n -r "$@" 2>> tshark.log; }
# frames PCAP FILTER: how many frames match the display filter
frames() { ts "$1" -Y "$2" -T fields -e frame.number | wc -l; }

protected_filter='esp or ah or ipcomp or udp.port == 4500'
# Neighbour discovery, MLD and router solicitation: the kernel's own link traffic, never routed.
link_filter='icmpv6.type >= 130 and icmpv6.type <= 143'
cleartext_icmp_filter="(icmp or icmpv6.type == 128 or icmpv6.type == 129) and not ($protected_filter)"

# wire_protected PCAP [FILTER=COUNT...]: every IP frame of PCAP is ESP, AH, IPComp or UDP 4500 (other
# than neighbour discovery and MLD), none is an ICMP echo in the clear, and each FILTER matches exactly
# COUNT frames (e.g. 'esp.spi == 0x1001=3')
wire_protected() {
  local pcap=$1 total prot clear other spec f want got rc=0
  shift
  total=$(frames "$pcap" 'ip or ipv6')
  prot=$(frames "$pcap" "$protected_filter")
  clear=$(frames "$pcap" "$cleartext_icmp_filter")
  other=$(frames "$pcap" "(ip or ipv6) and not ($protected_filter) and not ($link_filter)")
  echo "  $pcap: $total IP frames, $prot protected, $other unprotected (ND and MLD aside), $clear of them ICMP echo"
  if ((clear > 0 || other > 0)); then
    ts "$pcap" -Y "(ip or ipv6) and not ($protected_filter) and not ($link_filter)" | head -n 6 | sed 's/^/    clear: /'
    rc=1
  fi
  ((prot > 0)) || rc=1
  for spec in "$@"; do
    f=${spec%=*} want=${spec##*=}
    got=$(frames "$pcap" "$f")
    if [[ $got != "$want" ]]; then
      echo "  $pcap: $got frames match '$f', want $want"
      rc=1
    fi
  done
  return $rc
}

# wire_cleartext PCAP: how many ICMP echo frames are in the clear
wire_cleartext() { frames "$1" "$cleartext_icmp_filter"; }

# pings NS DST [PING_ARGS...]: busybox ping -c 3 -W 2 from NS; all three answered. Output in ping-*.log.
ping_n=0
pings() {
  local n=$1 dst=$2 log
  shift 2
  ping_n=$((ping_n + 1))
  log=ping-$ping_n.log
  nsx "$n" busybox ping -c 3 -W 2 "$@" "$dst" > "$log" 2>&1
  if grep -q '^3 packets transmitted, 3 packets received' "$log"; then
    return 0
  fi
  echo "  ping $dst from $n ($*): $(grep -E 'packets transmitted|ping:' "$log" || tail -n1 "$log")"
  return 1
}

# sa_packets NAME PROTO SPI: the SA's packet count in the engine's state (setkey -D --json); PROTO esp
# also finds esp-udp
sa_packets() {
  sk "$1" -D --json 2> /dev/null | jq -r --arg p "$2" --argjson spi "$(($3))" \
    '[.sas[] | select(.proto == $p and .spi == $spi) | .current.packets] | if length == 1 then .[0] else "none" end'
}

# sa_counts NAME PROTO SPI=PACKETS...: each SA counts exactly PACKETS
sa_counts() {
  local name=$1 proto=$2 spec rc=0 got
  shift 2
  for spec in "$@"; do
    got=$(sa_packets "$name" "$proto" "${spec%=*}")
    if [[ $got != "${spec#*=}" ]]; then
      echo "  $name: $proto SA ${spec%=*} counts $got packets, want ${spec#*=}"
      rc=1
    fi
  done
  return $rc
}

# counter NAME COUNTER: an xfrm_stat counter of the engine (ipsec-stat --backend=engine)
counter() {
  "$bin/ipsec-stat" --backend=engine --state "$work/$1.state" --json 2> /dev/null |
    jq -r --arg c "$2" '[.counters[] | select(.name == $c) | .value] | if length == 1 then .[0] else "none" end'
}

# in_errors NAME: the engine's XfrmIn* counters that are not 0 ("NAME=VALUE ...", empty when none)
in_errors() {
  "$bin/ipsec-stat" --backend=engine --state "$work/$1.state" --json 2> /dev/null |
    jq -r '[.counters[] | select((.name | startswith("XfrmIn")) and .value != 0) | "\(.name)=\(.value)"] | join(" ")'
}

# no_in_errors NAME...: none of the engines counted an inbound error
no_in_errors() {
  local n e rc=0
  for n in "$@"; do
    e=$(in_errors "$n")
    [[ -z $e ]] || { echo "  $n: $e"; rc=1; }
  done
  return $rc
}

# counter_is NAME COUNTER VALUE
counter_is() {
  local got
  got=$(counter "$1" "$2")
  [[ $got == "$3" ]] || { echo "  $1: $2 = $got, want $3"; return 1; }
}

# Keys for the scenarios' SAs (fixed: a test's failure must be reproducible).
k16=0x00112233445566778899aabbccddeeff
k32=0x00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef
salt=c0ffee01

# live_two_hosts: namespaces A and B, a veth va (A) - vb (B) with A4/B4 (/24) and A6/B6 (/64)
A4=10.77.0.1 B4=10.77.0.2 A6=fd00:77::1 B6=fd00:77::2
live_two_hosts() {
  live_ns A B
  live_link A va B vb
  live_addr A va "$A4/24" "$A6/64"
  live_addr B vb "$B4/24" "$B6/64"
}

# spd SRC DST TEMPLATES [UPPER]: one host's policies for its traffic with a peer: out SRC -> DST and
# in DST -> SRC, the same templates (transport mode)
spd() {
  echo "spdadd $1 $2 ${4:-any} -P out ipsec $3;"
  echo "spdadd $2 $1 ${4:-any} -P in ipsec $3;"
}

# transport_conf NAME SAS_FILE TEMPLATES: NAME.conf = the SAs, then A's (NAME a) or B's (NAME b) policies
# for IPv4 and IPv6 (each side the mirror of the other)
transport_conf() {
  {
    cat "$2"
    if [[ $1 == a ]]; then spd "$A4" "$B4" "$3"; spd "$A6" "$B6" "$3"; else spd "$B4" "$A4" "$3"; spd "$B6" "$A6" "$3"; fi
  } > "$1.conf"
}

# transport_pings_captured CAPTURE [PING_ARGS...]: with both engines running, capture on va while A pings
# B over IPv4 and over IPv6 (3 each); then stop the engines and the capture. PINGS_OK = 1 when all six
# were answered.
# start_pair SAS POLICY: both hosts' transport policies (POLICY) over the SAs in SAS, loaded into both
# engines' states, both engines started.
start_pair() {
  transport_conf a "$1" "$2"
  transport_conf b "$1" "$2"
  live_load a
  live_load b
  engine_start a A
  engine_start b B
}

transport_pings_captured() {
  local cap=$1
  shift
  capture_start "$cap" A va
  PINGS_OK=1
  pings A "$B4" "$@" || PINGS_OK=0
  pings A "$B6" "$@" || PINGS_OK=0
  capture_stop "$cap"
  engine_stop a
  engine_stop b
}
pings_ok() { [[ $PINGS_OK == 1 ]] || { echo "  not every ping was answered"; return 1; }; }

# live_empty_state NAME: an existing, empty state (a policy added and deleted again)
live_empty_state() {
  printf 'spdadd 192.0.2.250 192.0.2.251 any -P out none;\nspddelete 192.0.2.250 192.0.2.251 any -P out;\n' > "$1.conf"
  live_load "$1"
}
