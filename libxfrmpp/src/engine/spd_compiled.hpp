// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The read-mostly form of one inexact bin (private to the library), built by Spd::prepare: a decision
// tree over both addresses, in the spirit of HiCuts and HyperSplit. Each inner node cuts the space on 4
// aligned bits of the destination or of the source (whichever splits its policies best) into 16
// children; a policy goes to every child its prefix is compatible with. A leaf holds a short run of
// keys in (priority, pos) order, and a lookup walks one path and scans one leaf. Two things keep the
// copies few: a policy that covers a node's whole region and has no other condition ends the node's
// list (nothing after it can win there), and a budget on the copies turns nodes into longer leaves
// instead of splitting further. Why not the trie of spd_index.hpp: every list on the destination path
// competes, and at 100k overlapping policies a lookup had to read hundreds of keys over dozens of
// lists; here it reads a few nodes and a few keys. `order` is an entry's rank by (priority, pos) across
// the whole bin, exact hash included: one comparison answers "can this still win?".
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xfrmpp::engine::detail {

struct Entry;

class DecisionTree {
 public:
  static constexpr uint8_t kLeaf = 2;
  struct Node {
    uint32_t first = 0;  // inner: the first of 16 children; leaf: the first key
    uint32_t count = 0;  // leaf: how many keys
    uint8_t dim = kLeaf;  // 0: cut on the destination, 1: on the source, kLeaf
    uint8_t bit = 0;      // the cut's first bit (a multiple of 4)
  };

  /// Builds from entries (any order) whose `order` is set; `full_len` is the family's address length.
  void build(std::vector<const Entry*> entries, unsigned full_len);
  bool empty() const { return nodes_.empty(); }
  uint32_t min_order() const { return min_order_; }
  const Node* root() const { return nodes_.data(); }
  /// The 4 bits of `w` from `bit` (a multiple of 4): what a cut looks at, in the build as in the walk.
  static unsigned chunk(const std::array<uint64_t, 2>& w, unsigned bit) {
    return static_cast<unsigned>((w[bit >> 6] >> (60 - (bit & 63))) & 0xf);
  }
  /// One step down from an inner node.
  const Node* child(const Node* n, const std::array<uint64_t, 2>& dst, const std::array<uint64_t, 2>& src) const {
    return &nodes_[n->first + chunk(n->dim ? src : dst, n->bit)];
  }
  void prefetch(const Node* leaf) const { __builtin_prefetch(keys_.data() + leaf->first); }
  /// How many keys a scan of `leaf` reads before it stops (for the build's cost model).
  template <typename Accept>
  uint32_t keys_read(const Node* leaf, const std::array<uint64_t, 2>& dst, const std::array<uint64_t, 2>& src,
                     uint8_t proto, uint16_t sport, uint16_t dport, uint32_t bound, Accept&& accept) const {
    Hit h = scan(leaf, dst, src, proto, sport, dport, bound, accept);
    uint32_t n = 0;
    for (const Key* k = keys_.data() + leaf->first; n < leaf->count && k[n].order < (h.entry ? h.order + 1 : bound); ++n) {
    }
    return n;
  }
  /// The leaf's best entry whose rank is below `bound`, whose prefixes hold `dst` and `src` and that
  /// `accept` takes (asked only where the key alone cannot tell: partial port masks, marks, interfaces).
  struct Hit {
    const Entry* entry = nullptr;
    uint32_t order = 0;
  };
  template <typename Accept>
  Hit scan(const Node* leaf, const std::array<uint64_t, 2>& dst, const std::array<uint64_t, 2>& src,
                    uint8_t proto, uint16_t sport, uint16_t dport, uint32_t bound, Accept&& accept) const;

 private:
  /// What a scan reads of every key it passes; a `complete` key answers without its Entry.
  struct Key {
    std::array<uint64_t, 2> dst{}, src{};  // the prefixes, host bits clear
    uint32_t order = 0;
    uint8_t dlen = 0, slen = 0;
    uint8_t proto = 0;  // 0: any
    uint8_t flags = 0;
    uint16_t sport = 0, dport = 0;
  };
  static constexpr uint8_t kSportExact = 1, kDportExact = 2, kComplete = 4;

  // The mask of the `len` leading bits of a 64-bit word (len 0..64), with no branch and no shift by 64.
  static uint64_t lead_mask(unsigned len) { return (0 - static_cast<uint64_t>(len != 0)) & (~0ull << ((64 - len) & 63)); }
  static bool holds(const std::array<uint64_t, 2>& prefix, unsigned len, const std::array<uint64_t, 2>& a) {
    return ((a[0] ^ prefix[0]) & lead_mask(len < 64 ? len : 64)) == 0 &&
           ((a[1] ^ prefix[1]) & lead_mask(len > 64 ? len - 64 : 0)) == 0;
  }
  Key make_key(const Entry& e) const;

  std::vector<Node> nodes_;
  std::vector<Key> keys_;
  std::vector<const Entry*> entries_;  // parallel to keys_
  uint32_t min_order_ = UINT32_MAX;
};

template <typename Accept>
DecisionTree::Hit DecisionTree::scan(const Node* leaf, const std::array<uint64_t, 2>& dst, const std::array<uint64_t, 2>& src,
                                uint8_t proto, uint16_t sport, uint16_t dport, uint32_t bound, Accept&& accept) const {
  const Key* k = keys_.data() + leaf->first;
  for (uint32_t i = 0; i < leaf->count && k[i].order < bound; ++i) {
    if (!holds(k[i].dst, k[i].dlen, dst) || !holds(k[i].src, k[i].slen, src)) continue;
    if ((k[i].proto != 0 && k[i].proto != proto) || ((k[i].flags & kSportExact) && k[i].sport != sport) ||
        ((k[i].flags & kDportExact) && k[i].dport != dport))
      continue;
    const Entry* e = entries_[leaf->first + i];
    if ((k[i].flags & kComplete) || accept(*e)) return {e, k[i].order};  // a sorted run's first match is its best
  }
  return {};
}

/// One tree per class of policy: specific or wide in each address. A policy with a short prefix would
/// be copied into every child of a cut on that address; in a tree of its own class no tree cuts where
/// its members are wide (EffiCuts, Vamanan, Voskuilen, Vijaykumar 2010, separates rules the same way).
/// The four walks go down in step, so that their cache misses overlap instead of adding up.
class CompiledBin {
 public:
  /// One exact-hash chain: both addresses (two words each) and its entries, contiguous, in chain order.
  struct Chain {
    std::array<uint64_t, 4> key{};
    const Entry* first = nullptr;
    uint32_t count = 0;
  };
  void build(const std::vector<const Entry*>& inexact, const std::vector<Chain>& exact, unsigned full_len);
  /// The exact chain of (dst, src), or null: an open-addressed table, one probe where the node-based
  /// map took three dependent loads.
  const Chain* exact(const std::array<uint64_t, 2>& dst, const std::array<uint64_t, 2>& src) const {
    if (slots_.empty()) return nullptr;
    const std::array<uint64_t, 4> key{dst[0], dst[1], src[0], src[1]};
    for (size_t i = hash(key) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Chain& c = slots_[i];
      if (!c.first) return nullptr;
      if (c.key == key) return &c;
    }
  }
  template <typename Accept>
  const Entry* find(const std::array<uint64_t, 2>& dst, const std::array<uint64_t, 2>& src, uint8_t proto,
                    uint16_t sport, uint16_t dport, uint32_t bound, Accept&& accept) const {
    std::array<const DecisionTree::Node*, 4> at{};
    for (size_t t = 0; t < trees_.size(); ++t)
      if (!trees_[t].empty() && trees_[t].min_order() < bound) at[t] = trees_[t].root();
    for (bool deeper = true; deeper;) {
      deeper = false;
      for (size_t t = 0; t < trees_.size(); ++t)
        if (at[t] && at[t]->dim != DecisionTree::kLeaf) {
          at[t] = trees_[t].child(at[t], dst, src);
          deeper = true;
        }
    }
    for (size_t t = 0; t < trees_.size(); ++t)
      if (at[t]) trees_[t].prefetch(at[t]);
    const Entry* best = nullptr;
    for (size_t t = 0; t < trees_.size(); ++t)
      if (at[t])
        if (auto hit = trees_[t].scan(at[t], dst, src, proto, sport, dport, bound, accept); hit.entry) {
          best = hit.entry;
          bound = hit.order;
        }
    return best;
  }

 private:
  double cost(const std::vector<const Entry*>& entries, size_t sample) const;
  static size_t hash(const std::array<uint64_t, 4>& k) {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (uint64_t x : k) h = (h ^ x) * 0xff51afd7ed558ccdull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
  std::array<DecisionTree, 4> trees_;
  std::vector<Chain> slots_;  // a power of two, at most half full
};

}  // namespace xfrmpp::engine::detail
