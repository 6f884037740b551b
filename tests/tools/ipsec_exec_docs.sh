#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The documentation of ipsec-exec and ipsec-inetd-convert held to the code (label docs):
#   flags  TOOL_BIN ROOT   the options of `TOOL --help` == the OPTIONS of man/TOOL.8 == the flag list of
#                          each completion (bash, fish, zsh); the control drops one flag from a copy of
#                          the man page, which must then be found different
#   syntax TOOL_BIN ROOT   the completion files parse (bash -n, zsh -n, fish -n where installed) and the
#                          bash one registers a completion for TOOL
# Exit 0 pass, 1 fail.
set -uo pipefail
mode=${1:?usage: ipsec_exec_docs.sh flags|syntax TOOL_BIN ROOT}
bin=${2:?tool binary}
root=${3:?source root}
tool=$(basename "$bin")
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
bash_c=$root/completions/bash/$tool fish_c=$root/completions/fish/$tool.fish zsh_c=$root/completions/zsh/_$tool

flags_of_help() { "$bin" --help | grep -E '^  -' | awk '{ print $1 }' | tr ',' '\n' | sort -u; }
flags_of_man() {
  awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH / { on = 0 } on && prev == ".TP" { print } { prev = $0 }' "$1" |
    sed 's/\\-/-/g; s/\\f[BIRP]//g' | grep -oE '(^|[ "])--?[A-Za-z0-9][-A-Za-z0-9]*' | tr -d ' "' | sort -u
}
between() { awk '/# BEGIN flags/ { on = 1; next } /# END flags/ { on = 0 } on' "$1"; }
flags_of_bash() { between "$bash_c" | sed -E "s/^[^=]*='//; s/'$//" | tr ' ' '\n' | grep . | sort -u; }
flags_of_fish() {
  between "$fish_c" | grep -oE ' -[sl] [-A-Za-z0-9]+' |
    awk '$1 == "-s" { print "-" $2 } $1 == "-l" { print "--" $2 }' | sort -u
}
flags_of_zsh() { between "$zsh_c" | grep -oE "(^|[{,'*])--?[A-Za-z0-9][-A-Za-z0-9]*" | tr -d "{,'*" | sort -u; }

compare() { # NAME LIST_A LIST_B
  diff <(echo "$2") <(echo "$3") > /dev/null || { echo "$1 differs from --help:"; diff <(echo "$2") <(echo "$3"); return 1; }
}

case $mode in
  flags)
    help=$(flags_of_help)
    [[ $(wc -l <<< "$help") -ge 4 ]] || fail "--help lists too few options: $help"
    compare "man/$tool.8 OPTIONS" "$help" "$(flags_of_man "$root/man/$tool.8")" || fail "man page"
    compare "bash completion" "$help" "$(flags_of_bash)" || fail "bash completion"
    compare "fish completion" "$help" "$(flags_of_fish)" || fail "fish completion"
    compare "zsh completion" "$help" "$(flags_of_zsh)" || fail "zsh completion"
    # Control: the same check on a man page with its first option's .TP entry removed must fail.
    tmp=$(mktemp)
    awk '/^\.SH OPTIONS/ { on = 1 } on && /^\.TP/ && !done { skip = 3; done = 1 } skip > 0 { skip--; next } { print }' \
      "$root/man/$tool.8" > "$tmp"
    compare "control" "$help" "$(flags_of_man "$tmp")" > /dev/null && fail "control: a man page without its first option passed"
    rm -f "$tmp"
    ;;
  syntax)
    bash -n "$bash_c" || fail "bash -n $bash_c"
    bash -c "source '$bash_c' && complete -p '$tool'" > /dev/null || fail "$bash_c registers no completion for $tool"
    if command -v zsh > /dev/null; then zsh -n "$zsh_c" || fail "zsh -n $zsh_c"; else echo "note: no zsh, $zsh_c not parsed"; fi
    if command -v fish > /dev/null; then fish -n "$fish_c" || fail "fish -n $fish_c"; else echo "note: no fish, $fish_c not parsed"; fi
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
[[ $fails -eq 0 ]] && echo "PASS: $tool $mode"
[[ $fails -eq 0 ]]
