// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The software engine as a Backend: an SPD and SAD in userspace that validate what the kernel validates,
// with the kernel's errno for the same mistake, persisted in a state file that several processes share.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/engine/packet.hpp"
#include "xfrmpp/engine/spd.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::engine {

struct EngineOptions {
  std::filesystem::path state;  ///< the state file; created (mode 0600, parent directories 0700) when missing
  bool read_only = false;       ///< never create or write the file (dumps, lookups); mutations fail with EROFS
  /// UNIX seconds now; unset = the system clock. Tests inject one to expire larval SAs without waiting.
  std::function<uint64_t()> clock;
};

/// One policy decision, as `ipsec-engine lookup` prints it.
struct Decision {
  enum class Action : uint8_t { allow, block, ipsec, default_action } action = Action::default_action;
  const model::Policy* policy = nullptr;  ///< the matched policy; null for default_action
  model::PolicyAction default_verdict = model::PolicyAction::allow;  ///< the host default, when nothing matched
};

/// Every mutating call locks the state file, re-reads it when another process changed it, applies the
/// change, writes the file atomically and appends the events other processes' subscriptions read.
class EngineBackend final : public Backend {
 public:
  static Result<std::unique_ptr<EngineBackend>> open(const EngineOptions& options);
  ~EngineBackend() override;

  ApplyReport apply(std::span<const Change> changes, const ApplyOptions& options) override;
  Result<std::vector<model::Policy>> dump_policies() override;
  Result<std::vector<model::SecurityAssociation>> dump_sas(std::optional<model::Protocol> proto) override;
  Result<void> visit_policies(const DumpVisitor<model::Policy>& visitor) override;
  Result<void> visit_sas(std::optional<model::Protocol> proto, const DumpVisitor<model::SecurityAssociation>& visitor) override;
  Result<model::Policy> get_policy(const model::PolicyId& id) override;
  Result<model::SecurityAssociation> get_sa(const model::SaId& id) override;
  Result<void> flush_policies() override;
  Result<void> flush_sas(std::optional<model::Protocol> proto) override;
  Result<model::SecurityAssociation> alloc_spi(const model::SecurityAssociation& sa, uint32_t min, uint32_t max) override;
  Result<model::DefaultPolicy> get_default_policy() override;
  Result<void> set_default_policy(const model::DefaultPolicy& d) override;
  Result<SpdInfo> spd_info() override;
  Result<void> set_spd_hash_thresholds(uint8_t v4_lbits, uint8_t v4_rbits, uint8_t v6_lbits, uint8_t v6_rbits) override;
  Result<SadInfo> sad_info() override;
  Result<std::unique_ptr<EventStream>> subscribe(std::span<const EventGroup> groups) override;
  Result<void> begin_bulk() override;
  Result<void> end_bulk() override;
  Result<uint32_t> get_host_knob(std::string_view name) override;
  Result<void> set_host_knob(std::string_view name, uint32_t value) override;

  /// The SPD decision for one flow, from the state as last read (call refresh() to re-read).
  Decision decide(const Flow& flow) const;
  /// Compiles the SPD as last read for many decide() calls (Spd::prepare); a change or refresh undoes it.
  void prepare_lookups();
  /// Re-reads the state file if another process changed it.
  Result<void> refresh();
  /// How many times the state was read from the file (by refresh() or inside a change or commit): when
  /// it moves, another process changed the SPD, the SAD or the knobs.
  uint64_t loads() const;
  const Spd& spd() const;

  /// Runs one IP packet through the outbound path (the `out` SPD decision, then the SAs its templates
  /// name, innermost first) or the inbound path (the SAs its headers name, then the `in` policy check),
  /// as the kernel would. `out` receives the resulting packet (its capacity is reused). What packets
  /// change (sequence numbers, replay windows, lifetimes, counters, larval SAs) stays in this object
  /// until commit_packets().
  PacketOutcome output(std::span<const uint8_t> ip, std::vector<uint8_t>& out);
  PacketOutcome input(std::span<const uint8_t> ip, std::vector<uint8_t>& out);
  /// Writes what packets changed to the state file and journals the events they raised (ACQUIRE for a
  /// missing SA, soft and hard EXPIRE). Fails with EROFS when opened read-only.
  Result<void> commit_packets();
  /// The events packets raised since the last commit_packets(), oldest first.
  const std::vector<Event>& packet_events() const;
  /// The engine's xfrm_stat counters (persisted in the state file), every one in the kernel's order.
  std::vector<PacketCounter> packet_counters() const;
  /// What the kernel's SA timers do, for a process that keeps the engine running: SAs whose time limits
  /// ran out raise soft and hard EXPIREs now rather than at their next packet; hard ones are deleted.
  /// Like packets, this stays in memory until commit_packets().
  void run_timers();
  /// Known-answer tests: where IVs come from (unset: the engine's own).
  void set_iv_source(IvSource source);
  /// A live dataplane: which addresses are the host's own. Decapsulated packets for other hosts are then
  /// checked against `fwd` policies, as ip_forward does; unset, every packet is checked against `in`.
  void set_local_address_test(std::function<bool(const model::Address&)> is_local);
  /// Persist outbound sequence numbers `n` ahead of use, so that a process killed between commits never
  /// lets its successor reuse one (0: off; the next commit then writes the true values).
  void set_sequence_reserve(uint32_t n);
  /// Whether commit_packets() must run before the packets output() returned leave the host: an outbound
  /// sequence number is near what the state file holds, or an event waits to be journalled.
  bool commit_due() const;

 private:
  struct Impl;
  explicit EngineBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xfrmpp::engine

#pragma GCC visibility pop
