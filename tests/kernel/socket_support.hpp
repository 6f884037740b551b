// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A wire inside the test's private network namespace, for observing what really leaves a socket:
// veth xv0 (10.99.0.1/24, fd99::1/64) <-> xv1 (no address), with permanent neighbours 10.99.0.2 and
// fd99::2 on xv0, so packets to those peers go out of xv0 and are captured on xv1 (AF_PACKET), where
// nothing else answers them. Loopback would not do: lo has disable_xfrm=1, and the XFRM default
// policy never blocks output on a loopback device.
#include <cstdint>
#include <string>

#include "xfrmpp/model/address.hpp"

namespace sktest {

inline constexpr const char* kLocal4 = "10.99.0.1";
inline constexpr const char* kPeer4 = "10.99.0.2";
inline constexpr const char* kLocal6 = "fd99::1";
inline constexpr const char* kPeer6 = "fd99::2";

/// Creates the veth pair, addresses and neighbours (with ip(8)) unless they exist; REQUIREs success.
void make_wire();

/// Runs a shell command, REQUIREs exit status 0, returns its standard output.
std::string run(const std::string& command);

/// Packets arriving on xv1 (IPv4 and IPv6).
class Capture {
 public:
  Capture();
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  /// Waits up to `timeout_ms` for a UDP packet to `port`; packets to other ports are skipped.
  bool saw_udp(uint16_t port, int timeout_ms);
  /// Waits up to `timeout_ms` for any packet with IP protocol `proto` (ESP = 50...).
  bool saw_proto(uint8_t proto, int timeout_ms);

 private:
  bool wait_for(int timeout_ms, uint8_t proto, int port);
  int fd_ = -1;
};

/// A UDP socket of `family` (AF_INET or AF_INET6).
int udp_socket(int family);

/// sendto() of a short datagram to `peer`:`port`; returns 0 or the errno.
int send_udp(int fd, const char* peer, uint16_t port);

/// A counter of /proc/net/xfrm_stat in the current namespace.
uint64_t xfrm_counter(const std::string& name);

/// Writes `value` to a /proc/sys file; REQUIREs success.
void write_proc(const std::string& path, const std::string& value);

/// Drops CAP_NET_ADMIN from the calling process's effective and permitted sets (for a forked child).
bool drop_net_admin();

}  // namespace sktest
