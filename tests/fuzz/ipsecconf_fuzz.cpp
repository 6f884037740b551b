// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf rules: no sanitizer report; diagnostics format; every policy renders as JSON; and each expanded
// rule, printed in the canonical `ipsecconf -l` form, parses back to one rule with the same policies.
// Names resolve from a fixed table like the golden tests' --hosts and --tunnels files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/ipsecconf.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/render/json.hpp"

namespace {

using namespace xfrmpp;
namespace ic = parsers::ipsecconf;

model::Address addr(std::string_view s) { return *model::Address::parse(s); }

std::vector<model::Address> resolve_host(std::string_view name) {
  struct Host { std::string_view name, a, b; };
  static constexpr Host kHosts[] = {
      {"spiderweb", "192.0.2.1", "2001:db8::1"}, {"arachnid", "192.0.2.2", "2001:db8::2"},
      {"twohomed", "192.0.2.21", "192.0.2.22"},  {"network-B", "10.20.0.0", ""},
      {"host-B", "10.20.5.5", ""},               {"that_system", "198.51.100.7", ""},
  };
  std::vector<model::Address> out;
  for (const auto& h : kHosts)
    if (h.name == name)
      for (auto s : {h.a, h.b})
        if (!s.empty()) out.push_back(addr(s));
  return out;
}

std::optional<ic::TunnelInfo> resolve_tunnel(std::string_view name, std::string& why) {
  ic::TunnelInfo t;
  t.local = addr("192.0.2.1");
  if (name == "ip.tun0" || name == "tun0") {
    t.kind = "xfrm";
    t.if_id = 7;
    t.remote = addr("192.0.2.2");
  } else if (name == "ip.tun1") {
    t.kind = "xfrm";
    t.if_id = 8;
    t.remote = addr("2001:db8::3");
    t.local = addr("2001:db8::1");
  } else if (name == "ip.tun2") {
    t.kind = "ipip";
    t.remote = addr("192.0.2.4");
  } else {
    why = "no such tunnel";
    return std::nullopt;
  }
  return t;
}

ic::ParseOptions options() {
  ic::ParseOptions o;
  o.resolve_host = resolve_host;
  o.resolve_tunnel = resolve_tunnel;
  return o;
}

nlohmann::json policies_json(const ic::Rule& rule, uint32_t base) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : ic::policies(rule, base)) j.push_back(render::to_json(p));
  return j;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  diag::SourceBuffer source("fuzz.conf", std::string(reinterpret_cast<const char*>(data), size));
  diag::DiagnosticSink sink;
  auto rules = ic::parse(source, sink, options());
  fuzz::formatted_diagnostics(source, sink);
  uint32_t base = ic::kInitialBase;
  for (const auto& rule : rules) {
    for (const auto& one : ic::expand(rule)) {
      nlohmann::json want = policies_json(one, base);
      if (fuzz::enabled("json")) fuzz::json_text(want);
      if (fuzz::enabled("roundtrip")) {
        for (bool numeric : {true, false}) {
          std::string text = ic::format_rule(one, {numeric});
          diag::SourceBuffer again("<ipsecconf -l>", text);
          diag::DiagnosticSink sink2;
          auto back = ic::parse(again, sink2, options());
          fuzz::require(!sink2.has_errors() && back.size() == 1, "roundtrip",
                        "canonical rule does not parse back to one rule: " + text + "\n" + fuzz::formatted_diagnostics(again, sink2));
          auto back_expanded = ic::expand(back[0]);
          fuzz::require(back_expanded.size() == 1, "roundtrip", "canonical rule expands to several: " + text);
          nlohmann::json got = policies_json(back_expanded[0], base);
          if (got != want)
            fuzz::fail("roundtrip", "policies changed through format_rule: " + text + "\nbefore: " + want.dump() + "\nafter:  " + got.dump());
        }
      }
      if (base > 0) --base;
    }
  }
  return 0;
}
