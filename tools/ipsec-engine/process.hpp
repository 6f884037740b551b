// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `ipsec-engine process`: a capture through the engine's outbound or inbound packet path, the packets
// that pass written to a new capture, and an account of what happened.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/engine/packet.hpp"

namespace xfrmpp::tools::engine_cli {

struct ProcessFlags {
  std::string state;
  bool outbound = true;  ///< --out (true) or --in
  std::string read_path, write_path;
  bool json = false;
};

/// One xfrm_stat counter: what this run added and the total kept in the state file.
struct CounterDelta {
  std::string name;
  uint64_t run = 0, total = 0;
};

struct ProcessSummary {
  bool outbound = true;
  std::string link_type;
  uint64_t read = 0, passed = 0, dropped = 0;
  uint64_t consumed = 0;     ///< in: taken by the host and not delivered (NAT-T keepalives), no error
  uint64_t transformed = 0;  ///< passed with an SA applied (out) or removed (in)
  uint64_t non_ip = 0;       ///< passed through untouched (ARP, LLDP, ...)
  uint64_t cut_short = 0;    ///< dropped by the tool: captured shorter than on the wire (snaplen)
  uint64_t unwritable = 0;   ///< dropped by the tool: the result's IP version does not fit the link type
  /// Engine drops by (counter, reason).
  std::map<std::pair<std::string, std::string>, uint64_t> drops;
  std::vector<CounterDelta> counters;  ///< only those this run changed or whose total is not zero
  std::vector<Event> events;
};

/// Runs the subcommand; prints the summary (or one error line) and returns the exit status.
int process(const ProcessFlags& flags);

}  // namespace xfrmpp::tools::engine_cli
