// SPDX-License-Identifier: BSD-3-Clause
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

size_t DuplicatePolicyCheck::find_slot(uint64_t hash, const model::PolicyKey& key) {
  const Slot* t = table();
  size_t mask = table_slots_ - 1;
  size_t i = hash & mask;
  for (; t[i].entry != kEmpty; i = (i + 1) & mask)
    if (t[i].hash == hash && entry(t[i].entry - 1).key == key) break;
  return i;
}

void DuplicatePolicyCheck::place(Slot slot) {
  Slot* t = table();
  size_t mask = table_slots_ - 1;
  size_t i = slot.hash & mask;
  while (t[i].entry != kEmpty) i = (i + 1) & mask;
  t[i] = slot;
}

void DuplicatePolicyCheck::erase_slot(size_t hole) {
  // Backward shift: pull each later member of the chain into the hole when its home slot allows it, so
  // every remaining key is still reachable from its home without a tombstone.
  Slot* t = table();
  size_t mask = table_slots_ - 1;
  for (size_t j = (hole + 1) & mask; t[j].entry != kEmpty; j = (j + 1) & mask) {
    size_t home = t[j].hash & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      t[hole] = t[j];
      hole = j;
    }
  }
  t[hole] = Slot{};
}

void DuplicatePolicyCheck::grow(size_t slots) {
  util::LargeBuffer old = std::move(table_);
  size_t old_slots = table_slots_;
  table_slots_ = slots;
  table_ = util::LargeBuffer::allocate(table_slots_ * sizeof(Slot));  // zero-filled: every slot empty
  const auto* o = reinterpret_cast<const Slot*>(old.data());
  for (size_t i = 0; i < old_slots; ++i)
    if (o[i].entry != kEmpty) place(o[i]);
}

void DuplicatePolicyCheck::reserve(size_t policies) {
  size_t slots = table_slots_ ? table_slots_ : 4096;
  while (slots < policies * 2) slots *= 2;  // the load stays at most one half, as check() keeps it
  if (slots > table_slots_) grow(slots);
}

void DuplicatePolicyCheck::clear() {
  chunks_.clear();
  count_ = 0;
  free_.clear();
  live_ = 0;
  table_ = {};
  table_slots_ = 0;
}

uint32_t DuplicatePolicyCheck::allocate(const Entry& e) {
  static_assert(std::is_trivially_copyable_v<Entry> && std::is_trivially_destructible_v<Entry>);
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    if (count_ % kPerChunk == 0 && count_ / kPerChunk == chunks_.size()) chunks_.push_back(util::LargeBuffer::allocate(kChunkBytes));
    i = count_++;
  }
  new (&entry(i)) Entry(e);
  return i;
}

void DuplicatePolicyCheck::check(std::span<const diag::SourceBuffer> sources, uint32_t current, const model::Statement& st,
                                 diag::DiagnosticSink& sink) {
  if (std::holds_alternative<model::FlushPolicies>(st.op)) {
    clear();
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
    key = d->id.key();
  } else {
    return;
  }
  if (!table_slots_) {
    if (!adding) return;
    reserve(1);
  }
  uint64_t h = hash_(key);
  size_t slot = find_slot(h, key);
  uint32_t found = table()[slot].entry;
  if (!adding) {
    if (found != kEmpty) {
      free_.push_back(found - 1);
      erase_slot(slot);
      --live_;
    }
    return;
  }
  if (found != kEmpty) {
    const Entry& e = entry(found - 1);
    auto source = static_cast<uint32_t>(e.first >> kOffsetBits);
    const diag::SourceBuffer& first = sources[source];
    uint64_t line = first.line_col(e.first & ((uint64_t{1} << kOffsetBits) - 1)).line;
    std::string where = source == current ? fmt::format("line {}", line) : fmt::format("{}:{}", first.name(), line);
    std::vector<std::string> notes;
    if (key.dir == model::Direction::fwd)
      notes.push_back("in RFC mode (the default) every 'in' policy is also installed as 'fwd'; -k turns that off");
    sink.error(st.range,
               fmt::format("this {} policy was already added at {}; the kernel would reject it (File exists)", dir_name(key.dir), where),
               std::move(notes));
    return;
  }
  table()[slot] = Slot{h, allocate(Entry{key, uint64_t{current} << kOffsetBits | st.range.begin}) + 1, 0};
  if (++live_ * 2 > table_slots_) grow(table_slots_ * 2);
}

}  // namespace xfrmpp::parsers
