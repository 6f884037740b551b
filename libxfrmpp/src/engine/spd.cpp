// SPDX-License-Identifier: BSD-3-Clause
// The SPD with the semantics of net/xfrm/xfrm_policy.c (Linux 6.x), read from the source:
//
// - Insert (xfrm_policy_insert, xfrm_policy_insert_list, xfrm_policy_insert_inexact_list): a policy with the
//   same dir, type, if_id, selector (selector_cmp: every byte) and mark (value and mask, not the priority:
//   xfrm_policy_mark_match) is replaced (UPDPOLICY) or refused with EEXIST (NEWPOLICY). Every chain is
//   kept sorted by priority; a newcomer goes after the policies of equal priority, so it loses ties to
//   them. A replacement with the SAME priority takes the replaced policy's place (the loop stops at it), a
//   replacement with another priority goes after the equal ones of its new priority. `rank` below is that
//   chain order.
// - Index (xfrm_gen_index): a replacement keeps the replaced policy's index whatever the new one asked for;
//   an explicit index is tried once and, when some policy (any direction) has it, a generated one is used
//   instead; generated ones are generator|dir with the generator stepping by 8 and 0 turned into 8.
// - Lookup (xfrm_policy_lookup_bytype): sub policies before main ones (xfrm_policy_lookup). First the
//   exact hash (selectors whose prefixes are both full length): the first match of its priority-sorted
//   chain. Then the inexact bin of (dir, type, family, if_id): each candidate list gives its first match
//   whose priority is at most the best so far, and __xfrm_policy_eval_candidates lets it replace the best
//   on an equal priority unless `prefer->pos < pol->pos`. `pos` is the position in the direction's list of
//   all inexact policies, renumbered on each inexact insert (not on a removal); exact policies never get
//   one, so theirs stays 0. Hence: among inexact policies an equal priority goes to the older one (the
//   list order), but between the exact match and an inexact one of equal priority the EXACT one wins
//   unless the inexact one holds pos 0 (the head of that list at the last inexact insert) — a kernel
//   quirk, not "older wins", and the engine reproduces it (Impl::pos0).
// - Match (xfrm_policy_match, __xfrm4/6_selector_match): same family, if_id and type, (mark & m) == v,
//   both prefixes, ports under their masks (ICMP type/code travel in the port fields), the protocol
//   unless 0 and the ifindex unless 0.
// - Dump order (xfrm_policy_walk over policy_all): __xfrm_policy_link puts a policy (also a replacement)
//   at the head, i.e. it becomes the newest; dump() lists older first, so a replaced policy moves last.
#include "xfrmpp/engine/spd.hpp"

#include <array>
#include <cerrno>
#include <map>
#include <set>
#include <utility>
#include <unordered_map>

#include "spd_index.hpp"

namespace xfrmpp::engine {

namespace {

bool prefix_matches(const model::Prefix& p, const model::Address& a) {
  uint8_t full = p.len / 8, rest = p.len % 8;
  for (uint8_t i = 0; i < full && i < 16; ++i)
    if (p.addr.bytes[i] != a.bytes[i]) return false;
  if (rest == 0 || full >= 16) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (p.addr.bytes[full] & mask) == (a.bytes[full] & mask);
}

// The kernel stores "no mark" as {0, 0}: the same key as an explicit 0/0.
std::optional<model::Mark> kernel_mark(const std::optional<model::Mark>& m) {
  if (m && m->value == 0 && m->mask == 0) return std::nullopt;
  return m;
}

model::PolicyKey kernel_key(model::PolicyKey k) {
  k.mark = kernel_mark(k.mark);
  return k;
}

size_t dir_slot(model::Direction d) { return static_cast<size_t>(d) % 3; }

}  // namespace

bool matches(const model::Policy& p, const Flow& f) {
  const auto& s = p.sel;
  model::Family fam = detail::policy_family(p);
  if (fam == model::Family::unspec || fam != f.family) return false;
  if (!prefix_matches(s.src, f.src) || !prefix_matches(s.dst, f.dst)) return false;
  return detail::entry_matches_rest(detail::make_entry(p, 0), f) && p.if_id.value_or(0) == f.if_id;
}

struct Spd::Impl {
  struct Stored {
    model::Policy p;
    uint64_t rank = 0;
    bool exact = false;
  };
  using Order = std::set<std::pair<uint32_t, uint64_t>>;  // (priority, rank) of the inexact ones

  std::map<uint64_t, Stored> by_age;  // dump order, older first
  std::map<model::PolicyKey, uint64_t> by_key;
  std::unordered_map<uint32_t, uint64_t> by_index;
  std::array<Order, 3> inexact_order;  // per direction: the kernel's policy_inexact[dir] list
  std::array<uint64_t, 3> pos0{};      // rank of the inexact policy holding pos 0, or 0 for none
  detail::SpdIndex fast;
  uint64_t next_age = 1, next_rank = 1;
  uint32_t idx_generator = 0;

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
      if (!by_index.contains(idx)) return idx;
    }
  }

  void unlink(std::map<uint64_t, Stored>::iterator it) {
    Stored& s = it->second;
    fast.remove(s.p, s.rank);
    if (!s.exact) {
      size_t d = dir_slot(s.p.dir);
      inexact_order[d].erase({s.p.priority, s.rank});
      if (pos0[d] == s.rank) pos0[d] = 0;  // removals do not renumber: nobody holds pos 0 now
    }
    by_key.erase(kernel_key(s.p.key()));
    by_index.erase(s.p.index);
    by_age.erase(it);
  }

  // The winner of xfrm_policy_lookup_bytype given its two halves.
  const model::Policy* choose(const model::Policy* exact, const model::Policy* inexact, uint64_t inexact_rank,
                              model::Direction dir) const {
    if (!exact || !inexact) return exact ? exact : inexact;
    if (inexact->priority != exact->priority) return inexact->priority < exact->priority ? inexact : exact;
    return pos0[dir_slot(dir)] == inexact_rank ? inexact : exact;
  }

  const model::Policy* lookup_fast(const Flow& f, model::PolicyType t) const {
    detail::Best b = fast.find(f, t);
    const model::Policy* e = b.exact ? b.exact->policy : nullptr;
    const model::Policy* i = b.inexact ? b.inexact->policy : nullptr;
    return choose(e, i, b.inexact ? b.inexact->rank : 0, f.dir);
  }

  const model::Policy* lookup_scan(const Flow& f, model::PolicyType t) const {
    const Stored* e = nullptr;
    const Stored* i = nullptr;
    auto before = [](const Stored& a, const Stored& b) {
      return a.p.priority != b.p.priority ? a.p.priority < b.p.priority : a.rank < b.rank;
    };
    for (const auto& [age_, s] : by_age) {
      if (s.p.dir != f.dir || s.p.type != t || !matches(s.p, f)) continue;
      const Stored*& best = s.exact ? e : i;
      if (!best || before(s, *best)) best = &s;
    }
    return choose(e ? &e->p : nullptr, i ? &i->p : nullptr, i ? i->rank : 0, f.dir);
  }
};

Spd::Spd() : impl_(std::make_unique<Impl>()) {}
Spd::~Spd() = default;
Spd::Spd(Spd&&) noexcept = default;
Spd& Spd::operator=(Spd&&) noexcept = default;

Result<model::Policy> Spd::insert(model::Policy p, bool update) {
  auto& m = *impl_;
  auto key = kernel_key(p.key());
  auto old_it = m.by_age.end();
  if (auto k = m.by_key.find(key); k != m.by_key.end()) {
    if (!update) return make_error(EEXIST, "File exists");
    old_it = m.by_age.find(k->second);
  }
  const bool replacing = old_it != m.by_age.end();
  bool replacing_done = false;

  Impl::Stored s;
  s.exact = detail::is_exact(p);
  s.rank = replacing && old_it->second.p.priority == p.priority ? old_it->second.rank : m.next_rank++;
  uint32_t old_index = replacing ? old_it->second.p.index : 0;
  size_t d = dir_slot(p.dir);

  // pos 0 goes to the head of the inexact list as xfrm_policy_insert_inexact_list numbers it: right after
  // the newcomer is linked and before the policy it replaces is unlinked. A same-priority replacement
  // sits just before the replaced one, so it is the head exactly when the replaced one was.
  if (replacing && s.rank == old_it->second.rank) {
    m.unlink(old_it);
    replacing_done = true;
  }
  if (!s.exact) {
    m.inexact_order[d].insert({p.priority, s.rank});
    m.pos0[d] = m.inexact_order[d].begin()->second;
  }
  if (replacing && !replacing_done) m.unlink(old_it);  // resets pos0 when the replaced one was the head
  p.index = replacing ? old_index : m.gen_index(p.dir, p.index);
  uint64_t age = m.next_age++;

  s.p = std::move(p);
  auto& stored = m.by_age.emplace(age, std::move(s)).first->second;
  m.by_key.emplace(key, age);
  m.by_index.emplace(stored.p.index, age);
  m.fast.add(stored.p, stored.rank);
  return stored.p;
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
  uint64_t age = 0;
  if (id.index != 0) {
    auto it = m.by_index.find(id.index);
    if (it != m.by_index.end() && id_matches(m.by_age.at(it->second).p, id)) age = it->second;
  } else if (auto it = m.by_key.find(kernel_key(id.key())); it != m.by_key.end()) {
    age = it->second;
  }
  if (age == 0) return make_error(ENOENT, "No such file or directory");
  auto it = m.by_age.find(age);
  model::Policy p = it->second.p;
  m.unlink(it);
  return p;
}

Result<model::Policy> Spd::get(const model::PolicyId& id) const {
  const auto& m = *impl_;
  if (id.index != 0) {
    auto it = m.by_index.find(id.index);
    if (it != m.by_index.end() && id_matches(m.by_age.at(it->second).p, id)) return m.by_age.at(it->second).p;
  } else if (auto it = m.by_key.find(kernel_key(id.key())); it != m.by_key.end()) {
    return m.by_age.at(it->second).p;
  }
  return make_error(ENOENT, "No such file or directory");
}

void Spd::clear() {
  // A flush empties the tables; the kernel's index generator keeps counting.
  uint32_t gen = impl_->idx_generator;
  impl_ = std::make_unique<Impl>();
  impl_->idx_generator = gen;
}

std::vector<model::Policy> Spd::dump() const {
  std::vector<model::Policy> out;
  out.reserve(impl_->by_age.size());
  for (const auto& [age, s] : impl_->by_age) out.push_back(s.p);
  return out;
}

size_t Spd::size() const { return impl_->by_age.size(); }

const model::Policy* Spd::lookup_linear(const Flow& f) const {
  if (auto* p = impl_->lookup_scan(f, model::PolicyType::sub)) return p;
  return impl_->lookup_scan(f, model::PolicyType::main);
}

const model::Policy* Spd::lookup(const Flow& f) const {
  if (auto* p = impl_->lookup_fast(f, model::PolicyType::sub)) return p;
  return impl_->lookup_fast(f, model::PolicyType::main);
}

}  // namespace xfrmpp::engine
