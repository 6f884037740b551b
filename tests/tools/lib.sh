# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the end-to-end tool tests: namespace checks and ok/FAIL counting shared by all of them.

# require_netns "$@": a private network namespace (as root, or root of an unprivileged user namespace),
# else exit 77 (CTest skip), or 1 when XFRMPP_REQUIRE_KERNEL=1 (tests/support/netns.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../support/netns.sh"

fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "FAIL - $1"; }

# XFRMPP_TEST_BACKEND=engine runs the same test against the software engine instead of the kernel, as an
# ordinary user: no root, no namespace. Each in_ns then gets a fresh, empty state file where the kernel
# variant gets a fresh, empty network namespace; the tools find it through XFRMPP_BACKEND/XFRMPP_STATE.
backend=${XFRMPP_TEST_BACKEND:-kernel}

# require_backend "$@" (call it first, before mktemp or traps): require_netns for the kernel; for the engine,
# as root, re-runs the script as nobody with a scratch TMPDIR of its own (removed afterwards).
require_backend() {
  if [[ $backend != engine ]]; then
    require_netns "$@"
    return
  fi
  if [[ $(id -u) -eq 0 ]]; then
    local scratch rc
    scratch=$(mktemp -d)
    chown 65534:65534 "$scratch"
    TMPDIR=$scratch XDG_RUNTIME_DIR=$scratch setpriv --reuid=65534 --regid=65534 --clear-groups -- bash "$0" "$@"
    rc=$?
    rm -rf "$scratch"
    exit $rc
  fi
  engine_states=$(mktemp -d)
}

# Runs a shell command line in a fresh, empty network namespace (kernel) or state file (engine).
in_ns() {
  if [[ $backend == engine ]]; then
    XFRMPP_BACKEND=engine XFRMPP_STATE=$(mktemp -u "$engine_states/state.XXXXXX") bash -c "$1"
  else
    unshare -n -- bash -c "$1"
  fi
}

# The SPD as `ip xfrm policy` prints it (kernel), or the engine's SPD in the same shape, one line per policy
# (from setkey -DP --json): src, dst, proto name, ports, dir, action when not allow, priority, if_id. And a
# policy set by another tool (ip xfrm policy add / setkey), and a flush of every SPD entry. The engine's come
# from the setkey in $setkey_bin, which the caller sets and exports.
spd_list() {
  if [[ $backend != engine ]]; then ip xfrm policy list; return; fi
  "$setkey_bin" -DP --json | awk -F'"' '
    function flush() { if (have) { line = "src " v["src"] " dst " v["dst"]
        if (v["proto"] != "" && v["proto"] != 0) line = line " proto " (v["proto"] == 17 ? "udp" : v["proto"] == 6 ? "tcp" : v["proto"] == 1 ? "icmp" : v["proto"] == 58 ? "ipv6-icmp" : v["proto"])
        if (v["sport"] != "") line = line " sport " v["sport"]
        if (v["dport"] != "") line = line " dport " v["dport"]
        line = line " | dir " v["dir"] (v["action"] == "discard" ? " action block" : "") " priority " v["priority"] " ptype main"
        if (v["if_id"] != "") line = line " if_id " v["if_id"]
        if (v["tmpl"] != "") line = line " |" v["tmpl"]
        print line }
      have = 0; split("", v) }
    /^    \{/ { have = 1; intmpl = 0; next }
    /^    \}/ { flush(); next }
    /"templates": \[$/ { intmpl = 1; next }
    {
      key = $2; val = $3; sub(/^: */, "", val); sub(/,$/, "", val)
      if (val == "") val = $4
      if (intmpl && key != "") v["tmpl"] = v["tmpl"] " " key "=" val
      else if (key != "" && !(key in v)) v[key] = val
    }
    END { flush() }'
}
foreign_policy() {  # SRC DST DIR PRIORITY allow|block
  if [[ $backend != engine ]]; then ip xfrm policy add src "$1" dst "$2" dir "$3" priority "$4" action "$5"; return; fi
  # setkey's prio N is kernel priority 2^31 - N.
  echo "spdadd $1 $2 any -P $3 prio $((2147483648 - $4)) $([[ $5 == block ]] && echo discard || echo none);" | "$setkey_bin" -k -c
}
flush_spd() { if [[ $backend != engine ]]; then ip xfrm policy flush; else "$setkey_bin" -FP; fi; }
export -f spd_list foreign_policy flush_spd
export backend

# The closing line CTest reads; the exit status says whether anything failed.
finish() {
  echo "$passes passed, $fails failed"
  [[ $fails -eq 0 ]]
}
