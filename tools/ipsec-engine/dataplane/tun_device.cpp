// SPDX-License-Identifier: BSD-3-Clause
#include "tun_device.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace xfrmpp::tools::dataplane {

Result<TunDevice> open_tun(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return make_error(EINVAL, "the TUN device name must have 1 to 15 characters");
  Fd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return make_error(errno, std::string("/dev/net/tun: ") + std::strerror(errno));
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0) return make_error(errno, "creating TUN device " + name + ": " + std::strerror(errno));
  TunDevice t;
  t.name = ifr.ifr_name;
  t.fd = std::move(fd);
  t.ifindex = static_cast<int>(::if_nametoindex(t.name.c_str()));
  if (!t.ifindex) return make_error(errno, "TUN device " + t.name + " has no index");
  return t;
}

}  // namespace xfrmpp::tools::dataplane
