// SPDX-License-Identifier: BSD-3-Clause
// ipseckey commands: no sanitizer report; no key text in any diagnostic; every SA renders as JSON and
// `-p` JSON holds no key; and each added SA, printed by `save`, parses back to the same SA.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/ipseckey.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/render/json.hpp"

namespace {

using namespace xfrmpp;
namespace ik = parsers::ipseckey;

std::vector<model::Address> resolve_host(std::string_view name) {
  std::vector<model::Address> out;
  if (name == "me.example.com") out = {*model::Address::parse("192.0.2.1"), *model::Address::parse("2001:db8::1")};
  if (name == "you.example.com") out = {*model::Address::parse("192.0.2.2"), *model::Address::parse("2001:db8::2")};
  return out;
}

ik::ParseOptions options() {
  ik::ParseOptions o;
  o.resolve_host = resolve_host;
  o.from_file = true;
  o.interactive = true;  // as `ipseckey -f FILE` parses
  return o;
}

nlohmann::json comparable(const model::SecurityAssociation& sa) { return render::to_json(sa, {true}); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  diag::SourceBuffer source("fuzz.keys", std::string(reinterpret_cast<const char*>(data), size));
  diag::DiagnosticSink sink;
  auto commands = ik::parse(source, sink, options());
  std::string diagnostics = fuzz::formatted_diagnostics(source, sink);

  std::vector<std::vector<uint8_t>> keys;
  for (const auto& c : commands)
    for (const auto& r : c.sas)
      for (const auto* a : {&r.sa.auth, &r.sa.crypt, &r.sa.aead})
        if (*a) keys.push_back((*a)->key);
  fuzz::check_no_key_text(source, sink, keys, fuzz::ipseckey_key_statements(source.text()), diagnostics);

  for (const auto& c : commands) {
    for (const auto& r : c.sas) {
      if (fuzz::enabled("json")) {
        fuzz::json_text(comparable(r.sa));
        std::string hidden = fuzz::json_text(render::to_json(r.sa, {false}));
        if (fuzz::enabled("keyleak"))
          for (const auto& k : keys)
            if (k.size() >= 8 && fuzz::only_secret_text(source, sink, fuzz::hex(k)) && hidden.find(fuzz::hex(k)) != std::string::npos)
              fuzz::fail("keyleak", "-p JSON holds a key: " + hidden);
      }
      if (c.cmd != ik::Cmd::add || !fuzz::enabled("roundtrip")) continue;
      std::string text = ik::format_save(r.sa, {});
      diag::SourceBuffer again("<save>", text);
      diag::DiagnosticSink sink2;
      auto back = ik::parse(again, sink2, options());
      fuzz::require(!sink2.has_errors() && back.size() == 1 && back[0].sas.size() == 1, "roundtrip",
                    "saved SA does not parse back to one SA:\n" + text + "\n" + fuzz::formatted_diagnostics(again, sink2));
      auto want = comparable(r.sa), got = comparable(back[0].sas[0].sa);
      if (want != got) fuzz::fail("roundtrip", "SA changed through save:\n" + text + "\nbefore: " + want.dump() + "\nafter:  " + got.dump());
    }
  }
  return 0;
}
