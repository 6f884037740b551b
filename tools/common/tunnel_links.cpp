// SPDX-License-Identifier: BSD-3-Clause
// tunnel_links() on Linux: the namespace's tunnel-like links over rtnetlink (RTM_GETLINK). A build without
// the kernel backend compiles tunnel_links_none.cpp instead, so no <linux/...> header is needed there.
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>
#include <vector>

#include "solaris.hpp"

namespace xfrmpp::tools::solaris {

namespace {

// "tsrc ADDR tdst ADDR" (ifconfig's words for tunnel endpoints), in any order, in an interface alias.
void endpoints_from_alias(std::string_view alias, parsers::ipsecconf::TunnelInfo& info) {
  auto w = words(alias);
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (w[i] == "tsrc") {
      if (auto a = model::Address::parse(w[i + 1])) info.local = *a;
    } else if (w[i] == "tdst") {
      if (auto a = model::Address::parse(w[i + 1])) info.remote = *a;
    }
  }
}

model::Address address_from(const void* data, size_t len) {
  model::Address a;
  if (len == 4) a.family = model::Family::inet;
  else if (len == 16) a.family = model::Family::inet6;
  else return a;
  std::memcpy(a.bytes.data(), data, len);
  if (a.is_zero()) a = model::Address{};
  return a;
}

struct Attr {
  const uint8_t* data;
  size_t len;
};

// rtattrs of one level, by type (the last one wins).
std::map<uint16_t, Attr> attrs(const uint8_t* p, size_t len) {
  std::map<uint16_t, Attr> out;
  while (len >= sizeof(rtattr)) {
    const auto* rta = reinterpret_cast<const rtattr*>(p);
    if (rta->rta_len < sizeof(rtattr) || rta->rta_len > len) break;
    out[rta->rta_type & ~NLA_F_NESTED] = Attr{p + RTA_LENGTH(0), rta->rta_len - RTA_LENGTH(0)};
    size_t step = RTA_ALIGN(rta->rta_len);
    if (step > len) break;
    p += step;
    len -= step;
  }
  return out;
}

}  // namespace

Result<std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>>> tunnel_links() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return make_error(errno, std::string("rtnetlink socket: ") + std::strerror(errno));
  struct {
    nlmsghdr nh;
    ifinfomsg ifi;
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = 1;
  req.ifi.ifi_family = AF_UNSPEC;
  if (::send(fd, &req, sizeof req, 0) < 0) {
    int e = errno;
    ::close(fd);
    return make_error(e, std::string("RTM_GETLINK: ") + std::strerror(e));
  }
  std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>> out;
  std::vector<uint8_t> buf(1 << 16);
  for (bool done = false; !done;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return make_error(e, std::string("RTM_GETLINK: ") + std::strerror(e));
    }
    size_t left = static_cast<size_t>(n);
    for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
      if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
        done = true;
        break;
      }
      if (nh->nlmsg_type != RTM_NEWLINK || nh->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) continue;
      const auto* base = reinterpret_cast<const uint8_t*>(NLMSG_DATA(nh)) + NLMSG_ALIGN(sizeof(ifinfomsg));
      auto top = attrs(base, nh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(ifinfomsg))));
      if (!top.count(IFLA_IFNAME) || !top.count(IFLA_LINKINFO)) continue;
      std::string name(reinterpret_cast<const char*>(top[IFLA_IFNAME].data), strnlen(reinterpret_cast<const char*>(top[IFLA_IFNAME].data), top[IFLA_IFNAME].len));
      auto li = attrs(top[IFLA_LINKINFO].data, top[IFLA_LINKINFO].len);
      if (!li.count(IFLA_INFO_KIND)) continue;
      std::string kind(reinterpret_cast<const char*>(li[IFLA_INFO_KIND].data), strnlen(reinterpret_cast<const char*>(li[IFLA_INFO_KIND].data), li[IFLA_INFO_KIND].len));
      std::map<uint16_t, Attr> data;
      if (li.count(IFLA_INFO_DATA)) data = attrs(li[IFLA_INFO_DATA].data, li[IFLA_INFO_DATA].len);
      parsers::ipsecconf::TunnelInfo info;
      info.kind = kind;
      if (kind == "xfrm") {
        uint32_t id = 0;
        if (data.count(IFLA_XFRM_IF_ID) && data[IFLA_XFRM_IF_ID].len >= 4) std::memcpy(&id, data[IFLA_XFRM_IF_ID].data, 4);
        info.if_id = id;
        if (top.count(IFLA_IFALIAS))
          endpoints_from_alias(std::string_view(reinterpret_cast<const char*>(top[IFLA_IFALIAS].data),
                                                strnlen(reinterpret_cast<const char*>(top[IFLA_IFALIAS].data), top[IFLA_IFALIAS].len)),
                               info);
      } else if (kind == "ipip" || kind == "sit" || kind == "ip6tnl") {
        if (data.count(IFLA_IPTUN_LOCAL)) info.local = address_from(data[IFLA_IPTUN_LOCAL].data, data[IFLA_IPTUN_LOCAL].len);
        if (data.count(IFLA_IPTUN_REMOTE)) info.remote = address_from(data[IFLA_IPTUN_REMOTE].data, data[IFLA_IPTUN_REMOTE].len);
      } else if (kind == "gre" || kind == "ip6gre") {
        if (data.count(IFLA_GRE_LOCAL)) info.local = address_from(data[IFLA_GRE_LOCAL].data, data[IFLA_GRE_LOCAL].len);
        if (data.count(IFLA_GRE_REMOTE)) info.remote = address_from(data[IFLA_GRE_REMOTE].data, data[IFLA_GRE_REMOTE].len);
      } else {
        continue;
      }
      out[name] = info;
    }
  }
  ::close(fd);
  return out;
}

}  // namespace xfrmpp::tools::solaris
