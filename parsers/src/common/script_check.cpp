#include "parsers/script_check.hpp"

#include <fmt/format.h>

#include <cstring>
#include <new>
#include <type_traits>

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
  // FNV's low bits are weak and the table probes with them: finish with a full-avalanche mix (fmix64).
  uint64_t x = h.h;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

void DuplicatePolicyCheck::insert(uint32_t e) {
  auto* table = reinterpret_cast<uint32_t*>(table_.data());
  size_t mask = table_slots_ - 1;
  size_t i = entry(e).hash & mask;
  while (table[i]) i = (i + 1) & mask;
  table[i] = e + 1;
}

void DuplicatePolicyCheck::grow() {
  table_slots_ = table_slots_ ? table_slots_ * 2 : 4096;
  table_ = util::LargeBuffer::allocate(table_slots_ * sizeof(uint32_t));  // zero-filled
  for (uint32_t e = 0; e < count_; ++e)
    if (entry(e).live) insert(e);
}

void DuplicatePolicyCheck::push(const Entry& e) {
  static_assert(std::is_trivially_copyable_v<Entry> && std::is_trivially_destructible_v<Entry>);
  if (count_ % kPerChunk == 0 && count_ / kPerChunk == chunks_.size()) chunks_.push_back(util::LargeBuffer::allocate(kChunkBytes));
  new (&entry(count_)) Entry(e);
  ++count_;
}

void DuplicatePolicyCheck::check(const diag::SourceBuffer& source, const model::Statement& st, diag::DiagnosticSink& sink) {
  if (std::holds_alternative<model::FlushPolicies>(st.op)) {
    chunks_.clear();
    count_ = 0;
    table_ = {};
    table_slots_ = 0;
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
  if (table_slots_) {
    const auto* table = reinterpret_cast<const uint32_t*>(table_.data());
    size_t mask = table_slots_ - 1;
    for (size_t i = h & mask; table[i]; i = (i + 1) & mask) {
      Entry& e = entry(table[i] - 1);
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
  push(Entry{h, key, st.range, true});
  if (size_t{count_} * 2 > table_slots_)
    grow();
  else
    insert(count_ - 1);
}

}  // namespace xfrmpp::parsers
