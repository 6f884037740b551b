// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// setkey -x: print SA and policy events as they happen.
#include "execute.hpp"

namespace xfrmpp::tools::setkey {

/// Streams events until interrupted (or until `max_events` when non-zero; used by tests).
/// An overrun of the event socket is reported and followed by a full dump, so nothing is silently lost.
int monitor(Backend& backend, const ExecuteOptions& options, size_t max_events);

}  // namespace xfrmpp::tools::setkey
