// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The words every tool adds to a kernel error when the caller lacks the privilege for it.
#include <cerrno>
#include <string>

#include "xfrmpp/diag/result.hpp"

namespace xfrmpp::tools {

/// Every NETLINK_XFRM request, even a dump, needs CAP_NET_ADMIN in the caller's network namespace;
/// EPERM alone ("Operation not permitted") does not say which, nor that the software engine needs none.
/// The same words as ipsec-stat's.
inline constexpr const char* kPrivilegeHint =
    " (needs CAP_NET_ADMIN in this network namespace; without it, use --backend=engine)";

/// `message`, followed by kPrivilegeHint when `code` is EPERM.
inline std::string with_privilege_hint(int code, std::string message) {
  if (code == EPERM) message += kPrivilegeHint;
  return message;
}

/// An Error's message, with kPrivilegeHint when it is EPERM.
inline std::string with_privilege_hint(const Error& e) { return with_privilege_hint(e.code, e.message); }

}  // namespace xfrmpp::tools
