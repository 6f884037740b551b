// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// All-or-nothing loads on a kernel that has no transactions: remember the SPD and SAD before a run,
// and on failure put back exactly that state (entries added are removed, removed ones re-added,
// changed ones restored).
#include <vector>

#include "xfrmpp/backend.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::plan {

struct Snapshot {
  std::vector<model::Policy> policies;
  std::vector<model::SecurityAssociation> sas;
  bool with_sas = true;  ///< false: only the SPD was taken, and a restore leaves the SAD alone
};

/// Dumps the whole SPD and SAD.
Result<Snapshot> take_snapshot(Backend& backend);

struct RestoreReport {
  size_t removed = 0, added = 0, updated = 0;
  std::vector<ChangeError> errors;  ///< tags index the list of corrective changes; messages say what
};

/// Makes the backend's SPD and SAD equal to `before` again. Re-added SAs start with fresh counters
/// and replay state: the kernel offers no way to restore those.
RestoreReport restore_snapshot(Backend& backend, const Snapshot& before);

/// Equality of what a policy or SA is (not what it has counted): their config() equality, used to find what changed.
bool same_policy(const model::Policy& a, const model::Policy& b);
bool same_sa(const model::SecurityAssociation& a, const model::SecurityAssociation& b);

}  // namespace xfrmpp::plan

#pragma GCC visibility pop
