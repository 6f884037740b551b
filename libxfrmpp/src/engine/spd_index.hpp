// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The fast half of the SPD (private to the library): the kernel's split into an exact hash for policies
// whose prefixes are both full length and, for the rest, a path-compressed binary trie over the
// destination prefix. A destination node holds the policies of that prefix in one (priority, pos)-sorted
// array, source prefix inline, while they are few; past kSplit it sorts them by source prefix into a
// second trie of the same kind, each node with its own sorted array, because deep destination prefixes
// gather many policies of which a flow's source matches only a few (the flat scan read ~290 entries per
// lookup at 100k). A lookup walks the flow's destination path once and takes the lists on it deepest
// first (specific selectors tend to carry the low values), each only while an entry could still beat
// the best so far; every node keeps a lower bound of its priorities so most are skipped untouched.
#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "xfrmpp/engine/spd.hpp"

namespace xfrmpp::engine::detail {

/// What a lookup needs of one policy, copied next to its list position so a scan touches no Policy.
struct Entry {
  // What a scan reads for most entries (priority, pos and the source prefix) comes first, in one cache line.
  uint32_t priority = 0;
  uint64_t pos = 0;                           ///< the kernel's xfrm_policy::pos: link order, what ties between chains go by
  std::array<uint64_t, 2> src{}, src_mask{};  // the source prefix, as two big-endian words and their mask
  uint16_t sport = 0, sport_mask = 0, dport = 0, dport_mask = 0;
  uint8_t proto = 0;
  int32_t ifindex = 0;
  uint32_t mark_v = 0, mark_m = 0;
  uint64_t rank = 0;  ///< order in the kernel's chain among equal priorities (see spd.cpp)
  const model::Policy* policy = nullptr;

  bool before_in_chain(const Entry& o) const { return priority != o.priority ? priority < o.priority : rank < o.rank; }
  bool before_by_pos(const Entry& o) const { return priority != o.priority ? priority < o.priority : pos < o.pos; }
};

Entry make_entry(const model::Policy& p, uint64_t rank, uint64_t pos);
/// Everything of xfrm_policy_match except the addresses, family, if_id, type and direction, which the
/// index has already sorted by.
bool entry_matches_rest(const Entry& e, const Flow& f);

/// The family the kernel gives a policy (xfrm_user: the selector's); unspec when it has none.
model::Family policy_family(const model::Policy& p);
/// True when the kernel keeps `p` in the exact hash: both prefixes at least the hash thresholds (the
/// defaults, /32 and /128; XFRM_MSG_NEWSPDINFO can change them, the engine keeps the defaults here).
bool is_exact(const model::Policy& p);

/// The best exact-hash match (first in its chain) and the best inexact match (lowest priority, then pos).
struct Best {
  const Entry* exact = nullptr;
  const Entry* inexact = nullptr;
};

class SpdIndex {
 public:
  void add(const model::Policy& p, uint64_t rank, uint64_t pos);
  void remove(const model::Policy& p);
  void clear();
  Best find(const Flow& f, model::PolicyType type) const;

 private:
  using List = std::vector<Entry>;  // exact: sorted by before_in_chain; inexact: by before_by_pos
  using Words = std::array<uint64_t, 2>;  // an address as two big-endian words
  /// A path-compressed binary trie over prefixes; what a node holds is the owner's (`slot`, 0 = none).
  struct Trie {
    struct Node {
      Words prefix{};  // host bits clear
      uint8_t len = 0;
      std::array<uint32_t, 2> child{};
      uint32_t slot = 0;
      uint32_t head = UINT32_MAX;  // at most the lowest priority below `slot`: a lookup skips it when above
      uint32_t sub = UINT32_MAX;   // the same over the node and everything under it: a walk stops there
    };
    std::vector<Node> nodes{Node{}, Node{}};  // [0] unused (0 = null), [1] the root
    uint32_t node_of(const Words& key, unsigned len, bool create);
    /// Recomputes `sub` on the path to the node of (key, len) after its `head` changed.
    void refresh(const Words& key, unsigned len);
    /// The nodes with a slot and a head at most `bound` on the path of `a` down to length `limit`,
    /// shallowest first; returns how many.
    unsigned path(const Words& a, unsigned limit, uint32_t bound, std::array<uint32_t, 129>& out) const;
  };
  /// The policies of one destination prefix, sorted by source prefix.
  struct BySrc {
    Trie trie;
    std::vector<List> lists{List{}};
  };
  struct Cell {
    List flat;                     // while small
    std::unique_ptr<BySrc> by_src;  // once past kSplit (then `flat` is empty for good)
  };
  /// Inexact policies by destination, then source: the two-level trie.
  struct Layer {
    Trie dst;
    std::vector<Cell> cells = std::vector<Cell>(1);  // [0] unused (slot 0 = none)
    void add(const Entry& e);
    bool remove(const model::Policy& p);
    /// Removes and returns the entries whose priority is in `band`.
    std::vector<Entry> take_band(uint32_t band);
    /// Lowers `bound`/`top` to the best entry here that matches `f` and beats them.
    void search(const Flow& f, const Words& dst_w, const Words& src_w, uint32_t& bound, const Entry*& top) const;
    uint32_t min() const { return dst.nodes[1].sub; }
  };
  struct PairHash {
    size_t operator()(const std::array<uint8_t, 32>& k) const;
  };
  /// Priorities are cut into bands of 2^kBandShift values. A band with kDense policies gets a layer of
  /// its own; the rest share `sparse`. A layer's minimum bounds all it holds, so once a lookup has a
  /// match it skips layers above it; in one shared layer a few stray low values (the mix has 1 in 60
  /// anywhere) would make every node's bound useless and every list worth scanning.
  struct Bin {
    std::vector<std::pair<uint32_t, Layer>> dense;  // by band, ascending
    Layer sparse;
    std::unordered_map<uint32_t, uint32_t> band_count;  // policies per band not yet dense
    std::unordered_map<std::array<uint8_t, 32>, List, PairHash> exact;
    Layer* dense_layer(uint32_t band);
  };
  static constexpr size_t kSplit = 8;
  static constexpr unsigned kBandShift = 20;
  static constexpr uint32_t kDense = 64;

  static uint64_t bin_key(model::Direction d, model::PolicyType t, model::Family fam, uint32_t if_id);
  Bin* bin_of(const model::Policy& p, bool create);
  static void add_inexact(Bin& b, const Entry& e);
  static void remove_inexact(Bin& b, const model::Policy& p);

  std::unordered_map<uint64_t, Bin> bins_;
};

}  // namespace xfrmpp::engine::detail
