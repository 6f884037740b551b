# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsecconf(8) from xfrmpp.
# The flags between the BEGIN and END markers are compared with the tool by tests/unit/solaris.

# BEGIN flags (checked by tests/unit/solaris)
# -a -c -r -d -f -F -l -L -n -q -i --json --hosts --tunnels --state-dir --max-errors --max-input --backend --state --help --version
# END flags

function __ipsecconf_indexes
    ipsecconf 2>/dev/null | string replace -rf '^#INDEX ' ''
end

function __ipsecconf_tunnels
    ip -o link show 2>/dev/null | string replace -rf '^[0-9]+: ([^:@]+).*' '$1'
end

complete -c ipsecconf -s a -r -F -d 'add the rules of a file (- = stdin)'
complete -c ipsecconf -s c -r -F -d 'check a file only'
complete -c ipsecconf -s r -r -F -d 'remove the rules a file lists'
complete -c ipsecconf -s d -x -a '(__ipsecconf_indexes)' -d 'delete a rule by index'
complete -c ipsecconf -s f -d 'flush the host SPD (with -a: replace)'
complete -c ipsecconf -s F -d 'flush every SPD'
complete -c ipsecconf -s l -d 'list the SPD in match order'
complete -c ipsecconf -s L -d 'list every SPD'
complete -c ipsecconf -s n -d 'numeric output'
complete -c ipsecconf -s q -d 'quiet'
complete -c ipsecconf -s i -x -a '(__ipsecconf_tunnels)' -d 'tunnel interface'
complete -c ipsecconf -l json -d 'JSON output with -l, -L or -c'
complete -c ipsecconf -l hosts -r -F -d 'resolve names from a hosts(5) file'
complete -c ipsecconf -l tunnels -r -F -d 'tunnel table'
complete -c ipsecconf -l state-dir -r -a '(__fish_complete_directories)' -d 'directory of the rule record'
complete -c ipsecconf -l max-errors -x -d 'errors shown at most (0 = all)'
complete -c ipsecconf -l max-input -x -d 'largest input accepted (suffix K, M or G)'
complete -c ipsecconf -l backend -x -a 'kernel engine' -d 'Where the SPD/SAD live'
complete -c ipsecconf -l state -r -F -d 'The engine state file (with --backend=engine)'
complete -c ipsecconf -l help -d 'show usage'
complete -c ipsecconf -l version -d 'show the version'
