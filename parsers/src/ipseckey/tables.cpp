// SPDX-License-Identifier: BSD-3-Clause
// ipseckey keyword tables: ipseckey.c's command table, its extension token table and the SA types.
#include <array>

#include "parsers/ipseckey.hpp"

namespace xfrmpp::parsers::ipseckey {
namespace {

constexpr std::array<model::Keyword<Cmd>, 16> kCommands{{
    {"update", Cmd::update},     {"update-pair", Cmd::update_pair}, {"add", Cmd::add},
    {"delete", Cmd::del},        {"delete-pair", Cmd::delete_pair}, {"get", Cmd::get},
    {"flush", Cmd::flush},       {"dump", Cmd::dump},               {"monitor", Cmd::monitor},
    {"passive_monitor", Cmd::passive_monitor}, {"pmonitor", Cmd::passive_monitor},
    {"quit", Cmd::quit},         {"exit", Cmd::quit},               {"save", Cmd::save},
    {"help", Cmd::help},         {"?", Cmd::help},
}};

using E = Ext;
constexpr std::array<model::Keyword<Ext>, 78> kExtensions{{
    {"spi", E::spi},
    {"pair-spi", E::pair_spi},
    {"replay", E::replay},
    {"state", E::state},
    {"auth_alg", E::auth_alg},
    {"authalg", E::auth_alg},
    {"encr_alg", E::encr_alg},
    {"encralg", E::encr_alg},
    {"flags", E::flags},
    {"soft_alloc", E::soft_alloc},
    {"soft_bytes", E::soft_bytes},
    {"soft_addtime", E::soft_addtime},
    {"soft_usetime", E::soft_usetime},
    {"hard_alloc", E::hard_alloc},
    {"hard_bytes", E::hard_bytes},
    {"hard_addtime", E::hard_addtime},
    {"hard_usetime", E::hard_usetime},
    {"current_alloc", E::current_alloc},
    {"current_bytes", E::current_bytes},
    {"current_addtime", E::current_addtime},
    {"current_usetime", E::current_usetime},
    {"saddr", E::src},
    {"srcaddr", E::src},
    {"src", E::src},
    {"daddr", E::dst},
    {"dstaddr", E::dst},
    {"dst", E::dst},
    {"proxyaddr", E::isrc},
    {"proxy", E::isrc},
    {"innersrc", E::isrc},
    {"isrc", E::isrc},
    {"innerdst", E::idst},
    {"idst", E::idst},
    {"sport", E::sport},
    {"dport", E::dport},
    {"innersport", E::isport},
    {"isport", E::isport},
    {"innerdport", E::idport},
    {"idport", E::idport},
    {"proto", E::proto},
    {"ulp", E::proto},
    {"iproto", E::iproto},
    {"iulp", E::iproto},
    {"saddr6", E::src6},
    {"srcaddr6", E::src6},
    {"src6", E::src6},
    {"daddr6", E::dst6},
    {"dstaddr6", E::dst6},
    {"dst6", E::dst6},
    {"proxyaddr6", E::isrc6},
    {"proxy6", E::isrc6},
    {"innersrc6", E::isrc6},
    {"isrc6", E::isrc6},
    {"innerdst6", E::idst6},
    {"idst6", E::idst6},
    {"authkey", E::authkey},
    {"encrkey", E::encrkey},
    {"srcidtype", E::srcidtype},
    {"dstidtype", E::dstidtype},
    {"dpd", E::dpd},
    {"sens_level", E::sens_level},
    {"sens_map", E::sens_map},
    {"integ_level", E::integ_level},
    {"integ_map", E::integ_map},
    {"nat_loc", E::nat_loc},
    {"nat_rem", E::nat_rem},
    {"nat_lport", E::nat_lport},
    {"nat_rport", E::nat_rport},
    {"encap", E::encap},
    {"outbound", E::outbound},
    {"inbound", E::inbound},
    {"reserved_bits", E::reserved_bits},
    {"replay_value", E::replay_value},
    {"idle_addtime", E::idle_addtime},
    {"idle_usetime", E::idle_usetime},
    {"label", E::label},
    {"outer-label", E::outer_label},
    {"implicit-label", E::implicit_label},
}};
constexpr std::array<model::Keyword<std::optional<model::Protocol>>, 3> kSaTypes{{
    {"all", std::nullopt}, {"ah", model::Protocol::ah}, {"esp", model::Protocol::esp},
}};

}  // namespace

std::span<const model::Keyword<Cmd>> command_names() { return kCommands; }
std::span<const model::Keyword<Ext>> extension_names() { return kExtensions; }
std::span<const model::Keyword<std::optional<model::Protocol>>> sa_type_names() { return kSaTypes; }

}  // namespace xfrmpp::parsers::ipseckey
