#include "parsers/script_check.hpp"

#include <fmt/format.h>

#include <cstring>

namespace xfrmpp::parsers {
namespace {

// FNV-1a over the identity fields; exact comparison settles any collision.
struct Hasher {
  uint64_t h = 1469598103934665603ull;
  void bytes(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  template <typename T>
  void value(const T& v) { bytes(&v, sizeof v); }
};

std::string_view dir_name(model::Direction d) {
  return d == model::Direction::in ? "in" : d == model::Direction::out ? "out" : "fwd";
}

}  // namespace

uint64_t hash_policy_key(const model::PolicyKey& k) {
  Hasher h;
  const auto& s = k.sel;
  h.value(s.family);
  h.bytes(s.src.addr.bytes.data(), 16);
  h.value(s.src.len);
  h.bytes(s.dst.addr.bytes.data(), 16);
  h.value(s.dst.len);
  h.value(s.sport); h.value(s.sport_mask); h.value(s.dport); h.value(s.dport_mask);
  h.value(s.proto); h.value(s.ifindex);
  h.value(k.dir);
  if (k.mark) { h.value(k.mark->value); h.value(k.mark->mask); }
  h.value(k.if_id);
  h.value(k.type);
  return h.h;
}

void DuplicatePolicyCheck::insert(uint32_t entry) {
  size_t mask = table_.size() - 1;
  size_t i = entries_[entry].hash & mask;
  while (table_[i]) i = (i + 1) & mask;
  table_[i] = entry + 1;
}

void DuplicatePolicyCheck::grow() {
  table_.assign(table_.empty() ? 1024 : table_.size() * 2, 0);
  for (uint32_t e = 0; e < entries_.size(); ++e)
    if (entries_[e].live) insert(e);
}

void DuplicatePolicyCheck::check(const diag::SourceBuffer& source, const model::Statement& st, diag::DiagnosticSink& sink) {
  if (std::holds_alternative<model::FlushPolicies>(st.op)) {
    table_.clear();
    entries_.clear();
    return;
  }
  model::PolicyKey key;
  bool adding = false;
  if (const auto* a = std::get_if<model::AddPolicy>(&st.op)) {
    if (a->update) return;  // spdupdate replaces; never a duplicate
    key = a->policy.key();
    adding = true;
  } else if (const auto* d = std::get_if<model::DeletePolicy>(&st.op)) {
    if (d->id.index != 0) return;
    key = model::PolicyKey{d->id.sel, d->id.dir, d->id.mark, d->id.if_id.value_or(0), d->id.type};
  } else {
    return;
  }
  uint64_t h = hash_policy_key(key);
  if (!table_.empty()) {
    size_t mask = table_.size() - 1;
    for (size_t i = h & mask; table_[i]; i = (i + 1) & mask) {
      Entry& e = entries_[table_[i] - 1];
      if (!e.live || e.hash != h || !(e.key == key)) continue;
      if (!adding) {
        e.live = false;
        return;
      }
      auto lc = source.line_col(e.first.begin);
      std::vector<std::string> notes;
      if (key.dir == model::Direction::fwd)
        notes.push_back("in RFC mode (the default) every 'in' policy is also installed as 'fwd'; -k turns that off");
      sink.error(st.range,
                 fmt::format("this {} policy was already added at line {}; the kernel would reject it (File exists)",
                             dir_name(key.dir), lc.line),
                 std::move(notes));
      return;
    }
  }
  if (!adding) return;
  entries_.push_back(Entry{h, key, st.range, true});
  if (entries_.size() * 2 > table_.size())
    grow();
  else
    insert(static_cast<uint32_t>(entries_.size() - 1));
}

}  // namespace xfrmpp::parsers
