# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-stat(8) from xfrmpp; the flag list is compared with `ipsec-stat --help`
# by tests/unit/socket (ctest -L docs).

complete -c ipsec-stat -f
# BEGIN flags (checked by tests/unit/socket)
complete -c ipsec-stat -s a -l all -d 'Show every counter'
complete -c ipsec-stat -l json -d 'JSON output'
complete -c ipsec-stat -l stat-file -r -F -d 'Read the counters from FILE'
complete -c ipsec-stat -l backend -x -a 'kernel engine' -d 'Where the SPD/SAD live'
complete -c ipsec-stat -l state -r -F -d 'The engine state file (with --backend=engine)'
complete -c ipsec-stat -s h -l help -d 'Show help'
complete -c ipsec-stat -s V -l version -d 'Show the version'
# END flags
