// SPDX-License-Identifier: BSD-3-Clause
#include "link_layer.hpp"

#include <pcap/pcap.h>

#include <cstring>

namespace xfrmpp::tools::engine_cli {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd, kEtherVlan = 0x8100;
constexpr size_t kEtherHeader = 14, kVlanTag = 4;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

int ip_version(std::span<const uint8_t> ip) { return ip.empty() ? 0 : ip[0] >> 4; }

// Ethernet pads short frames to 60 bytes; the kernel trims an skb to the IP length before IPsec sees it.
std::span<const uint8_t> trim_to_ip_length(std::span<const uint8_t> ip) {
  size_t len = ip.size();
  if (ip_version(ip) == 4 && ip.size() >= 20) len = be16(&ip[2]);
  else if (ip_version(ip) == 6 && ip.size() >= 40 && be16(&ip[4]) != 0) len = 40 + size_t{be16(&ip[4])};
  // A header claiming more than was captured is the engine's to judge; never read past the frame.
  return len < ip.size() ? ip.first(len) : ip;
}

}  // namespace

bool link_type_supported(int dlt) {
  return dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 || dlt == DLT_EN10MB;
}

std::string link_type_name(int dlt) {
  const char* n = pcap_datalink_val_to_name(dlt);
  const char* d = pcap_datalink_val_to_description(dlt);
  std::string s = n ? n : "link type " + std::to_string(dlt);
  if (d) s += std::string(" (") + d + ")";
  return s;
}

LinkFrame split_frame(int dlt, std::span<const uint8_t> frame) {
  LinkFrame f;
  if (dlt != DLT_EN10MB) {
    int v = ip_version(frame);
    f.is_ip = dlt == DLT_IPV4 ? v == 4 : dlt == DLT_IPV6 ? v == 6 : (v == 4 || v == 6);
    if (f.is_ip) f.ip = trim_to_ip_length(frame);
    return f;
  }
  if (frame.size() < kEtherHeader) return f;
  size_t off = kEtherHeader;
  uint16_t type = be16(&frame[12]);
  if (type == kEtherVlan) {
    if (frame.size() < kEtherHeader + kVlanTag) return f;
    type = be16(&frame[16]);
    off += kVlanTag;
  }
  std::span<const uint8_t> ip = frame.subspan(off);
  int v = ip_version(ip);
  if (!((type == kEtherIpv4 && v == 4) || (type == kEtherIpv6 && v == 6))) return f;
  f.is_ip = true;
  f.link_header = frame.first(off);
  f.ip = trim_to_ip_length(ip);
  return f;
}

bool join_frame(int dlt, std::span<const uint8_t> link_header, std::span<const uint8_t> ip, std::vector<uint8_t>& out) {
  int v = ip_version(ip);
  if ((dlt == DLT_IPV4 && v != 4) || (dlt == DLT_IPV6 && v != 6)) return false;
  out.resize(link_header.size() + ip.size());
  if (!link_header.empty()) std::memcpy(out.data(), link_header.data(), link_header.size());
  if (!ip.empty()) std::memcpy(out.data() + link_header.size(), ip.data(), ip.size());
  if (dlt == DLT_EN10MB && link_header.size() >= 2) {
    uint16_t type = v == 6 ? kEtherIpv6 : kEtherIpv4;
    out[link_header.size() - 2] = static_cast<uint8_t>(type >> 8);
    out[link_header.size() - 1] = static_cast<uint8_t>(type);
  }
  return true;
}

}  // namespace xfrmpp::tools::engine_cli
