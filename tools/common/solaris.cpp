// SPDX-License-Identifier: BSD-3-Clause
#include "solaris.hpp"

#include "input.hpp"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "xfrmpp/util/number.hpp"

namespace xfrmpp::tools::solaris {

namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

Result<std::vector<std::string>> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errno ? errno : ENOENT, path + ": " + std::strerror(errno ? errno : ENOENT));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (auto hash = l.find('#'); hash != std::string::npos) l.resize(hash);
    lines.push_back(std::move(l));
  }
  return lines;
}

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

Result<HostTable> HostTable::load(const std::string& path) {
  auto lines = read_lines(path);
  if (!lines) return lines.error();
  HostTable t;
  for (const auto& l : *lines) {
    auto w = words(l);
    if (w.size() < 2) continue;
    auto a = model::Address::parse(w[0]);
    if (!a) return make_error(EINVAL, path + ": not an address: " + std::string(w[0]));
    for (size_t i = 1; i < w.size(); ++i) {
      auto& v = t.names_[std::string(w[i])];
      if (std::find(v.begin(), v.end(), *a) == v.end()) v.push_back(*a);
    }
  }
  return t;
}

std::vector<model::Address> HostTable::resolve(std::string_view name) const {
  auto it = names_.find(name);
  return it == names_.end() ? std::vector<model::Address>{} : it->second;
}

std::vector<model::Address> resolve_system(std::string_view name) {
  std::string host(name);
  std::vector<model::Address> out = resolve_host(name, model::Family::unspec);
  if (out.empty()) {
    netent ent{}, *result = nullptr;
    char buf[1024];
    int err = 0;
    if (getnetbyname_r(host.c_str(), &ent, buf, sizeof buf, &result, &err) == 0 && result && result->n_addrtype == AF_INET) {
      // inet_makeaddr(net, 0): the network number shifted into place as a classful address would be.
      uint32_t net = result->n_net;
      uint32_t addr = net < 128 ? net << 24 : net < 65536 ? net << 16 : net < 16777216 ? net << 8 : net;
      out.push_back(model::Address::v4(addr));
    }
  }
  return out;
}

Result<TunnelTable> TunnelTable::load(const std::string& path) {
  auto lines = read_lines(path);
  if (!lines) return lines.error();
  TunnelTable t;
  for (size_t n = 0; n < lines->size(); ++n) {
    std::string where = path + ":" + std::to_string(n + 1);
    auto w = words((*lines)[n]);
    if (w.empty()) continue;
    parsers::ipsecconf::TunnelInfo info;
    info.kind = "static";
    for (size_t i = 1; i < w.size(); ++i) {
      auto eq = w[i].find('=');
      if (eq == std::string_view::npos) return make_error(EINVAL, where + ": expected key=value, not " + std::string(w[i]));
      std::string_view k = w[i].substr(0, eq), v = w[i].substr(eq + 1);
      if (k == "kind") {
        info.kind = std::string(v);
      } else if (k == "if_id") {
        auto id = util::parse_unsigned(v, UINT32_MAX, util::NumberBase::c_prefix);
        if (!id) return make_error(EINVAL, where + ": if_id=" + std::string(v) + ": " + id.error().message);
        info.if_id = static_cast<uint32_t>(*id);
      } else if (k == "tsrc" || k == "tdst") {
        auto a = model::Address::parse(v);
        if (!a) return make_error(EINVAL, where + ": not an address: " + std::string(v));
        (k == "tsrc" ? info.local : info.remote) = *a;
      } else {
        return make_error(EINVAL, where + ": unknown key " + std::string(k));
      }
    }
    t.tunnels_[std::string(w[0])] = info;
  }
  return t;
}

std::optional<parsers::ipsecconf::TunnelInfo> TunnelTable::find(std::string_view name) const {
  auto it = tunnels_.find(name);
  if (it == tunnels_.end()) return std::nullopt;
  return it->second;
}

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

std::optional<parsers::ipsecconf::TunnelInfo> lookup_tunnel(const TunnelTable* table, std::string_view name, std::string& why) {
  if (table)
    if (auto t = table->find(name)) return t;
  auto links = tunnel_links();
  if (!links) {
    why = links.error().message;
    return std::nullopt;
  }
  auto it = links->find(name);
  if (it == links->end()) {
    why = "no XFRM interface or IP tunnel of that name in this network namespace";
    return std::nullopt;
  }
  return it->second;
}

std::optional<uint32_t> if_id_for_endpoints(const TunnelTable* table, const model::Address& a, const model::Address& b) {
  auto match = [&](const parsers::ipsecconf::TunnelInfo& t) {
    return t.if_id && ((t.local == a && t.remote == b) || (t.local == b && t.remote == a));
  };
  if (table)
    for (const auto& [name, t] : table->all())
      if (match(t)) return t.if_id;
  if (auto links = tunnel_links())
    for (const auto& [name, t] : *links)
      if (match(t)) return t.if_id;
  return std::nullopt;
}

}  // namespace xfrmpp::tools::solaris
