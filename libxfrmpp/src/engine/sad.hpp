// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's SAD: SAs in insertion order (dumps list them so) with a hash index on what the kernel
// looks an SA up by (destination, SPI, protocol; the mark matched as the kernel matches it).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::engine {

namespace packet {
struct SaCrypto;
}

struct SaEntry {
  model::SecurityAssociation sa;
  bool larval = false;     ///< made by alloc_spi or an ACQUIRE: no keys yet, dropped at `expires`
  uint64_t expires = 0;    ///< UNIX seconds; larval only
  // What the packet path keeps beside the SA (the kernel's xfrm_state runtime fields). The window's top
  // is sa.replay_counters.seq/seq_hi; `replay_bits` holds which packets below it were seen.
  std::vector<uint64_t> replay_bits;
  bool dying = false;      ///< a soft lifetime ran out and its EXPIRE was sent (the kernel's km.dying)
  /// The outbound sequence number the state file holds for this SA while this process reserves ahead
  /// (EngineBackend::set_sequence_reserve); 0: none reserved. Never persisted as such.
  uint64_t oseq_reserved = 0;
  /// The SA's prepared cipher and MAC contexts, made at its first packet; never persisted. Shared so that
  /// copies of the entry (an undo log) keep one set of contexts.
  std::shared_ptr<packet::SaCrypto> crypto;

  static SaEntry of(model::SecurityAssociation sa, bool larval = false, uint64_t expires = 0) {
    SaEntry e;
    e.sa = std::move(sa);
    e.larval = larval;
    e.expires = expires;
    return e;
  }
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
  void clear() { by_serial_.clear(), index_.clear(), by_dst_.clear(); }
  size_t size() const { return by_serial_.size(); }
  /// Every entry, older first.
  std::vector<const SaEntry*> entries() const;
  /// Calls fn(SaEntry&) for every entry, older first; the SA's identity must not change.
  template <typename Fn>
  void for_each(Fn fn) {
    for (auto& [serial, e] : by_serial_) fn(e);
  }
  /// Calls fn(SaEntry&) for every entry with destination `dst`, older first (outbound SA choice).
  template <typename Fn>
  void for_each_at(const model::Address& dst, Fn fn) {
    auto it = by_dst_.find(dst);
    if (it == by_dst_.end()) return;
    for (uint64_t s : it->second) fn(by_serial_.at(s));
  }
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
  struct AddressHash {
    size_t operator()(const model::Address& a) const;
  };
  std::unordered_map<model::Address, std::vector<uint64_t>, AddressHash> by_dst_;
  void index(uint64_t serial, const SaEntry& e);
  uint64_t next_serial_ = 1;
};

/// The mark value the kernel looks an SA up with: the request's value under its mask, 0 without one.
inline uint32_t mark_value(const std::optional<model::Mark>& m) { return m ? m->value & m->mask : 0; }

}  // namespace xfrmpp::engine
