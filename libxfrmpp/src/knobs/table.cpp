// SPDX-License-Identifier: BSD-3-Clause
// The knob table: every host-wide IPsec knob the BSD ipsec(4), QNX and Solaris ipsec(4P) pages name,
// plus the Linux net.core.xfrm_* sysctls, with what each becomes on Linux.
#include <array>

#include "xfrmpp/knobs/knobs.hpp"

// Rows name only the fields of their mapping; every other field has a default member initializer, which
// GCC 12 still reports under -Wextra for designated initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace xfrmpp::knobs {

namespace {

using model::Family;
using model::Protocol;

constexpr std::string_view kBsd = "FreeBSD/NetBSD/QNX ipsec(4)";
constexpr std::string_view kFreeBsd = "FreeBSD ipsec(4)";
constexpr std::string_view kNetBsd = "NetBSD ipsec(4)";
constexpr std::string_view kSolaris = "Solaris/illumos ipsec(4P), ndd /dev/ip";
constexpr std::string_view kKame = "KAME key(4) (FreeBSD, NetBSD)";
constexpr std::string_view kLinux = "Linux sysctl";

constexpr std::string_view kDefPolicyMeaning =
    "what happens to packets no SPD entry matches: 0 discard, 1 none (pass)";
constexpr std::string_view kDefPolicyLinux =
    "XFRM default policy for in, fwd and out (XFRM_MSG_SETDEFAULT, Linux 5.16+); IPv4 and IPv6 share it";
constexpr std::string_view kDefLevelLinux =
    "xfrmpp per-netns state, applied to 'default' requests of setkey and socket policies; unset = require, "
    "the ipsec-tools behaviour on Linux";
constexpr std::string_view kLevelValues = "1 or use, 2 or require";
constexpr std::string_view kEcnLinux =
    "no Linux equivalent (host-wide): Linux tunnels copy ECN bits in and out by default, an SA opts out with "
    "the noecn flag";
constexpr std::string_view kDebugLinux =
    "no Linux equivalent: the kernel has no IPsec debug switch; ipsec-stat shows its error counters and "
    "setkey -x its events";
constexpr std::string_view kFilterTunnelLinux =
    "no Linux equivalent (no switch): netfilter always sees decapsulated packets again; match them with the "
    "policy match (iptables -m policy, nft meta ipsec)";
constexpr std::string_view kEnableLinux =
    "no Linux equivalent: the protocol works whenever the kernel has it built in or loaded; there is no runtime "
    "switch";
constexpr std::string_view kBypassValues = "0 or 1";

constexpr std::array<BypassRule, 2> kIcmpRules{{{Family::inet, 1}, {Family::inet6, 58}}};
constexpr std::array<BypassRule, 1> kIgmpRules{{{Family::inet, 2}}};
constexpr std::array<BypassRule, 2> kPimRules{{{Family::inet, 103}, {Family::inet6, 103}}};

constexpr Knob deflev(std::string_view name, Family f, Protocol p, bool tunnel, std::string_view meaning) {
  return Knob{.name = name, .origin = kBsd, .mapping = Mapping::default_level, .meaning = meaning,
              .linux_text = kDefLevelLinux, .values = kLevelValues, .family = f, .proto = p, .tunnel = tunnel};
}

constexpr Knob none(std::string_view name, std::string_view origin, std::string_view meaning, std::string_view linux_text) {
  return Knob{.name = name, .origin = origin, .mapping = Mapping::none, .meaning = meaning, .linux_text = linux_text};
}

// A knob Linux lacks that the engine keeps as `host` (Backend::get/set_host_knob).
constexpr Knob engine_kept(Knob k, std::string_view host) {
  k.host_knob = host;
  return k;
}

constexpr Knob proc(std::string_view name, std::string_view origin, std::string_view path, std::string_view meaning,
                    std::string_view linux_text) {
  return Knob{.name = name, .origin = origin, .mapping = Mapping::proc_sysctl, .meaning = meaning,
              .linux_text = linux_text, .values = "an integer (the kernel checks the range)", .path = path};
}

constexpr std::array kKnobs{
    Knob{.name = "net.inet.ipsec.def_policy", .origin = kBsd, .mapping = Mapping::default_policy,
         .meaning = kDefPolicyMeaning, .linux_text = kDefPolicyLinux, .values = "0 or discard, 1 or none"},
    deflev("net.inet.ipsec.esp_trans_deflev", Family::inet, Protocol::esp, false,
           "level of 'default' ESP transport-mode requests (IPv4): 1 use, 2 require"),
    deflev("net.inet.ipsec.esp_net_deflev", Family::inet, Protocol::esp, true,
           "level of 'default' ESP tunnel-mode requests (IPv4): 1 use, 2 require"),
    deflev("net.inet.ipsec.ah_trans_deflev", Family::inet, Protocol::ah, false,
           "level of 'default' AH transport-mode requests (IPv4): 1 use, 2 require"),
    deflev("net.inet.ipsec.ah_net_deflev", Family::inet, Protocol::ah, true,
           "level of 'default' AH tunnel-mode requests (IPv4): 1 use, 2 require"),
    Knob{.name = "net.inet.ipsec.ah_cleartos", .origin = kBsd, .mapping = Mapping::fixed,
         .meaning = "clear the IPv4 TOS field while computing the AH ICV (non-zero = RFC 2402)",
         .linux_text = "fixed: Linux AH always zeroes TOS for the ICV (net/ipv4/ah4.c), so only 1 can be set",
         .values = "1", .fixed_value = "1", .host_knob = "ah_cleartos"},
    Knob{.name = "net.inet.ipsec.ah_offsetmask", .origin = kBsd, .mapping = Mapping::fixed,
         .meaning = "mask applied to the IPv4 fragment offset and flags while computing the AH ICV (0 = RFC 2402)",
         .linux_text = "fixed: Linux AH always zeroes the fragment offset and flags for the ICV, so only 0 can be set",
         .values = "0", .fixed_value = "0", .host_knob = "ah_offsetmask"},
    engine_kept(none("net.inet.ipsec.dfbit", kBsd, "outer DF bit of IPv4 tunnel packets: 0 clear, 1 set, 2 copy from the inner header",
         "no Linux equivalent (host-wide): Linux copies the inner DF bit (2) unless the SA has the nopmtudisc flag "
         "(then 0); it has no 'always set'"), "dfbit"),
    engine_kept(none("net.inet.ipsec.ecn", kBsd, "ECN-friendly IPv4 tunnel encapsulation and decapsulation", kEcnLinux),
                "ecn"),
    engine_kept(none("net.inet.ipsec.debug", kBsd, "IPsec debug messages to syslog", kDebugLinux), "debug"),
    none("net.inet.ipsec.filtertunnel", kFreeBsd, "pass the inner packets of IPsec tunnels through the packet filter",
         kFilterTunnelLinux),
    none("net.inet.ipsec.crypto_support", kNetBsd,
         "prefer hardware (> 0) or software (< 0) crypto drivers, or either (0)",
         "no Linux equivalent: the kernel crypto API picks the highest-priority implementation of each algorithm "
         "(/proc/crypto)"),
    none("net.inet.esp.esp_enable", kFreeBsd, "process ESP at all", kEnableLinux),
    none("net.inet.ah.ah_enable", kFreeBsd, "process AH at all", kEnableLinux),
    none("net.inet.ipcomp.ipcomp_enable", kFreeBsd, "process IPComp at all", kEnableLinux),
    Knob{.name = "net.inet6.ipsec6.def_policy", .origin = kBsd, .mapping = Mapping::default_policy,
         .meaning = kDefPolicyMeaning, .linux_text = kDefPolicyLinux, .values = "0 or discard, 1 or none"},
    deflev("net.inet6.ipsec6.esp_trans_deflev", Family::inet6, Protocol::esp, false,
           "level of 'default' ESP transport-mode requests (IPv6): 1 use, 2 require"),
    deflev("net.inet6.ipsec6.esp_net_deflev", Family::inet6, Protocol::esp, true,
           "level of 'default' ESP tunnel-mode requests (IPv6): 1 use, 2 require"),
    deflev("net.inet6.ipsec6.ah_trans_deflev", Family::inet6, Protocol::ah, false,
           "level of 'default' AH transport-mode requests (IPv6): 1 use, 2 require"),
    deflev("net.inet6.ipsec6.ah_net_deflev", Family::inet6, Protocol::ah, true,
           "level of 'default' AH tunnel-mode requests (IPv6): 1 use, 2 require"),
    engine_kept(none("net.inet6.ipsec6.ecn", kBsd, "ECN-friendly IPv6 tunnel encapsulation and decapsulation",
                     kEcnLinux), "ecn6"),
    // FreeBSD's net.inet6.ipsec6.debug is the same variable as net.inet.ipsec.debug.
    engine_kept(none("net.inet6.ipsec6.debug", kBsd, "IPsec debug messages to syslog", kDebugLinux), "debug"),
    none("net.inet6.ipsec6.filtertunnel", kFreeBsd, "pass the inner packets of IPsec tunnels through the packet filter",
         kFilterTunnelLinux),
    Knob{.name = "icmp_accept_clear_messages", .origin = kSolaris, .mapping = Mapping::bypass_policies,
         .meaning = "let inbound cleartext ICMP and ICMPv6 bypass IPsec policy (Solaris default 1)",
         .linux_text = "bypass policies: 'in' allow policies at priority 0 for icmp (IPv4) and ipv6-icmp (IPv6) "
                       "(older priority-0 policies still win ties); Linux starts with none (0)",
         .values = kBypassValues, .rules = kIcmpRules},
    Knob{.name = "igmp_accept_clear_messages", .origin = kSolaris, .mapping = Mapping::bypass_policies,
         .meaning = "let inbound cleartext IGMP bypass IPsec policy (Solaris default 1)",
         .linux_text = "bypass policy: an 'in' allow policy at priority 0 for igmp (IPv4) (older priority-0 policies "
                       "still win ties); Linux starts with none (0)",
         .values = kBypassValues, .rules = kIgmpRules},
    Knob{.name = "pim_accept_clear_messages", .origin = kSolaris, .mapping = Mapping::bypass_policies,
         .meaning = "let inbound cleartext PIM bypass IPsec policy (Solaris default 1)",
         .linux_text = "bypass policies: 'in' allow policies at priority 0 for pim (protocol 103, IPv4 and IPv6) "
                       "(older priority-0 policies still win ties); Linux starts with none (0)",
         .values = kBypassValues, .rules = kPimRules},
    none("ipsec_policy_log_interval", kSolaris, "milliseconds between two logged IPsec policy failures",
         "no Linux equivalent: Linux does not log policy failures, it counts them (ipsec-stat)"),
    none("ipsec_override_persocket_policy", kSolaris, "let the system-wide policy override per-socket policies",
         "no Linux equivalent: a per-socket policy always takes precedence over the SPD for its socket"),
    proc("net.core.xfrm_acq_expires", kLinux, "net/core/xfrm_acq_expires",
         "seconds a larval SA (from an ACQUIRE or a getspi) lives", "/proc/sys/net/core/xfrm_acq_expires"),
    proc("net.core.xfrm_aevent_etime", kLinux, "net/core/xfrm_aevent_etime",
         "interval of replay/lifetime async events, in 100 ms units", "/proc/sys/net/core/xfrm_aevent_etime"),
    proc("net.core.xfrm_aevent_rseqth", kLinux, "net/core/xfrm_aevent_rseqth",
         "replay-sequence advance that triggers an async event", "/proc/sys/net/core/xfrm_aevent_rseqth"),
    proc("net.core.xfrm_larval_drop", kLinux, "net/core/xfrm_larval_drop",
         "1: drop packets while their SA is being negotiated; 0: hold them until it is there",
         "/proc/sys/net/core/xfrm_larval_drop"),
    proc("net.key.larval_lifetime", kKame, "net/core/xfrm_acq_expires", "seconds a larval SA lives",
         "/proc/sys/net/core/xfrm_acq_expires (the same value as net.core.xfrm_acq_expires)"),
};

}  // namespace

std::span<const Knob> knob_table() { return kKnobs; }

const Knob* find_knob(std::string_view name) {
  for (const auto& k : kKnobs)
    if (k.name == name) return &k;
  return nullptr;
}

std::string_view mapping_name(Mapping m) {
  switch (m) {
    case Mapping::default_policy: return "default-policy";
    case Mapping::default_level: return "default-level";
    case Mapping::proc_sysctl: return "proc-sysctl";
    case Mapping::bypass_policies: return "bypass-policies";
    case Mapping::fixed: return "fixed";
    case Mapping::none: return "none";
  }
  return "none";
}

}  // namespace xfrmpp::knobs
