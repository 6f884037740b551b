// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// EngineBackend's private state and the transaction every mutation runs in.
#include <functional>
#include <optional>
#include <random>
#include <vector>

#include "engine_state.hpp"
#include "packet/path.hpp"
#include "state_file.hpp"
#include "xfrmpp/engine/engine_backend.hpp"

namespace xfrmpp::engine {

/// XFRM_ACQ_EXPIRES: seconds a larval SA from alloc_spi lives.
inline constexpr uint64_t kLarvalSeconds = 30;

struct EngineBackend::Impl {
  EngineOptions options;
  StateFile file;
  EngineState state;
  FileStamp stamp;     ///< of the file `state` came from
  bool loaded = false;
  uint64_t loads = 0;  ///< reads of the file
  std::mt19937 rng{std::random_device{}()};
  // Between begin_bulk() and end_bulk(): the lock held for the whole run, and what the run changed but
  // has not written yet.
  std::optional<WriteLock> bulk_lock;
  bool bulk_changed = false;
  std::vector<Event> bulk_events;
  // A bulk run keeps at most kBulkEvents events (an Event is ~1 KiB: 100k of them would be 100 MB); past
  // that only the newest is kept and the others are counted. Subscribers then see a sequence gap, which
  // they report as an overrun, as a netlink listener gets ENOBUFS when a burst overflows its buffer.
  static constexpr size_t kBulkEvents = 8192;
  size_t bulk_dropped = 0;
  std::optional<Event> bulk_newest;

  /// Adds `e` to a transaction's `events`; inside a bulk run, once kBulkEvents are kept, it becomes the
  /// newest instead (the one it replaces is counted), as transact() would trim it, without ever holding
  /// the events past the limit (a 100k-change apply made 100k of them, 1 KiB each).
  void emit(std::vector<Event>& events, Event&& e) {
    if (!bulk_lock || &events != &bulk_events || events.size() < kBulkEvents) {
      events.push_back(std::move(e));
      return;
    }
    if (bulk_newest) ++bulk_dropped;
    bulk_newest = std::move(e);
  }

  // The packet path's work since the last commit_packets(), and what it reuses between packets.
  packet::PacketLog packet_log;
  packet::Scratch scratch;
  IvSource iv_source;
  uint16_t ip_id = static_cast<uint16_t>(std::random_device{}());
  uint64_t seq_reserve = 0;
  std::function<bool(const model::Address&)> is_local;

  explicit Impl(EngineOptions o) : options(std::move(o)), file(options.state) {}
  uint64_t now() const;
  /// Re-reads the file when it is not the one `state` came from.
  Result<void> refresh();
  /// Drops larval SAs whose time is up; their hard-expire events go to `events`.
  void expire_larval(std::vector<Event>* events);

  /// One locked read-modify-write: lock, refresh, expire, run `fn` (which records events and says whether
  /// it changed anything), write the file and the journal.
  Result<void> transact(const std::function<Result<void>(std::vector<Event>&, bool& changed)>& fn);
  /// Writes the state and appends `events` to the journal (the tail of a transaction); `skipped` events
  /// that were only counted come after them, then `newest` when given.
  Result<void> persist(std::vector<Event>& events, const Event* newest = nullptr, size_t skipped = 0);
};

/// The kernel's "hash mask" for a table of `n` entries: it starts at 7 and doubles while n exceeds it.
uint32_t hash_mask_for(size_t n);

/// Host knobs the engine keeps (the ones Linux lacks), with their BSD defaults.
Result<uint32_t> host_knob_value(const EngineState& s, std::string_view name);
Result<void> check_host_knob(std::string_view name, uint32_t value);

}  // namespace xfrmpp::engine
