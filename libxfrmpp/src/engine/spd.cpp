// SPDX-License-Identifier: BSD-3-Clause
// The SPD with the semantics of net/xfrm/xfrm_policy.c (Linux 6.x), read from the source:
//
// - Insert (xfrm_policy_insert, xfrm_policy_insert_list, xfrm_policy_insert_inexact_list): a policy with the
//   same dir, type, if_id, selector (selector_cmp: every byte) and mark (value and mask, not the priority:
//   xfrm_policy_mark_match) is replaced (UPDPOLICY) or refused with EEXIST (NEWPOLICY). Every chain is
//   kept sorted by priority; a newcomer goes after the policies of equal priority, so it loses ties to
//   them. A replacement with the SAME priority takes the replaced policy's place in its chain (the loop
//   stops at it), one with another priority goes after the equal ones of its new priority. `rank` below
//   is that chain order.
// - Index (xfrm_gen_index): a replacement keeps the replaced policy's index whatever the new one asked for;
//   an explicit index is tried once and, when some policy (any direction) has it, a generated one is used
//   instead; generated ones are generator|dir with the generator stepping by 8 and 0 turned into 8.
// - Lookup (xfrm_policy_lookup_bytype): sub policies before main ones (xfrm_policy_lookup). First the
//   exact hash (selectors whose prefixes are both at least the hash thresholds, by default full length):
//   the first match of its chain, in chain order (`rank`). Then the inexact bin of (dir, type, family,
//   if_id): each candidate list gives its first match whose priority is at most the best so far, and
//   __xfrm_policy_eval_candidates lets it replace the best on an equal priority unless
//   `prefer->pos < pol->pos`. Since Linux 6.12 ("xfrm: policy: don't iterate inexact policies twice at
//   insert time") __xfrm_policy_link gives every policy, exact or not, pos = the newest policy's pos + 1:
//   link order. So across lists an equal priority goes to the policy linked first, and an UPDPOLICY
//   replacement counts as new there even when it kept its chain place (`pos` below). Before 6.12 `pos`
//   was the index in the direction's inexact list and exact policies had 0, which made an exact policy
//   win ties against every inexact one but the list's head; the differential test on 6.18 showed the
//   new rule. Not modelled: which inexact policies share one kernel chain (the trees merge overlapping
//   prefixes into one node), which matters only for two equal-priority policies of which one is a
//   same-priority replacement; those are taken by pos here.
// - Match (xfrm_policy_match, __xfrm4/6_selector_match): same family, if_id and type, (mark & m) == v,
//   both prefixes, ports under their masks (ICMP type/code travel in the port fields), the protocol
//   unless 0 and the ifindex unless 0.
// - Dump order (xfrm_policy_walk over policy_all): __xfrm_policy_link puts a policy (also a replacement)
//   at the head, i.e. it becomes the newest; dump() lists older first, so a replaced policy moves last.
#include "xfrmpp/engine/spd.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "spd_index.hpp"

namespace xfrmpp::engine {

namespace {

// The kernel stores "no mark" as {0, 0}: the same key as an explicit 0/0.
std::optional<model::Mark> kernel_mark(const std::optional<model::Mark>& m) {
  if (m && m->value == 0 && m->mask == 0) return std::nullopt;
  return m;
}

model::PolicyKey kernel_key(model::PolicyKey k) {
  k.mark = kernel_mark(k.mark);
  return k;
}

}  // namespace

bool matches(const model::Policy& p, const Flow& f) {
  const auto& s = p.sel;
  model::Family fam = detail::policy_family(p);
  if (fam == model::Family::unspec || fam != f.family) return false;
  if (!model::contains(s.src, f.src) || !model::contains(s.dst, f.dst)) return false;
  return detail::entry_matches_rest(detail::make_entry(p, 0, 0), f) && p.if_id.value_or(0) == f.if_id;
}

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

// MurmurHash3's finalizer: every input bit reaches the low bits, which pick the table cell (a bare
// multiply leaves them to the low input bits alone, and generated indexes share their low three).
uint64_t finish(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

uint64_t address_hash(uint64_t h, const model::Address& a) {
  uint64_t w[2];
  std::memcpy(w, a.bytes.data(), sizeof w);
  return mix(mix(mix(h, static_cast<uint64_t>(a.family)), w[0]), w[1]);
}

// A hash of everything PolicyKey's == compares (the key is already kernel_key()'s).
uint64_t key_hash(const model::PolicyKey& k) {
  const auto& s = k.sel;
  uint64_t h = 0x2545f4914f6cdd1dull;
  h = mix(h, static_cast<uint64_t>(s.family) | uint64_t{s.src.len} << 8 | uint64_t{s.dst.len} << 16 | uint64_t{s.proto} << 24 |
                 static_cast<uint64_t>(k.dir) << 32 | static_cast<uint64_t>(k.type) << 40 | uint64_t{k.mark.has_value()} << 48);
  h = address_hash(h, s.src.addr);
  h = address_hash(h, s.dst.addr);
  h = mix(h, uint64_t{s.sport} | uint64_t{s.sport_mask} << 16 | uint64_t{s.dport} << 32 | uint64_t{s.dport_mask} << 48);
  h = mix(h, static_cast<uint32_t>(s.ifindex) | uint64_t{s.user} << 32);
  h = mix(h, k.mark ? (k.mark->value | uint64_t{k.mark->mask} << 32) : 0);
  return finish(mix(h, k.if_id));
}

uint64_t index_hash(uint32_t index) { return finish(index); }

// kernel_key(p.key()) == k without building the key.
bool has_key(const model::Policy& p, const model::PolicyKey& k) {
  return p.sel == k.sel && p.dir == k.dir && p.type == k.type && p.if_id.value_or(0) == k.if_id && kernel_mark(p.mark) == k.mark;
}

// Slot numbers by hash: open addressing with linear probing and backward-shift deletion. A cell is 8
// bytes, the slot and the hash's upper half, which also picks the cell, so growing needs no key; the
// caller's `eq(slot)` tells a match among equal tags. One flat array instead of a node per policy (a
// 100k load allocated 200k map nodes here), and as small as it can be: every insert misses the cache in it.
class SlotTable {
 public:
  template <typename Eq>
  uint32_t find(uint64_t hash, Eq eq) const {
    if (cells_.empty()) return kNone;
    const uint32_t tag = tag_of(hash);
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.slot == kNone) return kNone;
      if (c.tag == tag && eq(c.slot)) return c.slot;
    }
  }
  void insert(uint64_t hash, uint32_t slot) {
    if ((used_ + 1) * 2 > cells_.size()) grow();
    place(tag_of(hash), slot);
    ++used_;
  }
  template <typename Eq>
  void erase(uint64_t hash, Eq eq) {
    if (cells_.empty()) return;
    const uint32_t tag = tag_of(hash);
    size_t i = tag & mask_;
    for (;; i = (i + 1) & mask_) {
      if (cells_[i].slot == kNone) return;
      if (cells_[i].tag == tag && eq(cells_[i].slot)) break;
    }
    // Backward shift: pull later cells of the run into the hole when their home is not between them.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (cells_[j].slot == kNone) break;
      size_t home = cells_[j].tag & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        cells_[i] = cells_[j];
        i = j;
      }
    }
    cells_[i].slot = kNone;
    --used_;
  }
  void reserve(size_t n) {
    while (n * 2 > cells_.size()) grow();
  }

  static constexpr uint32_t kNone = UINT32_MAX;

 private:
  struct Cell {
    uint32_t tag = 0;
    uint32_t slot = kNone;
  };
  static uint32_t tag_of(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
  void place(uint32_t tag, uint32_t slot) {
    size_t i = tag & mask_;
    while (cells_[i].slot != kNone) i = (i + 1) & mask_;
    cells_[i] = Cell{tag, slot};
  }
  void grow() {
    std::vector<Cell> old = std::move(cells_);
    cells_.assign(old.empty() ? 64 : old.size() * 2, Cell{});
    mask_ = cells_.size() - 1;
    for (const Cell& c : old)
      if (c.slot != kNone) place(c.tag, c.slot);
  }
  std::vector<Cell> cells_;
  size_t mask_ = 0;
  size_t used_ = 0;
};

}  // namespace

struct Spd::Impl {
  struct Stored {
    model::Policy p;
    uint64_t rank = 0;  // chain order among equal priorities
    uint64_t pos = 0;   // link order
    bool exact = false;
    bool live = false;  // false: removed, waiting for compact()
  };

  // The policies in link order (dump order, older first), in fixed-size chunks so a Stored never moves
  // while it is live: the lookup index and lookup()'s answers point at them. A removed policy leaves a
  // dead slot behind until compact().
  static constexpr size_t kChunk = 512;
  std::vector<std::unique_ptr<Stored[]>> chunks;
  uint32_t slots = 0, live = 0;
  SlotTable by_key;    // hash of kernel_key -> slot
  SlotTable by_index;  // index -> slot
  uint64_t next_pos = 1, next_rank = 1;
  uint32_t idx_generator = 0;
  // The lookup index is only needed by lookup(): a load (setkey -f, reading the state file for a dump)
  // never asks, so it is built at the first lookup and kept current from then on.
  mutable detail::SpdIndex fast;
  mutable std::atomic<bool> indexed{false};
  mutable std::mutex index_mutex;

  Stored& at(uint32_t slot) { return chunks[slot / kChunk][slot % kChunk]; }
  const Stored& at(uint32_t slot) const { return chunks[slot / kChunk][slot % kChunk]; }

  template <typename Fn>
  void each_live(Fn&& fn) const {
    for (uint32_t i = 0; i < slots; ++i)
      if (const Stored& s = at(i); s.live) fn(s);
  }

  uint32_t find_key(const model::PolicyKey& key, uint64_t hash) const {
    return by_key.find(hash, [&](uint32_t slot) { return has_key(at(slot).p, key); });
  }
  uint32_t find_key(const model::PolicyKey& key) const { return find_key(key, key_hash(key)); }
  uint32_t find_index(uint32_t index) const {
    return by_index.find(index_hash(index), [&](uint32_t slot) { return at(slot).p.index == index; });
  }

  void ensure_index() const {
    if (indexed.load(std::memory_order_acquire)) return;
    std::lock_guard lock(index_mutex);
    if (indexed.load(std::memory_order_relaxed)) return;
    each_live([&](const Stored& s) { fast.add(s.p, s.rank, s.pos); });
    indexed.store(true, std::memory_order_release);
  }

  uint32_t gen_index(model::Direction dir, uint32_t index) {
    for (;;) {
      uint32_t idx;
      if (index == 0) {
        idx = idx_generator | static_cast<uint32_t>(dir);
        idx_generator += 8;
      } else {
        idx = index;
        index = 0;
      }
      if (idx == 0) idx = 8;
      if (find_index(idx) == SlotTable::kNone) return idx;
    }
  }

  Stored& append(Stored s, uint64_t hash) {
    if (slots % kChunk == 0 && slots / kChunk == chunks.size()) chunks.push_back(std::make_unique<Stored[]>(kChunk));
    uint32_t slot = slots++;
    Stored& dst = at(slot);
    dst = std::move(s);
    dst.live = true;
    ++live;
    by_key.insert(hash, slot);
    by_index.insert(index_hash(dst.p.index), slot);
    if (indexed.load(std::memory_order_relaxed)) fast.add(dst.p, dst.rank, dst.pos);
    return dst;
  }

  // Takes slot's policy out of every table; its slot stays, dead, until compact().
  model::Policy unlink(uint32_t slot) {
    Stored& s = at(slot);
    if (indexed.load(std::memory_order_relaxed)) fast.remove(s.p);
    by_key.erase(key_hash(kernel_key(s.p.key())), [&](uint32_t x) { return x == slot; });
    by_index.erase(index_hash(s.p.index), [&](uint32_t x) { return x == slot; });
    s.live = false;
    --live;
    return std::exchange(s.p, model::Policy{});
  }

  // Drops the dead slots once they outnumber the live ones (amortised O(1) a removal): the live
  // policies move, so the tables and the lookup index are built again.
  void maybe_compact() {
    uint32_t dead = slots - live;
    if (dead < 64 || dead <= live) return;
    Impl next;
    next.next_pos = next_pos;
    next.next_rank = next_rank;
    next.idx_generator = idx_generator;
    next.by_key.reserve(live);
    next.by_index.reserve(live);
    for (uint32_t i = 0; i < slots; ++i)
      if (Stored& s = at(i); s.live) {
        uint64_t hash = key_hash(kernel_key(s.p.key()));  // before the move: argument order is unspecified
        next.append(std::move(s), hash);
      }
    bool was_indexed = indexed.load(std::memory_order_relaxed);
    fast.clear();
    chunks = std::move(next.chunks);
    slots = next.slots;
    by_key = std::move(next.by_key);
    by_index = std::move(next.by_index);
    indexed.store(false, std::memory_order_relaxed);
    if (was_indexed) ensure_index();
  }

  // The winner of xfrm_policy_lookup_bytype given the exact chain's first match and the best inexact one.
  static const model::Policy* choose(const model::Policy* exact, uint64_t exact_pos, const model::Policy* inexact,
                                     uint64_t inexact_pos) {
    if (!exact || !inexact) return exact ? exact : inexact;
    if (inexact->priority != exact->priority) return inexact->priority < exact->priority ? inexact : exact;
    return exact_pos < inexact_pos ? exact : inexact;
  }

  const model::Policy* lookup_fast(const Flow& f, model::PolicyType t) const {
    detail::Best b = fast.find(f, t);
    return choose(b.exact ? b.exact->policy : nullptr, b.exact ? b.exact->pos : 0,
                  b.inexact ? b.inexact->policy : nullptr, b.inexact ? b.inexact->pos : 0);
  }

  const model::Policy* lookup_scan(const Flow& f, model::PolicyType t) const {
    const Stored* e = nullptr;
    const Stored* i = nullptr;
    each_live([&](const Stored& s) {
      if (s.p.dir != f.dir || s.p.type != t || !matches(s.p, f)) return;
      if (s.exact) {
        if (!e || s.p.priority < e->p.priority || (s.p.priority == e->p.priority && s.rank < e->rank)) e = &s;
      } else if (!i || s.p.priority < i->p.priority) {  // slots are in pos order: the first of a priority stays
        i = &s;
      }
    });
    return choose(e ? &e->p : nullptr, e ? e->pos : 0, i ? &i->p : nullptr, i ? i->pos : 0);
  }
};

Spd::Spd() : impl_(std::make_unique<Impl>()) {}
Spd::~Spd() = default;
Spd::Spd(Spd&&) noexcept = default;
Spd& Spd::operator=(Spd&&) noexcept = default;

Result<model::Policy> Spd::insert(model::Policy p, bool update) {
  auto& m = *impl_;
  const model::PolicyKey key = kernel_key(p.key());
  const uint64_t hash = key_hash(key);
  uint32_t old = m.find_key(key, hash);
  if (old != SlotTable::kNone && !update) return make_error(EEXIST, "File exists");
  const bool replacing = old != SlotTable::kNone;

  Impl::Stored s;
  s.exact = detail::is_exact(p);
  s.rank = replacing && m.at(old).p.priority == p.priority ? m.at(old).rank : m.next_rank++;
  s.pos = m.next_pos++;
  if (replacing) {
    p.index = m.at(old).p.index;
    m.unlink(old);
  } else {
    p.index = m.gen_index(p.dir, p.index);
  }
  s.p = std::move(p);
  model::Policy out = m.append(std::move(s), hash).p;
  if (replacing) m.maybe_compact();
  return out;
}

namespace {

bool id_matches(const model::Policy& p, const model::PolicyId& id) {
  // xfrm_policy_byid: the index names a direction (index & 7) and must come with the same type, if_id
  // and mark; ENOENT otherwise.
  return p.index == id.index && static_cast<uint32_t>(id.dir) == (id.index & 7) && p.type == id.type &&
         p.if_id.value_or(0) == id.if_id.value_or(0) && kernel_mark(p.mark) == kernel_mark(id.mark);
}

}  // namespace

Result<model::Policy> Spd::remove(const model::PolicyId& id) {
  auto& m = *impl_;
  uint32_t slot = SlotTable::kNone;
  if (id.index != 0) {
    if (uint32_t i = m.find_index(id.index); i != SlotTable::kNone && id_matches(m.at(i).p, id)) slot = i;
  } else {
    slot = m.find_key(kernel_key(id.key()));
  }
  if (slot == SlotTable::kNone) return make_error(ENOENT, "No such file or directory");
  model::Policy p = m.unlink(slot);
  m.maybe_compact();
  return p;
}

Result<model::Policy> Spd::get(const model::PolicyId& id) const {
  const auto& m = *impl_;
  if (id.index != 0) {
    if (uint32_t i = m.find_index(id.index); i != SlotTable::kNone && id_matches(m.at(i).p, id)) return m.at(i).p;
  } else if (uint32_t i = m.find_key(kernel_key(id.key())); i != SlotTable::kNone) {
    return m.at(i).p;
  }
  return make_error(ENOENT, "No such file or directory");
}

void Spd::clear() {
  // A flush empties the tables; the kernel's index generator keeps counting.
  uint32_t gen = impl_->idx_generator;
  impl_ = std::make_unique<Impl>();
  impl_->idx_generator = gen;
}

void Spd::for_each(const std::function<void(const model::Policy&)>& fn) const {
  impl_->each_live([&](const Impl::Stored& s) { fn(s.p); });
}

std::vector<model::Policy> Spd::dump() const {
  std::vector<model::Policy> out;
  out.reserve(impl_->live);
  impl_->each_live([&](const Impl::Stored& s) { out.push_back(s.p); });
  return out;
}

size_t Spd::size() const { return impl_->live; }
bool Spd::has_index(uint32_t index) const { return impl_->find_index(index) != SlotTable::kNone; }

const model::Policy* Spd::lookup_linear(const Flow& f) const {
  if (auto* p = impl_->lookup_scan(f, model::PolicyType::sub)) return p;
  return impl_->lookup_scan(f, model::PolicyType::main);
}

void Spd::prepare() {
  impl_->ensure_index();
  impl_->fast.prepare();
}

const model::Policy* Spd::lookup(const Flow& f) const {
  impl_->ensure_index();
  if (auto* p = impl_->lookup_fast(f, model::PolicyType::sub)) return p;
  return impl_->lookup_fast(f, model::PolicyType::main);
}

}  // namespace xfrmpp::engine
