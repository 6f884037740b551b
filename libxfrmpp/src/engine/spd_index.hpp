// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The fast half of the SPD (private to the library): the kernel's split into an exact hash for policies
// whose prefixes are both full length and, for the rest, a path-compressed binary trie over the
// destination prefix whose nodes hold the policies of that prefix in one (priority, pos)-sorted array,
// source prefix inline. A
// lookup walks the flow's destination path once and scans the lists on it deepest first (specific
// selectors tend to carry the low values), each only while an entry could still beat the best so far:
// a list is contiguous, so a scan costs far less than a second trie walk per node would.
// That form takes any change in place; prepare() adds a read-only one per bin (spd_compiled.hpp) that
// find() uses until the next change, an order of magnitude faster at 100k policies.
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "spd_compiled.hpp"
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
  uint32_t order = 0;   ///< rank by (priority, pos) in its bin, set by SpdIndex::prepare
  uint8_t src_len = 0, dst_len = 0;
  std::array<uint64_t, 2> dst{}, dst_mask{};  // the destination prefix, as src

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
  /// Builds every bin's compiled form; find() uses it until the next add, remove or clear.
  void prepare();
  bool prepared() const { return prepared_; }
  Best find(const Flow& f, model::PolicyType type) const;

 private:
  using List = std::vector<Entry>;  // exact: sorted by before_in_chain; inexact: by before_by_pos
  /// What a scan of an inexact list reads for every entry it passes: the priority and the first word
  /// of the source prefix with its mask (24 bytes against Entry's 120, no branch on the length), kept
  /// in the trie node itself so that a list costs no lookup of its own. A deep destination list holds
  /// many policies of other sources, and the scan mostly only rejects them; the second word and the
  /// rest are checked on the few that pass.
  struct Key {
    uint64_t src0 = 0, mask0 = 0;
    uint32_t priority = 0;
  };
  struct DstNode {
    std::array<uint64_t, 2> prefix{};  // the node's prefix (host bits clear) as two big-endian words
    uint8_t len = 0;
    std::array<uint32_t, 2> child{};
    uint32_t list = 0;  // 0: no policy has this destination prefix
    uint32_t head = UINT32_MAX;  // the list's lowest priority, so a lookup skips it without touching it
    std::vector<Key> keys;       // parallel to lists[list]
  };
  struct PairHash {
    size_t operator()(const std::array<uint8_t, 32>& k) const;
  };
  struct Bin {
    std::vector<DstNode> dst{DstNode{}, DstNode{}};  // [0] unused (0 = null), [1] the root
    std::vector<List> lists{List{}};
    std::unordered_map<std::array<uint8_t, 32>, List, PairHash> exact;
    CompiledBin compiled;
  };

  static uint64_t bin_key(model::Direction d, model::PolicyType t, model::Family fam, uint32_t if_id);
  Bin* bin_of(const model::Policy& p, bool create);
  List* list_of(Bin& b, const model::Policy& p, bool create);
  static uint32_t node_of(Bin& b, const model::Prefix& p, bool create);
  static void update_head(Bin& b, const model::Policy& p);

  const Entry* find_inexact(const Bin& b, const Flow& f, uint32_t bound) const;
  static void prepare_bin(Bin& b, model::Family fam);

  std::unordered_map<uint64_t, Bin> bins_;
  bool prepared_ = false;
};

}  // namespace xfrmpp::engine::detail
