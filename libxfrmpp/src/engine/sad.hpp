// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's SAD: SAs in insertion order (dumps list them so) with a hash index on what the kernel
// looks an SA up by (destination, SPI, protocol; the mark matched as the kernel matches it).
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::engine {

struct SaEntry {
  model::SecurityAssociation sa;
  bool larval = false;     ///< made by alloc_spi: no keys yet, dropped at `expires`
  uint64_t expires = 0;    ///< UNIX seconds; larval only
};

class Sad {
 public:
  /// The SA the kernel's __xfrm_state_lookup finds for (dst, spi, proto, mark value), or null.
  SaEntry* find(const model::Address& dst, uint32_t spi, model::Protocol proto, uint32_t mark);
  const SaEntry* find(const model::Address& dst, uint32_t spi, model::Protocol proto, uint32_t mark) const;
  /// A larval SA waiting for sequence number `seq` (the kernel's __xfrm_find_acq_byseq), or null.
  const SaEntry* find_larval_by_seq(uint32_t seq) const;
  void insert(SaEntry e);
  /// Replaces the entry `at` points to, keeping its place in the order.
  void replace(const SaEntry* at, SaEntry e);
  void erase(const SaEntry* at);
  void clear() { by_serial_.clear(), index_.clear(); }
  size_t size() const { return by_serial_.size(); }
  /// Every entry, older first.
  std::vector<const SaEntry*> entries() const;
  /// Removes the entries for which `drop` is true and returns them.
  template <typename Pred>
  std::vector<SaEntry> erase_if(Pred drop) {
    std::vector<SaEntry> gone;
    for (auto it = by_serial_.begin(); it != by_serial_.end();) {
      if (!drop(it->second)) {
        ++it;
        continue;
      }
      unindex(it->first, it->second);
      gone.push_back(std::move(it->second));
      it = by_serial_.erase(it);
    }
    return gone;
  }

 private:
  struct Key {
    model::Address dst;
    uint32_t spi;
    model::Protocol proto;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  static Key key_of(const model::SecurityAssociation& sa) { return Key{sa.dst, sa.spi, sa.proto}; }
  uint64_t serial_of(const SaEntry* at) const;
  void unindex(uint64_t serial, const SaEntry& e);

  std::map<uint64_t, SaEntry> by_serial_;
  std::unordered_map<Key, std::vector<uint64_t>, KeyHash> index_;
  uint64_t next_serial_ = 1;
};

/// The mark value the kernel looks an SA up with: the request's value under its mask, 0 without one.
inline uint32_t mark_value(const std::optional<model::Mark>& m) { return m ? m->value & m->mask : 0; }

}  // namespace xfrmpp::engine
