// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The three IPsec protocols, one packet and one SA at a time: ESP (RFC 4303, with RFC 3948 UDP
// encapsulation), AH (RFC 4302) and IPComp (RFC 3173).
#include <span>
#include <vector>

#include "mode.hpp"
#include "sa_runtime.hpp"

namespace xfrmpp::engine::packet {

/// Appends the protocol's header, the protected bytes and its trailer to `out` (which holds the framing
/// header) and finishes the header. Sequence numbers, lifetimes and IVs advance here.
Step esp_output(PathContext& c, SaEntry& e, SaCrypto& k, const Framing& f, std::vector<uint8_t>& out);
Step ah_output(PathContext& c, SaEntry& e, SaCrypto& k, const Framing& f, std::vector<uint8_t>& out);
/// IPComp sends the bytes uncompressed, with no IPComp header, when they are shorter than the kernel's
/// threshold or would not shrink (RFC 3173 §2.2).
Step ipcomp_output(PathContext& c, SaEntry& e, const Framing& f, std::vector<uint8_t>& out);

/// One inbound IPsec header: `pkt` is the whole packet, `at` where the protocol's header starts (after
/// the UDP header for NAT-T). On success `next` is the protected bytes' protocol and `payload` spans
/// them inside `work` (a buffer the step owns between packets).
struct Inbound {
  uint8_t next = 0;
  std::span<const uint8_t> payload;
};
/// ESP and AH take the sequence number the caller's replay check inferred (the kernel checks the window
/// before the lifetime, and both before the ICV) and advance the window once the packet proved good.
Step esp_input(PathContext& c, SaEntry& e, SaCrypto& k, std::span<const uint8_t> pkt, const IpHeader& h, size_t at,
               uint64_t seq, std::vector<uint8_t>& work, Inbound& r);
Step ah_input(PathContext& c, SaEntry& e, SaCrypto& k, std::span<const uint8_t> pkt, const IpHeader& h, uint64_t seq,
              std::vector<uint8_t>& work, Inbound& r);
Step ipcomp_input(PathContext& c, SaEntry& e, std::span<const uint8_t> pkt, const IpHeader& h,
                  std::vector<uint8_t>& work, Inbound& r);

/// The 64-bit sequence number the next outbound packet takes; false when the space is used up (the
/// kernel's XfrmOutStateSeqError: a non-ESN SA after 2^32-1 packets).
bool next_output_seq(PathContext& c, SaEntry& e, uint64_t& seq);

}  // namespace xfrmpp::engine::packet
