// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/socket/socket_policy.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "xfrmpp/model/names.hpp"
#include "xfrmpp/netlink/attrs.hpp"
#include "xfrmpp/netlink/kernel_backend.hpp"
#include "xfrmpp/netlink/uapi.hpp"
#include "xfrmpp/policy_string.hpp"

#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C  // Linux 4.9
#endif

namespace xfrmpp::socket {

namespace {

using model::Direction;
using model::PolicyKind;

std::string_view dir_word(Direction d) { return model::name_of(model::direction_names(), d); }

std::string request_text(const model::Template& t) {
  std::string s = fmt::format("{}/{}/", model::name_of(model::protocol_names(), t.proto), model::name_of(model::mode_names(), t.mode));
  if (!t.dst.is_unspec()) s += fmt::format("{}-{}", t.src.to_string(), t.dst.to_string());
  s += '/';
  model::Level l = t.level;
  if (l == model::Level::unique && t.reqid >= 1 && t.reqid <= model::kManualReqidMax)
    s += fmt::format("unique:{}", t.reqid);
  else
    s += model::name_of(model::level_names(), l);
  return s;
}

// The errno text plus what it means for a socket policy, for the errors users actually meet.
std::string explain_kernel_error(int code, const model::Policy& p, model::Family family) {
  std::string base = fmt::format("setsockopt {} ({} {}) failed: {}",
                                 family == model::Family::inet6 ? "IPV6_XFRM_POLICY" : "IP_XFRM_POLICY", dir_word(p.dir),
                                 model::name_of(model::policy_kind_names(), p.kind), std::strerror(code));
  switch (code) {
    case EPERM:
      return base + ": per-socket IPsec policies need CAP_NET_ADMIN in the socket's network namespace (Linux "
                    "allows no unprivileged socket policy, not even 'ipsec' or 'entrust' as KAME did)";
    case EINVAL: return base + ": the kernel refused the policy or one of its requests";
    case EOPNOTSUPP: return base + ": the option level does not match the socket's address family";
    default: return base;
  }
}

Result<model::Family> socket_family(int fd) {
  int domain = 0;
  socklen_t len = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
    int e = errno;
    return make_error(e, fmt::format("fd {} is not a usable socket: {}", fd, std::strerror(e)));
  }
  if (domain == AF_INET) return model::Family::inet;
  if (domain == AF_INET6) return model::Family::inet6;
  return make_error(EAFNOSUPPORT, fmt::format("fd {} is not an IPv4 or IPv6 socket (family {}); IPsec policies "
                                              "apply to IP sockets only", fd, domain));
}

// Raw setsockopt; a null payload clears both directions.
Result<void> put_option(int fd, model::Family family, const std::vector<uint8_t>* payload) {
  int level = family == model::Family::inet6 ? IPPROTO_IPV6 : IPPROTO_IP;
  int name = family == model::Family::inet6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
  int rc = payload ? ::setsockopt(fd, level, name, payload->data(), static_cast<socklen_t>(payload->size()))
                   : ::setsockopt(fd, level, name, nullptr, 0);
  if (rc != 0) {
    int e = errno;
    return make_error(e, std::strerror(e));
  }
  return {};
}

// Inode of a namespace file (ns fd or /proc path).
std::optional<uint64_t> ns_inode_of_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::nullopt;
  return st.st_ino;
}

// EXDEV when the socket lives in another network namespace than the caller, where a policy dump
// from here would describe the wrong SPD.
Result<void> same_netns(int fd) {
  int ns = ::ioctl(fd, SIOCGSKNS);
  if (ns < 0) return {};  // old kernel or not permitted: assume the caller's namespace
  auto sock_ns = ns_inode_of_fd(ns);
  ::close(ns);
  struct stat self {};
  if (sock_ns && ::stat("/proc/self/ns/net", &self) == 0 && *sock_ns != self.st_ino)
    return make_error(EXDEV, fmt::format("fd {} belongs to another network namespace; its policies cannot be looked up "
                                         "from here", fd));
  return {};
}

}  // namespace

Result<model::Policy> parse_socket_policy(std::string_view text) {
  diag::SourceBuffer source("policy", std::string(text));
  diag::DiagnosticSink sink;
  std::optional<model::Policy> p = policy_string::parse(source, sink);
  if (!p || sink.has_errors()) {
    std::string msg;
    for (const auto& d : sink.all())
      if (d.severity == diag::Severity::error) msg += diag::format(source, d);
    if (msg.empty()) msg = "policy: error: invalid policy\n";
    msg.pop_back();  // the last newline; callers add their own
    return make_error(EINVAL, msg);
  }
  if (p->dir == Direction::fwd)
    return make_error(EINVAL, fmt::format("policy: error: a socket has no fwd direction (use in or out): '{}'", text));
  return std::move(*p);
}

std::string format_socket_policy(const model::Policy& p) {
  std::string s = fmt::format("{} {}", dir_word(p.dir), model::name_of(model::policy_kind_names(), p.kind));
  for (const auto& t : p.templates) {
    s += ' ';
    s += request_text(t);
  }
  return s;
}

Result<std::vector<uint8_t>> encode_socket_policy(const model::Policy& p, model::Family family) {
  if (p.dir != Direction::in && p.dir != Direction::out) return make_error(EINVAL, "a socket policy is for in or out only");
  if (p.kind == PolicyKind::entrust)
    return make_error(EINVAL, "entrust is not a policy: it removes the socket's policy for that direction");
  if (p.kind != PolicyKind::ipsec && !p.templates.empty()) return make_error(EINVAL, "only an ipsec policy carries requests");
  if (p.kind == PolicyKind::ipsec && p.templates.empty()) return make_error(EINVAL, "an ipsec policy needs at least one request");
  if (p.templates.size() > nl::kMaxTemplates) return make_error(EINVAL, "more than 6 requests (XFRM_MAX_DEPTH)");
  if (family != model::Family::inet && family != model::Family::inet6)
    return make_error(EAFNOSUPPORT, "socket policies exist for IPv4 and IPv6 sockets only");
  for (const auto& t : p.templates)
    if (t.level == model::Level::default_level)
      return make_error(EINVAL, "a 'default' request level must be resolved first (resolve_default_levels)");

  xfrm_userpolicy_info info{};
  model::Selector sel = p.sel;
  if (sel.family == model::Family::unspec) sel.family = family;
  info.sel = nl::encode_selector(sel);
  info.lft = nl::encode_lifetime(p.limits);
  info.priority = p.priority;
  info.dir = static_cast<uint8_t>(p.dir);
  info.action = p.kind == PolicyKind::discard ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
  info.flags = p.flags;
  info.share = XFRM_SHARE_ANY;
  std::vector<uint8_t> out(sizeof info + p.templates.size() * sizeof(xfrm_user_tmpl));
  std::memcpy(out.data(), &info, sizeof info);
  for (size_t i = 0; i < p.templates.size(); ++i) {
    xfrm_user_tmpl t = nl::encode_template(p.templates[i]);
    std::memcpy(out.data() + sizeof info + i * sizeof t, &t, sizeof t);
  }
  return out;
}

Result<model::Policy> decode_socket_policy(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(xfrm_userpolicy_info) || (bytes.size() - sizeof(xfrm_userpolicy_info)) % sizeof(xfrm_user_tmpl))
    return make_error(EBADMSG, "not xfrm_userpolicy_info followed by whole xfrm_user_tmpl entries");
  xfrm_userpolicy_info info{};
  std::memcpy(&info, bytes.data(), sizeof info);
  auto templates = nl::decode_templates(bytes.subspan(sizeof info));
  if (!templates) return templates.error();
  model::Policy p;
  p.sel = nl::decode_selector(info.sel);
  p.limits = nl::decode_lifetime(info.lft);
  p.priority = info.priority;
  p.index = info.index;
  p.dir = static_cast<Direction>(info.dir);
  p.flags = info.flags;
  p.templates = std::move(*templates);
  if (info.action == XFRM_POLICY_BLOCK)
    p.kind = PolicyKind::discard;
  else
    p.kind = p.templates.empty() ? PolicyKind::bypass : PolicyKind::ipsec;
  return p;
}

model::Policy resolve_default_levels(model::Policy p, model::Family family, const knobs::DefaultLevels& levels) {
  // A socket policy's selector is empty: the socket's family decides.
  model::Selector sel = p.sel;
  p.sel.family = family;
  levels.resolve(p);
  p.sel = sel;
  return p;
}

Result<std::vector<model::Policy>> kernel_socket_policies(Backend& backend) {
  auto dump = backend.dump_policies();
  if (!dump) return dump.error();
  std::vector<model::Policy> out;
  for (auto& p : *dump) {
    if (p.is_socket_policy()) out.push_back(std::move(p));  // the decoder already gives in/out back
  }
  return out;
}

// ---- SocketPolicyTable ----

SocketPolicyTable::SocketPolicyTable(TableOptions options) : options_(std::move(options)) {}
SocketPolicyTable::~SocketPolicyTable() = default;

Result<SocketPolicyTable::Entry*> SocketPolicyTable::entry(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    return make_error(e, fmt::format("fd {}: {}", fd, std::strerror(e)));
  }
  if (!S_ISSOCK(st.st_mode)) return make_error(ENOTSOCK, fmt::format("fd {} is not a socket", fd));
  auto fam = socket_family(fd);
  if (!fam) return fam.error();
  Entry& e = entries_[fd];
  if (e.inode != st.st_ino) e = Entry{st.st_ino, *fam, std::nullopt, std::nullopt};  // a new socket on a reused fd
  return &e;
}

Result<void> SocketPolicyTable::install(int fd, const Entry& e, const model::Policy& p) {
  auto bytes = encode_socket_policy(p, e.family);
  if (!bytes) return bytes.error();
  if (auto r = put_option(fd, e.family, &bytes.value()); !r)
    return make_error(r.error().code, explain_kernel_error(r.error().code, p, e.family));
  return {};
}

Result<Backend*> SocketPolicyTable::backend() {
  if (!backend_) {
    auto b = nl::KernelBackend::open();
    if (!b) return b.error();
    backend_ = std::move(b.value());
  }
  return backend_.get();
}

Result<void> SocketPolicyTable::set(int fd, const model::Policy& given) {
  if (given.dir != Direction::in && given.dir != Direction::out)
    return make_error(EINVAL, "a socket has no fwd direction (use in or out)");
  auto e = entry(fd);
  if (!e) return e.error();
  Entry& en = **e;
  if (given.kind == PolicyKind::entrust) return clear(fd, given.dir == Direction::in ? Which::in : Which::out);
  model::Policy p = given;
  bool has_default = std::any_of(p.templates.begin(), p.templates.end(),
                                 [](const model::Template& t) { return t.level == model::Level::default_level; });
  if (has_default) {
    auto levels = knobs::load_default_levels(options_.state);
    if (!levels) return make_error(levels.error().code, "cannot read the default levels: " + levels.error().message);
    p = resolve_default_levels(std::move(p), en.family, *levels);
  }
  if (auto r = install(fd, en, p); !r) return r;
  (p.dir == Direction::in ? en.in : en.out) = std::move(p);
  return {};
}

Result<void> SocketPolicyTable::set(int fd, std::string_view policy_text) {
  auto p = parse_socket_policy(policy_text);
  if (!p) return p.error();
  return set(fd, *p);
}

Result<void> SocketPolicyTable::clear(int fd, Which which) {
  auto e = entry(fd);
  if (!e) return e.error();
  Entry& en = **e;
  if (which == Which::both) {
    if (auto r = put_option(fd, en.family, nullptr); !r)
      return make_error(r.error().code, "clearing the socket policy failed: " + r.error().message +
                                            (r.error().code == EPERM ? " (needs CAP_NET_ADMIN)" : ""));
    en.in.reset();
    en.out.reset();
    return {};
  }
  Direction gone = which == Which::in ? Direction::in : Direction::out;
  Direction keep = which == Which::in ? Direction::out : Direction::in;
  std::optional<model::Policy>& kept = keep == Direction::in ? en.in : en.out;

  // Linux clears both directions at once. The one to keep comes from this table if it set it, else from
  // the SPD: the socket policy of that direction which disappears with the clear is this socket's.
  std::vector<model::Policy> before;
  Backend* be = nullptr;
  if (!kept) {
    if (auto ns = same_netns(fd); !ns) return ns.error();
    auto b = backend();
    if (!b) return make_error(b.error().code, "cannot look for the socket's other policy: " + b.error().message);
    be = *b;
    auto dump = kernel_socket_policies(*be);
    if (!dump)
      return make_error(dump.error().code, "cannot look for the socket's other policy: " + dump.error().message +
                                               (dump.error().code == EPERM ? " (needs CAP_NET_ADMIN)" : ""));
    before = std::move(*dump);
  }
  if (auto r = put_option(fd, en.family, nullptr); !r)
    return make_error(r.error().code, "clearing the socket policy failed: " + r.error().message +
                                          (r.error().code == EPERM ? " (needs CAP_NET_ADMIN)" : ""));
  (gone == Direction::in ? en.in : en.out).reset();
  if (kept) return install(fd, en, *kept);

  auto after = kernel_socket_policies(*be);
  if (!after) return make_error(after.error().code, "the socket's policies were cleared in both directions, and the "
                                                    "other direction could not be checked: " + after.error().message);
  std::set<uint32_t> still;
  for (const auto& p : *after) still.insert(p.index);
  std::vector<model::Policy> vanished;
  for (const auto& p : before)
    if (p.dir == keep && !still.count(p.index)) vanished.push_back(p);
  if (vanished.empty()) return {};
  if (vanished.size() > 1)
    return make_error(EBUSY, fmt::format("the socket's policies were cleared in both directions; {} {} socket policies "
                                         "vanished meanwhile, so which one was this socket's is unknown and none was put back",
                                         vanished.size(), dir_word(keep)));
  model::Policy back = vanished.front();
  back.index = 0;  // the kernel assigns a new one
  back.current = {};
  if (auto r = install(fd, en, back); !r) return r;
  kept = std::move(back);
  return {};
}

std::optional<model::Policy> SocketPolicyTable::get(int fd, Direction dir) {
  auto e = entry(fd);
  if (!e) return std::nullopt;
  return dir == Direction::in ? (*e)->in : dir == Direction::out ? (*e)->out : std::nullopt;
}

}  // namespace xfrmpp::socket
