// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `ipsec-engine run`: a userspace IPsec dataplane over the engine's SPD and SAD. Plaintext comes and goes
// through a TUN device that routes of its own feed; protected packets through raw and NAT-T sockets.
#include <cstdint>
#include <filesystem>
#include <string>

namespace xfrmpp::tools::dataplane {

struct RunOptions {
  std::filesystem::path state;
  std::string tun = "xfrmpp0";
  int table = 2800;
  int priority = 2800;
  uint32_t mark = 0x7866;
  unsigned commit_ms = 200;
  uint32_t seq_reserve = 65536;
  unsigned mtu = 1400;
  uint16_t natt_port = 4500;
};

/// Runs until SIGINT or SIGTERM; returns the exit status (messages go to stderr, one line each).
int run(const RunOptions& options);

}  // namespace xfrmpp::tools::dataplane
