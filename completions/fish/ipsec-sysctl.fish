# SPDX-License-Identifier: BSD-3-Clause
# fish completion for ipsec-sysctl(8) from xfrmpp. The lists between the BEGIN and END markers are
# compared with `ipsec-sysctl --help` and the knob table by tests/unit/socket (ctest -L docs).

# BEGIN knob names (checked by tests/unit/socket)
set -l __ipsec_sysctl_knobs \
  net.inet.ipsec.def_policy net.inet.ipsec.esp_trans_deflev net.inet.ipsec.esp_net_deflev \
  net.inet.ipsec.ah_trans_deflev net.inet.ipsec.ah_net_deflev net.inet.ipsec.ah_cleartos \
  net.inet.ipsec.ah_offsetmask net.inet.ipsec.dfbit net.inet.ipsec.ecn net.inet.ipsec.debug \
  net.inet.ipsec.filtertunnel net.inet.ipsec.crypto_support net.inet.esp.esp_enable \
  net.inet.ah.ah_enable net.inet.ipcomp.ipcomp_enable net.inet6.ipsec6.def_policy \
  net.inet6.ipsec6.esp_trans_deflev net.inet6.ipsec6.esp_net_deflev \
  net.inet6.ipsec6.ah_trans_deflev net.inet6.ipsec6.ah_net_deflev net.inet6.ipsec6.ecn \
  net.inet6.ipsec6.debug net.inet6.ipsec6.filtertunnel icmp_accept_clear_messages \
  igmp_accept_clear_messages pim_accept_clear_messages ipsec_policy_log_interval \
  ipsec_override_persocket_policy net.core.xfrm_acq_expires net.core.xfrm_aevent_etime \
  net.core.xfrm_aevent_rseqth net.core.xfrm_larval_drop net.key.larval_lifetime
# END knob names

# Expanded here, while the list is in scope, not when completing.
set -l __ipsec_sysctl_assignments (printf '%s=\n' $__ipsec_sysctl_knobs)

complete -c ipsec-sysctl -f
# BEGIN flags (checked by tests/unit/socket)
complete -c ipsec-sysctl -s a -l all -d 'List every knob with its value and Linux mapping'
complete -c ipsec-sysctl -s n -d 'Print values only'
complete -c ipsec-sysctl -s N -d 'Print names only'
complete -c ipsec-sysctl -s w -l write -x -a "$__ipsec_sysctl_assignments" -d 'Set a knob: NAME=VALUE'
complete -c ipsec-sysctl -l json -d 'JSON output'
complete -c ipsec-sysctl -l state-dir -x -a '(__fish_complete_directories)' -d 'Directory of the default levels'
complete -c ipsec-sysctl -l backend -x -a 'kernel engine' -d 'Where the SPD/SAD live'
complete -c ipsec-sysctl -l state -r -F -d 'The engine state file (with --backend=engine)'
complete -c ipsec-sysctl -s h -l help -d 'Show help'
complete -c ipsec-sysctl -s V -l version -d 'Show the version'
# END flags
complete -c ipsec-sysctl -a "$__ipsec_sysctl_knobs" -d 'Knob'
