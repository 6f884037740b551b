// SPDX-License-Identifier: BSD-3-Clause
#include "state_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "xfrmpp/util/atomic_file.hpp"

namespace xfrmpp::engine {

namespace {

Error sys_error(int code, const std::string& what) { return make_error(code, what + ": " + std::strerror(code)); }

FileStamp stamp_of(const struct stat& st) {
  return FileStamp{true, st.st_dev, st.st_ino, st.st_size,
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

// mkdir -p with 0700 for what it creates (the state holds keys; so may its directory's listing).
Result<void> make_parents(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return make_error(ENOTDIR, dir.string() + ": not a directory");
    return {};
  }
  if (auto r = make_parents(dir.parent_path()); !r) return r;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error(errno, "cannot create " + dir.string());
  return {};
}

}  // namespace

WriteLock& WriteLock::operator=(WriteLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

WriteLock::~WriteLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

std::filesystem::path StateFile::journal_path() const {
  auto p = path_;
  p += ".journal";
  return p;
}

Result<WriteLock> StateFile::lock() const {
  if (auto r = make_parents(path_.parent_path()); !r) return r.error();
  auto lp = path_;
  lp += ".lock";
  int fd = ::open(lp.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return sys_error(errno, "cannot open lock file " + lp.string());
  WriteLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return sys_error(errno, "cannot lock " + lp.string());
  }
  return lock;
}

Result<FileStamp> StateFile::stamp() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileStamp{};
    return sys_error(errno, "cannot stat " + path_.string());
  }
  return stamp_of(st);
}

Result<std::pair<EngineState, FileStamp>> StateFile::read() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::pair<EngineState, FileStamp>{EngineState{}, FileStamp{}};
    return sys_error(errno, "cannot open " + path_.string());
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return sys_error(errno, "cannot stat " + path_.string());
  if (!S_ISREG(st.st_mode)) return make_error(EINVAL, path_.string() + ": not a regular file");
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::read(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "cannot read " + path_.string());
    if (n == 0) break;
    off += static_cast<size_t>(n);
  }
  data.resize(off);
  auto s = decode_state(data, path_.string());
  if (!s) return s.error();
  return std::pair<EngineState, FileStamp>{std::move(*s), stamp_of(st)};
}

Result<FileStamp> StateFile::write(const EngineState& s) const {
  if (auto r = make_parents(path_.parent_path()); !r) return r.error();
  std::string bytes = encode_state(s);
  if (auto r = util::replace_file_atomically(path_, bytes, 0600); !r) return r.error();
  return stamp();
}

}  // namespace xfrmpp::engine
