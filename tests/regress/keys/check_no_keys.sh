#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Keys are never printed: runs every input here and every golden input that holds keys through setkey
# and ipseckey, collects stdout and stderr of each run, and fails when any key of the input shows up,
# whole, without its 0x or quotes, or as any 8-character piece of it.
# Usage: check_no_keys.sh parse|kernel SETKEY IPSECKEY DIR GOLDEN_DIR
#   parse:  setkey -n -f, -n --json --nokeys, -c; ipseckey -n -c, -n -p --json -c (nothing is sent)
#   kernel: setkey -f (plain, --atomic, -v), ipseckey -f and ipseckey <FILE in a private network namespace; the host
#           kernel has no ESP, so every SA add is rejected: the kernel-rejection report is what is checked
set -uo pipefail
mode=$1 setkey=$2 ipseckey=$3 dir=$4 golden=$5
source "$(dirname "$0")/../../tools/lib.sh"
[[ $mode == kernel ]] && require_netns "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every key-looking text of an input, one a line: 0x-hex and bare hex runs of 16+ digits, the word after
# encrkey/authkey, and quoted strings (but not -ctx labels, which are no keys and are printed).
keys_of() {
  local f=$1
  grep -aoE '0x[0-9a-fA-F]{16,}' "$f"
  grep -aoE '[0-9a-fA-F]{16,}' "$f"
  grep -aoE '(encrkey|authkey)[[:space:]]+[^[:space:]]+' "$f" | sed -E 's/^[a-z]+[[:space:]]+//'
  grep -aoE '"[^"]*"' <(sed -E 's/-ctx[[:space:]]+[0-9]+[[:space:]]+[0-9]+[[:space:]]+"[^"]*"//g' "$f") | tr -d '"'
  # An unterminated quoted key: the rest of a line with an odd number of quotes.
  awk -F'"' 'NF % 2 == 0 { print $NF }' "$f"
}

# The strings that must not appear: each key, without 0x, and its 8-character pieces.
needles_of() {
  keys_of "$1" | while IFS= read -r k; do
    [[ ${#k} -ge 8 ]] || continue
    printf '%s\n' "$k"
    local s=${k#0x}
    printf '%s\n' "$s"
    for ((i = 0; i + 8 <= ${#s}; i += 8)); do printf '%s\n' "${s:i:8}"; done
  done | sort -u
}

# check NAME INPUT OUTPUT: OUTPUT holds none of INPUT's needles.
check() {
  local name=$1 input=$2 out=$3
  if hits=$(grep -aF -f "$tmp/needles" "$out"); then
    bad "$name: key text printed: $(printf '%s' "$hits" | head -3)"
  else
    ok "$name"
  fi
}

# Runs a command line; its stdout and stderr go to $tmp/out. In kernel mode, in a fresh namespace.
run() {
  if [[ $mode == kernel ]]; then in_ns "$1" >"$tmp/out" 2>&1; else bash -c "$1" >"$tmp/out" 2>&1; fi
  true
}

setkey_case() {  # FILE DISPLAY
  local f=$1 name=$2
  needles_of "$f" >"$tmp/needles"
  [[ -s $tmp/needles ]] || return 1
  if [[ $mode == parse ]]; then
    run "'$setkey' -n -f '$f'"; check "$name setkey -n" "$f" "$tmp/out"
    # The report must be there: a run that printed nothing would pass for the wrong reason.
    case $(basename "$f") in
      *kernel*) ;;
      leak_* | sk_* | fuzz_*) [[ -s $tmp/out ]] || bad "$name setkey -n: printed nothing" ;;
    esac
    run "'$setkey' -n --json --nokeys -f '$f'"; check "$name setkey -n --json --nokeys" "$f" "$tmp/out"
    run "'$setkey' -n -c <'$f'"; check "$name setkey -n -c" "$f" "$tmp/out"
  else
    run "'$setkey' -f '$f'"; check "$name setkey -f (kernel)" "$f" "$tmp/out"
    run "'$setkey' --atomic -f '$f'"; check "$name setkey --atomic -f (kernel)" "$f" "$tmp/out"
    run "'$setkey' -v -f '$f'"; check "$name setkey -v -f (kernel)" "$f" "$tmp/out"
  fi
}

ipseckey_case() {  # FILE DISPLAY [HOSTS]
  local f=$1 name=$2 hosts=${3:-}
  needles_of "$f" >"$tmp/needles"
  [[ -s $tmp/needles ]] || return 1
  # A mode-600 copy: the permission warning would only add noise.
  cp "$f" "$tmp/input" && chmod 600 "$tmp/input"
  local opts=-n
  [[ -n $hosts ]] && opts="--hosts '$hosts'"
  if [[ $mode == parse ]]; then
    run "'$ipseckey' $opts -c '$tmp/input'"; check "$name ipseckey -c" "$f" "$tmp/out"
    case $(basename "$f") in
      ik_leak* | fuzz_*) [[ -s $tmp/out ]] || bad "$name ipseckey -c: printed nothing" ;;
    esac
    run "'$ipseckey' $opts -p --json -c '$tmp/input'"; check "$name ipseckey -p --json -c" "$f" "$tmp/out"
  else
    run "'$ipseckey' $opts -f '$tmp/input'"; check "$name ipseckey -f (kernel)" "$f" "$tmp/out"
    # Piped standard input sends too, so it runs here, in the namespace, never on the host.
    run "'$ipseckey' $opts <'$tmp/input'"; check "$name ipseckey <stdin (kernel)" "$f" "$tmp/out"
  fi
}

cases=0
for f in "$dir"/*.conf; do
  setkey_case "$f" "$(basename "$f")" || bad "$(basename "$f"): no keys found in a key-leak input"
  cases=$((cases + 1))
done
for f in "$dir"/*.keys "$dir"/*.bin; do
  ipseckey_case "$f" "$(basename "$f")" || bad "$(basename "$f"): no keys found in a key-leak input"
  cases=$((cases + 1))
done
# Golden inputs that hold keys (the others are skipped: nothing to leak).
for f in "$golden"/setkey/*.conf; do
  setkey_case "$f" "golden/setkey/$(basename "$f")" && cases=$((cases + 1))
done
for f in "$golden"/ipseckey/*.keys; do
  ipseckey_case "$f" "golden/ipseckey/$(basename "$f")" "$golden/ipseckey/hosts" && cases=$((cases + 1))
done
echo "inputs with keys: $cases"
finish
