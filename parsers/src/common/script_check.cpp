// SPDX-License-Identifier: BSD-3-Clause
#include "parsers/script_check.hpp"

#include <fmt/format.h>

#include <cstring>
#include <new>
#include <array>

namespace xfrmpp::parsers {
namespace {

std::string_view dir_name(model::Direction d) {
  return d == model::Direction::in ? "in" : d == model::Direction::out ? "out" : "fwd";
}

// encode_policy_key's flags byte: which optional parts follow the addresses.
constexpr uint8_t kSrcLong = 1, kDstLong = 2, kPorts = 4, kIface = 8, kMark = 16, kIfId = 32;

bool short_v4(const model::Address& a) {
  // Only the first 4 bytes of a v4 address mean anything, but PolicyKey's equality compares all 16: the
  // short form is taken only when the rest is zero, so the encoding stays exactly as strict.
  for (size_t i = 4; i < 16; ++i)
    if (a.bytes[i]) return false;
  return a.family == model::Family::inet;
}

// Gathers the key's bytes in a register and stores whole 8-byte words: the hash then reads back what
// was stored in the same widths, where byte-wise stores would stall each of its 8-byte loads.
struct Writer {
  uint8_t* p;
  uint64_t acc = 0;
  unsigned fill = 0;  // bytes in acc
  size_t written = 0;
  void put(uint64_t v, unsigned n) {  // the low n bytes of v (n <= 8, higher bytes zero)
    acc |= v << (fill * 8);
    if (fill + n < 8) {
      fill += n;
      return;
    }
    std::memcpy(p, &acc, 8);
    p += 8;
    unsigned used = 8 - fill;
    acc = used == 8 ? 0 : v >> (used * 8);
    fill = fill + n - 8;
  }
  template <typename T>
  void value(T v) {
    static_assert(sizeof v <= 8);
    uint64_t u = 0;
    std::memcpy(&u, &v, sizeof v);
    put(u, sizeof v);
  }
  void address(const model::Address& a, bool v4) {
    for (size_t i = 0; i < (v4 ? 4u : 16u); i += 4) {
      uint32_t w;
      std::memcpy(&w, a.bytes.data() + i, 4);
      put(w, 4);
    }
  }
  size_t finish(const uint8_t* start) {
    size_t length = static_cast<size_t>(p - start) + fill;
    if (fill) std::memcpy(p, &acc, 8);  // a whole word: the buffer has room (kMaxPolicyKeyBytes is a multiple of 8)
    return length;
  }
};

}  // namespace

size_t encode_policy_key(const model::PolicyKey& k, std::span<uint8_t, kMaxPolicyKeyBytes> out) {
  // Every field of PolicyKey's equality is written, each at a place fixed by the flags byte, so equal
  // bytes mean equal keys and the other way round; optional parts that are absent (or zero, which
  // compares the same) take no bytes.
  static_assert(sizeof(model::Family) == 1 && sizeof(model::Direction) == 1 && sizeof(model::PolicyType) == 1);
  const auto& s = k.sel;
  bool src_short = short_v4(s.src.addr), dst_short = short_v4(s.dst.addr);
  bool ports = s.sport || s.sport_mask || s.dport || s.dport_mask;
  uint8_t flags = (src_short ? 0 : kSrcLong) | (dst_short ? 0 : kDstLong) | (ports ? kPorts : 0) |
                  (s.ifindex || s.user ? kIface : 0) | (k.mark ? kMark : 0) | (k.if_id ? kIfId : 0);
  Writer w{out.data()};
  w.value(flags);
  w.value(s.family);
  w.value(s.src.addr.family);
  w.value(s.dst.addr.family);
  w.value(s.src.len);
  w.value(s.dst.len);
  w.value(s.proto);
  w.value(k.dir);
  w.value(k.type);
  w.address(s.src.addr, src_short);
  w.address(s.dst.addr, dst_short);
  if (ports) {
    w.value(s.sport);
    w.value(s.sport_mask);
    w.value(s.dport);
    w.value(s.dport_mask);
  }
  if (flags & kIface) {
    w.value(s.ifindex);
    w.value(s.user);
  }
  if (k.mark) {
    w.value(k.mark->value);
    w.value(k.mark->mask);
  }
  if (k.if_id) w.value(k.if_id);
  return w.finish(out.data());
}

uint64_t hash_key_bytes(std::span<const uint8_t> b) {
  // Eight bytes per multiply (a byte-wise FNV cost a multiply per byte, 5% of a million-line -n), then a
  // full-avalanche finish (fmix64), since the table probes with the low bits.
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t h = b.size() * kMul;
  size_t i = 0;
  for (; i + 8 <= b.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, b.data() + i, 8);
    h = (h ^ v) * kMul;
    h ^= h >> 29;
  }
  if (i < b.size()) {
    uint64_t v = 0;
    std::memcpy(&v, b.data() + i, b.size() - i);
    h = (h ^ v) * kMul;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

size_t DuplicatePolicyCheck::find_slot(uint64_t hash, std::span<const uint8_t> key) {
  const Slot* t = table();
  size_t mask = table_slots_ - 1;
  size_t i = hash & mask;
  for (; t[i].entry != kEmpty; i = (i + 1) & mask) {
    if (t[i].hash != hash) continue;
    const uint8_t* e = entry(t[i].entry - 1);
    if (e[8] == key.size() && std::memcmp(e + kEntryHead, key.data(), key.size()) == 0) break;
  }
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
  if (!table_) throw std::bad_alloc();
  const auto* o = reinterpret_cast<const Slot*>(old.data());
  for (size_t i = 0; i < old_slots; ++i)
    if (o[i].entry != kEmpty) place(o[i]);
}

void DuplicatePolicyCheck::clear() {
  chunks_.clear();
  used_ = 0;
  free_.clear();
  live_ = 0;
  table_ = {};
  table_slots_ = 0;
}

uint64_t DuplicatePolicyCheck::allocate(uint64_t first, std::span<const uint8_t> key) {
  uint64_t at;
  if (key.size() < free_.size() && !free_[key.size()].empty()) {
    at = free_[key.size()].back();
    free_[key.size()].pop_back();
  } else {
    size_t bytes = kEntryHead + key.size();
    if (used_ % kChunkBytes + bytes > kChunkBytes) used_ += kChunkBytes - used_ % kChunkBytes;  // entries never straddle chunks
    if (used_ / kChunkBytes == chunks_.size()) {
      chunks_.push_back(util::LargeBuffer::allocate(kChunkBytes));
      if (!chunks_.back()) throw std::bad_alloc();
    }
    at = used_;
    used_ += bytes;
  }
  uint8_t* e = entry(at);
  std::memcpy(e, &first, 8);
  e[8] = static_cast<uint8_t>(key.size());
  std::memcpy(e + kEntryHead, key.data(), key.size());
  return at;
}

void DuplicatePolicyCheck::release(uint64_t at) {
  size_t len = entry(at)[8];
  if (free_.size() <= len) free_.resize(len + 1);
  free_[len].push_back(at);
}

void DuplicatePolicyCheck::check(std::span<const diag::SourceBuffer> sources, uint32_t current, const model::Statement& st,
                                 diag::DiagnosticSink& sink) {
  if (std::holds_alternative<model::FlushPolicies>(st.op)) {
    finish(sources);
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
    if (!adding && pending_count_ == 0) return;  // nothing to delete
    grow(4096);
  }
  if (pending_count_ == kWindow) answer_oldest(sources);
  Pending& p = pending_[(pending_head_ + pending_count_++) % kWindow];
  p.len = static_cast<uint8_t>(encode_policy_key(key, p.key));
  p.hash = hash_(std::span<const uint8_t>(p.key.data(), p.len));
  p.first = uint64_t{current} << kOffsetBits | st.range.begin;
  p.range = st.range;
  p.sink = &sink;
  p.diag_at = sink.all().size();
  p.adding = adding;
  p.dir = key.dir;
  __builtin_prefetch(&table()[p.hash & (table_slots_ - 1)]);
}

void DuplicatePolicyCheck::finish(std::span<const diag::SourceBuffer> sources) {
  while (pending_count_) answer_oldest(sources);
}

void DuplicatePolicyCheck::answer_oldest(std::span<const diag::SourceBuffer> sources) {
  Pending& p = pending_[pending_head_];
  pending_head_ = (pending_head_ + 1) % kWindow;
  --pending_count_;
  answer(sources, p);
}

void DuplicatePolicyCheck::answer(std::span<const diag::SourceBuffer> sources, Pending& p) {
  std::span<const uint8_t> bytes(p.key.data(), p.len);
  size_t slot = find_slot(p.hash, bytes);
  uint64_t found = table()[slot].entry;
  if (!p.adding) {
    if (found != kEmpty) {
      release(found - 1);
      erase_slot(slot);
      --live_;
    }
    return;
  }
  if (found == kEmpty) {
    table()[slot] = Slot{p.hash, allocate(p.first, bytes) + 1};
    if (++live_ * 2 > table_slots_) grow(table_slots_ * 2);
    return;
  }
  uint64_t at;
  std::memcpy(&at, entry(found - 1), 8);
  auto source = static_cast<uint32_t>(at >> kOffsetBits);
  const diag::SourceBuffer& first = sources[source];
  uint64_t line = first.line_col(at & ((uint64_t{1} << kOffsetBits) - 1)).line;
  bool same_source = source == static_cast<uint32_t>(p.first >> kOffsetBits);
  std::string where = same_source ? fmt::format("line {}", line) : fmt::format("{}:{}", first.name(), line);
  std::vector<std::string> notes;
  if (p.dir == model::Direction::fwd)
    notes.push_back("in RFC mode (the default) every 'in' policy is also installed as 'fwd'; -k turns that off");
  p.sink->insert_error(p.diag_at, p.range,
                       fmt::format("this {} policy was already added at {}; the kernel would reject it (File exists)", dir_name(p.dir), where),
                       std::move(notes));
  // Statements still waiting were checked after this one: their places in the same sink move up by one.
  for (size_t i = 0; i < pending_count_; ++i) {
    Pending& q = pending_[(pending_head_ + i) % kWindow];
    if (q.sink == p.sink && q.diag_at >= p.diag_at) ++q.diag_at;
  }
}

}  // namespace xfrmpp::parsers
