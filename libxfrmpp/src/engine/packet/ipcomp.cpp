// SPDX-License-Identifier: BSD-3-Clause
// IPComp (RFC 3173, deflate per RFC 2394) as the kernel's net/xfrm/xfrm_ipcomp.c does it.
#include <cstring>

#include "counters.hpp"
#include "protocols.hpp"

namespace xfrmpp::engine::packet {

namespace {

constexpr size_t kHeader = 4;            // next header, flags, CPI
constexpr size_t kThreshold = 90;        // the kernel's deflate threshold: shorter payloads go as they are
constexpr size_t kMaxDecompressed = 65400;  // IPCOMP_SCRATCH_SIZE: a larger result is a damaged packet (or a bomb)

}  // namespace

Step ipcomp_output(PathContext& c, SaEntry& e, const Framing& f, std::vector<uint8_t>& out) {
  std::optional<std::vector<uint8_t>> z;
  if (f.payload.size() >= kThreshold) z = crypto::deflate_compress(f.payload);
  account(c, e, f.payload.size());
  if (!z || z->size() + kHeader >= f.payload.size()) {
    // Not worth it: the bytes go uncompressed without an IPComp header (RFC 3173 §2.2). In tunnel mode
    // the packet is still IP-in-IP under the SA's outer header.
    out.insert(out.end(), f.payload.begin(), f.payload.end());
    finish_output(out, f, f.next);
    return std::nullopt;
  }
  size_t at = out.size();
  out.resize(at + kHeader + z->size());
  out[at] = f.next;
  out[at + 1] = 0;
  store16(&out[at + 2], static_cast<uint16_t>(e.sa.spi));
  std::memcpy(&out[at + kHeader], z->data(), z->size());
  finish_output(out, f, kProtoComp);
  return std::nullopt;
}

Step ipcomp_input(PathContext& c, SaEntry& e, std::span<const uint8_t> pkt, const IpHeader& h,
                  std::vector<uint8_t>& work, Inbound& r) {
  size_t at = h.ipsec_at;
  if (h.length < at + kHeader + 1) return Drop{ctr::in_proto_error, "IPComp packet too short"};
  auto plain = crypto::deflate_decompress(pkt.subspan(at + kHeader, h.length - at - kHeader), kMaxDecompressed);
  if (!plain) return Drop{ctr::in_proto_error, "IPComp payload does not decompress (damaged, or larger than 65400 bytes)"};
  work = std::move(*plain);
  r.next = pkt[at];
  r.payload = work;
  account(c, e, work.size());
  return std::nullopt;
}

}  // namespace xfrmpp::engine::packet
