// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Per-network-namespace storage for knobs Linux has no place for (the BSD *_deflev default levels),
// and the default level a policy request written as `default` gets.
//
// One JSON file per namespace, <dir>/netns-<inode>.json, named by the inode of /proc/self/ns/net and
// holding the namespace cookie (SO_NETNS_COOKIE) so that a file left by a dead namespace whose inode
// was reused is recognised as stale. Writes take an exclusive lock and replace the file atomically.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/address.hpp"
#include "xfrmpp/model/ipsec.hpp"
#include "xfrmpp/model/policy.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::knobs {

struct StateOptions {
  std::filesystem::path dir = "/run/xfrmpp";
};

/// The network namespace the calling thread is in.
struct NetnsIdentity {
  uint64_t inode = 0;
  uint64_t cookie = 0;  ///< SO_NETNS_COOKIE (Linux 5.14+); 0 when the kernel has none
  auto operator<=>(const NetnsIdentity&) const = default;
};

Result<NetnsIdentity> current_netns();

/// The stored values of one namespace: knob name -> integer value.
struct KnobState {
  std::map<std::string, int64_t, std::less<>> values;
};

/// <dir>/netns-<inode>.json
std::filesystem::path state_file(const NetnsIdentity& ns, const StateOptions& options);

/// The current namespace's state. A missing file, or one written for another namespace with the same
/// inode (cookie mismatch), is an empty state. A file that does not parse is an error (EBADMSG).
Result<KnobState> load_state(const StateOptions& options);

/// Read-modify-write of the current namespace's state under an exclusive flock, replacing the file by
/// rename so readers see the old or the new file, never a partial one. Creates `dir` (0755) if needed.
Result<void> update_state(const StateOptions& options, const std::function<void(KnobState&)>& change);

/// The levels `default` requests resolve to in one namespace, loaded once (a planner handling a large
/// script loads this once and asks per request).
class DefaultLevels {
 public:
  /// Linux's own behaviour (every `default` is require), as when no knob was ever set.
  DefaultLevels() = default;
  explicit DefaultLevels(const KnobState& state) : state_(state) {}

  /// use or require, never default_level. IPComp is always use, as KAME hard-codes it (small packets go
  /// out uncompressed). `family` unspec counts as inet. Modes other than transport use the *_net_deflev.
  model::Level level_for(model::Family family, model::Protocol proto, model::Mode mode) const;

  /// Replaces every `default` request level of `p`. A request's family is its own when set (tunnel
  /// endpoints), else the selector's, else that of the selector's addresses, else `fallback` (a socket's).
  /// This is the call a planner makes per policy: a transport request carries no family of its own, so
  /// level_for(t.family, ...) alone would read the IPv4 knobs for an IPv6 policy.
  void resolve(model::Policy& p, model::Family fallback = model::Family::unspec) const;

 private:
  KnobState state_;
};

/// load_state wrapped in DefaultLevels.
Result<DefaultLevels> load_default_levels(const StateOptions& options = {});

/// The level a request written `default` gets in the current namespace (one file read per call; see
/// DefaultLevels for many calls).
Result<model::Level> effective_default_level(model::Family family, model::Protocol proto, model::Mode mode,
                                             const StateOptions& options = {});

}  // namespace xfrmpp::knobs

#pragma GCC visibility pop
