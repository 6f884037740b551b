// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The event journal beside the state file: records {length, sequence, event} appended by writers under
// the state lock, read by subscribers in any process. Bounded: once it passes kJournalMaxBytes a writer
// starts a new file (renamed into place) that holds only the new records; a reader still finishes the
// old file through its open descriptor, and a sequence gap becomes an overrun event.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "xfrmpp/backend.hpp"

namespace xfrmpp::engine {

inline constexpr size_t kJournalMaxBytes = 4 << 20;
inline constexpr char kJournalMagic[8] = {'X', 'F', 'R', 'M', 'P', 'P', 'E', 'J'};
inline constexpr size_t kJournalHeaderBytes = 8 + 4 + 8;  // magic, version, first sequence number
inline constexpr uint32_t kJournalVersion = 1;

/// Appends `events` numbered from `first_seq` on. The caller holds the state lock.
Result<void> journal_append(const std::filesystem::path& path, std::span<const Event> events, uint64_t first_seq,
                            size_t max_bytes = kJournalMaxBytes);

/// Tails the journal from the moment it is opened.
class JournalReader {
 public:
  explicit JournalReader(std::filesystem::path path);
  JournalReader(JournalReader&&) noexcept;
  JournalReader& operator=(JournalReader&&) = delete;
  ~JournalReader();
  /// Starts at the current end of the journal, or waits for it to appear; `next_seq` (the state's next
  /// event sequence number) tells a journal that appeared and was already rotated from one that is new.
  Result<void> start(uint64_t next_seq);
  /// Every complete record that arrived since the last call, in order; an overrun event for a gap.
  Result<std::vector<Event>> poll();

 private:
  Result<bool> open_current(bool at_end);
  Result<void> read_records(std::vector<Event>& out);

  std::filesystem::path path_;
  int fd_ = -1;
  ino_t ino_ = 0;
  dev_t dev_ = 0;
  off_t offset_ = 0;
  uint64_t expected_seq_ = 0;  ///< 0 = none seen yet
  std::vector<uint8_t> buf_;
};

}  // namespace xfrmpp::engine
