// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf keyword tables: pattern_table, action_table, property_table and the ICMP tables of
// illumos ipsecconf.c, as data. Everything else (parser, printer, help, completions) reads these.
#include <array>

#include "parsers/ipsecconf.hpp"

namespace xfrmpp::parsers::ipsecconf {
namespace {

using P = PatternKey;
// The man page also lists `dest`; ipsecconf.c never accepted it, and neither do we (parser.cpp explains).
constexpr std::array<model::Keyword<PatternKey>, 23> kPatterns{{
    {"saddr", P::saddr},   {"src", P::saddr},        {"srcaddr", P::saddr}, {"daddr", P::daddr},
    {"dst", P::daddr},     {"dstaddr", P::daddr},    {"sport", P::sport},   {"dport", P::dport},
    {"smask", P::smask},   {"dmask", P::dmask},      {"ulp", P::ulp},       {"proto", P::ulp},
    {"local", P::laddr},   {"laddr", P::laddr},      {"lport", P::lport},   {"remote", P::raddr},
    {"raddr", P::raddr},   {"rport", P::rport},      {"dir", P::dir},       {"type", P::type},
    {"code", P::code},     {"negotiate", P::negotiate}, {"tunnel", P::tunnel},
}};

constexpr std::array<model::Keyword<Action>, 6> kActions{{
    {"apply", Action::apply}, {"permit", Action::permit}, {"ipsec", Action::ipsec},
    {"bypass", Action::bypass}, {"pass", Action::bypass}, {"drop", Action::drop},
}};

constexpr std::array<model::Keyword<PropertyKey>, 5> kProperties{{
    {"auth_algs", PropertyKey::auth_algs}, {"encr_algs", PropertyKey::encr_algs},
    {"encr_auth_algs", PropertyKey::encr_auth_algs}, {"sa", PropertyKey::sa}, {"dir", PropertyKey::dir},
}};

// <netinet/ip_icmp.h> and <netinet/icmp6.h> values.
constexpr std::array<model::Keyword<uint8_t>, 24> kIcmpTypes{{
    {"unreach", 3},     {"echo", 8},        {"echorep", 0},     {"squench", 4},      {"redir", 5},
    {"timex", 11},      {"paramprob", 12},  {"timest", 13},     {"timestrep", 14},   {"inforeq", 15},
    {"inforep", 16},    {"maskreq", 17},    {"maskrep", 18},    {"unreach6", 1},     {"pkttoobig6", 2},
    {"timex6", 3},      {"paramprob6", 4},  {"echo6", 128},     {"echorep6", 129},   {"router-sol6", 133},
    {"router-ad6", 134}, {"neigh-sol6", 135}, {"neigh-ad6", 136}, {"redir6", 137},
}};

constexpr std::array<model::Keyword<uint8_t>, 25> kIcmpCodes{{
    {"net-unr", 0},       {"host-unr", 1},     {"proto-unr", 2},     {"port-unr", 3},      {"needfrag", 4},
    {"srcfail", 5},       {"net-unk", 6},      {"host-unk", 7},      {"isolate", 8},       {"net-prohib", 9},
    {"host-prohib", 10},  {"net-tos", 11},     {"host-tos", 12},     {"filter-prohib", 13}, {"host-preced", 14},
    {"cutoff-preced", 15}, {"no-route6", 0},   {"adm-prohib6", 1},   {"addr-unr6", 3},     {"port-unr6", 4},
    {"hop-limex6", 0},    {"frag-re-timex6", 1}, {"err-head6", 0},   {"unrec-head6", 1},   {"unreq-opt6", 2},
}};

}  // namespace

std::span<const model::Keyword<Action>> action_names() { return kActions; }
std::span<const model::Keyword<PatternKey>> pattern_names() { return kPatterns; }
std::span<const model::Keyword<PropertyKey>> property_names() { return kProperties; }
std::span<const model::Keyword<uint8_t>> icmp_type_names() { return kIcmpTypes; }
std::span<const model::Keyword<uint8_t>> icmp_code_names() { return kIcmpCodes; }

std::vector<std::string_view> all_keywords() {
  std::vector<std::string_view> v;
  for (const auto& k : kPatterns) v.push_back(k.name);
  for (const auto& k : kActions) v.push_back(k.name);
  v.push_back("or");
  for (const auto& k : kProperties) v.push_back(k.name);
  for (auto w : {"in", "out", "both", "shared", "unique", "tunnel", "transport", "any"}) v.push_back(w);
  for (const auto& k : kIcmpTypes) v.push_back(k.name);
  for (const auto& k : kIcmpCodes) v.push_back(k.name);
  return v;
}

}  // namespace xfrmpp::parsers::ipsecconf
