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

void DuplicatePolicyCheck::check(const diag::SourceBuffer& source, const model::Statement& st, diag::DiagnosticSink& sink) {
  if (std::holds_alternative<model::FlushPolicies>(st.op)) {
    index_.clear();
    entries_.clear();
    free_.clear();
    return;
  }
  const model::PolicyKey* key = nullptr;
  model::PolicyKey tmp;
  bool adding = false;
  if (const auto* a = std::get_if<model::AddPolicy>(&st.op)) {
    if (a->update) return;  // spdupdate replaces; never a duplicate
    tmp = a->policy.key();
    key = &tmp;
    adding = true;
  } else if (const auto* d = std::get_if<model::DeletePolicy>(&st.op)) {
    if (d->id.index != 0) return;
    tmp = model::PolicyKey{d->id.sel, d->id.dir, d->id.mark, d->id.if_id.value_or(0), d->id.type};
    key = &tmp;
  } else {
    return;
  }
  uint64_t h = hash_policy_key(*key);
  auto [lo, hi] = index_.equal_range(h);
  for (auto it = lo; it != hi; ++it) {
    Entry& e = entries_[it->second];
    if (!(e.key == *key)) continue;
    if (adding) {
      auto lc = source.line_col(e.first.begin);
      std::vector<std::string> notes;
      if (key->dir == model::Direction::fwd)
        notes.push_back("in RFC mode (the default) every 'in' policy is also installed as 'fwd'; -k turns that off");
      sink.error(st.range,
                 fmt::format("this {} policy was already added at line {}; the kernel would reject it (File exists)",
                             dir_name(key->dir), lc.line),
                 std::move(notes));
    } else {
      free_.push_back(it->second);
      index_.erase(it);
    }
    return;
  }
  if (!adding) return;
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    entries_[slot] = Entry{*key, st.range};
  } else {
    slot = static_cast<uint32_t>(entries_.size());
    entries_.push_back(Entry{*key, st.range});
  }
  index_.emplace(h, slot);
}

}  // namespace xfrmpp::parsers
