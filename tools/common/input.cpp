// SPDX-License-Identifier: BSD-3-Clause
#include "input.hpp"

#include "json_errors.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <utility>

namespace xfrmpp::tools {

std::string size_text(uint64_t n) {
  static constexpr std::pair<uint64_t, const char*> units[] = {{uint64_t{1} << 30, "GiB"}, {uint64_t{1} << 20, "MiB"}, {1024, "KiB"}};
  for (auto [unit, name] : units)
    if (n >= unit && n % unit == 0) return fmt::format("{} {}", n / unit, name);
  return fmt::format("{} bytes", n);
}

namespace {

Error too_big(const std::string& name, uint64_t max) {
  return make_error(EFBIG, fmt::format("{}: error: input larger than {} (--max-input)", name, size_text(max)));
}

Error read_error(const std::string& name, int e) { return make_error(e, name + ": " + std::strerror(e)); }

// Closes what it opened, never standard input.
struct InputFd {
  int fd = -1;
  bool owned = false;
  ~InputFd() {
    if (owned && fd >= 0) ::close(fd);
  }
};

// Small inputs: an ordinary string, read in chunks (the size from fstat may be stale).
Result<diag::SourceBuffer> read_small(int fd, const std::string& name, uint64_t max) {
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return read_error(name, errno);
    if (n == 0) return diag::SourceBuffer(name, std::move(text));
    if (text.size() + static_cast<size_t>(n) > max) return too_big(name, max);
    text.append(chunk, static_cast<size_t>(n));
  }
}

// Big or endless inputs go to huge-page backed memory: validating a million statements then costs a few
// hundred page faults instead of tens of thousands. An unknown length (a pipe, /dev/zero) first reserves
// address space for the whole cap, which costs memory only as bytes arrive; if that much cannot be mapped,
// the buffer grows by doubling instead. Either way the read stops one byte past the cap.
Result<diag::SourceBuffer> read_large(int fd, const std::string& name, uint64_t max, uint64_t expected) {
  uint64_t limit = max == UINT64_MAX ? max : max + 1;  // one byte more tells "too big" from "exactly the cap"
  util::LargeBuffer buf;
  if (expected == 0) buf = util::LargeBuffer::allocate(static_cast<size_t>(limit));
  if (!buf) buf = util::LargeBuffer::allocate(static_cast<size_t>(std::min<uint64_t>(std::max<uint64_t>(expected + 1, uint64_t{1} << 20), limit)));
  if (!buf) return make_error(ENOMEM, name + ": cannot allocate memory for the input");
  size_t got = 0;
  for (;;) {
    if (got == buf.size()) {
      if (got >= limit) return too_big(name, max);
      auto bigger = util::LargeBuffer::allocate(static_cast<size_t>(std::min<uint64_t>(uint64_t{buf.size()} * 2, limit)));
      if (!bigger) return make_error(ENOMEM, name + ": cannot allocate memory for the input");
      std::memcpy(bigger.data(), buf.data(), got);
      buf = std::move(bigger);
    }
    ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return read_error(name, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
    if (got > max) return too_big(name, max);
  }
  return diag::SourceBuffer(name, std::move(buf), got);
}

}  // namespace

Result<diag::SourceBuffer> load_source(const std::string& path, uint64_t max_input) {
  InputFd in;
  std::string name = path;
  if (path == "-") {
    in.fd = STDIN_FILENO;
    name = "<stdin>";
  } else {
    in.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in.fd < 0) return read_error(path, errno);
    in.owned = true;
  }
  struct stat st {};
  bool regular = fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && static_cast<uint64_t>(st.st_size) > max_input) return too_big(name, max_input);
  constexpr off_t kLarge = 1 << 20;
  if (regular && st.st_size < kLarge) return read_small(in.fd, name, max_input);
  return read_large(in.fd, name, max_input, regular ? static_cast<uint64_t>(st.st_size) : 0);
}

void print_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::FILE* out) {
  for (const auto& d : sink.all()) std::fputs(diag::format(source, d, sink.secrets()).c_str(), out);
}

void DiagnosticPrinter::print(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink) {
  for (const auto& d : sink.all()) print(source, d, sink.secrets());
}

void DiagnosticPrinter::print(const diag::SourceBuffer& source, const diag::Diagnostic& d,
                              const std::vector<diag::SourceRange>& secrets) {
  bool error = d.severity == diag::Severity::error;
  if (max_errors_ != 0 && shown_errors_ >= max_errors_) {
    ++(error ? held_errors_ : held_warnings_);
    return;
  }
  std::fputs(diag::format(source, d, secrets).c_str(), out_);
  if (json_) json_->add(source, d);
  if (error) ++shown_errors_;
}

void DiagnosticPrinter::finish(std::string_view prog) {
  if (held_errors_ || held_warnings_) {
    std::string what = fmt::format("{} more error{}", held_errors_, held_errors_ == 1 ? "" : "s");
    if (held_warnings_) what += fmt::format(" and {} warning{}", held_warnings_, held_warnings_ == 1 ? "" : "s");
    std::fprintf(out_, "%.*s: %s not shown (--max-errors=%zu)\n", static_cast<int>(prog.size()), prog.data(), what.c_str(),
                 max_errors_);
  }
  shown_errors_ = held_errors_ = held_warnings_ = 0;
}

void warn_if_keys_exposed(const std::string& path) {
  struct stat st {};
  if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  if (st.st_mode & (S_IRGRP | S_IROTH))
    std::fprintf(stderr, "%s: warning: holds keys but is readable by %s (mode %04o); chmod 600 it\n", path.c_str(),
                 (st.st_mode & S_IROTH) ? "everyone" : "its group", static_cast<unsigned>(st.st_mode & 07777));
}

bool could_be_hostname(std::string_view name) {
  // RFC 1123 2.1: a host name is at most 253 bytes and its last label is never all digits; a ':' only
  // appears in IPv6 literals.
  if (name.empty() || name.size() > 253 || name.find(':') != std::string_view::npos) return false;
  if (name.back() == '.') name.remove_suffix(1);  // "host.example."
  std::string_view last = name.substr(name.find_last_of('.') + 1);  // npos + 1 == 0: the whole name
  return !last.empty() && !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<model::Address> resolve_host(std::string_view host, model::Family hint) {
  addrinfo hints{};
  // Numeric forms (inet_aton's "10.1" too) are still parsed, but a malformed one like "10.0.0.999" no
  // longer costs a resolver round trip per statement.
  if (!could_be_hostname(host)) hints.ai_flags = AI_NUMERICHOST;
  hints.ai_family = hint == model::Family::inet ? AF_INET : hint == model::Family::inet6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  std::string name(host);
  std::vector<model::Address> out;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    model::Address a;
    if (ai->ai_family == AF_INET) {
      a.family = model::Family::inet;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
      a.family = model::Family::inet6;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  freeaddrinfo(res);
  return out;
}

}  // namespace xfrmpp::tools
