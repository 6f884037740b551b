// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The plaintext side of the dataplane: a TUN device (no packet information header, one IP packet per
// read or write). It is not persistent, so it goes away with the process however that ends.
#include <string>

#include "fd.hpp"
#include "xfrmpp/diag/result.hpp"

namespace xfrmpp::tools::dataplane {

struct TunDevice {
  Fd fd;  ///< non-blocking
  std::string name;
  int ifindex = 0;
};

/// Creates TUN device `name` (fails with EBUSY when one of that name exists and is held).
Result<TunDevice> open_tun(const std::string& name);

}  // namespace xfrmpp::tools::dataplane
