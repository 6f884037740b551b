// SPDX-License-Identifier: BSD-3-Clause
#include "rtnl.hpp"

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace xfrmpp::tools::dataplane {

namespace {

int af_of(model::Family f) { return f == model::Family::inet6 ? AF_INET6 : AF_INET; }
size_t len_of(model::Family f) { return f == model::Family::inet6 ? 16 : 4; }

std::optional<model::Address> address_of(const nlattr* a, int af) {
  if (!a) return std::nullopt;
  model::Address out;
  size_t n = mnl_attr_get_payload_len(a);
  if (af == AF_INET && n == 4) out.family = model::Family::inet;
  else if (af == AF_INET6 && n == 16) out.family = model::Family::inet6;
  else return std::nullopt;
  std::memcpy(out.bytes.data(), mnl_attr_get_payload(a), n);
  return out;
}

// The attributes of one message after a header of `header` bytes, by type (the last of a type wins).
template <size_t N>
void attrs_of(const nlmsghdr* nlh, size_t header, const nlattr* (&tb)[N]) {
  for (auto& t : tb) t = nullptr;
  auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, header));
  const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  while (mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a)))) {
    uint16_t type = mnl_attr_get_type(a);
    if (type < N) tb[type] = a;
    a = mnl_attr_next(a);
  }
}

struct RouteDump {
  int table;
  std::vector<Route> out;
};

int route_cb(const nlmsghdr* nlh, void* data) {
  auto* d = static_cast<RouteDump*>(data);
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  const nlattr* tb[RTA_MAX + 1];
  attrs_of(nlh, sizeof(*rtm), tb);
  uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
  if (static_cast<int>(table) != d->table) return MNL_CB_OK;
  Route r;
  r.dst.len = rtm->rtm_dst_len;
  if (auto a = address_of(tb[RTA_DST], rtm->rtm_family)) r.dst.addr = *a;
  else r.dst.addr.family = rtm->rtm_family == AF_INET6 ? model::Family::inet6 : model::Family::inet;
  r.prefsrc = address_of(tb[RTA_PREFSRC], rtm->rtm_family);
  r.prohibit = rtm->rtm_type == RTN_PROHIBIT;
  r.metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
  d->out.push_back(r);
  return MNL_CB_OK;
}

int addr_cb(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<model::Prefix>*>(data);
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  const nlattr* tb[IFA_MAX + 1];
  attrs_of(nlh, sizeof(*ifa), tb);
  // IFA_LOCAL is the host's own end of a point-to-point address; IFA_ADDRESS otherwise.
  auto a = address_of(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], ifa->ifa_family);
  if (a) out->push_back({*a, ifa->ifa_prefixlen});
  return MNL_CB_OK;
}

}  // namespace

Result<Rtnl> Rtnl::open() {
  mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!s) return make_error(errno, std::string("rtnetlink socket: ") + std::strerror(errno));
  Rtnl r(s);
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) return make_error(errno, std::string("rtnetlink bind: ") + std::strerror(errno));
  return r;
}

Result<void> Rtnl::request(nlmsghdr* nlh, mnl_cb_t cb, void* data) {
  nlh->nlmsg_seq = seq_++;
  if (!cb) nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) return make_error(errno, std::strerror(errno));
  std::vector<char> buf(32768);  // a dump's messages fill up to a page or more each read
  uint32_t portid = mnl_socket_get_portid(sock_.get());
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_.get(), buf.data(), buf.size());
    if (n < 0) return make_error(errno, std::strerror(errno));
    int r = mnl_cb_run(buf.data(), static_cast<size_t>(n), nlh->nlmsg_seq, portid, cb, data);
    if (r == MNL_CB_ERROR) return make_error(errno, std::strerror(errno));
    if (r == MNL_CB_STOP) return {};
  }
}

Result<void> Rtnl::set_link(int ifindex, bool up, unsigned mtu, unsigned txqlen) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_NEWLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  ifi->ifi_flags = up ? IFF_UP : 0;
  ifi->ifi_change = IFF_UP;
  if (mtu) mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
  if (txqlen) mnl_attr_put_u32(nlh, IFLA_TXQLEN, txqlen);
  return request(nlh);
}

Result<void> Rtnl::route(uint16_t type, uint16_t flags, const Route& r, int table, int ifindex) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  model::Family f = r.dst.addr.family;
  rtm->rtm_family = static_cast<uint8_t>(af_of(f));
  rtm->rtm_dst_len = r.dst.len;
  rtm->rtm_table = static_cast<uint8_t>(table < 256 ? table : int{RT_TABLE_UNSPEC});
  rtm->rtm_protocol = RTPROT_STATIC;
  rtm->rtm_scope = r.prohibit ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rtm->rtm_type = r.prohibit ? RTN_PROHIBIT : RTN_UNICAST;
  if (r.dst.len) mnl_attr_put(nlh, RTA_DST, len_of(f), r.dst.addr.bytes.data());
  mnl_attr_put_u32(nlh, RTA_TABLE, static_cast<uint32_t>(table));
  mnl_attr_put_u32(nlh, RTA_PRIORITY, r.metric);
  if (!r.prohibit && ifindex) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<uint32_t>(ifindex));
  if (r.prefsrc && !r.prohibit) mnl_attr_put(nlh, RTA_PREFSRC, len_of(f), r.prefsrc->bytes.data());
  return request(nlh);
}

Result<void> Rtnl::add_route(const Route& r, int table, int ifindex) {
  return route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r, table, ifindex);
}

Result<void> Rtnl::delete_route(const Route& r, int table, int ifindex) {
  Route any = r;
  any.prefsrc.reset();  // a delete matches on the destination, type, metric and table
  return route(RTM_DELROUTE, 0, any, table, ifindex);
}

Result<std::vector<Route>> Rtnl::routes(int table) {
  RouteDump d{table, {}};
  for (int af : {AF_INET, AF_INET6}) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETROUTE;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = static_cast<uint8_t>(af);
    if (auto r = request(nlh, route_cb, &d); !r) return r.error();
  }
  return d.out;
}

namespace {

nlmsghdr* rule_header(char* buf, uint16_t type, uint16_t flags, model::Family f, int priority, int table) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
  frh->family = static_cast<uint8_t>(af_of(f));
  frh->action = FR_ACT_TO_TBL;
  frh->table = static_cast<uint8_t>(table < 256 ? table : int{RT_TABLE_UNSPEC});
  mnl_attr_put_u32(nlh, FRA_PRIORITY, static_cast<uint32_t>(priority));
  mnl_attr_put_u32(nlh, FRA_TABLE, static_cast<uint32_t>(table));
  return nlh;
}

}  // namespace

Result<void> Rtnl::add_rule(model::Family f, int priority, int table, uint32_t mark) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = rule_header(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, f, priority, table);
  static_cast<fib_rule_hdr*>(mnl_nlmsg_get_payload(nlh))->flags = FIB_RULE_INVERT;
  mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
  mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffffu);
  return request(nlh);
}

Result<void> Rtnl::delete_rules(model::Family f, int priority, int table) {
  // A predecessor killed at the wrong moment may have left more than one.
  for (int i = 0; i < 64; ++i) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    auto r = request(rule_header(buf, RTM_DELRULE, 0, f, priority, table));
    if (!r) return r.error().code == ENOENT ? Result<void>{} : r;
  }
  return {};
}

Result<std::vector<model::Prefix>> Rtnl::addresses() {
  std::vector<model::Prefix> out;
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_UNSPEC;
  if (auto r = request(nlh, addr_cb, &out); !r) return r.error();
  return out;
}

}  // namespace xfrmpp::tools::dataplane
