# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-engine(8) from xfrmpp.

complete -c ipsec-engine -f
complete -c ipsec-engine -n __fish_use_subcommand -a lookup -d 'Decide flows read from stdin'
complete -c ipsec-engine -n __fish_use_subcommand -a process -d 'Run a pcap capture through the packet path'
complete -c ipsec-engine -n __fish_use_subcommand -a run -d 'Run the live userspace IPsec dataplane'
complete -c ipsec-engine -n '__fish_seen_subcommand_from lookup process run' -l state -r -F -d 'The engine state file'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -l out -d 'The outbound path'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -l in -d 'The inbound path'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -s r -r -F -d 'The capture to read'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -s w -r -F -d 'The capture to write'
complete -c ipsec-engine -n '__fish_seen_subcommand_from process' -l json -d 'Print the summary as JSON'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l tun -x -d 'The TUN device to create'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l table -x -d 'The routing table for protected destinations'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l priority -x -d 'The priority of the not-fwmark rule'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l mark -x -d 'The mark of the dataplane sockets'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l commit-interval -x -d 'Milliseconds between state writes'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l seq-reserve -x -d 'Sequence numbers persisted ahead'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l mtu -x -d 'The TUN device MTU'
complete -c ipsec-engine -n '__fish_seen_subcommand_from run' -l natt-port -x -d 'The NAT-T UDP port'
complete -c ipsec-engine -s h -l help -d 'Show help'
complete -c ipsec-engine -s V -l version -d 'Show the version'
