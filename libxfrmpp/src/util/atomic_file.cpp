// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "xfrmpp/util/unique_fd.hpp"

namespace xfrmpp::util {
namespace {

Error sys_error(int code, const std::string& what) { return make_error(code, what + ": " + std::strerror(code)); }

}  // namespace

Result<void> replace_file_atomically(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  Result<void> w;
  {
    // Exclusive: a file someone left at the temporary name (a stale one, or one made readable by others
    // to catch the data) is removed first, never written into.
    ::unlink(tmp.c_str());
    UniqueFd fd{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, static_cast<mode_t>(mode))};
    if (fd.get() < 0) return sys_error(errno, "cannot create " + tmp.string());
    for (size_t off = 0; w && off < data.size();) {
      ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) w = sys_error(errno, "cannot write " + tmp.string());
      else off += static_cast<size_t>(n);
    }
    if (w && ::fsync(fd.get()) != 0) w = sys_error(errno, "cannot sync " + tmp.string());
  }
  if (w && ::rename(tmp.c_str(), path.c_str()) != 0) w = sys_error(errno, "cannot rename onto " + path.string());
  if (!w) {
    ::unlink(tmp.c_str());
    return w;
  }
  UniqueFd dir{::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.get() >= 0) ::fsync(dir.get());
  return {};
}

}  // namespace xfrmpp::util
