# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-engine(8) from xfrmpp.

complete -c ipsec-engine -f
complete -c ipsec-engine -n __fish_use_subcommand -a lookup -d 'Decide flows read from stdin'
complete -c ipsec-engine -n '__fish_seen_subcommand_from lookup' -l state -r -F -d 'The engine state file'
complete -c ipsec-engine -s h -l help -d 'Show help'
complete -c ipsec-engine -s V -l version -d 'Show the version'
