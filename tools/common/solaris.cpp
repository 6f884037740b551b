// SPDX-License-Identifier: BSD-3-Clause
#include "solaris.hpp"

#include "input.hpp"

#include <arpa/inet.h>
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

namespace {

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
