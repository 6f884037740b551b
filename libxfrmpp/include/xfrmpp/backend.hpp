// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The one seam between tools and an IPsec implementation: the kernel (netlink) or the software engine.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp {

/// A change a backend applies. `tag` is the caller's (typically the statement index) and comes back in errors.
struct Change {
  std::variant<model::Policy, model::PolicyId, model::SecurityAssociation, model::SaId> target;
  enum class Verb : uint8_t { add, update, remove } verb = Verb::add;
  size_t tag = 0;
};

/// A rejected change: its tag, the errno and the kernel's extended-ACK text (may be empty).
struct ChangeError {
  size_t tag = 0;
  int code = 0;
  std::string message;  ///< strerror text
  std::string extack;   ///< kernel explanation, when the kernel gave one
};

struct ApplyReport {
  size_t applied = 0;               ///< changes the backend confirmed
  std::vector<size_t> applied_tags; ///< their tags, in order
  std::vector<ChangeError> errors;
  bool stopped_early = false;       ///< changes after the first error were not sent
};

struct ApplyOptions {
  bool stop_at_first_error = true;
  size_t batch_bytes = 64 * 1024;  ///< how much to pack into one sendmsg
};

struct SpdInfo {
  uint32_t in = 0, out = 0, fwd = 0, in_socket = 0, out_socket = 0, fwd_socket = 0;
  uint32_t hash_count = 0, hash_max = 0;
  uint8_t v4_lbits = 32, v4_rbits = 32, v6_lbits = 128, v6_rbits = 128;
};

struct SadInfo {
  uint32_t count = 0, hash_count = 0, hash_max = 0;
};

/// A notification from the backend (policy/SA added or deleted, expire, acquire...).
struct Event {
  enum class Kind : uint8_t {
    new_sa, update_sa, delete_sa, flush_sa, new_policy, update_policy, delete_policy, flush_policy,
    acquire, expire, policy_expire, new_ae, mapping, report, default_policy, overrun, other
  } kind = Kind::other;
  std::optional<model::SecurityAssociation> sa;
  std::optional<model::Policy> policy;
  std::optional<model::DefaultPolicy> defaults;
  bool hard = false;      ///< expire: hard vs soft
  uint16_t raw_type = 0;  ///< netlink message type
};

class EventStream {
 public:
  virtual ~EventStream() = default;
  /// Waits up to timeout_ms (-1 = forever) and returns the next events; an overrun comes as Kind::overrun.
  virtual Result<std::vector<Event>> next(int timeout_ms) = 0;
};

/// Where a streamed dump puts each decoded entry, so a dump of a million policies needs memory for one.
template <typename T>
struct DumpVisitor {
  /// Takes one entry; an error stops the dump (the backend drains the rest first) and is the dump's result.
  std::function<Result<void>(T&&)> entry;
  /// When a concurrent change interrupts a kernel dump (NLM_F_DUMP_INTR), the kernel may have skipped or
  /// repeated entries. A consumer that can forget what it got sets `restart`: it runs and the dump starts
  /// over (a few times, then EINTR). A consumer that cannot take back what it wrote leaves it empty: the
  /// dump starts over only while `entry` has not been called; otherwise the rest is delivered and the dump
  /// ends with EINTR, so the consumer has a complete but possibly inconsistent listing and a failure to
  /// report (iproute2 prints its whole listing too, then "Dump was interrupted and may be inconsistent").
  std::function<void()> restart;
};

enum class EventGroup : uint8_t { acquire = 1, expire = 2, sa = 3, policy = 4, aevents = 5, report = 6, migrate = 7, mapping = 8 };

class Backend {
 public:
  virtual ~Backend() = default;
  /// Applies changes in order, batching as the backend sees fit; every error maps back to a tag.
  virtual ApplyReport apply(std::span<const Change> changes, const ApplyOptions& options) = 0;
  /// The same for `count` changes made on demand: `make(i)` returns change i. It is called in order, on the
  /// caller's thread, perhaps more than once for an index, and never after an error has stopped the apply.
  /// The kernel makes each change as it encodes it; the default makes and applies chunks of them.
  virtual ApplyReport apply_each(size_t count, const std::function<Change(size_t)>& make, const ApplyOptions& options);
  virtual Result<std::vector<model::Policy>> dump_policies() = 0;
  virtual Result<std::vector<model::SecurityAssociation>> dump_sas(std::optional<model::Protocol> proto) = 0;
  /// The dumps as streams, newest first like the vector forms. The defaults walk the vector forms, for
  /// backends that hold everything anyway; the kernel's decodes and hands over one entry at a time.
  virtual Result<void> visit_policies(const DumpVisitor<model::Policy>& visitor);
  virtual Result<void> visit_sas(std::optional<model::Protocol> proto, const DumpVisitor<model::SecurityAssociation>& visitor);
  virtual Result<model::Policy> get_policy(const model::PolicyId& id) = 0;
  virtual Result<model::SecurityAssociation> get_sa(const model::SaId& id) = 0;
  virtual Result<void> flush_policies() = 0;
  virtual Result<void> flush_sas(std::optional<model::Protocol> proto) = 0;
  /// Allocates an SPI in [min, max] for a larval SA described by `sa` (addresses, proto, reqid, mode).
  virtual Result<model::SecurityAssociation> alloc_spi(const model::SecurityAssociation& sa, uint32_t min, uint32_t max) = 0;
  virtual Result<model::DefaultPolicy> get_default_policy() = 0;
  virtual Result<void> set_default_policy(const model::DefaultPolicy& d) = 0;
  virtual Result<SpdInfo> spd_info() = 0;
  virtual Result<void> set_spd_hash_thresholds(uint8_t v4_lbits, uint8_t v4_rbits, uint8_t v6_lbits, uint8_t v6_rbits) = 0;
  virtual Result<SadInfo> sad_info() = 0;
  virtual Result<std::unique_ptr<EventStream>> subscribe(std::span<const EventGroup> groups) = 0;
  /// A run of many changes (a whole setkey file) between these two calls may be kept back and made
  /// durable at end_bulk() as one write: the engine holds its state lock for the run and writes its file
  /// once instead of after every apply(). The kernel needs neither (no-ops). end_bulk() reports a failed write.
  virtual Result<void> begin_bulk() { return {}; }
  virtual Result<void> end_bulk() { return {}; }
  /// Host knobs the backend keeps itself because Linux has none (the engine's dfbit, ecn, ah_cleartos,
  /// ah_offsetmask, debug). EOPNOTSUPP from a backend that keeps none (the kernel); ENOENT for a name it lacks.
  virtual Result<uint32_t> get_host_knob(std::string_view name);
  virtual Result<void> set_host_knob(std::string_view name, uint32_t value);

 protected:
  /// The vector forms for a backend whose visit_* stream: collects, starting over on an interruption.
  Result<std::vector<model::Policy>> collect_policies();
  Result<std::vector<model::SecurityAssociation>> collect_sas(std::optional<model::Protocol> proto);
};

}  // namespace xfrmpp

#pragma GCC visibility pop
