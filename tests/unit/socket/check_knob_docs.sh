#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Holds the documentation of ipsec-sysctl, ipsec-stat and the socket-policy C API to the code:
#
#   check_knob_docs.sh words  NAMES_BIN ROOT                every knob in ipsec-sysctl.8 and in the knob list of
#                                                           each completion file (and no other names there);
#                                                           every xfrm_stat counter in ipsec-stat.8
#   check_knob_docs.sh flags  NAMES_BIN ROOT SYSCTL STAT    the options of each tool's --help == its man page's
#                                                           OPTIONS == its completions' flag list
#   check_knob_docs.sh render NAMES_BIN ROOT                the three man pages format without groff warnings
#   check_knob_docs.sh syntax NAMES_BIN ROOT                the completion files parse and register
#
# NAMES_BIN is tests/unit/socket/knob_names.cpp built ("knob NAME" / "counter NAME" lines).
# Exit 0 pass, 1 fail, 77 skipped (a needed program is missing).
set -uo pipefail

mode=${1:?usage: check_knob_docs.sh words|flags|render|syntax NAMES_BIN ROOT [...]}
names_bin=${2:?names binary}
root=${3:?source root}
problems=0
problem() { echo "FAIL: $*"; problems=$((problems + 1)); }

sysctl_man=$root/man/ipsec-sysctl.8
stat_man=$root/man/ipsec-stat.8
api_man=$root/man/xfrmpp_set_socket_policy.3
completions() { # $1 = tool
  echo "$root/completions/bash/$1 $root/completions/zsh/_$1 $root/completions/fish/$1.fish"
}

# The man page as the words a reader sees: comments dropped, roff escapes turned into their characters.
plain_man() { sed -E '/^\.\\"/d; s/\\-/-/g; s/\\&//g; s/\\\(em/--/g; s/\\f[BIRP]//g; s/\\e/\\/g' "$1"; }

# Lines between "# BEGIN <title>" and "# END <title>", comment lines dropped.
between() {
  awk -v t="$2" '
    index($0, "# BEGIN " t) { inside = 1; next }
    index($0, "# END " t) { inside = 0; next }
    inside && $0 !~ /^[[:space:]]*#/' "$1"
}

# Whole-word test: knob names contain dots and underscores, so neighbours must not be name characters.
contains_word() {
  local word=$1 text=$2 escaped=${1//./\\.}
  [[ $text =~ (^|[^A-Za-z0-9_.-])${escaped}([^A-Za-z0-9_-]|\.[^A-Za-z0-9_]|\.?$) ]]
}

check_words() {
  local list knobs counters text f body listed n
  list=$("$names_bin") || { problem "$names_bin did not run"; return; }
  knobs=$(awk '$1 == "knob" { print $2 }' <<< "$list")
  counters=$(awk '$1 == "counter" { print $2 }' <<< "$list")
  [[ $(wc -l <<< "$knobs") -ge 30 ]] || problem "only $(wc -l <<< "$knobs") knobs listed; the table looks truncated"

  text=$(plain_man "$sysctl_man")
  for n in $knobs; do contains_word "$n" "$text" || problem "knob $n is not documented in man/ipsec-sysctl.8"; done
  text=$(plain_man "$stat_man")
  for n in $counters; do contains_word "$n" "$text" || problem "counter $n is not explained in man/ipsec-stat.8"; done

  for f in $(completions ipsec-sysctl); do
    [[ -f $f ]] || { problem "missing ${f#"$root"/}"; continue; }
    body=$(between "$f" "knob names")
    [[ -n $body ]] || { problem "${f#"$root"/} has no '# BEGIN knob names' list"; continue; }
    for n in $knobs; do contains_word "$n" "$body" || problem "${f#"$root"/} does not offer knob $n"; done
    # Every whole word of the list shaped like a knob name must be a knob: no stale names.
    listed=$(tr -s " \t'\"()\\\\" '\n' <<< "$body" |
      grep -E '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$|^[a-z][a-z0-9]*(_[a-z0-9]+)+$' | sort -u)
    for n in $listed; do grep -qxF "$n" <<< "$knobs" || problem "${f#"$root"/} offers '$n', which is not a knob"; done
  done
  for f in $(completions ipsec-stat); do [[ -f $f ]] || problem "missing ${f#"$root"/}"; done
}

# Options as --help prints them, one per line.
help_options() {
  "$1" --help | awk '/^Options:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  +-/' |
    sed -E 's/^ +//; s/ {2,}.*//; s/ [A-Z][A-Z=]*( |$)/ /g' | tr ', ' '\n\n' | grep -E '^--?[A-Za-z]' | sort -u
}

# Options in the OPTIONS section of a man page: the tags of its .TP entries.
man_options() {
  plain_man "$1" | awk '/^\.SH/ { on = ($2 == "OPTIONS"); next } on && /^\.TP/ { tag = 1; next } on && tag { print; tag = 0 }' |
    grep -oE '(^|[ ,"])--?[A-Za-z][A-Za-z0-9-]*' | tr -d ' ,"' | sort -u
}

# Options a completion file offers, from its "# BEGIN flags" list.
completion_options() {
  local body
  body=$(between "$1" "flags")
  case $1 in
    *.fish) { grep -oE -- '-s [A-Za-z]' <<< "$body" | sed 's/^-s /-/'
              grep -oE -- '-l [a-z][a-z-]*' <<< "$body" | sed 's/^-l /--/'; } | sort -u ;;
    *) sed -E 's/\[[^]]*\]//g; /^[[:space:]]*_arguments/d' <<< "$body" | grep -oE "(^|[ '\"(){},])--?[A-Za-z][A-Za-z0-9-]*" | tr -d " '\"(){}," | sort -u ;;
  esac
}

same_options() { # what, listed, expected
  local x
  for x in $(comm -23 <(echo "$2") <(echo "$3")); do problem "$1 has $x, which --help does not"; done
  for x in $(comm -13 <(echo "$2") <(echo "$3")); do problem "$1 lacks $x"; done
}

check_flags() {
  local sysctl_bin=$1 stat_bin=$2 tool bin man expected f
  for tool in ipsec-sysctl ipsec-stat; do
    if [[ $tool == ipsec-sysctl ]]; then bin=$sysctl_bin man=$sysctl_man; else bin=$stat_bin man=$stat_man; fi
    [[ -x $bin ]] || { echo "SKIPPED: $bin is not built"; exit 77; }
    expected=$(help_options "$bin")
    [[ $(wc -l <<< "$expected") -ge 4 ]] || { problem "could not read the options of $tool --help"; continue; }
    same_options "OPTIONS of man/${man##*/}" "$(man_options "$man")" "$expected"
    for f in $(completions "$tool"); do same_options "${f#"$root"/}" "$(completion_options "$f")" "$expected"; done
  done
}

check_render() {
  command -v groff > /dev/null || { echo "SKIPPED: groff is not installed"; exit 77; }
  local page out
  for page in "$sysctl_man" "$stat_man" "$api_man"; do
    [[ -f $page ]] || { problem "missing ${page#"$root"/}"; continue; }
    out=$(groff -t -man -Tutf8 -ww -z -rLL=78n "$page" 2>&1) || problem "groff failed on ${page#"$root"/}"
    [[ -z $out ]] || problem "groff warnings for ${page#"$root"/}:"$'\n'"$out"
  done
  for page in "$root"/man/xfrmpp_clear_socket_policy.3 "$root"/man/xfrmpp_get_socket_policy.3 "$root"/man/xfrmpp_last_error.3; do
    grep -qx '.so man3/xfrmpp_set_socket_policy.3' "$page" 2> /dev/null || problem "${page#"$root"/} is not a link to xfrmpp_set_socket_policy.3"
  done
}

check_syntax() {
  local tool
  for tool in ipsec-sysctl ipsec-stat; do
    bash -n "$root/completions/bash/$tool" || problem "bash -n completions/bash/$tool"
    bash -c "source '$root/completions/bash/$tool' && complete -p $tool > /dev/null" || problem "completions/bash/$tool registers nothing"
    if command -v zsh > /dev/null; then zsh -n "$root/completions/zsh/_$tool" || problem "zsh -n completions/zsh/_$tool"; fi
    if command -v fish > /dev/null; then fish -n "$root/completions/fish/$tool.fish" || problem "fish -n completions/fish/$tool.fish"; fi
  done
  # The bash completion really completes a knob name and an assignment.
  local got
  got=$(bash -c "source '$root/completions/bash/ipsec-sysctl'; COMP_WORDS=(ipsec-sysctl net.inet6.ipsec6.def_p); COMP_CWORD=1; _ipsec_sysctl; printf '%s\n' \"\${COMPREPLY[@]}\"")
  [[ $got == *net.inet6.ipsec6.def_policy* ]] || problem "bash completion does not complete net.inet6.ipsec6.def_p (got '$got')"
  got=$(bash -c "source '$root/completions/bash/ipsec-sysctl'; COMP_WORDS=(ipsec-sysctl -w icmp_acc); COMP_CWORD=2; _ipsec_sysctl; printf '%s\n' \"\${COMPREPLY[@]}\"")
  [[ $got == *icmp_accept_clear_messages=* ]] || problem "bash completion does not complete -w icmp_acc to an assignment (got '$got')"
}

case $mode in
  words) check_words ;;
  flags) check_flags "${4:?ipsec-sysctl binary}" "${5:?ipsec-stat binary}" ;;
  render) check_render ;;
  syntax) check_syntax ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
if ((problems)); then
  echo "$problems problem(s)"
  exit 1
fi
echo "ok: $mode"
