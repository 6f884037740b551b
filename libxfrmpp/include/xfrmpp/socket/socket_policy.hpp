// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Per-socket IPsec policy: a KAME policy string (ipsec_set_policy(3), the inetd.conf form) put on one
// socket with setsockopt(IP_XFRM_POLICY / IPV6_XFRM_POLICY).
//
// Linux facts this API is shaped by (checked on 6.18):
//  * the option value is a struct xfrm_userpolicy_info followed by xfrm_user_tmpl[] (no netlink attributes);
//  * setting (and clearing) needs CAP_NET_ADMIN in the user namespace owning the socket's network namespace,
//    for every policy: unlike KAME there is no unprivileged 'ipsec' or 'entrust';
//  * only the in and out directions exist; the option level must match the socket's family;
//  * getsockopt(IP_XFRM_POLICY) is not implemented (ENOPROTOOPT), so a policy cannot be read back from the
//    socket. The kernel lists socket policies in a policy dump (index % 8 >= 3) but nothing there names
//    the socket. SocketPolicyTable therefore remembers what it set, per socket;
//  * clearing is all or nothing: setsockopt(NULL, 0) removes both directions. Clearing one direction is
//    "clear both, put the other back";
//  * a socket policy always wins over the SPD for its socket; its priority has no effect.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/model/policy.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::socket {

/// The directions a socket has. Values match KAME's IPSEC_DIR_INBOUND/OUTBOUND and the C API.
enum class Which : uint8_t { in = 1, out = 2, both = 3 };

/// Parses a socket policy: "out bypass", "in entrust", "out ipsec esp/transport//require", "in discard".
/// Errors carry the parser's diagnostics as "policy:1:18: error: ..." with the text and a caret (EINVAL).
/// The fwd direction is refused here (EINVAL): sockets have none.
Result<model::Policy> parse_socket_policy(std::string_view text);

/// KAME text of a socket policy, which parse_socket_policy reads back to the same direction, action and
/// requests (the priority is left out: it means nothing for a socket).
std::string format_socket_policy(const model::Policy& p);

/// The setsockopt payload for a socket of `family` (inet or inet6): xfrm_userpolicy_info, then one
/// xfrm_user_tmpl per request. bypass and none become ALLOW without templates, discard BLOCK. EINVAL for
/// entrust (it is the absence of a policy), fwd, unresolved 'default' levels or more than 6 requests.
Result<std::vector<uint8_t>> encode_socket_policy(const model::Policy& p, model::Family family);

/// The inverse of encode_socket_policy. ALLOW without templates decodes as bypass. EBADMSG on a length
/// that is not the header plus whole templates.
Result<model::Policy> decode_socket_policy(std::span<const uint8_t> bytes);

/// `p` with every 'default' request level replaced by the namespace's default level for its protocol,
/// mode and family (the *_deflev knobs; see knobs::DefaultLevels).
model::Policy resolve_default_levels(model::Policy p, model::Family family, const knobs::DefaultLevels& levels);

/// The per-socket policies of the backend's namespace, from a policy dump. They carry no socket identity.
/// Their `dir` is in or out (the dump says 3 or 4, XFRM_POLICY_MAX + dir; this undoes that).
Result<std::vector<model::Policy>> kernel_socket_policies(Backend& backend);

struct TableOptions {
  knobs::StateOptions state;  ///< where the *_deflev default levels are read from
};

/// Sets, clears and remembers per-socket policies. One table per process is the natural use (the C API
/// keeps one); it is not thread-safe. Sockets are told apart by fd and socket inode, so a closed and
/// reused fd is not mistaken for the old socket.
class SocketPolicyTable {
 public:
  explicit SocketPolicyTable(TableOptions options = {});
  ~SocketPolicyTable();
  SocketPolicyTable(const SocketPolicyTable&) = delete;
  SocketPolicyTable& operator=(const SocketPolicyTable&) = delete;

  /// Puts `p` on the socket for p.dir, after resolving 'default' levels. `entrust` removes that direction's
  /// socket policy, so the SPD decides again. The other direction is left as it is.
  /// Errors: ENOTSOCK, EAFNOSUPPORT (not an IPv4/IPv6 socket), EINVAL, EPERM (no CAP_NET_ADMIN), and
  /// whatever else the kernel answers, each with a message saying what was attempted.
  Result<void> set(int fd, const model::Policy& p);
  /// parse_socket_policy, then set.
  Result<void> set(int fd, std::string_view policy_text);

  /// Removes the socket's policy in `which` directions. For one direction while the other holds a policy
  /// this table did not set, the other one is found in a policy dump taken before and after the clear
  /// (the one of that direction that vanished) and put back; when that is ambiguous the error is EBUSY
  /// and both directions are left cleared.
  Result<void> clear(int fd, Which which);

  /// The policy in force in `dir` as far as this table knows: nullopt when it set none, or cleared it.
  /// Policies set on the socket by other means are not seen (Linux cannot be asked).
  std::optional<model::Policy> get(int fd, model::Direction dir);

 private:
  struct Entry {
    uint64_t inode = 0;
    model::Family family = model::Family::unspec;
    std::optional<model::Policy> in, out;
  };
  Result<Entry*> entry(int fd);
  Result<void> install(int fd, const Entry& e, const model::Policy& p);
  Result<Backend*> backend();

  TableOptions options_;
  std::map<int, Entry> entries_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace xfrmpp::socket

#pragma GCC visibility pop
