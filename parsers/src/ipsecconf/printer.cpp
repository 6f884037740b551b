// SPDX-License-Identifier: BSD-3-Clause
// The canonical rule text of `ipsecconf -l` (print_pfpol_msg's field order): one line that parses back
// to the same XFRM policies.
#include <fmt/format.h>

#include "parser.hpp"

namespace xfrmpp::parsers::ipsecconf {

namespace {

std::string range_text(IcmpRange r) {
  return r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}-{}", r.first, r.last);
}

std::string alg_text(const AlgorithmChoice& c) {
  std::string s;
  if (!c.info) {
    s = "any";
  } else {
    std::string_view names = c.info->solaris_names;
    s = std::string(names.substr(0, names.find(' ')));
  }
  if (c.bits.given) {
    if (c.bits.min == c.bits.max) s += fmt::format("({})", c.bits.min);
    else if (c.bits.max == 0) s += fmt::format("({}..)", c.bits.min);
    else if (c.bits.min == 0) s += fmt::format("(..{})", c.bits.max);
    else s += fmt::format("({}..{})", c.bits.min, c.bits.max);
  }
  return s;
}

std::string endpoint_text(const Endpoint& e) {
  const auto& a = e.addrs.front();
  return fmt::format("{}/{}", a.to_string(), e.prefix.value_or(a.max_prefix()));
}

std::string alternative_text(const Alternative& a) {
  if (a.action == Action::bypass) return "pass { }";
  if (a.action == Action::drop) return "drop { }";
  std::string s = "ipsec { ";
  if (a.ah_auth) s += fmt::format("auth_algs {} ", alg_text(*a.ah_auth));
  if (a.esp_encr) s += fmt::format("encr_algs {} ", alg_text(*a.esp_encr));
  if (a.esp_auth) s += fmt::format("encr_auth_algs {} ", alg_text(*a.esp_auth));
  s += a.unique ? "sa unique }" : "sa shared }";
  return s;
}

}  // namespace

std::string format_rule(const Rule& r, const FormatOptions& o) {
  std::string s = "{ ";
  if (r.tunnel) s += fmt::format("tunnel {} negotiate {} ", r.tunnel->name, r.tunnel->negotiate_tunnel ? "tunnel" : "transport");
  if (r.ulp) {
    auto name = o.numeric ? std::string_view{} : model::name_of(model::upper_protocol_names(), r.ulp);
    s += name.empty() ? fmt::format("ulp {} ", r.ulp) : fmt::format("ulp {} ", name);
  }
  if (r.local) s += fmt::format("laddr {} ", endpoint_text(*r.local));
  if (r.lport) s += fmt::format("lport {} ", r.lport);
  if (r.remote) s += fmt::format("raddr {} ", endpoint_text(*r.remote));
  if (r.rport) s += fmt::format("rport {} ", r.rport);
  if (r.type) {
    s += fmt::format("type {} ", range_text(*r.type));
    if (r.code) s += fmt::format("code {} ", range_text(*r.code));
  }
  s += r.dirs == kDirBoth ? "dir both " : r.dirs == kDirIn ? "dir in " : "dir out ";
  s += "} ";
  for (size_t i = 0; i < r.alternatives.size(); ++i) {
    if (i) s += " or ";
    s += alternative_text(r.alternatives[i]);
  }
  return s;
}

}  // namespace xfrmpp::parsers::ipsecconf
