// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Transport, tunnel and BEET modes: which header an IPsec header follows, and what it protects.
#include <span>
#include <vector>

#include "ip_packet.hpp"
#include "path_context.hpp"

namespace xfrmpp::engine::packet {

/// The header in front of the IPsec header, as written at the start of `out` by frame_output().
struct Framing {
  model::Family family = model::Family::unspec;  ///< of that header
  size_t header_len = 0;
  size_t next_at = 0;                            ///< where its protocol byte is, in `out`
  uint8_t next = 0;                              ///< what the protected bytes are (goes in the trailer/header)
  std::span<const uint8_t> payload;              ///< the protected bytes, inside the input packet
};

/// Transport: the packet's own headers; tunnel: a new outer header from the SA's addresses with the
/// dfbit/ecn knobs; BEET: the inner header's fields under the SA's addresses.
Step frame_output(PathContext& c, const model::SecurityAssociation& sa, std::span<const uint8_t> pkt,
                  const IpHeader& h, std::vector<uint8_t>& out, Framing& f);
/// Puts the IPsec protocol in the header's protocol byte and the final length in its length field.
void finish_output(std::vector<uint8_t>& out, const Framing& f, uint8_t proto);

/// The packet after an IPsec header and trailer came off: transport puts the packet's own headers in
/// front of `payload` again (protocol `next`), tunnel takes the inner packet (with RFC 6040 ECN when the
/// knob is on), BEET rebuilds the inner header from the SA's selector.
Step frame_input(PathContext& c, const model::SecurityAssociation& sa, std::span<const uint8_t> pkt,
                 const IpHeader& h, uint8_t next, std::span<const uint8_t> payload, std::vector<uint8_t>& out);

}  // namespace xfrmpp::engine::packet
