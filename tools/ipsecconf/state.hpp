// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// ipsecconf's record of the rules it installed, one file per network namespace (the SPD is per
// namespace): /run/xfrmpp/ipsecconf/netns-<inode>.json, holding the namespace cookie so a file left by a
// dead namespace whose inode was reused reads as empty. Solaris keeps the same in /var/run/ipsecpolicy.conf.
// The file is locked (flock) for the whole command and replaced atomically (write, fsync, rename).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/policy.hpp"

namespace xfrmpp::tools::ipsecconf {

/// One expanded rule (one address pair): its canonical text and the XFRM policies it installed.
struct StateEntry {
  std::string text;       ///< canonical, as -l prints it
  uint32_t base = 0;      ///< Solaris base priority it was planned with
  uint32_t priority = 0;  ///< XFRM priority of its policies
  std::vector<model::PolicyKey> policies;
};

struct StateRule {
  uint32_t index = 0;
  std::optional<std::string> tunnel;
  std::string text;    ///< the entry as the user wrote it (the no-argument view)
  std::string origin;  ///< file:line
  std::vector<StateEntry> entries;
};

struct State {
  uint32_t next_index = 1;
  uint32_t next_base = 0x000fffff;
  bool ike_bypass = false;  ///< the UDP 500/4500 bypass policies were installed by us
  std::vector<StateRule> rules;
};

class StateFile {
 public:
  /// Locks and reads the current namespace's file under `dir` (created 0755 if missing).
  static Result<StateFile> open(const std::filesystem::path& dir);
  /// Reads the record for a listing: creates nothing, so it works when `dir` is read-only or absent
  /// (no record = no rules). The lock is shared, and only taken when the lock file exists and can be
  /// opened; without it the read is still whole, because save() replaces the file by rename.
  /// save() on such a file fails.
  static Result<StateFile> open_read_only(const std::filesystem::path& dir);
  StateFile(StateFile&&) noexcept;
  StateFile& operator=(StateFile&&) = delete;
  ~StateFile();

  State& state() { return state_; }
  const std::filesystem::path& path() const { return path_; }
  /// Replaces the file atomically with the current state.
  Result<void> save();

 private:
  StateFile() = default;
  static Result<StateFile> open_in(const std::filesystem::path& dir, bool read_only);
  std::filesystem::path path_;
  int lock_fd_ = -1;
  bool read_only_ = false;
  uint64_t inode_ = 0, cookie_ = 0;
  State state_;
};

/// The default directory: $XFRMPP_IPSECCONF_STATE_DIR, else /run/xfrmpp/ipsecconf.
std::filesystem::path default_state_dir();
/// The directory for the software engine whose state file is `engine_state`: a sibling,
/// "<engine_state>.ipsecconf", so each engine state has its own record and never shares the kernel's.
std::filesystem::path engine_state_dir(const std::filesystem::path& engine_state);

}  // namespace xfrmpp::tools::ipsecconf
