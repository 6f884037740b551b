// SPDX-License-Identifier: BSD-3-Clause
// The exact hash and the destination/source tries behind Spd::lookup (see spd_index.hpp).
#include "spd_index.hpp"

#include <algorithm>
#include <cstring>

namespace xfrmpp::engine::detail {

namespace {

inline unsigned bit(const model::Address& a, unsigned i) { return (a.bytes[i >> 3] >> (7 - (i & 7))) & 1u; }

uint8_t full_len(model::Family f) { return f == model::Family::inet6 ? 128 : 32; }

std::array<uint8_t, 32> pair_key(const model::Address& dst, const model::Address& src) {
  std::array<uint8_t, 32> k{};
  std::memcpy(k.data(), dst.bytes.data(), 16);
  std::memcpy(k.data() + 16, src.bytes.data(), 16);
  return k;
}

std::array<uint64_t, 2> words(const model::Address& a) {
  std::array<uint64_t, 2> w{};
  for (int i = 0; i < 16; ++i) w[i / 8] = (w[i / 8] << 8) | a.bytes[i];
  return w;
}

std::array<uint64_t, 2> mask_words(unsigned len) {
  auto m = [](unsigned n) { return n == 0 ? 0 : n >= 64 ? ~0ull : ~0ull << (64 - n); };
  return {m(len), m(len > 64 ? len - 64 : 0)};
}

inline unsigned word_bit(const std::array<uint64_t, 2>& w, unsigned i) { return (w[i >> 6] >> (63 - (i & 63))) & 1u; }

inline bool under(const std::array<uint64_t, 2>& a, const std::array<uint64_t, 2>& prefix, unsigned len) {
  auto m = mask_words(len);
  return (a[0] & m[0]) == prefix[0] && (a[1] & m[1]) == prefix[1];
}

unsigned common_len(const std::array<uint64_t, 2>& a, const std::array<uint64_t, 2>& b) {
  if (a[0] != b[0]) return static_cast<unsigned>(__builtin_clzll(a[0] ^ b[0]));
  if (a[1] != b[1]) return 64 + static_cast<unsigned>(__builtin_clzll(a[1] ^ b[1]));
  return 128;
}

}  // namespace

model::Family policy_family(const model::Policy& p) {
  if (p.sel.family != model::Family::unspec) return p.sel.family;
  // A selector with no family of its own takes its addresses' (the kernel has no such policy: netlink
  // rejects AF_UNSPEC selectors, PF_KEY takes the family from the addresses).
  if (p.sel.dst.addr.family != model::Family::unspec) return p.sel.dst.addr.family;
  return p.sel.src.addr.family;
}

bool is_exact(const model::Policy& p) {
  uint8_t full = full_len(policy_family(p));
  return p.sel.src.len >= full && p.sel.dst.len >= full;
}

Entry make_entry(const model::Policy& p, uint64_t rank, uint64_t pos) {
  Entry e;
  e.priority = p.priority;
  e.rank = rank;
  e.pos = pos;
  e.sport = p.sel.sport;
  e.sport_mask = p.sel.sport_mask;
  e.dport = p.sel.dport;
  e.dport_mask = p.sel.dport_mask;
  e.proto = p.sel.proto;
  e.ifindex = p.sel.ifindex;
  if (p.mark) {
    e.mark_v = p.mark->value;
    e.mark_m = p.mark->mask;
  }
  e.src_len = p.sel.src.len;
  e.dst_len = p.sel.dst.len;
  e.dst_mask = mask_words(p.sel.dst.len);
  auto dw = words(p.sel.dst.addr);
  e.dst = {dw[0] & e.dst_mask[0], dw[1] & e.dst_mask[1]};
  e.src_mask = mask_words(p.sel.src.len);
  auto w = words(p.sel.src.addr);
  e.src = {w[0] & e.src_mask[0], w[1] & e.src_mask[1]};
  e.policy = &p;
  return e;
}

bool entry_matches_rest(const Entry& e, const Flow& f) {
  // __xfrm4/6_selector_match compare network-order ports under masks; XOR and AND commute with the byte
  // swap, so host order gives the same answer.
  return ((e.sport ^ f.sport) & e.sport_mask) == 0 && ((e.dport ^ f.dport) & e.dport_mask) == 0 &&
         (e.proto == 0 || e.proto == f.proto) && (e.ifindex == 0 || e.ifindex == f.ifindex) &&
         (f.mark & e.mark_m) == e.mark_v;
}

size_t SpdIndex::PairHash::operator()(const std::array<uint8_t, 32>& k) const {
  uint64_t w[4];
  std::memcpy(w, k.data(), sizeof w);
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (uint64_t x : w) {
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
  }
  return static_cast<size_t>(h ^ (h >> 33));
}

uint64_t SpdIndex::bin_key(model::Direction d, model::PolicyType t, model::Family fam, uint32_t if_id) {
  // The kernel's inexact bins are keyed by (dir, type, family, if_id); the exact hash is not, but a
  // policy of another if_id never matches, so keying both alike changes no answer.
  return (static_cast<uint64_t>(if_id) << 32) | (static_cast<uint64_t>(d) << 16) |
         (static_cast<uint64_t>(t) << 8) | static_cast<uint64_t>(fam);
}

SpdIndex::Bin* SpdIndex::bin_of(const model::Policy& p, bool create) {
  uint64_t k = bin_key(p.dir, p.type, policy_family(p), p.if_id.value_or(0));
  if (create) return &bins_[k];
  auto it = bins_.find(k);
  return it == bins_.end() ? nullptr : &it->second;
}

SpdIndex::List* SpdIndex::list_of(Bin& b, const model::Policy& p, bool create) {
  if (is_exact(p)) {
    auto k = pair_key(p.sel.dst.addr, p.sel.src.addr);
    if (create) return &b.exact[k];
    auto it = b.exact.find(k);
    return it == b.exact.end() ? nullptr : &it->second;
  }
  uint32_t d = node_of(b, p.sel.dst, create);
  if (d == 0) return nullptr;
  if (b.dst[d].list == 0) {
    if (!create) return nullptr;
    b.dst[d].list = static_cast<uint32_t>(b.lists.size());
    b.lists.emplace_back();
  }
  return &b.lists[b.dst[d].list];
}

uint32_t SpdIndex::node_of(Bin& b, const model::Prefix& p, bool create) {
  const unsigned len = p.len;
  auto m = mask_words(len);
  auto w = words(p.addr);
  const std::array<uint64_t, 2> key{w[0] & m[0], w[1] & m[1]};
  auto make = [&](unsigned l) {
    DstNode n;
    auto mm = mask_words(l);
    n.prefix = {key[0] & mm[0], key[1] & mm[1]};
    n.len = static_cast<uint8_t>(l);
    b.dst.push_back(n);
    return static_cast<uint32_t>(b.dst.size() - 1);
  };
  uint32_t n = 1;  // the root: length 0, on every path
  for (;;) {
    if (b.dst[n].len == len) return n;
    unsigned side = word_bit(key, b.dst[n].len);
    uint32_t c = b.dst[n].child[side];
    if (c == 0) {
      if (!create) return 0;
      uint32_t leaf = make(len);
      b.dst[n].child[side] = leaf;
      return leaf;
    }
    unsigned common = std::min({len, unsigned{b.dst[c].len}, common_len(key, b.dst[c].prefix)});
    if (common == b.dst[c].len) {
      n = c;
      continue;
    }
    if (!create) return 0;
    // Split the edge n -> c at `common`: a new node there takes c below it.
    uint32_t mid = make(common);
    b.dst[mid].child[word_bit(b.dst[c].prefix, common)] = c;
    b.dst[n].child[side] = mid;
    if (common == len) return mid;
    uint32_t leaf = make(len);
    b.dst[mid].child[word_bit(key, common)] = leaf;
    return leaf;
  }
}

void SpdIndex::update_head(Bin& b, const model::Policy& p) {
  if (is_exact(p)) return;
  uint32_t d = node_of(b, p.sel.dst, false);
  if (d == 0 || b.dst[d].list == 0) return;
  const List& l = b.lists[b.dst[d].list];
  b.dst[d].head = l.empty() ? UINT32_MAX : l.front().priority;
}

void SpdIndex::add(const model::Policy& p, uint64_t rank, uint64_t pos) {
  prepared_ = false;
  if (policy_family(p) == model::Family::unspec) return;  // matches no flow
  Bin& b = *bin_of(p, true);
  List& l = *list_of(b, p, true);
  Entry e = make_entry(p, rank, pos);
  if (is_exact(p)) {
    l.insert(std::upper_bound(l.begin(), l.end(), e,
                              [](const Entry& x, const Entry& y) { return x.before_in_chain(y); }),
             e);
    return;
  }
  auto at = std::upper_bound(l.begin(), l.end(), e, [](const Entry& x, const Entry& y) { return x.before_by_pos(y); });
  auto& k = b.dst[node_of(b, p.sel.dst, false)].keys;
  k.insert(k.begin() + (at - l.begin()), Key{e.src[0], e.src_mask[0], e.priority});
  l.insert(at, e);
  update_head(b, p);
}

void SpdIndex::remove(const model::Policy& p) {
  prepared_ = false;
  Bin* b = bin_of(p, false);
  if (!b) return;
  List* l = list_of(*b, p, false);
  if (!l) return;
  // Trie nodes stay: a later policy with the same prefixes reuses them, and an empty list costs one
  // check per lookup that passes it.
  auto it = std::find_if(l->begin(), l->end(), [&](const Entry& e) { return e.policy == &p; });
  if (it == l->end()) return;
  if (!is_exact(p)) {
    auto& k = b->dst[node_of(*b, p.sel.dst, false)].keys;
    k.erase(k.begin() + (it - l->begin()));
  }
  l->erase(it);
  update_head(*b, p);
}

void SpdIndex::clear() {
  bins_.clear();
  prepared_ = false;
}

void SpdIndex::prepare_bin(Bin& b, model::Family fam) {
  // One rank across the exact hash and the lists, by (priority, pos): the tie rule between them.
  std::vector<Entry*> all;
  for (auto& [k, l] : b.exact)
    for (Entry& e : l) all.push_back(&e);
  for (List& l : b.lists)
    for (Entry& e : l) all.push_back(&e);
  std::sort(all.begin(), all.end(), [](const Entry* x, const Entry* y) { return x->before_by_pos(*y); });
  for (size_t i = 0; i < all.size(); ++i) all[i]->order = static_cast<uint32_t>(i);
  std::vector<const Entry*> inexact;
  for (const List& l : b.lists)
    for (const Entry& e : l) inexact.push_back(&e);
  std::vector<CompiledBin::Chain> exact;
  for (const auto& [k, l] : b.exact) {
    if (l.empty()) continue;
    CompiledBin::Chain c;
    c.key = {l.front().dst[0], l.front().dst[1], l.front().src[0], l.front().src[1]};
    c.first = l.data();
    c.count = static_cast<uint32_t>(l.size());
    exact.push_back(c);
  }
  b.compiled.build(inexact, exact, full_len(fam));
}

void SpdIndex::prepare() {
  for (auto& [k, b] : bins_) prepare_bin(b, static_cast<model::Family>(k & 0xff));
  prepared_ = true;
}

Best SpdIndex::find(const Flow& f, model::PolicyType type) const {
  Best best;
  auto bit_ = bins_.find(bin_key(f.dir, type, f.family, f.if_id));
  if (bit_ == bins_.end()) return best;
  const Bin& b = bit_->second;

  // The exact chain: the first match in chain order is the one the kernel takes (no pos involved).
  if (prepared_) {
    const auto src = words(f.src), dst = words(f.dst);
    if (const CompiledBin::Chain* c = b.compiled.exact(dst, src))
      for (const Entry* e = c->first; e != c->first + c->count; ++e)
        if (entry_matches_rest(*e, f)) {
          best.exact = e;
          break;
        }
    // Ranks are unique, so "below the exact match's" is the whole rule (priority, then pos).
    best.inexact = b.compiled.find(dst, src, f.proto, f.sport, f.dport, best.exact ? best.exact->order : UINT32_MAX,
                                   [&](const Entry& e) {
                                     return (src[1] & e.src_mask[1]) == e.src[1] && (dst[1] & e.dst_mask[1]) == e.dst[1] &&
                                            entry_matches_rest(e, f);
                                   });
    return best;
  }
  if (!b.exact.empty()) {
    auto it = b.exact.find(pair_key(f.dst, f.src));
    if (it != b.exact.end())
      for (const Entry& e : it->second)
        if (entry_matches_rest(e, f)) {
          best.exact = &e;
          break;
        }
  }
  best.inexact = find_inexact(b, f, best.exact ? best.exact->priority : UINT32_MAX);
  return best;
}

const Entry* SpdIndex::find_inexact(const Bin& b, const Flow& f, uint32_t bound) const {
  // The inexact side can only win with a priority at most the exact match's (equal: the older pos).
  const Entry* top = nullptr;
  const unsigned full = full_len(f.family);
  std::array<const DstNode*, 129> path;
  unsigned n = 0;
  const auto dst = words(f.dst);
  for (uint32_t d = 1;;) {
    const DstNode& dn = b.dst[d];
    if (dn.list != 0) path[n++] = &dn;
    if (dn.len >= full) break;
    d = dn.child[word_bit(dst, dn.len)];
    if (d == 0 || !under(dst, b.dst[d].prefix, b.dst[d].len)) break;
  }
  const auto src = words(f.src);
  while (n > 0) {
    const DstNode& dn = *path[--n];
    if (dn.head > bound) continue;
    const List& l = b.lists[dn.list];
    const Key* k = dn.keys.data();
    const size_t size = dn.keys.size();
    for (size_t i = 0; i < size && k[i].priority <= bound; ++i) {
      if (((src[0] ^ k[i].src0) & k[i].mask0) != 0) continue;
      const Entry& e = l[i];
      if (top && !e.before_by_pos(*top)) break;  // the list is sorted, nothing after it beats top either
      if ((src[1] & e.src_mask[1]) == e.src[1] && entry_matches_rest(e, f)) {
        top = &e;  // the first match of a sorted list is its best
        bound = e.priority;
        break;
      }
    }
  }
  return top;
}

}  // namespace xfrmpp::engine::detail
