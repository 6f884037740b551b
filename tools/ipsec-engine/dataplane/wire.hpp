// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The protected side of the dataplane: raw sockets that receive ESP, AH and IPComp, UDP sockets on the
// NAT-T port, and one raw socket per family that sends whole packets as the engine built them. Every
// socket carries the dataplane's mark, so its own packets bypass the routes into the TUN device.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fd.hpp"
#include "xfrmpp/diag/result.hpp"

namespace xfrmpp::tools::dataplane {

/// One receiving socket and how its datagrams become IP packets.
struct WireSocket {
  enum class Kind : uint8_t { raw4, raw6, udp4, udp6 } kind;
  uint8_t proto = 0;  ///< raw: the IP protocol it receives
  Fd fd;
};

class Wire {
 public:
  /// Opens the sockets; an IPv6 socket the host cannot open (IPv6 disabled) is left out and named in
  /// `warnings`.
  static Result<Wire> open(uint32_t mark, uint16_t natt_port, std::vector<std::string>& warnings);

  std::vector<WireSocket>& receivers() { return rx_; }
  /// Reads one datagram from `s` as a whole IP packet into `pkt`; false when none is waiting. IPv6 raw
  /// sockets and UDP sockets give no IP header: it is rebuilt from the addresses, traffic class and hop
  /// limit the kernel reports (IPv6 extension headers before the IPsec header are not seen).
  bool receive(WireSocket& s, std::vector<uint8_t>& pkt);
  /// Sends a whole IPv4 or IPv6 packet (header included).
  Result<void> send(std::span<const uint8_t> pkt);

 private:
  std::vector<WireSocket> rx_;
  Fd tx4_, tx6_;
  uint16_t natt_port_ = 4500;
  std::vector<uint8_t> scratch_;
};

}  // namespace xfrmpp::tools::dataplane
