#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The export list of libxfrmpp.so.0 (issue 9): SONAME libxfrmpp.so.0; the C symbols are exactly the
# functions and variables the C headers declare (<xfrmpp/socket_policy.h>, and the libipsec API of
# <netinet6/ipsec.h>, issue 13) and the xfrmpp_*(3) and ipsec_*(3) pages document; every C++ symbol is
# in namespace xfrmpp (or the vtable/typeinfo of a class there), nothing of std::, fmt:: or nlohmann::;
# every symbol carries the version node XFRMPP_0; and the C++ API the tools use is there.
#   exports.sh LIBRARY MAN_DIR HEADER...
set -u
lib=$1 mandir=$2
shift 2
headers=("$@")
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
[[ $soname == libxfrmpp.so.0 ]] && ok "SONAME is libxfrmpp.so.0" || bad "SONAME is '$soname', not libxfrmpp.so.0"

# name@@version per line; the version node itself is an absolute symbol named XFRMPP_0.
mapfile -t dyn < <(nm -D --defined-only --with-symbol-versions "$lib" | awk '{ print $NF }' | sort -u)
((${#dyn[@]} > 0)) || { echo "FAIL: nm -D found no symbols in $lib"; exit 1; }
names=() unversioned=()
for s in "${dyn[@]}"; do
  [[ $s == XFRMPP_0* ]] && continue
  if [[ $s == *@@XFRMPP_0 ]]; then names+=("${s%@@XFRMPP_0}"); else unversioned+=("$s"); fi
done
((${#unversioned[@]} == 0)) && ok "all ${#names[@]} exports carry version XFRMPP_0" ||
  bad "exports without version XFRMPP_0: ${unversioned[*]}"

# C API: exported non-C++ names against the headers' and the man pages' function lists. The headers'
# variables (extern ... NAME;) are exports too, with no page of their own.
fn_re='\b(xfrmpp|ipsec)_[a-z_]+\('
exported_c=$(printf '%s\n' "${names[@]}" | grep -v '^_Z' | sort -u)
header_c=$(grep -ohE "$fn_re" "${headers[@]}" | tr -d '(' | sort -u)
header_vars=$(sed -nE 's/^extern [^(]* \**([A-Za-z_][A-Za-z0-9_]*);.*/\1/p' "${headers[@]}" | sort -u)
header_all=$(printf '%s\n' $header_c $header_vars | sort -u)
man_c=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$mandir"/xfrmpp_*.3 "$mandir"/ipsec_*.3 | grep -oE "$fn_re" | tr -d '(' | sort -u)
pages=$(cd "$mandir" && ls xfrmpp_*.3 ipsec_*.3 | sed 's/\.3$//' | sort -u)
[[ -n $header_c ]] || bad "no function found in ${headers[*]}"
[[ $exported_c == "$header_all" ]] && ok "C exports = the C headers' functions and variables: $(echo $exported_c)" ||
  bad "C exports differ from the headers: $(diff <(echo "$header_all") <(echo "$exported_c") | grep '^[<>]' | tr '\n' ' ')"
[[ $man_c == "$header_c" ]] && ok "the man pages' SYNOPSIS documents the same functions" ||
  bad "man SYNOPSIS differs from the header: $(diff <(echo "$header_c") <(echo "$man_c") | grep '^[<>]' | tr '\n' ' ')"
[[ $pages == "$header_c" ]] && ok "one xfrmpp_*(3) or ipsec_*(3) page per function" ||
  bad "man pages differ from the functions: $(diff <(echo "$header_c") <(echo "$pages") | grep '^[<>]' | tr '\n' ' ')"

# C++: the mangled name must be nested in namespace xfrmpp (_ZN + qualifiers + 6xfrmpp), or be a vtable,
# typeinfo, typeinfo name or thunk of such a class. This is "demangles into namespace xfrmpp" without
# parsing demangled text, where a function template's name starts with its return type.
cxx_re='^_Z(N[KRO]*6xfrmpp|T[VIS]N6xfrmpp|Th(n[0-9]+)_N6xfrmpp|Tv(n?[0-9]+_){2}N6xfrmpp)'
strays=$(printf '%s\n' "${names[@]}" | grep '^_Z' | grep -vE "$cxx_re")
[[ -z $strays ]] && ok "every C++ export is in namespace xfrmpp" ||
  bad "C++ exports outside namespace xfrmpp: $(echo "$strays" | c++filt | head -20 | tr '\n' ';')"
foreign=$(printf '%s\n' "${names[@]}" | grep -E '^_Z(N[KRO]*)?(St|Sa|Ss|3fmt|8nlohmann|9__gnu_cxx)|^_ZT[VIS]N?(St|3fmt|8nlohmann)')
[[ -z $foreign ]] && ok "nothing of std::, fmt::, nlohmann:: or __gnu_cxx:: is exported" ||
  bad "foreign template code exported: $(echo "$foreign" | c++filt | head -10 | tr '\n' ';')"

# The C++ API must be there at all (an empty or C-only version script passes the checks above).
demangled=$(printf '%s\n' "${names[@]}" | c++filt)
for want in 'xfrmpp::policy_string::parse(' 'xfrmpp::policy_string::parse_at(' 'xfrmpp::socket::SocketPolicyTable::set(' \
            'xfrmpp::nl::KernelBackend::open(' 'xfrmpp::text::Scanner::until_any(' 'xfrmpp::render::to_json' \
            'vtable for xfrmpp::nl::KernelBackend' 'typeinfo for xfrmpp::Backend'; do
  grep -qF -- "$want" <<< "$demangled" && ok "exports $want" || bad "does not export $want"
done

((fails == 0)) && echo "PASS: libxfrmpp.so.0 exports ${#names[@]} symbols, all intended" && exit 0
echo "$fails check(s) failed"; exit 1
