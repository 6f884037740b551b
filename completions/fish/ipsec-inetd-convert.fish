# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-inetd-convert(8) from xfrmpp; the flag list is compared with
# `ipsec-inetd-convert --help` by tests/tools/ipsec_exec_docs.sh (ctest -L docs).

# BEGIN flags (checked by tests/tools/ipsec_exec_docs.sh)
complete -c ipsec-inetd-convert -s o -l output -r -F -d 'Write the converted file to FILE'
complete -c ipsec-inetd-convert -l exec -r -F -d 'The path of ipsec-exec in the lines written'
complete -c ipsec-inetd-convert -l max-errors -x -d 'Stop showing errors after N'
complete -c ipsec-inetd-convert -s h -l help -d 'Show help'
complete -c ipsec-inetd-convert -s V -l version -d 'Show the version'
# END flags
