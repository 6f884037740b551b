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

#include <cerrno>
#include <map>
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

}  // namespace

bool matches(const model::Policy& p, const Flow& f) {
  const auto& s = p.sel;
  model::Family fam = detail::policy_family(p);
  if (fam == model::Family::unspec || fam != f.family) return false;
  if (!prefix_matches(s.src, f.src) || !prefix_matches(s.dst, f.dst)) return false;
  return detail::entry_matches_rest(detail::make_entry(p, 0, 0), f) && p.if_id.value_or(0) == f.if_id;
}

struct Spd::Impl {
  struct Stored {
    model::Policy p;
    uint64_t rank = 0;  // chain order among equal priorities
    uint64_t pos = 0;   // link order
    bool exact = false;
  };

  std::map<uint64_t, Stored> by_age;  // dump order, older first; the key is pos
  std::map<model::PolicyKey, uint64_t> by_key;
  std::unordered_map<uint32_t, uint64_t> by_index;
  detail::SpdIndex fast;
  uint64_t next_pos = 1, next_rank = 1;
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
    fast.remove(it->second.p);
    by_key.erase(kernel_key(it->second.p.key()));
    by_index.erase(it->second.p.index);
    by_age.erase(it);
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
    for (const auto& [pos_, s] : by_age) {
      if (s.p.dir != f.dir || s.p.type != t || !matches(s.p, f)) continue;
      if (s.exact) {
        if (!e || s.p.priority < e->p.priority || (s.p.priority == e->p.priority && s.rank < e->rank)) e = &s;
      } else if (!i || s.p.priority < i->p.priority) {  // by_age is in pos order: the first of a priority stays
        i = &s;
      }
    }
    return choose(e ? &e->p : nullptr, e ? e->pos : 0, i ? &i->p : nullptr, i ? i->pos : 0);
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

  Impl::Stored s;
  s.exact = detail::is_exact(p);
  s.rank = replacing && old_it->second.p.priority == p.priority ? old_it->second.rank : m.next_rank++;
  s.pos = m.next_pos++;
  if (replacing) {
    p.index = old_it->second.p.index;
    m.unlink(old_it);
  } else {
    p.index = m.gen_index(p.dir, p.index);
  }
  s.p = std::move(p);
  uint64_t pos = s.pos;
  auto& stored = m.by_age.emplace(pos, std::move(s)).first->second;
  m.by_key.emplace(key, pos);
  m.by_index.emplace(stored.p.index, pos);
  m.fast.add(stored.p, stored.rank, stored.pos);
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

void Spd::for_each(const std::function<void(const model::Policy&)>& fn) const {
  for (const auto& [age, s] : impl_->by_age) fn(s.p);
}

std::vector<model::Policy> Spd::dump() const {
  std::vector<model::Policy> out;
  out.reserve(impl_->by_age.size());
  for (const auto& [age, s] : impl_->by_age) out.push_back(s.p);
  return out;
}

size_t Spd::size() const { return impl_->by_age.size(); }
bool Spd::has_index(uint32_t index) const { return impl_->by_index.contains(index); }

const model::Policy* Spd::lookup_linear(const Flow& f) const {
  if (auto* p = impl_->lookup_scan(f, model::PolicyType::sub)) return p;
  return impl_->lookup_scan(f, model::PolicyType::main);
}

void Spd::prepare() { impl_->fast.prepare(); }

const model::Policy* Spd::lookup(const Flow& f) const {
  if (auto* p = impl_->lookup_fast(f, model::PolicyType::sub)) return p;
  return impl_->lookup_fast(f, model::PolicyType::main);
}

}  // namespace xfrmpp::engine
