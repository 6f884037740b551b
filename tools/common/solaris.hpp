// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What ipsecconf and ipseckey need from the host besides XFRM: name resolution (the system's, or a
// hosts(5)-style table given with --hosts) and tunnel interfaces (rtnetlink, or a --tunnels table).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/ipsecconf.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/address.hpp"

namespace xfrmpp::tools::solaris {

/// Names to addresses from a hosts(5)-format file ("ADDRESS NAME [ALIAS...]", '#' comments). A name on
/// several lines is multi-homed. Network names (networks(5)) may be listed the same way.
class HostTable {
 public:
  static Result<HostTable> load(const std::string& path);
  std::vector<model::Address> resolve(std::string_view name) const;

 private:
  std::map<std::string, std::vector<model::Address>, std::less<>> names_;
};

/// getaddrinfo() for both families, then getnetbyname() for network names, as ipsecconf.c does with
/// getipnodebyname(AF_INET6, AI_ALL) and getnetbyname().
std::vector<model::Address> resolve_system(std::string_view name);

/// Tunnels from a table file: "NAME [kind=K] [if_id=N] [tsrc=ADDR] [tdst=ADDR]" per line.
class TunnelTable {
 public:
  static Result<TunnelTable> load(const std::string& path);
  std::optional<parsers::ipsecconf::TunnelInfo> find(std::string_view name) const;
  const std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>>& all() const { return tunnels_; }

 private:
  std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>> tunnels_;
};

/// The blank-separated words of a table line or an interface alias.
std::vector<std::string_view> words(std::string_view line);

/// Every tunnel-like link of the current network namespace (rtnetlink RTM_GETLINK): XFRM interfaces
/// (if_id; outer endpoints from an alias "tsrc ADDR tdst ADDR"), ipip, sit, ip6tnl, gre and ip6gre
/// (endpoints). Other links are left out.
Result<std::map<std::string, parsers::ipsecconf::TunnelInfo, std::less<>>> tunnel_links();

/// One tunnel: the table first (when given), then the namespace's links. `why` explains a miss.
std::optional<parsers::ipsecconf::TunnelInfo> lookup_tunnel(const TunnelTable* table, std::string_view name, std::string& why);

/// The XFRM interface id whose tunnel has these outer endpoints (either way round), if any: tunnel-mode
/// SAs need it so the interface's policies can use them.
std::optional<uint32_t> if_id_for_endpoints(const TunnelTable* table, const model::Address& a, const model::Address& b);

}  // namespace xfrmpp::tools::solaris
