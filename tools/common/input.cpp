#include "input.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <iterator>
#include <sstream>

namespace xfrmpp::tools {

Result<diag::SourceBuffer> load_source(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return diag::SourceBuffer("<stdin>", ss.str());
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(errno, path + ": " + std::strerror(errno));
  struct stat st {};
  constexpr off_t kLarge = 1 << 20;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= kLarge) {
    // Big inputs go to huge-page backed memory: validating a million statements then costs a few
    // hundred page faults instead of tens of thousands.
    auto buf = util::LargeBuffer::allocate(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (buf && got < static_cast<size_t>(st.st_size)) {
      ssize_t n = ::read(fd, buf.data() + got, static_cast<size_t>(st.st_size) - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    if (!buf || got != static_cast<size_t>(st.st_size)) return make_error(EIO, path + ": read error");
    return diag::SourceBuffer(path, std::move(buf), got);
  }
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return make_error(e, path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return diag::SourceBuffer(path, std::move(text));
}

void print_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::FILE* out) {
  for (const auto& d : sink.all()) std::fputs(diag::format(source, d, sink.secrets()).c_str(), out);
}

void warn_if_keys_exposed(const std::string& path) {
  struct stat st {};
  if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  if (st.st_mode & (S_IRGRP | S_IROTH))
    std::fprintf(stderr, "%s: warning: holds keys but is readable by %s (mode %04o); chmod 600 it\n", path.c_str(),
                 (st.st_mode & S_IROTH) ? "everyone" : "its group", static_cast<unsigned>(st.st_mode & 07777));
}

std::vector<model::Address> resolve_host(std::string_view host, model::Family hint) {
  addrinfo hints{};
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
