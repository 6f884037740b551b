// SPDX-License-Identifier: BSD-3-Clause
#include "journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "codec.hpp"
#include "xfrmpp/util/atomic_file.hpp"

namespace xfrmpp::engine {

namespace {

Error sys_error(int code, const std::string& what) { return make_error(code, what + ": " + std::strerror(code)); }

// A record longer than this is damage, not an event (an SA with the longest keys and label is far smaller).
constexpr uint32_t kMaxRecordBytes = 1 << 20;

Event kind_event(Event::Kind k) {
  Event e;
  e.kind = k;
  return e;
}

std::string header(uint64_t first_seq) {
  Writer w;
  w.out().append(kJournalMagic, sizeof kJournalMagic);
  w.u32(kJournalVersion);
  w.u64(first_seq);
  return std::move(w.out());
}

std::string records(std::span<const Event> events, uint64_t first_seq) {
  Writer w;
  for (size_t i = 0; i < events.size(); ++i) {
    Writer body;
    body.u64(first_seq + i);
    put_event(body, events[i]);
    w.u32(static_cast<uint32_t>(body.out().size()));
    w.out() += body.out();
  }
  return std::move(w.out());
}

Result<void> write_all(int fd, std::string_view data, const std::string& what) {
  for (size_t off = 0; off < data.size();) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "cannot write " + what);
    off += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

Result<void> journal_append(const std::filesystem::path& path, std::span<const Event> events, uint64_t first_seq,
                            size_t max_bytes) {
  if (events.empty()) return {};
  std::string recs = records(events, first_seq);
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists || static_cast<size_t>(st.st_size) < kJournalHeaderBytes ||
      static_cast<size_t>(st.st_size) + recs.size() > max_bytes) {
    // A new file holding only these records; readers of the old one finish it through their descriptor.
    return util::replace_file_atomically(path, header(first_seq) + recs, 0600);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return sys_error(errno, "cannot open " + path.string());
  auto r = write_all(fd, recs, path.string());
  ::close(fd);
  return r;
}

JournalReader::JournalReader(std::filesystem::path path) : path_(std::move(path)) {}

JournalReader::JournalReader(JournalReader&& o) noexcept
    : path_(std::move(o.path_)), fd_(o.fd_), ino_(o.ino_), dev_(o.dev_), offset_(o.offset_),
      expected_seq_(o.expected_seq_), buf_(std::move(o.buf_)) {
  o.fd_ = -1;
}

JournalReader::~JournalReader() {
  if (fd_ >= 0) ::close(fd_);
}

// Opens whatever file is at the path now. at_end: position after its last complete record (and learn the
// sequence number that comes next); otherwise just after the header. False when there is no file yet.
Result<bool> JournalReader::open_current(bool at_end) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    return sys_error(errno, "cannot open " + path_.string());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return sys_error(e, "cannot stat " + path_.string());
  }
  uint8_t h[kJournalHeaderBytes];
  ssize_t n = ::pread(fd, h, sizeof h, 0);
  if (n != static_cast<ssize_t>(sizeof h) || std::memcmp(h, kJournalMagic, sizeof kJournalMagic) != 0) {
    ::close(fd);
    return make_error(EBADMSG, path_.string() + ": not an xfrmpp engine journal");
  }
  Reader r(std::span<const uint8_t>(h + sizeof kJournalMagic, sizeof h - sizeof kJournalMagic));
  uint32_t version = r.u32();
  uint64_t first = r.u64();
  if (version != kJournalVersion) {
    ::close(fd);
    return make_error(EPROTO, path_.string() + ": journal version " + std::to_string(version) + " is not understood");
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  ino_ = st.st_ino;
  dev_ = st.st_dev;
  offset_ = static_cast<off_t>(kJournalHeaderBytes);
  if (expected_seq_ != 0 && first > expected_seq_) {
    // Records were written (and rotated away) that this reader never saw.
    expected_seq_ = ~uint64_t{0};  // read_records turns this into one overrun
  }
  if (at_end) {
    std::vector<Event> skipped;
    expected_seq_ = first;
    if (auto rr = read_records(skipped); !rr) return rr.error();
  }
  return true;
}

Result<void> JournalReader::start(uint64_t next_seq) {
  auto r = open_current(true);
  if (!r) return r.error();
  if (!*r) expected_seq_ = next_seq;
  return {};
}

Result<void> JournalReader::read_records(std::vector<Event>& out) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return sys_error(errno, "cannot stat " + path_.string());
  if (st.st_size <= offset_) return {};
  buf_.resize(static_cast<size_t>(st.st_size - offset_));
  ssize_t n = ::pread(fd_, buf_.data(), buf_.size(), offset_);
  if (n < 0) return sys_error(errno, "cannot read " + path_.string());
  std::span<const uint8_t> data(buf_.data(), static_cast<size_t>(n));
  size_t pos = 0;
  while (data.size() - pos >= 4) {
    Reader len(data.subspan(pos, 4));
    uint32_t size = len.u32();
    if (size > kMaxRecordBytes) return make_error(EBADMSG, path_.string() + ": damaged journal record");
    if (data.size() - pos - 4 < size) break;  // still being written
    Reader r(data.subspan(pos + 4, size));
    uint64_t seq = r.u64();
    Event e;
    bool ok = get_event(r, e);
    pos += 4 + size;
    if (expected_seq_ != 0 && seq != expected_seq_) out.push_back(kind_event(Event::Kind::overrun));
    expected_seq_ = seq + 1;
    if (ok) out.push_back(std::move(e));
    else out.push_back(kind_event(Event::Kind::other));
  }
  offset_ += static_cast<off_t>(pos);
  return {};
}

Result<std::vector<Event>> JournalReader::poll() {
  std::vector<Event> out;
  if (fd_ < 0) {
    auto r = open_current(false);
    if (!r) return r.error();
    if (!*r) return out;
  }
  if (auto r = read_records(out); !r) return r.error();
  // At the end of this file: has a writer started a new one?
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && (st.st_ino != ino_ || st.st_dev != dev_)) {
    if (auto r = read_records(out); !r) return r.error();  // what the old file got before it was replaced
    auto r = open_current(false);
    if (!r) return r.error();
    if (*r) {
      if (auto rr = read_records(out); !rr) return rr.error();
    }
  }
  return out;
}

}  // namespace xfrmpp::engine
