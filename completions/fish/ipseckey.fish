# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipseckey(8) from xfrmpp.
# The lists between the BEGIN and END markers are compared with the parser's keyword tables by
# tests/unit/solaris (docs_test). add and update are not offered: they are refused on the command
# line (keys would show in ps); use a file or the ipseckey> prompt.

# BEGIN command words (checked by tests/unit/solaris)
set -g __ipseckey_commands delete get flush dump save monitor passive_monitor pmonitor help
set -g __ipseckey_satypes ah esp all
set -g __ipseckey_lookup_extensions spi src srcaddr saddr src6 srcaddr6 saddr6 dst dstaddr daddr dst6 dstaddr6 \
    daddr6 sport dport proto ulp inbound outbound
# END command words

# BEGIN flags (checked by tests/unit/solaris)
# -f -c -s -n -v -p --json --hosts --tunnels --count --max-errors --max-input --backend --state --help --version
# END flags

function __ipseckey_no_command
    not __fish_seen_subcommand_from $__ipseckey_commands
end

complete -c ipseckey -s f -r -F -d 'run the commands of a file'
complete -c ipseckey -s c -r -F -d 'check a file only'
complete -c ipseckey -s s -r -F -d 'save every SA to a file (- = stdout)'
complete -c ipseckey -s n -d 'no name lookups'
complete -c ipseckey -s v -d 'print each SA before it is sent'
complete -c ipseckey -s p -d 'paranoid: keys as X'
complete -c ipseckey -l json -d 'JSON output with -c, get and dump'
complete -c ipseckey -l hosts -r -F -d 'resolve names from a hosts(5) file'
complete -c ipseckey -l tunnels -r -F -d 'tunnel table'
complete -c ipseckey -l count -x -d 'monitor: stop after this many events'
complete -c ipseckey -l max-errors -x -d 'errors shown at most (0 = all)'
complete -c ipseckey -l max-input -x -d 'largest input accepted (suffix K, M or G)'
complete -c ipseckey -l backend -x -a 'kernel engine' -d 'Where the SPD/SAD live'
complete -c ipseckey -l state -r -F -d 'The engine state file (with --backend=engine)'
complete -c ipseckey -l help -d 'show usage'
complete -c ipseckey -l version -d 'show the version'
complete -c ipseckey -f -n __ipseckey_no_command -a "$__ipseckey_commands"
complete -c ipseckey -f -n '__fish_seen_subcommand_from flush dump save' -a "$__ipseckey_satypes"
complete -c ipseckey -f -n '__fish_seen_subcommand_from delete get' -a "ah esp $__ipseckey_lookup_extensions"
