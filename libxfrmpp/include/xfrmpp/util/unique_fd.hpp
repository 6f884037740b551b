// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// An owned file descriptor: closed on every path out of the scope that opened it.
#include <unistd.h>

namespace xfrmpp::util {

/// Owns `fd` (a negative value owns nothing) and closes it on destruction. Not copyable. The close runs
/// after a `return` expression is evaluated, so an error text built from errno there still sees the errno
/// of the failed call, not of close().
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace xfrmpp::util
