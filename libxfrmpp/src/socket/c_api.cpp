// SPDX-License-Identifier: BSD-3-Clause
// The C API of <xfrmpp/socket_policy.h>: one process-wide SocketPolicyTable behind a mutex (Linux cannot
// read a socket policy back, so the process has to remember what it set), and a per-thread last error.
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "xfrmpp/socket/socket_policy.hpp"
#include "xfrmpp/socket_policy.h"

namespace {

using xfrmpp::socket::SocketPolicyTable;
using xfrmpp::socket::Which;

thread_local std::string t_last_error;

std::mutex& table_mutex() {
  static std::mutex m;
  return m;
}

SocketPolicyTable& table() {
  static SocketPolicyTable t;
  return t;
}

int fail(int code, std::string message) {
  t_last_error = std::move(message);
  errno = code;
  return -1;
}

int finish(const xfrmpp::Result<void>& r) {
  if (!r) return fail(r.error().code ? r.error().code : EIO, r.error().message);
  t_last_error.clear();
  return 0;
}

}  // namespace

extern "C" int xfrmpp_set_socket_policy(int fd, const char* policy) {
  if (!policy) return fail(EINVAL, "policy: error: no policy string (null pointer)");
  try {
    std::lock_guard lock(table_mutex());
    return finish(table().set(fd, std::string_view(policy)));
  } catch (const std::bad_alloc&) {
    return fail(ENOMEM, "out of memory");
  }
}

extern "C" int xfrmpp_clear_socket_policy(int fd, int dir) {
  if (dir != XFRMPP_DIR_IN && dir != XFRMPP_DIR_OUT && dir != XFRMPP_DIR_BOTH)
    return fail(EINVAL, "direction must be XFRMPP_DIR_IN, XFRMPP_DIR_OUT or XFRMPP_DIR_BOTH, not " + std::to_string(dir));
  try {
    std::lock_guard lock(table_mutex());
    return finish(table().clear(fd, static_cast<Which>(dir)));
  } catch (const std::bad_alloc&) {
    return fail(ENOMEM, "out of memory");
  }
}

extern "C" int xfrmpp_get_socket_policy(int fd, int dir, char* buf, size_t len) {
  if (dir != XFRMPP_DIR_IN && dir != XFRMPP_DIR_OUT)
    return fail(EINVAL, "direction must be XFRMPP_DIR_IN or XFRMPP_DIR_OUT, not " + std::to_string(dir));
  try {
    std::optional<xfrmpp::model::Policy> p;
    {
      std::lock_guard lock(table_mutex());
      p = table().get(fd, dir == XFRMPP_DIR_IN ? xfrmpp::model::Direction::in : xfrmpp::model::Direction::out);
    }
    if (!p)
      return fail(ENOENT, "no socket policy set through xfrmpp for that direction of fd " + std::to_string(fd) +
                              " (Linux cannot report policies set otherwise)");
    std::string text = xfrmpp::socket::format_socket_policy(*p);
    if (!buf || len < text.size() + 1)
      return fail(ERANGE, "buffer too small: the policy needs " + std::to_string(text.size() + 1) + " bytes");
    std::memcpy(buf, text.c_str(), text.size() + 1);
    t_last_error.clear();
    return 0;
  } catch (const std::bad_alloc&) {
    return fail(ENOMEM, "out of memory");
  }
}

extern "C" const char* xfrmpp_last_error(void) { return t_last_error.c_str(); }
