#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checks man/setkey.8 and the shell completions against the parser's keyword tables, the algorithm
# registry and `setkey --help`, so documentation cannot drift from the code.
#
#   check_setkey_docs.sh words      KEYWORDS_BIN ROOT           every keyword in the man page and completions
#   check_setkey_docs.sh algorithms KEYWORDS_BIN ROOT [--update] generated algorithm tables are current
#   check_setkey_docs.sh flags      SETKEY_BIN   ROOT           options: man page and completions == --help
#   check_setkey_docs.sh render     ROOT                        man page renders without warnings
#   check_setkey_docs.sh syntax     ROOT                        completion files parse in their shells
#
# KEYWORDS_BIN is tests/docs/setkey_keywords.cpp built; it prints "category word offer|reject".
# Exit 0 = pass, 1 = fail, 77 = skipped (a tool the check needs is missing).
set -uo pipefail

mode=${1:?usage: check_setkey_docs.sh words|algorithms|flags|render|syntax ...}
shift
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

man_page() { echo "$root/man/setkey.8"; }
completion_files() { echo "$root/completions/bash/setkey $root/completions/zsh/_setkey $root/completions/fish/setkey.fish"; }

# Roff source -> plain text: \- and friends become the characters they print; comments go.
roff_plain() {
  sed -E '/^\.\\"/d; s/\\-/-/g; s/\\&//g; s/\\:\s*//g; s/\\\(aq/'"'"'/g; s/\\\(dq/"/g; s/\\e/\\/g' "$1"
}

# The words the man page sets as keywords: arguments of .B/.BR/.RB/.BI/.IB/.TP-tag lines, \fB runs,
# and table cells.
man_keywords() {
  roff_plain "$1" | awk '
    /^\.TS/ { tbl = 1; fmt = 1; next }
    /^\.TE/ { tbl = 0; next }
    tbl && fmt { if ($0 ~ /\.$/) fmt = 0; next }
    tbl { gsub(/\|/, " "); print " " $0 " "; next }
    /^\.(B|BR|RB|BI|IB|OP)( |$)/ { s = $0; sub(/^\.[A-Z]+ */, "", s); print " " s " " }
    { s = $0; while (match(s, /\\fB[^\\]*/)) { print " " substr(s, RSTART + 3, RLENGTH - 3) " "; s = substr(s, RSTART + RLENGTH) } }
  '
}

# Non-comment lines between "# BEGIN <name>" and "# END <name>" of a completion file.
section() {
  awk -v name="$2" '
    $0 ~ "^[[:space:]]*# BEGIN " name { on = 1; next }
    $0 ~ "^[[:space:]]*# END " name { on = 0; next }
    on && $0 !~ /^[[:space:]]*#/ { print }
  ' "$1"
}

# Is $1 a whole word in the text $2? Letters, digits, '_' and '-' belong to a setkey word.
has_word() {
  local re="(^|[^A-Za-z0-9_-])${1//./\\.}([^A-Za-z0-9_-]|\$)"
  [[ $2 =~ $re ]]
}

check_words() {
  local kw=$1 vocab
  vocab=$("$kw" words) || { fail "$kw words did not run"; return; }
  [[ $(wc -l <<< "$vocab") -gt 50 ]] || fail "keyword list looks truncated: $(wc -l <<< "$vocab") lines"
  local man keywords
  man=$(man_page)
  keywords=$(man_keywords "$man")
  while read -r category word status; do
    has_word "$word" "$keywords" || fail "$category '$word' ($status) is not set as a keyword in man/setkey.8"
  done <<< "$vocab"

  local f words body
  for f in $(completion_files); do
    [[ -f $f ]] || { fail "missing completion file $f"; continue; }
    words=$(section "$f" "statement words")
    [[ -n $words ]] || fail "$f has no '# BEGIN statement words' section"
    body=$(grep -vE '^[[:space:]]*#' "$f")
    while read -r category word status; do
      case $category in command | ealg | aalg | calg | protocol | mode | level | direction | action) ;; *) continue ;; esac
      if [[ $status == offer ]]; then
        has_word "$word" "$words" || fail "$category '$word' is missing from the statement words of ${f#"$root"/}"
      elif has_word "$word" "$body"; then
        fail "${f#"$root"/} offers $category '$word', which setkey refuses"
      fi
    done <<< "$vocab"
  done
}

check_algorithms() {
  local kw=$1 update=${2:-} man generated current
  man=$(man_page)
  generated=$("$kw" man-algorithms) || { fail "$kw man-algorithms did not run"; return; }
  current=$(awk '/^\.\\" BEGIN GENERATED ALGORITHMS/ { on = 1; next } /^\.\\" END GENERATED ALGORITHMS/ { on = 0 } on' "$man")
  grep -q '^\.\\" BEGIN GENERATED ALGORITHMS' "$man" && grep -q '^\.\\" END GENERATED ALGORITHMS' "$man" ||
    { fail "man/setkey.8 lacks the GENERATED ALGORITHMS markers"; return; }
  if [[ $update == --update ]]; then
    local tmp
    tmp=$(mktemp)
    # ENVIRON, not -v: awk would interpret the backslashes of the roff text.
    GENERATED=$generated awk '
      /^\.\\" BEGIN GENERATED ALGORITHMS/ { print; print ENVIRON["GENERATED"]; skip = 1; next }
      /^\.\\" END GENERATED ALGORITHMS/ { skip = 0 }
      !skip' "$man" > "$tmp" && cat "$tmp" > "$man"
    rm -f "$tmp"
    echo "updated the algorithm tables in $man"
    return
  fi
  if [[ $generated != "$current" ]]; then
    fail "the algorithm tables in man/setkey.8 differ from the registry (run: $0 algorithms $kw $root --update)"
    diff <(echo "$current") <(echo "$generated") | head -40
  fi
}

help_flags() { "$1" --help | awk '/^Options:/ { on = 1; next } on && /^  -/' | sed -E 's/^ +//; s/ {2,}.*//' | tr ', ' '\n\n' | grep -E '^--?[A-Za-z]' | sort -u; }

man_flags() {
  roff_plain "$1" | awk '
    /^\.SH / { on = ($0 ~ /^\.SH OPTIONS/); next }
    on && /^\.TP/ { tag = 1; next }
    on && tag { print; tag = 0 }
  ' | grep -oE '(^|[ "])--?[A-Za-z][A-Za-z0-9_-]*' | tr -d ' "' | sort -u
}

completion_flags() {
  local f=$1 body
  body=$(section "$f" "flags")
  case $f in
    *.fish)
      { grep -oE '(^| )-s [A-Za-z]' <<< "$body" | sed -E 's/^ ?-s /-/'
        grep -oE ' -l [A-Za-z][A-Za-z0-9_-]*' <<< "$body" | sed -E 's/^ -l /--/'; } | sort -u ;;
    *)
      # zsh: descriptions in [...] and the _arguments line itself are not flags.
      sed -E 's/\[[^]]*\]//g; /^[[:space:]]*_arguments/d' <<< "$body" |
        grep -oE "(^|[][ '\"{},()=])--?[A-Za-z][A-Za-z0-9_-]*" | sed -E "s/^[][ '\"{},()=]//" | sort -u ;;
  esac
}

compare_flags() {
  local what=$1 listed=$2 known=$3 f
  for f in $(comm -23 <(echo "$listed") <(echo "$known")); do fail "$what lists $f, which setkey --help does not know"; done
  for f in $(comm -13 <(echo "$listed") <(echo "$known")); do fail "$what does not list $f (setkey --help has it)"; done
}

check_flags() {
  local setkey=$1 known listed f
  [[ -x $setkey ]] || { echo "SKIPPED: $setkey has not been built"; exit 77; }
  known=$(help_flags "$setkey")
  [[ $(wc -l <<< "$known") -gt 10 ]] || { fail "could not read the options from '$setkey --help'"; return; }
  listed=$(man_flags "$(man_page)")
  compare_flags "the OPTIONS section of man/setkey.8" "$listed" "$known"
  for f in $(completion_files); do
    listed=$(completion_flags "$f")
    compare_flags "${f#"$root"/}" "$listed" "$known"
  done
}

check_render() {
  command -v groff > /dev/null || { echo "SKIPPED: groff is not installed"; exit 77; }
  local out
  # -rLL=78n is what man(1) uses on an 80-column terminal; tables wider than that are warned about.
  out=$(groff -t -man -Tutf8 -ww -z -rLL=78n "$(man_page)" 2>&1) || fail "groff failed"
  [[ -z $out ]] || fail "groff warnings for man/setkey.8:"$'\n'"$out"
  out=$(groff -man -ww -z "$(man_page)" 2>&1)
  [[ -z $out ]] || fail "groff warnings without tbl:"$'\n'"$out"
}

check_syntax() {
  local ran=0
  bash -n "$root/completions/bash/setkey" || fail "bash -n completions/bash/setkey"
  bash -c "source '$root/completions/bash/setkey' && complete -p setkey > /dev/null" || fail "bash completion does not register"
  if command -v zsh > /dev/null; then zsh -n "$root/completions/zsh/_setkey" || fail "zsh -n completions/zsh/_setkey"; ran=$((ran + 1)); fi
  if command -v fish > /dev/null; then
    fish -n "$root/completions/fish/setkey.fish" || fail "fish -n completions/fish/setkey.fish"
    [[ $(fish -c "source '$root/completions/fish/setkey.fish'; __setkey_statement_words 'spdadd 1 2 any -P out ipsec esp/tr'") == esp/transport/ ]] ||
      fail "fish __setkey_statement_words does not complete a request"
    ran=$((ran + 1))
  fi
  [[ $(bash -c "source '$root/completions/bash/setkey'; _setkey_statement_words 'add 1 2 esp 5 -E aes-cb'") == 'add 1 2 esp 5 -E aes-cbc' ]] ||
    fail "bash _setkey_statement_words does not complete an algorithm"
  (( ran == 2 )) || echo "note: zsh or fish is not installed; their files were not parsed"
}

case $mode in
  words) root=$2; check_words "$1" ;;
  algorithms) root=$2; check_algorithms "$1" "${3:-}" ;;
  flags) root=$2; check_flags "$1" ;;
  render) root=$1; check_render ;;
  syntax) root=$1; check_syntax ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
if ((fails)); then
  echo "$fails problem(s) found"
  exit 1
fi
echo "ok: $mode"
