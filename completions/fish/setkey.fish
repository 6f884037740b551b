# SPDX-License-Identifier: BSD-3-Clause
# fish completion for setkey(8) from xfrmpp.
#
# Completes the options and their file arguments. fish has no here-strings, so a statement never
# stands on a setkey command line and the shell has nowhere to offer its words. The statement
# vocabulary is kept here all the same, behind __setkey_statement_words, which prints the possible
# next words of a statement for key bindings and scripts:
#   __setkey_statement_words 'spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/'
#
# The lists between the BEGIN and END markers are compared with `setkey --help` and with the
# parser's keyword tables by tests/docs (ctest -L docs); a name missing here fails that test.

# BEGIN statement words (checked by tests/docs)
set -g __setkey_commands add update get delete deleteall getspi flush dump \
    spdadd spdupdate spddelete spdflush spddump exit quit bye
  spdsetdefault spdgetdefault spdhthresh spdinfo sadinfo
set -g __setkey_ealgs des-cbc 3des-cbc null blowfish-cbc cast128-cbc aes-cbc rijndael-cbc aes-ctr \
    camellia-cbc twofish-cbc serpent-cbc aes-gcm-16 aes-gcm-12 aes-gcm-8 aes-ccm-16 aes-ccm-12 \
    aes-ccm-8 aes-gmac null-aes-gmac chacha20-poly1305
set -g __setkey_aalgs hmac-md5 hmac-sha1 hmac-sha256 hmac-sha2-256 hmac-sha384 hmac-sha2-384 \
    hmac-sha512 hmac-sha2-512 aes-xcbc-mac aes-cmac null
set -g __setkey_calgs deflate
set -g __setkey_protocols esp ah ipcomp
set -g __setkey_modes transport tunnel
set -g __setkey_levels default use require unique
set -g __setkey_directions in out fwd
set -g __setkey_actions discard none ipsec
set -g __setkey_upper any icmp igmp ipencap tcp udp ipv6 ipv6-route ipv6-frag rsvp gre esp ah \
    ipv6-icmp ipv6-opts ospf ipcomp sctp mobility-header udplite
set -g __setkey_sa_options -m -u -r -f -lh -ls -bh -bs -ctx -esn -mark -if_id -E -A -C
set -g __setkey_spd_options -ctx -mark -if_id -P
# END statement words

# Prints the candidates for the last word of a statement; the argument is the text so far.
function __setkey_statement_words --argument-names text
    set -l stmt (string split ';' -- $text)[-1]
    set -l cur (string match -r '\S*$' -- $stmt)
    set -l w (string split -n ' ' -- (string replace -r '\S*$' '' -- $stmt | string replace -ra '\s+' ' '))
    # Address options (-4, -6, -n, -46n...) right after the command do not count as positions.
    if test (count $w) -ge 2; and string match -qr '^-[46n]+$' -- $w[2]
        set -e w[2]
    end
    set -l n (count $w)
    set -l cands
    set -l prefix ''
    if string match -q '*/*/*/*' -- $cur
        set prefix (string replace -r '[^/]*$' '' -- $cur)
        set cands $__setkey_levels unique:
    else if string match -q '*/transport/*' -- $cur
        set cands (string replace -r '/transport/.*' '/transport//' -- $cur)
    else if string match -q '*/*' -- $cur
        set prefix (string replace -r '/.*' '/' -- $cur)
        for m in $__setkey_modes
            set -a cands $m/
        end
    else if test $n -eq 0
        set cands $__setkey_commands
    else
        switch $w[-1]
            case -E
                set cands $__setkey_ealgs
            case -A
                set cands $__setkey_aalgs
            case -C
                set cands $__setkey_calgs
            case -m
                set cands $__setkey_modes beet any
            case -f
                set cands nocyclic-seq cyclic-seq
            case -P
                set cands $__setkey_directions
            case prio priority
                set cands low def high
            case '*'
                switch $w[1]
                    case flush dump
                        test $n -eq 1; and set cands $__setkey_protocols
                    case add update get delete deleteall getspi
                        if test $n -eq 3
                            set cands $__setkey_protocols esp-udp
                        else if test $n -ge 5
                            set cands $__setkey_sa_options
                        end
                    case spdadd spdupdate spddelete
                        if contains -- -P $w
                            if string match -qr '^(in|out|fwd|low|def|high|[0-9].*)$' -- $w[-1]
                                set cands $__setkey_actions prio priority
                            else if string match -qr '^ipsec$|/' -- $w[-1]
                                for p in $__setkey_protocols
                                    set -a cands $p/
                                end
                            end
                        else if test $n -eq 3
                            set cands $__setkey_upper
                        else if test $n -ge 4
                            set cands $__setkey_spd_options
                        end
                end
        end
    end
    for c in $cands
        string match -q -- "$cur*" "$prefix$c"; and echo $prefix$c
    end
end

complete -c setkey -e
# BEGIN flags (checked by tests/docs)
complete -c setkey -s h -l help -d 'Print a summary of the options'
complete -c setkey -s V -l version -d 'Print the version'
complete -c setkey -s f -l file -r -F -d 'Read statements from a file (- is standard input)'
complete -c setkey -s c -d 'Read statements from standard input'
complete -c setkey -s D -d 'Dump the SAD, or with -P the SPD'
complete -c setkey -s P -d 'Act on the SPD (with -D or -F)'
complete -c setkey -s F -d 'Flush the SAD, or with -P the SPD'
complete -c setkey -s a -d 'Include dead SAs (no effect on Linux)'
complete -c setkey -s l -d 'Short form (no effect yet)'
complete -c setkey -s p -d 'Show ports of request endpoints'
complete -c setkey -s n -d 'Parse and check only; send nothing'
complete -c setkey -s v -d 'Verbose'
complete -c setkey -s r -d 'RFC mode: also install each in policy as fwd (default)'
complete -c setkey -s k -d 'Kernel mode: install policies exactly as written'
complete -c setkey -s x -d 'Monitor SA and policy events'
complete -c setkey -l json -d 'JSON output (schema xfrmpp/1)'
complete -c setkey -l save -d 'With -DP: print spdadd statements that recreate the SPD'
complete -c setkey -l nokeys -d 'Hide key material'
complete -c setkey -l count -x -d 'With -x: exit after this many events'
complete -c setkey -l atomic -d 'On a kernel rejection, restore the SPD and SAD as they were'
complete -c setkey -l aevents -d 'With -x: also show replay and lifetime updates'
complete -c setkey -l max-errors -x -d 'Stop showing errors after N (0 = show all)'
complete -c setkey -l max-input -x -d 'Refuse inputs larger than BYTES (suffix K, M or G)'
complete -c setkey -l backend -x -a 'kernel engine' -d 'Where the SPD/SAD live'
complete -c setkey -l state -r -F -d 'The engine state file (with --backend=engine)'
# END flags
