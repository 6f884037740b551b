// SPDX-License-Identifier: BSD-3-Clause
#include "socket_support.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "xfrmpp/knobs/xfrm_stat.hpp"

namespace sktest {

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE_MESSAGE(p != nullptr, command);
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  REQUIRE_MESSAGE(status == 0, command << " exited with status " << status << "; output:\n" << out);
  return out;
}

void make_wire() {
  if (::if_nametoindex("xv0") != 0) return;  // test cases share the binary's namespace
  run("ip link set lo up && ip link add xv0 type veth peer name xv1 && ip addr add 10.99.0.1/24 dev xv0 && "
      "ip -6 addr add fd99::1/64 dev xv0 nodad && ip link set xv0 up && ip link set xv1 up && "
      "ip neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev xv0 nud permanent && "
      "ip -6 neigh add fd99::2 lladdr 02:00:00:00:99:02 dev xv0 nud permanent");
}

Capture::Capture() {
  fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
  REQUIRE_MESSAGE(fd_ >= 0, "AF_PACKET socket: " << std::strerror(errno));
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = static_cast<int>(::if_nametoindex("xv1"));
  REQUIRE_MESSAGE(ll.sll_ifindex != 0, "no interface xv1");
  REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&ll), sizeof ll) == 0);
}

Capture::~Capture() {
  if (fd_ >= 0) ::close(fd_);
}

bool Capture::wait_for(int timeout_ms, uint8_t proto, int port) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    std::array<uint8_t, 2048> pkt{};
    ssize_t n = ::recv(fd_, pkt.data(), pkt.size(), 0);
    if (n < 20) continue;
    uint8_t got;
    size_t l4;
    if ((pkt[0] >> 4) == 4) {
      got = pkt[9];
      l4 = (pkt[0] & 0x0f) * 4u;
    } else if ((pkt[0] >> 4) == 6 && n >= 40) {
      got = pkt[6];  // no extension headers in these tests
      l4 = 40;
    } else {
      continue;
    }
    if (got != proto) continue;
    if (port < 0) return true;
    if (static_cast<size_t>(n) >= l4 + 4 && ((pkt[l4 + 2] << 8) | pkt[l4 + 3]) == port) return true;
  }
}

bool Capture::saw_udp(uint16_t port, int timeout_ms) { return wait_for(timeout_ms, IPPROTO_UDP, port); }
bool Capture::saw_proto(uint8_t proto, int timeout_ms) { return wait_for(timeout_ms, proto, -1); }

int udp_socket(int family) {
  int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE_MESSAGE(fd >= 0, "socket: " << std::strerror(errno));
  return fd;
}

int send_udp(int fd, const char* peer, uint16_t port) {
  static const char payload[] = "xfrmpp";
  ssize_t n;
  if (std::strchr(peer, ':')) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    REQUIRE(::inet_pton(AF_INET6, peer, &a.sin6_addr) == 1);
    n = ::sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    REQUIRE(::inet_pton(AF_INET, peer, &a.sin_addr) == 1);
    n = ::sendto(fd, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  return n < 0 ? errno : 0;
}

uint64_t xfrm_counter(const std::string& name) {
  auto counters = xfrmpp::knobs::read_xfrm_stat();
  REQUIRE_MESSAGE(counters.ok(), (counters.ok() ? std::string() : counters.error().message));
  for (const auto& c : *counters)
    if (c.name == name) return c.value;
  FAIL("no counter " << name << " in /proc/net/xfrm_stat");
  return 0;
}

void write_proc(const std::string& path, const std::string& value) {
  std::ofstream f(path);
  f << value << "\n";
  f.close();
  REQUIRE_MESSAGE(f.good(), "cannot write " << value << " to " << path);
}

bool drop_net_admin() {
  __user_cap_header_struct head{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, 2> data{};
  if (::syscall(SYS_capget, &head, data.data()) != 0) return false;
  data[0].effective &= ~(1u << CAP_NET_ADMIN);
  data[0].permitted &= ~(1u << CAP_NET_ADMIN);
  data[0].inheritable &= ~(1u << CAP_NET_ADMIN);
  return ::syscall(SYS_capset, &head, data.data()) == 0;
}

}  // namespace sktest
