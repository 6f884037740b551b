// SPDX-License-Identifier: BSD-3-Clause
// Building the decision tree of an inexact bin (see spd_compiled.hpp).
#include "spd_compiled.hpp"

#include <algorithm>
#include <deque>

#include "spd_index.hpp"

namespace xfrmpp::engine::detail {

namespace {

constexpr size_t kLeafSize = 8;     // a leaf this short is scanned, not cut
constexpr unsigned kMaxDepth = 24;  // a bound on the walk, whatever the input
constexpr size_t kCopiesPerEntry = 8;
constexpr size_t kCostSample = 512;  // flows the build's cost model tries on each shape

using Words = std::array<uint64_t, 2>;

// One entry's prefixes as the build sees them: [0] destination, [1] source.
struct Rule {
  std::array<Words, 2> value, mask;
  std::array<uint8_t, 2> len;
  bool unconditional = false;  // no port, protocol, mark or interface condition
  const Entry* entry = nullptr;
};

// A node to be laid out: its rules in rank order, and which address bits the path to it has fixed.
struct Work {
  uint32_t node = 0;
  unsigned depth = 0;
  std::vector<uint32_t> rules;
  std::array<Words, 2> known_mask{}, known_value{};
};


// The children a prefix of `len` bits with value `v` reaches when cut on bits [bit, bit + 4).
std::pair<unsigned, unsigned> child_range(const Words& v, unsigned len, unsigned bit) {
  if (len <= bit) return {0, 16};
  if (len >= bit + 4) {
    unsigned c = DecisionTree::chunk(v, bit);
    return {c, c + 1};
  }
  unsigned span = 1u << (bit + 4 - len);
  unsigned c = DecisionTree::chunk(v, bit) & ~(span - 1);
  return {c, c + span};
}

bool covers(const Rule& r, const Work& w) {
  for (int d = 0; d < 2; ++d)
    for (int i = 0; i < 2; ++i)
      if ((r.mask[d][i] & ~w.known_mask[d][i]) != 0 || ((r.value[d][i] ^ w.known_value[d][i]) & r.mask[d][i]) != 0)
        return false;
  return true;
}

struct Cut {
  unsigned dim = 0, bit = 0;
  double expected = 0;  // the mean size of the child a flow lands in
  size_t max_child = SIZE_MAX, total = SIZE_MAX;
};

// The cut that leaves a flow the shortest list to scan, over both addresses and every 4-bit window the
// path has not fixed yet. Flows are assumed to come from where the policies point: a policy spreads
// one unit of flow evenly over the children it reaches (a host's policy is one unit in one child).
// Counting only the largest child would favour windows that copy most policies into every child.
Cut best_cut(const std::vector<Rule>& rules, const Work& w, unsigned full) {
  Cut best;
  best.expected = static_cast<double>(w.rules.size());
  for (unsigned dim = 0; dim < 2; ++dim)
    for (unsigned bit = 0; bit < full; bit += 4) {
      if (DecisionTree::chunk(w.known_mask[dim], bit) == 0xf) continue;
      std::array<int64_t, 17> count{};  // difference arrays over the 16 children
      std::array<double, 17> mass{};
      for (uint32_t ri : w.rules) {
        const Rule& r = rules[ri];
        auto [lo, hi] = child_range(r.value[dim], r.len[dim], bit);
        ++count[lo];
        --count[hi];
        const double m = 1.0 / static_cast<double>(hi - lo);
        mass[lo] += m;
        mass[hi] -= m;
      }
      int64_t run = 0;
      double run_mass = 0, expected = 0;
      size_t max_child = 0, total = 0;
      for (unsigned c = 0; c < 16; ++c) {
        run += count[c];
        run_mass += mass[c];
        max_child = std::max(max_child, static_cast<size_t>(run));
        total += static_cast<size_t>(run);
        expected += run_mass * static_cast<double>(run);
      }
      expected /= static_cast<double>(w.rules.size());
      if (expected < best.expected - 1e-9 || (expected < best.expected + 1e-9 && total < best.total))
        best = {dim, bit, expected, max_child, total};
    }
  return best;
}

}  // namespace

DecisionTree::Key DecisionTree::make_key(const Entry& e) const {
  Key k;
  k.dst = e.dst;
  k.src = e.src;
  k.order = e.order;
  k.dlen = e.dst_len;
  k.slen = e.src_len;
  k.proto = e.proto;
  k.sport = e.sport;
  k.dport = e.dport;
  if (e.sport_mask == 0xffff) k.flags |= kSportExact;
  if (e.dport_mask == 0xffff) k.flags |= kDportExact;
  if ((e.sport_mask == 0 || e.sport_mask == 0xffff) && (e.dport_mask == 0 || e.dport_mask == 0xffff) && e.mark_m == 0 &&
      e.ifindex == 0)
    k.flags |= kComplete;
  return k;
}

void DecisionTree::build(std::vector<const Entry*> entries, unsigned full) {
  static_assert(sizeof(Key) == 48, "four keys to three cache lines");
  nodes_.clear();
  keys_.clear();
  entries_.clear();
  min_order_ = UINT32_MAX;
  if (entries.empty()) return;
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) { return a->order < b->order; });
  min_order_ = entries.front()->order;
  std::vector<Rule> rules;
  rules.reserve(entries.size());
  for (const Entry* e : entries) {
    Rule r;
    r.value = {e->dst, e->src};
    r.mask = {e->dst_mask, e->src_mask};
    r.len = {e->dst_len, e->src_len};
    r.unconditional = e->proto == 0 && e->sport_mask == 0 && e->dport_mask == 0 && e->mark_m == 0 && e->ifindex == 0;
    r.entry = e;
    rules.push_back(r);
  }

  size_t budget = kCopiesPerEntry * rules.size() + 4096;
  size_t copies = rules.size();
  std::deque<Work> queue;
  std::vector<std::pair<uint32_t, uint32_t>> twins;  // (slot, the slot whose node it copies)
  queue.emplace_back();
  queue.back().rules.resize(rules.size());
  for (uint32_t i = 0; i < rules.size(); ++i) queue.back().rules[i] = i;
  nodes_.emplace_back();

  auto make_leaf = [&](const Work& w) {
    Node& n = nodes_[w.node];
    n.dim = kLeaf;
    n.first = static_cast<uint32_t>(keys_.size());
    n.count = static_cast<uint32_t>(w.rules.size());
    for (uint32_t ri : w.rules) {
      keys_.push_back(make_key(*rules[ri].entry));
      entries_.push_back(rules[ri].entry);
    }
  };

  while (!queue.empty()) {
    Work w = std::move(queue.front());
    queue.pop_front();
    // A rule that holds everywhere in this region, on any port and protocol, wins over all that follow.
    for (size_t i = 0; i < w.rules.size(); ++i)
      if (rules[w.rules[i]].unconditional && covers(rules[w.rules[i]], w)) {
        copies -= w.rules.size() - (i + 1);
        w.rules.resize(i + 1);
        break;
      }
    if (w.rules.size() <= kLeafSize || w.depth >= kMaxDepth) {
      make_leaf(w);
      continue;
    }
    Cut cut = best_cut(rules, w, full);
    // No progress (every child as long as this node), or over the budget: this node is scanned.
    if (cut.max_child >= w.rules.size() || cut.total == SIZE_MAX) {
      make_leaf(w);  // no cut leaves a child shorter than this node
      continue;
    }
    std::array<Work, 16> kids;
    for (uint32_t ri : w.rules) {
      auto [lo, hi] = child_range(rules[ri].value[cut.dim], rules[ri].len[cut.dim], cut.bit);
      for (unsigned c = lo; c < hi; ++c) kids[c].rules.push_back(ri);
    }
    // Children with the same policies share one subtree (a slot copies its twin's node at the end):
    // often most of the 16 hold only the policies wider than the cut.
    std::array<int, 16> twin;
    size_t added = 0;
    for (unsigned c = 0; c < 16; ++c) {
      twin[c] = -1;
      for (unsigned t = 0; t < c && twin[c] < 0; ++t)
        if (twin[t] < 0 && kids[t].rules == kids[c].rules) twin[c] = static_cast<int>(t);
      if (twin[c] < 0) added += kids[c].rules.size();
    }
    if (copies + added - w.rules.size() > budget) {
      make_leaf(w);
      continue;
    }
    copies += added - w.rules.size();
    const uint32_t first = static_cast<uint32_t>(nodes_.size());
    nodes_[w.node].dim = static_cast<uint8_t>(cut.dim);
    nodes_[w.node].bit = static_cast<uint8_t>(cut.bit);
    nodes_[w.node].first = first;
    nodes_.resize(nodes_.size() + 16);
    const unsigned shift = 60 - (cut.bit & 63);
    for (unsigned c = 0; c < 16; ++c) {
      if (twin[c] >= 0) {
        twins.emplace_back(first + c, first + static_cast<uint32_t>(twin[c]));
        continue;
      }
      Work& k = kids[c];
      k.node = first + c;
      k.depth = w.depth + 1;
      k.known_mask = w.known_mask;
      k.known_value = w.known_value;
      k.known_mask[cut.dim][cut.bit >> 6] |= 0xfull << shift;
      k.known_value[cut.dim][cut.bit >> 6] |= static_cast<uint64_t>(c) << shift;
      queue.push_back(std::move(k));
    }
  }
  for (auto [slot, of] : twins) nodes_[slot] = nodes_[of];
}


void CompiledBin::build(const std::vector<const Entry*>& entries, const std::vector<Chain>& exact, unsigned full) {
  slots_.clear();
  if (!exact.empty()) {
    size_t size = 16;
    while (size < 2 * exact.size()) size *= 2;
    slots_.resize(size);
    for (const Chain& c : exact) {
      size_t i = hash(c.key) & (size - 1);
      while (slots_[i].first) i = (i + 1) & (size - 1);
      slots_[i] = c;
    }
  }
  // Two shapes, and the one the cost model prefers: four trees by class (specific when the prefix is at
  // least half the address; tree 0: both, 1: destination only, 2: source only, 3: neither), or one tree
  // of all. Separating saves copies where many prefixes are wide for most cuts (IPv6 with its entropy
  // spread over the address); one tree saves walks and lets a wide policy end a scan early.
  std::array<std::vector<const Entry*>, 4> parts;
  const unsigned half = full / 2;
  for (const Entry* e : entries) parts[(e->dst_len >= half ? 0 : 2) + (e->src_len >= half ? 0 : 1)].push_back(e);
  for (size_t i = 0; i < 4; ++i) trees_[i].build(std::move(parts[i]), full);
  if (entries.size() < 64) return;  // either is one short scan
  const double separate = cost(entries, kCostSample);
  std::array<DecisionTree, 4> one;
  one[0].build(entries, full);
  std::swap(one, trees_);
  if (cost(entries, kCostSample) > separate) std::swap(one, trees_);
}

double CompiledBin::cost(const std::vector<const Entry*>& entries, size_t sample) const {
  // Flows drawn from the policies themselves (a random policy, random bits past its prefixes, its
  // protocol and ports or random ones), deterministic. A tree visited costs a few cache misses, a step
  // down one, a key read a fraction of one; the weights only need to rank the two shapes.
  uint64_t x = 0x2545f4914f6cdd1dull ^ entries.size();
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  double total = 0;
  for (size_t i = 0; i < sample; ++i) {
    // Addresses as traffic has them: hosts the policies name. Of four random policies, the longest
    // prefix gives the address (its bits past the prefix random), each address on its own.
    auto host = [&](bool is_dst) {
      const Entry* best = nullptr;
      for (int k = 0; k < 4; ++k) {
        const Entry* c = entries[next() % entries.size()];
        if (!best || (is_dst ? c->dst_len > best->dst_len : c->src_len > best->src_len)) best = c;
      }
      std::array<uint64_t, 2> a;
      for (int w = 0; w < 2; ++w)
        a[w] = is_dst ? best->dst[w] | (next() & ~best->dst_mask[w]) : best->src[w] | (next() & ~best->src_mask[w]);
      return a;
    };
    const std::array<uint64_t, 2> dst = host(true), src = host(false);
    const Entry& p = *entries[next() % entries.size()];
    static constexpr uint8_t kProtos[] = {6, 17, 1, 58};
    const uint8_t proto = p.proto ? p.proto : kProtos[next() % 4];
    const uint16_t sport = p.sport_mask ? p.sport : static_cast<uint16_t>(next());
    const uint16_t dport = p.dport_mask ? p.dport : static_cast<uint16_t>(next());
    auto accept = [&](const Entry& e) {
      return ((src[1] ^ e.src[1]) & e.src_mask[1]) == 0 && ((dst[1] ^ e.dst[1]) & e.dst_mask[1]) == 0 &&
             ((sport ^ e.sport) & e.sport_mask) == 0 && ((dport ^ e.dport) & e.dport_mask) == 0 && e.mark_v == 0 &&
             e.ifindex == 0;
    };
    uint32_t bound = UINT32_MAX;
    for (const DecisionTree& t : trees_) {
      if (t.empty() || t.min_order() >= bound) continue;
      const DecisionTree::Node* n = t.root();
      total += 4;
      while (n->dim != DecisionTree::kLeaf) {
        n = t.child(n, dst, src);
        total += 1;
      }
      total += 0.25 * t.keys_read(n, dst, src, proto, sport, dport, bound, accept);
      if (auto hit = t.scan(n, dst, src, proto, sport, dport, bound, accept); hit.entry) bound = hit.order;
    }
  }
  return total;
}

}  // namespace xfrmpp::engine::detail
