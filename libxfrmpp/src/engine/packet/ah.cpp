// SPDX-License-Identifier: BSD-3-Clause
// AH (RFC 4302): the ICV covers the IP header with the fields that change in transit zeroed (§3.3.3.1),
// so the MAC runs over a zeroed copy of the header, the AH header with a zero ICV, and the payload.
// The BSD knobs ah_cleartos (zero the TOS, default on, as Linux always does) and ah_offsetmask (the
// part of the IPv4 flags/offset word kept, default 0 = all zeroed) decide two of those fields.
#include <array>
#include <cstring>

#include "counters.hpp"
#include "protocols.hpp"

namespace xfrmpp::engine::packet {

namespace {

constexpr size_t kAhFixed = 12;  // next header, length, reserved, SPI, sequence number

// IPv4 options that do not change in transit keep their bytes; a source route's last address is the
// final destination the receiver sees; every other option is zeroed (the kernel's ip_clear_mutable_options).
bool zero_ipv4_options(std::span<uint8_t> opts, std::span<uint8_t> dst, bool output) {
  size_t i = 0;
  while (i < opts.size()) {
    uint8_t type = opts[i];
    if (type == 0) break;  // end of options
    if (type == 1) {       // no-op
      ++i;
      continue;
    }
    if (i + 1 >= opts.size() || opts[i + 1] < 2 || i + opts[i + 1] > opts.size()) return false;  // the kernel drops it
    size_t len = opts[i + 1];
    bool immutable = type == 0x82 /* security */ || type == 0x85 /* extended security */ || type == 0x86 /* CIPSO */ ||
                     type == 0x94 /* router alert */ || type == 0x95 /* SDB */;
    if (type == 0x83 || type == 0x89) {  // loose and strict source route
      if (len < 6) return false;
      // The sender signs the final destination, which the receiver finds in the header by then.
      if (output) std::memcpy(dst.data(), &opts[i + len - 4], 4);
      std::memset(&opts[i], 0, len);
    } else if (!immutable) {
      std::memset(&opts[i], 0, len);
    }
    i += len;
  }
  return true;
}

// IPv6: traffic class, flow label and hop limit zeroed; in hop-by-hop and destination options, the
// options whose type has the "may change en route" bit (0x20) have their data zeroed (RFC 8200 §4.2).
void zero_ipv6_header(std::span<uint8_t> h, size_t ipsec_at) {
  store32(&h[0], 6u << 28);
  h[7] = 0;
  size_t at = 40;
  uint8_t next = h[6];
  while (at + 2 <= ipsec_at) {
    size_t len = (size_t{h[at + 1]} + 1) * 8;
    if (next == 0 || next == 60) {
      for (size_t i = at + 2; i < at + len && i < ipsec_at;) {
        uint8_t type = h[i];
        if (type == 0) {
          ++i;
          continue;
        }
        if (i + 1 >= ipsec_at) break;
        size_t olen = h[i + 1];
        if (type & 0x20) std::memset(&h[i + 2], 0, std::min(olen, ipsec_at - i - 2));
        i += 2 + olen;
      }
    }
    next = h[at];
    at += len;
  }
}

// The header as the ICV sees it; false for options the kernel would refuse.
bool zero_mutable(PathContext& c, std::span<uint8_t> hdr, model::Family f, size_t ipsec_at, bool output) {
  if (f == model::Family::inet6) {
    zero_ipv6_header(hdr, ipsec_at);
    return true;
  }
  if (c.knob("ah_cleartos")) hdr[1] = 0;
  store16(&hdr[6], static_cast<uint16_t>(load16(&hdr[6]) & c.knob("ah_offsetmask")));
  hdr[8] = 0;   // TTL
  store16(&hdr[10], 0);
  return zero_ipv4_options(hdr.subspan(20, ipsec_at - 20), hdr.subspan(16, 4), output);
}

// The AH header's length with its ICV: a multiple of 8 bytes (RFC 4302 §2.2 asks it for IPv6, and the
// kernel pads IPv4 so too, 4 only for an SA with the align4 flag).
size_t ah_length(model::Family f, size_t icv, uint8_t sa_flags) {
  size_t unit = f == model::Family::inet && (sa_flags & model::sa_flag::align4) ? 4 : 8;
  return (kAhFixed + icv + unit - 1) / unit * unit;
}

// The pieces the ICV covers for the packet in `pkt` whose AH header is at `at` (its ICV field zeroed by
// the caller): the zeroed header copy in `hdr`, AH and payload, and the ESN's high half in `hi`.
struct IcvInput {
  std::vector<uint8_t> hdr;
  std::array<uint8_t, 4> hi{};
  std::array<std::span<const uint8_t>, 3> pieces;
  size_t n = 2;
  bool ok = true;  ///< false: options the kernel refuses
  IcvInput(PathContext& c, std::span<const uint8_t> pkt, model::Family f, size_t at, size_t end, uint64_t seq, bool esn,
           bool output)
      : hdr(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(at)) {
    ok = zero_mutable(c, hdr, f, at, output);
    store32(hi.data(), static_cast<uint32_t>(seq >> 32));
    pieces = {std::span<const uint8_t>(hdr), pkt.subspan(at, end - at), std::span<const uint8_t>(hi)};
    n = esn ? 3 : 2;
  }
  std::span<const std::span<const uint8_t>> all() const { return std::span(pieces.data(), n); }
};

}  // namespace

Step ah_output(PathContext& c, SaEntry& e, SaCrypto& k, const Framing& f, std::vector<uint8_t>& out) {
  uint64_t seq = 0;
  if (!next_output_seq(c, e, seq)) return Drop{ctr::out_seq_error, "sequence number space used up: the SA needs rekeying"};
  size_t icv = k.mac->icv_size(), ah_len = ah_length(f.family, icv, e.sa.flags), at = f.header_len;
  if (icv > 64) return Drop{ctr::out_proto_error, "AH ICV longer than 64 bytes"};
  if (at + ah_len + f.payload.size() > 0xffff + (f.family == model::Family::inet6 ? 40u : 0u))
    return Drop{ctr::out_proto_error, "packet too big for AH"};
  out.resize(at + ah_len + f.payload.size());
  uint8_t* p = out.data() + at;
  std::memset(p, 0, ah_len);
  p[0] = f.next;
  p[1] = static_cast<uint8_t>(ah_len / 4 - 2);
  store32(p + 4, e.sa.spi);
  store32(p + 8, static_cast<uint32_t>(seq));
  std::memcpy(p + ah_len, f.payload.data(), f.payload.size());
  finish_output(out, f, kProtoAh);
  std::array<uint8_t, 64> mac{};
  IcvInput in(c, out, f.family, at, out.size(), seq, esn_of(e.sa), true);
  if (!in.ok) return Drop{ctr::out_proto_error, "malformed IPv4 options"};
  k.mac->compute(in.all(), std::span(mac.data(), icv));
  std::memcpy(out.data() + at + kAhFixed, mac.data(), icv);
  account(c, e, f.payload.size());
  return std::nullopt;
}

Step ah_input(PathContext& c, SaEntry& e, SaCrypto& k, std::span<const uint8_t> pkt, const IpHeader& h, uint64_t seq,
              std::vector<uint8_t>& work, Inbound& r) {
  size_t at = h.ipsec_at, icv = k.mac->icv_size();
  if (icv > 64) return Drop{ctr::in_proto_error, "AH ICV longer than 64 bytes"};
  if (h.length < at + kAhFixed) return Drop{ctr::in_proto_error, "AH header truncated"};
  size_t ah_len = (size_t{pkt[at + 1]} + 2) * 4;
  if (ah_len != ah_length(h.family, icv, e.sa.flags) || at + ah_len > h.length)
    return Drop{ctr::in_proto_error, "AH length is not the one this SA's ICV makes"};
  // The ICV is checked over a copy with its field zeroed; the copy then gives the payload.
  work.assign(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(h.length));
  std::array<uint8_t, 64> got{};
  std::memcpy(got.data(), work.data() + at + kAhFixed, icv);
  std::memset(work.data() + at + kAhFixed, 0, icv);  // the ICV only: padding after it counts as sent
  IcvInput in(c, work, h.family, at, h.length, seq, esn_of(e.sa), false);
  if (!in.ok) return Drop{ctr::in_proto_error, "malformed IPv4 options"};
  if (!k.mac->verify(in.all(), std::span<const uint8_t>(got.data(), icv))) {
    ++e.sa.stats.integrity_failed;
    return Drop{ctr::in_proto_error, "AH ICV mismatch (wrong key, or the packet was changed)"};
  }
  accept_replay(e, seq);
  r.next = pkt[at];
  r.payload = std::span<const uint8_t>(work).subspan(at + ah_len, h.length - at - ah_len);
  account(c, e, r.payload.size());
  return std::nullopt;
}

}  // namespace xfrmpp::engine::packet
