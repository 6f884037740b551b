// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/model/names.hpp"

#include <array>

namespace xfrmpp::model {
namespace {

constexpr std::array<Keyword<Protocol>, 3> kProtocols{{
    {"esp", Protocol::esp}, {"ah", Protocol::ah}, {"ipcomp", Protocol::ipcomp}}};
constexpr std::array<Keyword<Mode>, 5> kModes{{{"transport", Mode::transport},
                                               {"tunnel", Mode::tunnel},
                                               {"beet", Mode::beet},
                                               {"ro", Mode::ro},
                                               {"in_trigger", Mode::in_trigger}}};
constexpr std::array<Keyword<Direction>, 3> kDirections{{
    {"in", Direction::in}, {"out", Direction::out}, {"fwd", Direction::fwd}}};
constexpr std::array<Keyword<Level>, 4> kLevels{{{"default", Level::default_level},
                                                 {"use", Level::use},
                                                 {"require", Level::require},
                                                 {"unique", Level::unique}}};
constexpr std::array<Keyword<PolicyKind>, 5> kPolicyKinds{{{"discard", PolicyKind::discard},
                                                           {"none", PolicyKind::none},
                                                           {"ipsec", PolicyKind::ipsec},
                                                           {"entrust", PolicyKind::entrust},
                                                           {"bypass", PolicyKind::bypass}}};
// IANA numbers; the first spelling of each number is the one printers use.
constexpr std::array<Keyword<uint8_t>, 21> kUpper{{{"icmp", 1},
                                                   {"igmp", 2},
                                                   {"ipencap", 4},
                                                   {"ip4", 4},
                                                   {"tcp", 6},
                                                   {"udp", 17},
                                                   {"ipv6", 41},
                                                   {"ipv6-route", 43},
                                                   {"ipv6-frag", 44},
                                                   {"rsvp", 46},
                                                   {"gre", 47},
                                                   {"esp", 50},
                                                   {"ah", 51},
                                                   {"ipv6-icmp", 58},
                                                   {"icmp6", 58},
                                                   {"ipv6-opts", 60},
                                                   {"ospf", 89},
                                                   {"ipcomp", 108},
                                                   {"sctp", 132},
                                                   {"mobility-header", 135},
                                                   {"udplite", 136}}};

}  // namespace

std::span<const Keyword<Protocol>> protocol_names() { return kProtocols; }
std::span<const Keyword<Mode>> mode_names() { return kModes; }
std::span<const Keyword<Direction>> direction_names() { return kDirections; }
std::span<const Keyword<Level>> level_names() { return kLevels; }
std::span<const Keyword<PolicyKind>> policy_kind_names() { return kPolicyKinds; }
std::span<const Keyword<uint8_t>> upper_protocol_names() { return kUpper; }

}  // namespace xfrmpp::model
