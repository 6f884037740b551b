// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Packets and two-host setups for the packet-path tests: host A (10.0.0.1 / 2001:db8::1) and host B
// (10.0.0.2 / 2001:db8::2) share a pair of SAs, and each has the out and in policies of its side.
#include <cstdint>
#include <string>
#include <vector>

#include "engine_support.hpp"

namespace ptest {

using Bytes = std::vector<uint8_t>;

/// An IPv4 or IPv6 UDP packet (checksum 0) with `payload` bytes of `fill`.
Bytes udp_packet(const char* src, const char* dst, uint16_t sport, uint16_t dport, size_t payload, uint8_t fill = 0x5a);
/// Length and protocol of the packet's IP header.
uint8_t ip_protocol(const Bytes& p);

struct Algorithms {
  std::string crypt, auth, aead;  ///< kernel names; aead excludes crypt+auth
  size_t crypt_bytes = 0, auth_bytes = 0, aead_bytes = 0;
  uint32_t icv_bits = 0;  ///< auth truncation or AEAD ICV
};
Algorithms gcm128();
Algorithms cbc_sha256();
Algorithms chacha();

/// An SA from `src` to `dst` with the given algorithms, keys derived from `spi` (so both hosts agree).
xfrmpp::model::SecurityAssociation sa(const char* src, const char* dst, uint32_t spi, const Algorithms& a,
                                      xfrmpp::model::Protocol proto = xfrmpp::model::Protocol::esp,
                                      xfrmpp::model::Mode mode = xfrmpp::model::Mode::transport);
/// A policy for traffic from `src` to `dst` (host prefixes) in `dir`, requiring `protos` in order.
xfrmpp::model::Policy policy(const char* src, const char* dst, xfrmpp::model::Direction dir,
                             std::vector<xfrmpp::model::Template> templates);
xfrmpp::model::Template tmpl(xfrmpp::model::Protocol proto, xfrmpp::model::Mode mode = xfrmpp::model::Mode::transport,
                             const char* tsrc = nullptr, const char* tdst = nullptr,
                             xfrmpp::model::Level level = xfrmpp::model::Level::require);

/// Applies every change; fails the test on a rejected one.
void apply(xfrmpp::engine::EngineBackend& be, std::vector<xfrmpp::Change> changes);
xfrmpp::Change add(xfrmpp::model::SecurityAssociation s);
xfrmpp::Change add(xfrmpp::model::Policy p);

/// The value of one xfrm_stat counter of the engine.
uint64_t counter(const xfrmpp::engine::EngineBackend& be, std::string_view name);

}  // namespace ptest
