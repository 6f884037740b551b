// SPDX-License-Identifier: BSD-3-Clause
// KAME policy strings (ipsec_set_policy(3), per-socket policies; the -P grammar of setkey): no sanitizer
// report, diagnostics format, and a policy that spdadd can carry prints with the --save printer and parses
// back, inside that spdadd, to the same direction, action and requests.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parsers/setkey.hpp"
#include "parsers/setkey_printer.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/render/json.hpp"

using namespace xfrmpp;
namespace sk = parsers::setkey;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  diag::SourceBuffer source("<policy>", std::string(reinterpret_cast<const char*>(data), size));
  diag::DiagnosticSink sink;
  auto policy = sk::parse_policy_string(source, sink);
  fuzz::formatted_diagnostics(source, sink);
  fuzz::require(policy.has_value() != sink.has_errors(), "result", "a policy and errors, or neither");
  if (!policy) return 0;
  if (fuzz::enabled("json")) fuzz::json_text(render::to_json(*policy));
  // entrust and bypass exist only on sockets: spdadd has no syntax for them.
  if (!fuzz::enabled("roundtrip") || policy->kind == model::PolicyKind::entrust || policy->kind == model::PolicyKind::bypass)
    return 0;
  model::Policy p = *policy;
  p.sel.family = model::Family::inet;
  p.sel.src.addr = p.sel.dst.addr = *model::Address::parse("0.0.0.0");
  for (const auto& t : p.templates)
    if (t.family != model::Family::unspec) p.sel.family = t.family;
  if (p.sel.family == model::Family::inet6) p.sel.src.addr = p.sel.dst.addr = *model::Address::parse("::");
  p.sel.src.len = p.sel.dst.len = 0;
  std::string text = sk::format_spdadd(p);
  diag::SourceBuffer again("<save>", text);
  diag::DiagnosticSink sink2;
  auto script = sk::parse(again, sink2);
  fuzz::require(!sink2.has_errors() && script.statements.size() == 1, "roundtrip",
                "printed policy does not parse: " + text + "\n" + fuzz::formatted_diagnostics(again, sink2));
  const auto* add = std::get_if<model::AddPolicy>(&script.statements[0].op);
  fuzz::require(add != nullptr, "roundtrip", "not an spdadd: " + text);
  model::Policy back = add->policy;
  // The socket grammar has no priority; the printed spdadd spells out the one the policy had.
  auto same = [](const model::Policy& a, const model::Policy& b) {
    return a.dir == b.dir && a.kind == b.kind && a.templates.size() == b.templates.size() &&
           (a.priority == 0 || a.priority == b.priority);
  };
  fuzz::require(same(p, back), "roundtrip", "policy changed: " + text);
  for (size_t i = 0; i < p.templates.size(); ++i) {
    model::Template a = p.templates[i], b = back.templates[i];
    // --save prints `default` as require and an unnumbered unique as require: the kernel's view of them.
    // spdadd stamps the selector's family on a request without endpoints; a socket's has none.
    for (auto* t : {&a, &b}) {
      if (t->family == model::Family::unspec) t->family = p.sel.family;
      if (t->level == model::Level::default_level) t->level = model::Level::require;
      if (t->level == model::Level::unique && t->reqid == 0) t->level = model::Level::require;
    }
    fuzz::require(a == b, "roundtrip",
                  "request " + std::to_string(i) + " changed: " + text + "\n" + render::to_json(a).dump() + "\n" + render::to_json(b).dump());
  }
  return 0;
}
