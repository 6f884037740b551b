// SPDX-License-Identifier: BSD-3-Clause
// ESP (RFC 4303): padding to the cipher's block (4 bytes for stream and AEAD modes), TFC padding, the
// replay window before the ICV is checked and its update after, and UDP encapsulation (RFC 3948).
#include <cstring>

#include "counters.hpp"
#include "protocols.hpp"

namespace xfrmpp::engine::packet {

namespace {

constexpr uint16_t kEspInUdpNonIke = 1;  // UDP_ENCAP_ESPINUDP_NON_IKE: 8 zero bytes before the ESP header

// The UDP checksum over an IPv6 pseudo header (RFC 8200 §8.1 requires one; IPv4 sends 0, RFC 3948 §2.1).
uint16_t udp6_checksum(std::span<const uint8_t> ip6, size_t udp_at) {
  uint32_t sum = 0;
  auto add = [&sum](const uint8_t* p, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += load16(p + i);
    if (n % 2) sum += uint32_t{p[n - 1]} << 8;
  };
  add(&ip6[8], 32);
  size_t len = ip6.size() - udp_at;
  sum += static_cast<uint32_t>(len >> 16) + static_cast<uint32_t>(len & 0xffff) + kProtoUdp;
  add(&ip6[udp_at], len);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t r = static_cast<uint16_t>(~sum);
  return r ? r : 0xffff;
}

}  // namespace

bool next_output_seq(PathContext& c, SaEntry& e, uint64_t& seq) {
  constexpr uint32_t kOseqMayWrap = 2;  // XFRM_SA_XFLAG_OSEQ_MAY_WRAP: a non-ESN counter wraps to 0
  auto& rc = e.sa.replay_counters;
  uint64_t cur = uint64_t{rc.oseq_hi} << 32 | rc.oseq;
  if (!esn_of(e.sa) && rc.oseq == 0xffffffffu && (e.sa.extra_flags & kOseqMayWrap)) {
    rc.oseq = 0;
    seq = 0;
    return true;
  }
  if (esn_of(e.sa) ? cur == ~uint64_t{0} : rc.oseq == 0xffffffffu) return false;
  seq = cur + 1;
  rc.oseq = static_cast<uint32_t>(seq);
  if (esn_of(e.sa)) rc.oseq_hi = static_cast<uint32_t>(seq >> 32);
  if (c.seq_reserve && seq + c.seq_reserve / 2 > e.oseq_reserved) c.log.reserve_low = true;
  return true;
}

Step esp_output(PathContext& c, SaEntry& e, SaCrypto& k, const Framing& f, std::vector<uint8_t>& out) {
  const auto& sa = e.sa;
  uint64_t seq = 0;
  if (!next_output_seq(c, e, seq)) return Drop{ctr::out_seq_error, "sequence number space used up: the SA needs rekeying"};
  crypto::EspSizes z = k.esp->sizes();
  size_t payload = f.payload.size();
  size_t tfc = sa.tfcpad && payload < *sa.tfcpad ? *sa.tfcpad - payload : 0;
  uint32_t align = z.block < 4 ? 4 : z.block;
  size_t clen = (payload + tfc + 2 + align - 1) / align * align;
  size_t pad = clen - payload - tfc - 2;
  size_t udp = 0;
  if (sa.encap && sa.encap->type != 7) udp = 8 + (sa.encap->type == kEspInUdpNonIke ? 8 : 0);
  size_t esp_at = f.header_len + udp;
  size_t total = esp_at + 8 + z.iv + clen + z.icv;
  if (total > 0xffff + (f.family == model::Family::inet6 ? 40u : 0u)) return Drop{ctr::out_proto_error, "packet too big for ESP"};
  out.resize(total);
  uint8_t* p = out.data() + esp_at;
  store32(p, sa.spi);
  store32(p + 4, static_cast<uint32_t>(seq));
  std::span<uint8_t> iv(p + 8, z.iv);
  if (c.iv_source && *c.iv_source)
    (*c.iv_source)(sa, seq, iv);
  else
    k.esp->fill_iv(iv, seq);
  uint8_t* d = p + 8 + z.iv;
  std::memcpy(d, f.payload.data(), payload);
  std::memset(d + payload, 0, tfc);
  for (size_t i = 0; i < pad; ++i) d[payload + tfc + i] = static_cast<uint8_t>(i + 1);
  d[clen - 2] = static_cast<uint8_t>(pad);
  d[clen - 1] = f.next;
  auto sealed = k.esp->seal(std::span<uint8_t>(p, 8 + z.iv + clen + z.icv), static_cast<uint32_t>(seq >> 32), esn_of(sa));
  if (!sealed) return Drop{ctr::out_proto_error, "ESP encryption failed"};
  account(c, e, payload);
  if (udp) {
    uint8_t* u = out.data() + f.header_len;
    store16(u, sa.encap->sport);
    store16(u + 2, sa.encap->dport);
    store16(u + 4, static_cast<uint16_t>(total - f.header_len));
    store16(u + 6, 0);
    if (udp > 8) std::memset(u + 8, 0, 8);
    finish_output(out, f, kProtoUdp);
    if (f.family == model::Family::inet6) store16(u + 6, udp6_checksum(out, f.header_len));
    return std::nullopt;
  }
  finish_output(out, f, kProtoEsp);
  return std::nullopt;
}

Step esp_input(PathContext& c, SaEntry& e, SaCrypto& k, std::span<const uint8_t> pkt, const IpHeader& h, size_t at,
               uint64_t seq, std::vector<uint8_t>& work, Inbound& r) {
  const auto& sa = e.sa;
  crypto::EspSizes z = k.esp->sizes();
  size_t len = h.length - at;
  uint32_t align = z.block < 4 ? 4 : z.block;
  bool esn = esn_of(sa);
  if (len < 8 + z.iv + z.icv + align) return Drop{ctr::in_proto_error, "ESP packet too short"};
  size_t clen = len - 8 - z.iv - z.icv;
  // CBC needs whole blocks; stream and AEAD modes take any length (the kernel does not check the 4-byte
  // alignment on input).
  if (z.block > 4 && clen % z.block) return Drop{ctr::in_proto_error, "ESP payload is not a whole number of cipher blocks"};
  work.assign(pkt.begin() + static_cast<std::ptrdiff_t>(at), pkt.begin() + static_cast<std::ptrdiff_t>(h.length));
  if (!k.esp->open(work, static_cast<uint32_t>(seq >> 32), esn)) {
    ++e.sa.stats.integrity_failed;
    return Drop{ctr::in_proto_error, "ICV mismatch (wrong key, or the packet was changed)"};
  }
  const uint8_t* d = work.data() + 8 + z.iv;
  uint8_t padlen = d[clen - 2];
  // esp_remove_trailer: the padding, its length and the next header must leave at least one byte.
  if (size_t{padlen} + 2 >= clen) return Drop{ctr::in_proto_error, "ESP padding longer than the payload"};
  accept_replay(e, seq);
  r.next = d[clen - 1];
  r.payload = std::span<const uint8_t>(d, clen - 2 - padlen);
  account(c, e, r.payload.size());
  return std::nullopt;
}

}  // namespace xfrmpp::engine::packet
