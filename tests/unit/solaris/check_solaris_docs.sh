#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Holds man/ipsecconf.8, man/ipseckey.8 and the bash/zsh/fish completions of both tools to the keyword
# tables (printed by solaris_keywords) and to the tools' usage text.
#
#   check_solaris_docs.sh words  KEYWORDS ROOT                    every keyword documented; completions offer
#                                                                 only words the parser accepts on Linux
#   check_solaris_docs.sh flags  KEYWORDS ROOT IPSECCONF IPSECKEY  completion flags = usage flags, in the man page
#   check_solaris_docs.sh render KEYWORDS ROOT                    groff renders both pages without warnings
#   check_solaris_docs.sh syntax KEYWORDS ROOT                    the completion files parse (bash, zsh, fish)
set -u
mode=$1 keywords=$2 root=$3
fail=0
bad() { echo "FAIL: $*"; fail=1; }

man_words() {  # the words of a man page, roff escapes removed, one a line
  sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(em/ /g' -e 's/\\&//g' "$1" | tr -c 'A-Za-z0-9_?.-' '\n' | sed 's/^[.-]*//; s/[.]*$//' | sort -u
}

block() {  # the words between "# BEGIN NAME" and "# END NAME" of a completion file, shell syntax stripped
  local words
  words=$(sed -n "/^# BEGIN $2/,/^# END $2/p" "$1" | grep -v '^# \(BEGIN\|END\)' |
    sed -e 's/^#//' -e "s/[='()\\\\]/ /g" | tr -s ' \t' '\n' | grep -v '^$')
  if [[ $2 == flags ]]; then grep -v '^_' <<<"$words" | sort -u; return; fi
  # Variable names and the words that declare them (bash _x=, zsh local -a x=(...), fish set -g x).
  grep -v -e '^_' -e '^local$' -e '^set$' -e '^-a$' -e '^-g$' -e '^commands$' -e '^satypes$' \
    -e '^lookup_extensions$' <<<"$words" | sort -u
}

man_text() {  # a man page with the roff escapes that matter for option names removed
  sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\&//g' "$1"
}

case $mode in
words)
  table=$("$keywords") || { echo "solaris_keywords failed"; exit 1; }
  conf_man=$(man_words "$root/man/ipsecconf.8")
  key_man=$(man_words "$root/man/ipseckey.8")
  while read -r cat word status; do
    case $cat in
      ipsecconf-pattern|ipsecconf-action|ipsecconf-property)
        grep -qxF -- "$word" <<<"$conf_man" || bad "ipsecconf.8 does not mention $cat '$word'" ;;
      ipseckey-command|ipseckey-satype|ipseckey-ext|ipseckey-aalg|ipseckey-ealg)
        [[ $word == "?" ]] && continue
        grep -qxF -- "$word" <<<"$key_man" || bad "ipseckey.8 does not mention $cat '$word' ($status)" ;;
    esac
  done <<<"$table"
  # Every unsupported extension is named in the man page's list of what Linux refuses, next to the word "Linux".
  grep -q 'not supported on Linux' "$root/man/ipseckey.8" || bad "ipseckey.8 does not say which extensions are not supported on Linux"

  # The ipseckey completions offer only words ipseckey takes on its command line on Linux, and all of
  # the commands it takes there.
  offered_ok=$(awk '$3 == "linux" || $3 == "cmdline" {print $2}' <<<"$table" | sort -u)
  cmdline=$(awk '$1 == "ipseckey-command" && $3 == "cmdline" && $2 != "?" {print $2}' <<<"$table" | sort -u)
  for f in bash/ipseckey zsh/_ipseckey fish/ipseckey.fish; do
    words=$(block "$root/completions/$f" "command words")
    [[ -n $words ]] || { bad "$f has no command words block"; continue; }
    while read -r w; do
      grep -qxF -- "$w" <<<"$offered_ok" || bad "$f offers '$w', which ipseckey does not take on its command line"
    done <<<"$words"
    while read -r c; do
      grep -qxF -- "$c" <<<"$words" || bad "$f does not offer the command '$c'"
    done <<<"$cmdline"
  done
  # The algorithm lists of the bash completion are exactly the Solaris names the registry knows.
  for kind in aalg ealg; do
    var=_ipseckey_${kind}s
    got=$(sed -n "/^$var=/,/'\$/p" "$root/completions/bash/ipseckey" | sed "s/^$var=//; s/'//g" | tr -s ' \n' '\n' | grep -v '^$' | sort -u)
    want=$(awk -v c="ipseckey-$kind" '$1 == c && $3 == "linux" {print $2}' <<<"$table" | sort -u)
    [[ $got == "$want" ]] || bad "bash completion $var differs from the registry: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
  done
  ;;
flags)
  ipsecconf=$4 ipseckey=$5
  for tool in ipsecconf ipseckey; do
    bin=${!tool}
    usage=$("$bin" --help 2>&1)
    man=$(man_text "$root/man/$tool.8")
    ref=$(block "$root/completions/bash/$tool" flags)
    [[ -n $ref ]] || { bad "bash/$tool has no flags block"; continue; }
    for f in "zsh/_$tool" "fish/$tool.fish"; do
      got=$(block "$root/completions/$f" flags)
      [[ $got == "$ref" ]] || bad "$f flags differ from bash/$tool: $(diff <(echo "$ref") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
    done
    while read -r flag; do
      if [[ $flag == --* ]]; then
        grep -qE -- "(^|[^a-z-])$flag([^a-z-]|\$)" <<<"$usage" || bad "$tool --help does not show $flag"
      else  # short options may be grouped, as in [ -nvp ]
        grep -qE -- "(^|[^A-Za-z-])-[A-Za-z]*${flag#-}[A-Za-z]*([^A-Za-z-]|\$)" <<<"$usage" || bad "$tool --help does not show $flag"
      fi
      grep -qE -- "(^|[^A-Za-z-])$flag([^A-Za-z-]|\$)" <<<"$man" || bad "$tool.8 does not document $flag"
    done <<<"$ref"
    # And the other way: every short option of the usage text is completed.
    for flag in $(grep -o -- ' -[A-Za-z]\b' <<<"$usage" | tr -d ' ' | sort -u); do
      grep -qxF -- "$flag" <<<"$ref" || bad "$tool --help shows $flag, the completions do not"
    done
  done
  ;;
render)
  command -v groff >/dev/null || { echo "groff not installed"; exit 77; }
  for page in ipsecconf ipseckey; do
    warn=$(groff -ww -man -Tutf8 "$root/man/$page.8" 2>&1 >/dev/null)
    [[ -z $warn ]] || bad "$page.8: $warn"
    text=$(groff -man -Tutf8 "$root/man/$page.8" 2>/dev/null | col -b 2>/dev/null || groff -man -Tascii "$root/man/$page.8")
    grep -q "^NAME" <<<"$text" || bad "$page.8 renders without a NAME section"
  done
  ;;
syntax)
  bash -n "$root/completions/bash/ipsecconf" || bad "bash/ipsecconf"
  bash -n "$root/completions/bash/ipseckey" || bad "bash/ipseckey"
  skipped=0
  if command -v zsh >/dev/null; then
    zsh -n "$root/completions/zsh/_ipsecconf" || bad "zsh/_ipsecconf"
    zsh -n "$root/completions/zsh/_ipseckey" || bad "zsh/_ipseckey"
  else skipped=1; fi
  if command -v fish >/dev/null; then
    fish -n "$root/completions/fish/ipsecconf.fish" || bad "fish/ipsecconf.fish"
    fish -n "$root/completions/fish/ipseckey.fish" || bad "fish/ipseckey.fish"
  else skipped=1; fi
  # The bash completion really completes: load it and ask for the words after "ipseckey flush ".
  out=$(bash -c 'source "$1"; COMP_WORDS=(ipseckey flush ""); COMP_CWORD=2; _ipseckey; printf "%s\n" "${COMPREPLY[@]}"' _ "$root/completions/bash/ipseckey")
  for w in ah esp all; do grep -qx "$w" <<<"$out" || bad "bash: 'ipseckey flush <TAB>' does not offer $w (got: $(echo $out))"; done
  [[ $fail -eq 0 && $skipped -eq 1 ]] && { echo "zsh or fish not installed; bash checked"; exit 0; }
  ;;
*) echo "unknown mode $mode"; exit 2 ;;
esac
[[ $fail -eq 0 ]] && echo "ok: $mode"
exit $fail
