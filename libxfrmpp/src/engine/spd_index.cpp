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

uint32_t SpdIndex::Trie::node_of(const Words& key, unsigned len, bool create) {
  auto make = [&](unsigned l) {
    Node n;
    auto mm = mask_words(l);
    n.prefix = {key[0] & mm[0], key[1] & mm[1]};
    n.len = static_cast<uint8_t>(l);
    nodes.push_back(n);
    return static_cast<uint32_t>(nodes.size() - 1);
  };
  uint32_t n = 1;  // the root: length 0, on every path
  for (;;) {
    if (nodes[n].len == len) return n;
    unsigned side = word_bit(key, nodes[n].len);
    uint32_t c = nodes[n].child[side];
    if (c == 0) {
      if (!create) return 0;
      uint32_t leaf = make(len);
      nodes[n].child[side] = leaf;
      return leaf;
    }
    unsigned common = std::min({len, unsigned{nodes[c].len}, common_len(key, nodes[c].prefix)});
    if (common == nodes[c].len) {
      n = c;
      continue;
    }
    if (!create) return 0;
    // Split the edge n -> c at `common`: a new node there takes c below it.
    uint32_t mid = make(common);
    nodes[mid].child[word_bit(nodes[c].prefix, common)] = c;
    nodes[n].child[side] = mid;
    if (common == len) return mid;
    uint32_t leaf = make(len);
    nodes[mid].child[word_bit(key, common)] = leaf;
    return leaf;
  }
}

void SpdIndex::Trie::refresh(const Words& key, unsigned len) {
  std::array<uint32_t, 130> up;
  unsigned n = 0;
  for (uint32_t d = 1; d != 0;) {
    up[n++] = d;
    if (nodes[d].len >= len) break;
    d = nodes[d].child[word_bit(key, nodes[d].len)];
    if (d != 0 && (nodes[d].len > len || !under(key, nodes[d].prefix, nodes[d].len))) break;
  }
  while (n > 0) {
    Node& x = nodes[up[--n]];
    x.sub = x.head;
    for (uint32_t c : x.child)
      if (c != 0) x.sub = std::min(x.sub, nodes[c].sub);
  }
}

unsigned SpdIndex::Trie::path(const Words& a, unsigned limit, uint32_t bound, std::array<uint32_t, 129>& out) const {
  unsigned n = 0;
  for (uint32_t d = 1;;) {
    const Node& dn = nodes[d];
    if (dn.sub > bound) break;  // nothing from here down can win
    if (dn.slot != 0 && dn.head <= bound) out[n++] = d;
    if (dn.len >= limit) break;
    d = dn.child[word_bit(a, dn.len)];
    if (d == 0 || !under(a, nodes[d].prefix, nodes[d].len)) break;
  }
  return n;
}

namespace {

std::array<uint64_t, 2> masked_words(const model::Prefix& p) {
  auto m = mask_words(p.len);
  auto w = words(p.addr);
  return {w[0] & m[0], w[1] & m[1]};
}

void insert_sorted(std::vector<Entry>& l, const Entry& e) {
  l.insert(std::upper_bound(l.begin(), l.end(), e, [](const Entry& x, const Entry& y) { return x.before_by_pos(y); }),
           e);
}

bool erase_policy(std::vector<Entry>& l, const model::Policy& p) {
  auto it = std::find_if(l.begin(), l.end(), [&](const Entry& e) { return e.policy == &p; });
  if (it == l.end()) return false;
  l.erase(it);
  return true;
}

}  // namespace

void SpdIndex::Layer::add(const Entry& e) {
  const model::Prefix& dp = e.policy->sel.dst;
  const unsigned src_len = e.policy->sel.src.len;
  const auto dk = masked_words(dp);
  uint32_t d = dst.node_of(dk, dp.len, true);
  if (dst.nodes[d].slot == 0) {
    dst.nodes[d].slot = static_cast<uint32_t>(cells.size());
    cells.emplace_back();
  }
  Cell& c = cells[dst.nodes[d].slot];
  dst.nodes[d].head = std::min(dst.nodes[d].head, e.priority);
  dst.refresh(dk, dp.len);
  if (!c.by_src && c.flat.size() < kSplit) {
    insert_sorted(c.flat, e);
    return;
  }
  auto put = [](BySrc& s, const Entry& x, unsigned len) {
    uint32_t n = s.trie.node_of(x.src, len, true);
    if (s.trie.nodes[n].slot == 0) {
      s.trie.nodes[n].slot = static_cast<uint32_t>(s.lists.size());
      s.lists.emplace_back();
    }
    List& l = s.lists[s.trie.nodes[n].slot];
    insert_sorted(l, x);
    s.trie.nodes[n].head = l.front().priority;
    s.trie.refresh(x.src, len);
  };
  if (!c.by_src) {
    // Past kSplit the source trie pays for its walk; the flat list is never used again.
    c.by_src = std::make_unique<BySrc>();
    for (const Entry& o : c.flat) put(*c.by_src, o, o.policy->sel.src.len);
    List{}.swap(c.flat);
  }
  put(*c.by_src, e, src_len);
}

bool SpdIndex::Layer::remove(const model::Policy& p) {
  // Trie nodes stay: a later policy with the same prefixes reuses them, and an empty list costs one
  // check per lookup that passes it.
  const auto dk = masked_words(p.sel.dst);
  uint32_t d = dst.node_of(dk, p.sel.dst.len, false);
  if (d == 0 || dst.nodes[d].slot == 0) return false;
  Cell& c = cells[dst.nodes[d].slot];
  auto& head = dst.nodes[d].head;
  if (!c.by_src) {
    if (!erase_policy(c.flat, p)) return false;
    head = c.flat.empty() ? UINT32_MAX : c.flat.front().priority;
  } else {
    BySrc& s = *c.by_src;
    const auto sk = masked_words(p.sel.src);
    uint32_t n = s.trie.node_of(sk, p.sel.src.len, false);
    if (n == 0 || s.trie.nodes[n].slot == 0) return false;
    List& l = s.lists[s.trie.nodes[n].slot];
    if (!erase_policy(l, p)) return false;
    s.trie.nodes[n].head = l.empty() ? UINT32_MAX : l.front().priority;
    s.trie.refresh(sk, p.sel.src.len);
    head = s.trie.nodes[1].sub;  // the root's subtree is the whole cell
  }
  dst.refresh(dk, p.sel.dst.len);
  return true;
}

std::vector<Entry> SpdIndex::Layer::take_band(uint32_t band) {
  std::vector<Entry> out;
  for (const Cell& c : cells) {
    for (const Entry& e : c.flat)
      if (e.priority >> kBandShift == band) out.push_back(e);
    if (c.by_src)
      for (const List& l : c.by_src->lists)
        for (const Entry& e : l)
          if (e.priority >> kBandShift == band) out.push_back(e);
  }
  for (const Entry& e : out) remove(*e.policy);
  return out;
}

SpdIndex::Layer* SpdIndex::Bin::dense_layer(uint32_t band) {
  auto it = std::lower_bound(dense.begin(), dense.end(), band,
                             [](const std::pair<uint32_t, Layer>& x, uint32_t b) { return x.first < b; });
  return it != dense.end() && it->first == band ? &it->second : nullptr;
}

void SpdIndex::add_inexact(Bin& b, const Entry& e) {
  const uint32_t band = e.priority >> kBandShift;
  if (Layer* l = b.dense_layer(band)) {
    l->add(e);
    return;
  }
  b.sparse.add(e);
  if (++b.band_count[band] < kDense) return;
  // The band is dense now: it moves to a layer of its own for good.
  b.band_count.erase(band);
  auto moved = b.sparse.take_band(band);
  auto it = std::lower_bound(b.dense.begin(), b.dense.end(), band,
                             [](const std::pair<uint32_t, Layer>& x, uint32_t v) { return x.first < v; });
  Layer& l = b.dense.emplace(it, band, Layer{})->second;
  for (const Entry& m : moved) l.add(m);
}

void SpdIndex::remove_inexact(Bin& b, const model::Policy& p) {
  const uint32_t band = p.priority >> kBandShift;
  if (Layer* l = b.dense_layer(band)) {
    l->remove(p);
    return;
  }
  if (b.sparse.remove(p)) {
    auto it = b.band_count.find(band);
    if (it != b.band_count.end() && --it->second == 0) b.band_count.erase(it);
  }
}

void SpdIndex::add(const model::Policy& p, uint64_t rank, uint64_t pos) {
  if (policy_family(p) == model::Family::unspec) return;  // matches no flow
  Bin& b = *bin_of(p, true);
  Entry e = make_entry(p, rank, pos);
  if (!is_exact(p)) {
    add_inexact(b, e);
    return;
  }
  List& l = b.exact[pair_key(p.sel.dst.addr, p.sel.src.addr)];
  l.insert(std::upper_bound(l.begin(), l.end(), e, [](const Entry& x, const Entry& y) { return x.before_in_chain(y); }),
           e);
}

void SpdIndex::remove(const model::Policy& p) {
  Bin* b = bin_of(p, false);
  if (!b) return;
  if (!is_exact(p)) {
    remove_inexact(*b, p);
    return;
  }
  auto it = b->exact.find(pair_key(p.sel.dst.addr, p.sel.src.addr));
  if (it != b->exact.end()) erase_policy(it->second, p);
}

void SpdIndex::clear() { bins_.clear(); }

namespace {

// The first entry of sorted `l` that matches `f` and beats `top` (lower priority, or equal and older);
// `src` is null when the list's source prefix is known to match.
const Entry* scan_list(const std::vector<Entry>& l, const Flow& f, const std::array<uint64_t, 2>* src,
                              uint32_t bound, const Entry* top) {
  for (const Entry& e : l) {
    if (e.priority > bound || (top && !e.before_by_pos(*top))) break;
    if (src && (((*src)[0] & e.src_mask[0]) != e.src[0] || ((*src)[1] & e.src_mask[1]) != e.src[1])) continue;
    if (entry_matches_rest(e, f)) return &e;  // the first match of a sorted list is its best
  }
  return nullptr;
}

}  // namespace

void SpdIndex::Layer::search(const Flow& f, const Words& dst_w, const Words& src_w, uint32_t& bound,
                             const Entry*& top) const {
  auto take = [&](const Entry* e) {
    if (!e) return;
    top = e;
    bound = e->priority;
  };
  std::array<uint32_t, 129> dpath, spath;
  unsigned n = dst.path(dst_w, full_len(f.family), bound, dpath);
  while (n > 0) {
    const Trie::Node& dn = dst.nodes[dpath[--n]];
    if (dn.head > bound) continue;
    const Cell& c = cells[dn.slot];
    if (!c.by_src) {
      take(scan_list(c.flat, f, &src_w, bound, top));
      continue;
    }
    // Source prefixes longer than the family's exist in no kernel policy; walking to 128 treats them
    // as the flat scan's mask compare would.
    unsigned m = c.by_src->trie.path(src_w, 128, bound, spath);
    while (m > 0) {
      const Trie::Node& sn = c.by_src->trie.nodes[spath[--m]];
      if (sn.head > bound) continue;
      take(scan_list(c.by_src->lists[sn.slot], f, nullptr, bound, top));
    }
  }
}

Best SpdIndex::find(const Flow& f, model::PolicyType type) const {
  Best best;
  auto bit_ = bins_.find(bin_key(f.dir, type, f.family, f.if_id));
  if (bit_ == bins_.end()) return best;
  const Bin& b = bit_->second;

  // The exact chain: the first match in chain order is the one the kernel takes (no pos involved).
  if (!b.exact.empty()) {
    auto it = b.exact.find(pair_key(f.dst, f.src));
    if (it != b.exact.end())
      for (const Entry& e : it->second)
        if (entry_matches_rest(e, f)) {
          best.exact = &e;
          break;
        }
  }

  // The inexact side can only win with a priority at most the exact match's (equal: the older pos).
  uint32_t bound = best.exact ? best.exact->priority : UINT32_MAX;
  const Entry* top = nullptr;
  const auto dst = words(f.dst), src = words(f.src);
  for (const auto& [band, l] : b.dense)
    if (l.min() <= bound) l.search(f, dst, src, bound, top);
  if (b.sparse.min() <= bound) b.sparse.search(f, dst, src, bound, top);
  best.inexact = top;
  return best;
}

}  // namespace xfrmpp::engine::detail
