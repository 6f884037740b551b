// SPDX-License-Identifier: BSD-3-Clause
// One TCP transfer of deterministic pseudo-random data, timed and checksummed at both ends:
//   tcp_transfer serve [--bind ADDR] PORT            accept one connection, read to EOF
//   tcp_transfer send [--bind ADDR] HOST PORT BYTES  send BYTES, wait for the peer to close
// Each prints one line: `received|sent BYTES sha256 HEX seconds S gbit G`. The data is splitmix64 from
// a fixed seed, so both sides (and anyone else) know its SHA-256 for a given BYTES. The server logs
// `tcp_transfer: listening on ADDR PORT` to stderr once it accepts connections. IPv4 and IPv6.
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kChunk = 256 * 1024;  // a multiple of 8: every chunk continues the same word stream
constexpr uint64_t kSeed = 0x7866726d70702d31ULL;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "tcp_transfer: %s\n", what.c_str());
  std::exit(1);
}

[[noreturn]] void die_errno(const std::string& what) { die(what + ": " + std::strerror(errno)); }

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: tcp_transfer serve [--bind ADDR] PORT\n"
               "       tcp_transfer send [--bind ADDR] HOST PORT BYTES\n");
  std::exit(1);
}

// splitmix64, written out little-endian: the byte stream does not depend on the chunk sizes.
struct Stream {
  uint64_t state = kSeed;
  void fill(unsigned char* out, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      for (size_t b = 0; b < 8 && i + b < n; ++b) out[i + b] = static_cast<unsigned char>(z >> (8 * b));
    }
  }
};

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) die("SHA-256: EVP_DigestInit_ex failed");
  }
  void update(const unsigned char* p, size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), p, n) != 1) die("SHA-256: EVP_DigestUpdate failed");
  }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1) die("SHA-256: EVP_DigestFinal_ex failed");
    std::string out;
    char two[3];
    for (unsigned int i = 0; i < len; ++i) {
      std::snprintf(two, sizeof two, "%02x", md[i]);
      out += two;
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

struct AddrInfo {
  addrinfo* list = nullptr;
  AddrInfo(const char* host, const char* port, int flags) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags | AI_NUMERICSERV;
    const int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) die(std::string(host ? host : "*") + " port " + port + ": " + gai_strerror(rc));
  }
  ~AddrInfo() { freeaddrinfo(list); }
  AddrInfo(const AddrInfo&) = delete;
  AddrInfo& operator=(const AddrInfo&) = delete;
};

std::string numeric(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) return "?";
  return std::string(host) + " " + serv;
}

void report(const char* verb, uint64_t bytes, Sha256& sha, Clock::time_point t0) {
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double gbit = s > 0 ? static_cast<double>(bytes) * 8 / s / 1e9 : 0;
  std::printf("%s %llu sha256 %s seconds %.3f gbit %.3f\n", verb, static_cast<unsigned long long>(bytes),
              sha.hex().c_str(), s, gbit);
}

const char* take(int& i, int argc, char** argv) {
  if (i >= argc) usage();
  return argv[i++];
}

uint64_t parse_u64(std::string_view text, const char* what) {
  char* end = nullptr;
  errno = 0;
  const std::string s(text);
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || s[0] == '-') die(std::string("invalid ") + what + " '" + s + "'");
  return v;
}

void check_port(const char* text) {
  if (parse_u64(text, "port") > 65535) die(std::string("invalid port '") + text + "'");
}

int serve(const char* bind_addr, const char* port) {
  // Without --bind: the IPv6 wildcard with IPV6_V6ONLY off takes both families.
  AddrInfo ai(bind_addr ? bind_addr : "::", port, AI_PASSIVE | (bind_addr ? AI_NUMERICHOST : 0));
  int lfd = -1;
  std::string where, last_error = "no address";
  for (addrinfo* a = ai.list; a && lfd < 0; a = a->ai_next) {
    lfd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (lfd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    const int one = 1, zero = 0;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->ai_family == AF_INET6 && !bind_addr) setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (bind(lfd, a->ai_addr, a->ai_addrlen) != 0 || listen(lfd, 1) != 0) {
      last_error = std::strerror(errno);
      close(lfd);
      lfd = -1;
      continue;
    }
    where = numeric(a->ai_addr, a->ai_addrlen);
  }
  if (lfd < 0) die(std::string("listen on ") + (bind_addr ? bind_addr : "*") + " port " + port + ": " + last_error);
  std::fprintf(stderr, "tcp_transfer: listening on %s\n", where.c_str());
  std::fflush(stderr);

  const int fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) die_errno("accept");
  close(lfd);
  const auto t0 = Clock::now();
  std::vector<unsigned char> buf(kChunk);
  Sha256 sha;
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die_errno("read");
    if (n == 0) break;
    sha.update(buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  report("received", total, sha, t0);
  close(fd);
  return 0;
}

int send_data(const char* bind_addr, const char* host, const char* port, uint64_t bytes) {
  AddrInfo peer(host, port, 0);
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* a = peer.list; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (bind_addr) {
      AddrInfo local(bind_addr, "0", AI_PASSIVE | AI_NUMERICHOST);
      const addrinfo* l = local.list;
      while (l && l->ai_family != a->ai_family) l = l->ai_next;
      if (!l) die(std::string("--bind ") + bind_addr + " is not of the address family of " + host);
      if (bind(fd, l->ai_addr, l->ai_addrlen) != 0) die_errno(std::string("bind ") + bind_addr);
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      last_error = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  if (fd < 0) die(std::string("connect to ") + host + " port " + port + ": " + last_error);

  const auto t0 = Clock::now();
  std::vector<unsigned char> buf(kChunk);
  Stream stream;
  Sha256 sha;
  uint64_t left = bytes;
  while (left > 0) {
    const size_t n = left < buf.size() ? static_cast<size_t>(left) : buf.size();
    stream.fill(buf.data(), n);
    sha.update(buf.data(), n);
    for (size_t off = 0; off < n;) {
      // MSG_NOSIGNAL: a peer that goes away is an error message, not a silent SIGPIPE.
      const ssize_t w = ::send(fd, buf.data() + off, n - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) die_errno("write after " + std::to_string(bytes - left + off) + " bytes");
      off += static_cast<size_t>(w);
    }
    left -= n;
  }
  // Done when the server has read everything: it closes only after EOF.
  if (shutdown(fd, SHUT_WR) != 0) die_errno("shutdown");
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die_errno("waiting for the server to close");
    if (n == 0) break;
  }
  report("sent", bytes, sha, t0);
  close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const std::string_view mode = argv[1];
  int i = 2;
  const char* bind_addr = nullptr;
  if (i < argc && std::string_view(argv[i]) == "--bind") {
    ++i;
    bind_addr = take(i, argc, argv);
  }
  if (mode == "serve" && argc - i == 1) {
    check_port(argv[i]);
    return serve(bind_addr, argv[i]);
  }
  if (mode == "send" && argc - i == 3) {
    check_port(argv[i + 1]);
    return send_data(bind_addr, argv[i], argv[i + 1], parse_u64(argv[i + 2], "byte count"));
  }
  usage();
}
