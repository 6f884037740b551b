// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's half of the differential test: what the engine decides for each flow after loading the
// same setkey file the kernel got. One function, two ways of getting there (see engine_side.cpp).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "xfrmpp/engine/spd.hpp"

namespace xfrmpp::testing {

/// What an outbound flow observably gets: passes (a none policy or no policy), blocked (discard: EPERM),
/// or an ACQUIRE naming the first template's reqid.
struct Answer {
  enum class Kind : uint8_t { pass, block, ipsec } kind = Kind::pass;
  uint32_t reqid = 0;
  std::string detail;  ///< the policy as the engine reports it (index, priority), for failure messages
  bool operator==(const Answer& o) const { return kind == o.kind && reqid == o.reqid; }
};

std::string to_string(const Answer& a);

/// The flow as an `ipsec-engine lookup` input line.
std::string flow_line(const engine::Flow& f);

struct EngineTools {
  std::filesystem::path setkey, ipsec_engine;
};

/// Loads `setkey_file` into a fresh engine state with `setkey -k --backend=engine --state F -f FILE` and
/// answers `flows` with `ipsec-engine lookup --state F`, as a user would; throws when either fails.
std::vector<Answer> engine_answers(const std::filesystem::path& setkey_file, const std::vector<engine::Flow>& flows,
                                   const EngineTools& tools, const std::filesystem::path& workdir, std::string& how);

}  // namespace xfrmpp::testing
