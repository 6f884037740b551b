#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds the libFuzzer targets with clang (ASan+UBSan) into build-fuzz/ and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     SECONDS per target (default 60); targets default to all
#   JOBS=N                                      targets run side by side (default 2)
#   XFRMPP_FUZZ_SKIP=json,keyleak,roundtrip     switch properties off, by hand only, to look past a known finding
#   FUZZ_SEED=N                                 libFuzzer seed (default 1, so CI retraces the same first inputs;
#                                               0 = random, for long runs by hand)
# Exit status 1 when any target reports a finding (its input is saved under build-fuzz/fuzz-findings/);
# the table at the end gives the executions of each target (libFuzzer's stat::number_of_executed_units).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
jobs=${JOBS:-2}
build=build-fuzz
src=tests/fuzz

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
if [[ ! -f $build/CMakeCache.txt ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DXFRMPP_FUZZ=ON -DXFRMPP_TESTS=OFF "${launcher[@]}" >/dev/null
fi

all=()
for f in "$src"/*_fuzz.cpp; do all+=("$(basename "$f" _fuzz.cpp)"); done
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

findings=$build/fuzz-findings
logs=$build/fuzz-logs
mkdir -p "$findings" "$logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
  local t=$1 corpus=$build/fuzz-corpus/$1 tmp=$build/fuzz-tmp/$1
  rm -rf "$tmp"
  mkdir -p "$corpus" "$tmp"
  local dict=()
  [[ -f $src/dict/$t.dict ]] && dict=(-dict="$src/dict/$t.dict")
  # New inputs go to the first directory (kept between runs); the committed seeds are only read.
  local rc=0
  TMPDIR=$tmp "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
    -max_len=4096 -artifact_prefix="$findings/$t-" "${dict[@]}" "$corpus" "$src/corpus/$t" >"$logs/$t.log" 2>&1 || rc=$?
  rm -rf "$tmp"
  return $rc
}

echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time (logs in $logs)"
declare -A pid_of
for t in "${targets[@]}"; do
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
  run_one "$t" &
  pid_of[$t]=$!
done

failed=0
printf '%-18s %14s  %s\n' target executions result
for t in "${targets[@]}"; do
  rc=0
  wait "${pid_of[$t]}" || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
  if (( rc == 0 )); then
    result=ok
  else
    failed=1
    artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$logs/$t.log" | tail -1)
    why=$(grep -m1 -E '^==fuzz property|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$logs/$t.log" || true)
    result="FINDING (rc $rc) ${artifact:-see $logs/$t.log}: ${why:0:160}"
  fi
  printf '%-18s %14s  %s\n' "$t" "${execs:-?}" "$result"
done
if ((failed)); then
  echo "fuzz: findings; reproduce one with $build/fuzz/NAME_fuzz FILE" >&2
  exit 1
fi
echo "fuzz: no findings"
