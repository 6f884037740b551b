// SPDX-License-Identifier: BSD-3-Clause
// setkey statements: no sanitizer report; no key text in any diagnostic; every statement renders as JSON;
// --nokeys JSON holds no key; and what the --save printer writes parses back to the same model.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "parsers/script_check.hpp"
#include "parsers/setkey.hpp"
#include "parsers/setkey_printer.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/render/json.hpp"

namespace {

using namespace xfrmpp;
namespace sk = parsers::setkey;

struct Parsed {
  std::vector<model::Statement> statements;
  std::string diagnostics;
  bool errors = false;
};

Parsed parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink) {
  Parsed out;
  parsers::DuplicatePolicyCheck dups;  // as the tool runs it: its diagnostics echo lines too
  sk::parse_each(source, sink, {}, [&](model::Statement&& st) {
    if (auto copy = sk::rfc_fwd_copy(st)) dups.check(source, *copy, sink);
    dups.check(source, st, sink);
    out.statements.push_back(std::move(st));
  });
  dups.finish(source);
  out.diagnostics = fuzz::formatted_diagnostics(source, sink);
  out.errors = sink.has_errors();
  return out;
}

std::vector<std::vector<uint8_t>> keys_of(const std::vector<model::Statement>& statements) {
  std::vector<std::vector<uint8_t>> keys;
  for (const auto& st : statements)
    if (const auto* add = std::get_if<model::AddSa>(&st.op); add && add->sa)
      for (const auto* a : {&add->sa->auth, &add->sa->crypt, &add->sa->aead})
        if (*a) keys.push_back((*a)->key);
  return keys;
}

// What setkey does at plan time, in a fresh namespace with no knob set: `default` levels become the
// namespace's level and `unique` without a number gets the next reqid above the manual range. The --save
// printer writes what the kernel holds, so it is the planned model that must come back.
void plan(std::vector<model::Statement>& statements) {
  knobs::DefaultLevels levels;
  uint32_t next = model::kManualReqidMax + 1;
  for (auto& st : statements)
    if (auto* a = std::get_if<model::AddPolicy>(&st.op)) {
      levels.resolve(a->policy);
      for (auto& t : a->policy.templates)
        if (t.level == model::Level::unique && t.reqid == 0) t.reqid = next++;
    }
}

// --save writes spdadd/add for spdupdate/update too: what is compared is the entry they leave.
nlohmann::json comparable(model::Statement st) {
  if (auto* p = std::get_if<model::AddPolicy>(&st.op)) p->update = false;
  if (auto* a = std::get_if<model::AddSa>(&st.op)) a->update = false;
  nlohmann::json j = render::to_json(st, 0);
  j.erase("line");
  return j;
}

// The --save form of the statements it has one for (spdadd, add); the others have no save form.
std::string save_text(const std::vector<model::Statement>& statements, std::vector<const model::Statement*>& printed) {
  std::string text;
  for (const auto& st : statements) {
    std::string line;
    if (const auto* p = std::get_if<model::AddPolicy>(&st.op)) {
      line = sk::format_spdadd(p->policy);
    } else if (const auto* a = std::get_if<model::AddSa>(&st.op)) {
      std::string why;
      line = sk::format_sa_add(*a->sa, why);
      if (!why.empty()) continue;  // not expressible, or printed with a documented loss
    }
    if (line.empty()) continue;
    text += line + "\n";
    printed.push_back(&st);
  }
  return text;
}

void round_trip(std::vector<model::Statement> planned) {
  plan(planned);
  std::vector<const model::Statement*> printed;
  std::string text = save_text(planned, printed);
  if (text.empty()) return;
  diag::SourceBuffer again("<save>", text);
  diag::DiagnosticSink sink;
  std::vector<model::Statement> second;
  sk::parse_each(again, sink, {}, [&](model::Statement&& st) { second.push_back(std::move(st)); });
  plan(second);
  fuzz::require(!sink.has_errors(), "roundtrip", "the --save text does not parse:\n" + text + "\n" + fuzz::formatted_diagnostics(again, sink));
  fuzz::require(second.size() == printed.size(), "roundtrip", "statement count changed:\n" + text);
  for (size_t i = 0; i < second.size(); ++i) {
    auto a = comparable(*printed[i]), b = comparable(second[i]);
    if (a != b) fuzz::fail("roundtrip", "model changed through --save:\n" + text + "\nbefore: " + a.dump(-1, ' ', true) + "\nafter:  " + b.dump(-1, ' ', true));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  diag::SourceBuffer source("fuzz.conf", std::string(reinterpret_cast<const char*>(data), size));
  diag::DiagnosticSink sink;
  Parsed first = parse(source, sink);
  auto keys = keys_of(first.statements);
  fuzz::check_no_key_text(source, sink, keys, fuzz::setkey_key_statements(source.text()), first.diagnostics);

  if (fuzz::enabled("json"))
    for (const auto& st : first.statements) {
      fuzz::json_text(render::to_json(st, 1, {true}));
      std::string hidden = fuzz::json_text(render::to_json(st, 1, {false}));
      if (fuzz::enabled("keyleak"))
        for (const auto& k : keys)
          if (k.size() >= 8 && fuzz::only_secret_text(source, sink, fuzz::hex(k)) && hidden.find(fuzz::hex(k)) != std::string::npos)
            fuzz::fail("keyleak", "--nokeys JSON holds a key: " + hidden);
    }

  if (fuzz::enabled("roundtrip")) round_trip(first.statements);
  return 0;
}
