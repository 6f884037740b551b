// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xfrmpp/model/address.hpp"
#include "xfrmpp/model/ipsec.hpp"
#include "xfrmpp/model/lifetime.hpp"
#include "xfrmpp/model/mark.hpp"
#include "xfrmpp/model/selector.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// An algorithm as sent to the kernel: kernel name, key (salt appended), ICV/truncation bits.
struct AlgorithmSetting {
  std::string kernel_name;
  std::vector<uint8_t> key;
  uint32_t icv_bits = 0;  ///< auth: trunc_len; aead: icv_len; 0 otherwise
  auto operator<=>(const AlgorithmSetting&) const = default;
};

/// UDP (NAT-T) or TCP encapsulation of ESP.
struct Encapsulation {
  uint16_t type = 2;  ///< UDP_ENCAP_ESPINUDP_NON_IKE 1, UDP_ENCAP_ESPINUDP 2, TCP_ENCAP_ESPINTCP 7
  uint16_t sport = 4500, dport = 4500;
  Address original_address;  ///< NAT-OA; unspec when absent
  auto operator<=>(const Encapsulation&) const = default;
};

/// Anti-replay: a window in packets (0 = off) and optional 64-bit extended sequence numbers.
/// Windows over 32 or ESN go through XFRMA_REPLAY_ESN_VAL (the legacy u8 field clamps).
struct Replay {
  uint32_t window = 0;
  bool esn = false;
  auto operator<=>(const Replay&) const = default;
};

/// The sequence numbers the kernel counts with: dumps carry them; an add sends them only when set
/// (ipseckey's replay_value). Kept out of Replay because they are state, not configuration: putting an
/// outbound counter back would reuse sequence numbers.
struct ReplayCounters {
  uint32_t oseq = 0, seq = 0, oseq_hi = 0, seq_hi = 0;
  auto operator<=>(const ReplayCounters&) const = default;
};

/// Counters that only dumps carry.
struct SaStats {
  uint32_t replay_window = 0, replay = 0, integrity_failed = 0;
  auto operator<=>(const SaStats&) const = default;
};

/// SA flags (XFRM_STATE_*).
namespace sa_flag {
inline constexpr uint8_t noecn = 1, decap_dscp = 2, nopmtudisc = 4, wildrecv = 8, icmp = 16, af_unspec = 32,
                         align4 = 64, esn = 128;
}

struct SaId;
struct SaKey;

/// What an SA is: everything a user configures and an add sends. Two SAs with equal configurations
/// do the same to traffic; this equality is what "changed" means to a snapshot restore.
struct SaConfig {
  Family family = Family::unspec;
  Address src, dst;
  Protocol proto = Protocol::esp;
  uint32_t spi = 0;
  Mode mode = Mode::transport;
  uint32_t reqid = 0;
  uint8_t flags = 0;
  uint32_t extra_flags = 0;  ///< XFRM_SA_XFLAG_*
  Selector sel;              ///< all-zero = any
  Replay replay;
  std::optional<AlgorithmSetting> auth, crypt, aead, comp;
  std::optional<Encapsulation> encap;
  LifetimeLimits limits;
  std::optional<Mark> mark;
  std::optional<uint32_t> if_id;
  std::optional<Mark> output_mark;  ///< XFRMA_SET_MARK / SET_MARK_MASK
  std::optional<uint32_t> tfcpad;
  std::optional<SaDirection> dir;
  std::optional<uint32_t> nat_keepalive_interval;
  std::optional<uint32_t> mapping_threshold;  ///< XFRMA_MTIMER_THRESH
  std::optional<SecurityContext> ctx;
  std::optional<Address> coaddr;
  bool operator==(const SaConfig&) const = default;
};

/// A security association, everything XFRM can carry: its configuration, and what the kernel stamps
/// on it (sequence numbers, counters, times), which `config()` equality leaves out.
struct SecurityAssociation : SaConfig {
  uint32_t seq = 0;  ///< ACQUIRE/ALLOCSPI sequence to complete; keep 0 for bulk adds
  // Dump-only state (an add sends replay_counters when set).
  ReplayCounters replay_counters;
  LifetimeCurrent current;
  SaStats stats;
  uint64_t last_used = 0;

  const SaConfig& config() const { return *this; }
  /// Everything, counters included.
  bool operator==(const SecurityAssociation&) const = default;
  /// What names this SA to the kernel (XFRM_MSG_DELSA/GETSA): destination, SPI, protocol, mark and if_id,
  /// with the source a deleteall filter may use.
  SaId id() const;
  /// The identity two SAs cannot share (the kernel's EEXIST): id() without the source.
  SaKey key() const;
};

/// The kernel's identity of an SA: what xfrm_state_lookup() matches on. No two SAs share one.
struct SaKey {
  Address dst;
  Protocol proto = Protocol::esp;
  uint32_t spi = 0;
  std::optional<Mark> mark;
  uint32_t if_id = 0;
  auto operator<=>(const SaKey&) const = default;
};

/// Identity of an SA for get/delete.
struct SaId {
  Address dst;
  Address src;  ///< optional on Linux, used by deleteall filters
  Protocol proto = Protocol::esp;
  uint32_t spi = 0;
  std::optional<Mark> mark;
  std::optional<uint32_t> if_id;

  SaKey key() const { return SaKey{dst, proto, spi, mark, if_id.value_or(0)}; }
  /// Whether `sa` is the SA this names: same key, and the same source when this gives one.
  bool names(const SecurityAssociation& sa) const { return sa.key() == key() && (src.is_zero() || sa.src == src); }
};

inline SaId SecurityAssociation::id() const { return SaId{dst, src, proto, spi, mark, if_id}; }
inline SaKey SecurityAssociation::key() const { return SaKey{dst, proto, spi, mark, if_id.value_or(0)}; }

}  // namespace xfrmpp::model

#pragma GCC visibility pop
