// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The state file on disk: read (with a stamp that tells whether another process replaced it since),
// written atomically with mode 0600, and an exclusive flock on a sibling ".lock" file for writers.
#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "engine_state.hpp"
#include "xfrmpp/diag/result.hpp"

namespace xfrmpp::engine {

/// What identifies one version of the file: every write renames a new inode into place.
struct FileStamp {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

/// An exclusive writer lock, released on destruction.
class WriteLock {
 public:
  WriteLock() = default;
  explicit WriteLock(int fd) : fd_(fd) {}
  WriteLock(WriteLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  WriteLock& operator=(WriteLock&& o) noexcept;
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  ~WriteLock();

 private:
  int fd_ = -1;
};

class StateFile {
 public:
  explicit StateFile(std::filesystem::path path) : path_(std::move(path)) {}
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path journal_path() const;

  /// Creates the parent directories (0700) and the lock file (0600) when missing, then waits for the lock.
  Result<WriteLock> lock() const;
  Result<FileStamp> stamp() const;
  /// The state and the stamp of the file it came from; an empty state (and exists = false) when missing.
  Result<std::pair<EngineState, FileStamp>> read() const;
  /// Replaces the file atomically (0600) and returns the new stamp.
  Result<FileStamp> write(const EngineState& s) const;

 private:
  std::filesystem::path path_;
};

}  // namespace xfrmpp::engine
