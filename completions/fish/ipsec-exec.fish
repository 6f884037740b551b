# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-exec(8) from xfrmpp; the flag list is compared with `ipsec-exec --help`
# by tests/tools/ipsec_exec_docs.sh (ctest -L docs).

complete -c ipsec-exec -f -n 'not __fish_seen_subcommand_from --'
complete -c ipsec-exec -n '__fish_seen_subcommand_from --' -a '(__fish_complete_subcommand --fcs-skip=1)'
# BEGIN flags (checked by tests/tools/ipsec_exec_docs.sh)
complete -c ipsec-exec -s p -l policy -x -a "'in bypass' 'out bypass' 'in entrust' 'out entrust' 'in ipsec esp/transport//require' 'out ipsec esp/transport//require'" -d 'A KAME policy string (may repeat)'
complete -c ipsec-exec -l fd -x -d 'Apply to socket fd N (may repeat)'
complete -c ipsec-exec -l listen-fds -d 'Apply to the systemd LISTEN_FDS sockets'
complete -c ipsec-exec -l argv0 -x -d 'Run the program with this argv[0]'
complete -c ipsec-exec -s h -l help -d 'Show help'
complete -c ipsec-exec -s V -l version -d 'Show the version'
# END flags
