#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checks every man page of man/ (*.8 and *.3) the way a packager and a reader meet them:
#
#   check_man_pages.sh lint  ROOT   groff -man -ww -z (with and without tbl) and mandoc -T lint -W warning
#                                   print nothing
#   check_man_pages.sh width ROOT   no output line is wider than 80 columns: MANWIDTH=80 man -l,
#                                   groff -t -man -Tutf8 -rLL=80n and mandoc -T utf8 -O width=80
#   check_man_pages.sh xrefs ROOT   every cross reference (.BR name (N), \fBname\fP(N)) names one of our
#                                   pages or one listed in tests/docs/external_man_pages.txt (pages Debian 12
#                                   ships, with their package)
#
# A page that is only ".so man3/OTHER.3" (an alias, which dh_installman turns into a symlink) is not linted
# itself (mandoc advises ln(1) over .so, which is the packager's call): its target must exist in man/.
# Exit 0 = pass, 1 = fail, 77 = skipped (a tool the check needs is missing).
set -uo pipefail

mode=${1:?usage: check_man_pages.sh lint|width|xrefs ROOT}
root=${2:?usage: check_man_pages.sh lint|width|xrefs ROOT}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
need() { command -v "$1" > /dev/null || { echo "SKIPPED: $1 is not installed"; exit 77; }; }
export LC_ALL=C.UTF-8

pages=("$root"/man/*.[0-9])
[[ ${#pages[@]} -ge 5 && -e ${pages[0]} ]] || { echo "FAIL: no man pages under $root/man"; exit 1; }

# The target of an alias page (its only request is .so), or nothing.
so_target() { awk '/^\.\\"/ { next } /^\.so / { t = $2; next } NF { other = 1 } END { if (t != "" && !other) print t }' "$1"; }

# The pages laid out as man/manN/ under a scratch directory, so that ".so man3/x.3" resolves from it.
stage() {
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  local p s
  for p in "${pages[@]}"; do
    s=${p##*.}
    mkdir -p "$tmp/man$s"
    cp "$p" "$tmp/man$s/"
  done
}

# Lines of standard input longer than 80 characters (characters, not bytes: the pages print U+2010 etc.).
over_80() { perl -CSD -ne 'chomp; printf "%d columns: %s\n", length($_), $_ if length($_) > 80'; }

check_lint() {
  need groff
  need mandoc
  local p out t
  for p in "${pages[@]}"; do
    t=$(so_target "$p")
    if [[ -n $t ]]; then
      [[ -f $root/man/${t##*/} ]] || fail "${p##*/}: .so target $t is not in man/"
      continue
    fi
    out=$(groff -man -ww -z "$p" 2>&1) || fail "${p##*/}: groff failed"
    [[ -z $out ]] || fail "${p##*/}: groff -man -ww -z:"$'\n'"$out"
    out=$(groff -t -man -ww -z "$p" 2>&1) || fail "${p##*/}: groff -t failed"
    [[ -z $out ]] || fail "${p##*/}: groff -t -man -ww -z:"$'\n'"$out"
    # What man(1) typesets on an 80-column terminal: tbl warns here about tables wider than the line.
    out=$(groff -t -man -Tutf8 -ww -z -rLL=78n "$p" 2>&1)
    [[ -z $out ]] || fail "${p##*/}: groff -t -man -Tutf8 -ww -rLL=78n:"$'\n'"$out"
    out=$(mandoc -T lint -W warning "$p" 2>&1)
    [[ -z $out ]] || fail "${p##*/}: mandoc -T lint -W warning:"$'\n'"$out"
  done
}

check_width() {
  need groff
  need mandoc
  need man
  need col
  stage
  local p rel out how
  for p in "${pages[@]}"; do
    rel=man${p##*.}/${p##*/}
    for how in man groff mandoc; do
      # A renderer that fails prints nothing, which has no long line either: count the lines too.
      out=$(cd "$tmp" && case $how in
        man) env -u MAN_KEEP_FORMATTING -u MANPAGER -u PAGER MANWIDTH=80 man -l "$rel" ;;
        groff) groff -t -man -Tutf8 -rLL=80n "$rel" ;;
        mandoc) mandoc -T utf8 -O width=80 "$rel" ;;
      esac 2> /dev/null | col -bx)
      [[ $(wc -l <<< "$out") -ge 10 ]] || { fail "$rel: $how rendered $(wc -l <<< "$out") lines"; continue; }
      out=$(over_80 <<< "$out")
      [[ -z $out ]] || fail "$rel: $how at 80 columns (MANWIDTH=80 man -l, groff -rLL=80n, mandoc -O width=80):"$'\n'"$out"
    done
  done
}

# "name(N)" for every cross reference in bold (the form man(7) prescribes for one); comments skipped.
xrefs() {
  sed -E '/^\.\\"/d; s/\\-/-/g; s/\\&//g' "$1" | perl -ne '
    if (/^\.(BR|RB)\s/) { print "$1($2)\n" while /"?([A-Za-z0-9_.:+-]+)"?\s+"?\(([0-9][a-zA-Z]*)\)/g }
    print "$1($2)\n" while /\\fB([A-Za-z0-9_.:+-]+)\\f[PR]\(([0-9][a-zA-Z]*)\)/g;'
}

check_xrefs() {
  local list=$root/tests/docs/external_man_pages.txt p r name sec cited=()
  [[ -f $list ]] || { fail "$list is missing"; return; }
  for p in "${pages[@]}"; do
    while read -r r; do
      cited+=("$r")
      name=${r%(*}
      sec=${r##*(}
      sec=${sec%)}
      [[ -f $root/man/$name.$sec ]] && continue
      grep -qE "^${name//./\\.}\(${sec}\)[[:space:]]" "$list" && continue
      fail "${p##*/} cites $r, which is neither in man/ nor in tests/docs/external_man_pages.txt (a page Debian ships)"
    done < <(xrefs "$p" | sort -u)
  done
  # Every listed page is cited somewhere, so the list cannot hide a page that a later edit dropped.
  while read -r r _; do
    [[ -z $r || $r == \#* ]] && continue
    printf '%s\n' "${cited[@]}" | grep -qxF "$r" || fail "external_man_pages.txt lists $r, which no page cites"
  done < "$list"
  [[ ${#cited[@]} -gt 10 ]] || fail "only ${#cited[@]} cross references found: the extraction looks broken"
}

case $mode in
  lint) check_lint ;;
  width) check_width ;;
  xrefs) check_xrefs ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
if ((fails)); then
  echo "$fails check(s) failed"
  exit 1
fi
echo "ok: $mode (${#pages[@]} pages)"
