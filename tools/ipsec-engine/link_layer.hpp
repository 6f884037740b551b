// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The link layers `ipsec-engine process` reads and writes: raw IP (DLT_RAW, LINKTYPE_IPV4/IPV6) and
// Ethernet with at most one 802.1Q tag. The engine sees packets from the IP header on.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace xfrmpp::tools::engine_cli {

/// Whether `dlt` (pcap_datalink) is one of the link types above.
bool link_type_supported(int dlt);
/// "EN10MB (Ethernet)"-style name for messages.
std::string link_type_name(int dlt);

struct LinkFrame {
  bool is_ip = false;                   ///< false: ARP, LLDP, ... passed through as they are
  std::span<const uint8_t> link_header;  ///< the bytes before the IP header (Ethernet and its tag)
  std::span<const uint8_t> ip;          ///< the IP packet, trimmed to its header's length (Ethernet padding)
};

LinkFrame split_frame(int dlt, std::span<const uint8_t> frame);

/// `link_header` (from split_frame) + `ip` into `out`, the ethertype set for ip's version. False when the
/// link type cannot carry that version (an IPv6 result in a LINKTYPE_IPV4 capture).
bool join_frame(int dlt, std::span<const uint8_t> link_header, std::span<const uint8_t> ip, std::vector<uint8_t>& out);

}  // namespace xfrmpp::tools::engine_cli
