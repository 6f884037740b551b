// SPDX-License-Identifier: BSD-3-Clause
// tunnel_links() in a build without the kernel backend (-DXFRMPP_KERNEL=OFF): there is no rtnetlink to ask,
// and the software engine has no interfaces, so the namespace has no tunnel links; only a --tunnels table
// names tunnels. (An error instead would make `ipsecconf -c` word a missing tunnel differently per build.)
#include "solaris.hpp"

namespace xfrmpp::tools::solaris {

Result<std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>>> tunnel_links() {
  return std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>>{};
}

}  // namespace xfrmpp::tools::solaris
