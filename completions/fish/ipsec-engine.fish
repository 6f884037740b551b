# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-engine(8) from xfrmpp.

complete -c ipsec-engine -f
complete -c ipsec-engine -n __fish_use_subcommand -a lookup -d 'Decide flows read from stdin'
complete -c ipsec-engine -n __fish_use_subcommand -a process -d 'Run a pcap capture through the packet path'
complete -c ipsec-engine -n '__fish_seen_subcommand_from lookup process' -l state -r -F -d 'The engine state file'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -l out -d 'The outbound path'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -l in -d 'The inbound path'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -s r -r -F -d 'The capture to read'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -s w -r -F -d 'The capture to write'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -l json -d 'Print the summary as JSON'
complete -c ipsec-engine -s h -l help -d 'Show help'
complete -c ipsec-engine -s V -l version -d 'Show the version'
