// SPDX-License-Identifier: BSD-3-Clause
// The inbound path: each IPsec header in turn (ESP, possibly in UDP, AH, IPComp) finds its SA by
// destination, SPI and protocol and comes off; then the `in` policy check of __xfrm_policy_check: the
// SAs' selectors must match the decapsulated packet, and the policy's templates must be satisfied by
// the SAs used, outermost template by outermost SA, with only transport-mode SAs left over.
#include <array>

#include "counters.hpp"
#include "ip_packet.hpp"
#include "mode.hpp"
#include "path.hpp"
#include "protocols.hpp"
#include "sa_runtime.hpp"
#include "xfrmpp/model/algorithm.hpp"

namespace xfrmpp::engine::packet {

namespace {

constexpr size_t kMaxDepth = 6;  // XFRM_MAX_DEPTH
constexpr uint16_t kNatTPort = 4500;
constexpr uint16_t kEspInUdp = 2;

// Where the next IPsec header is and which protocol it is.
struct Header {
  enum class Kind : uint8_t { none, esp, ah, comp, ipip, keepalive, ike } kind = Kind::none;
  size_t at = 0;  ///< first byte of the ESP/AH/IPComp header
  bool udp = false;
  uint16_t udp_dport = 0;
};

// An ESP-in-UDP packet is one to the NAT-T port, or to the port an SA for its SPI was set up with; a
// single 0xff byte there is a keepalive, a zero first word (the non-ESP marker) is IKE (RFC 3948 §2).
Header find_header(EngineState& s, std::span<const uint8_t> pkt, const IpHeader& h) {
  Header r;
  r.at = h.ipsec_at;
  switch (h.next) {
    case kProtoEsp: r.kind = Header::Kind::esp; return r;
    case kProtoAh: r.kind = Header::Kind::ah; return r;
    case kProtoComp: r.kind = Header::Kind::comp; return r;
    case kProtoIpip:
    case kProtoIpv6: r.kind = Header::Kind::ipip; return r;
    case kProtoUdp: break;
    default: return r;
  }
  if (h.length < h.ipsec_at + 8) return r;
  uint16_t dport = load16(&pkt[h.ipsec_at + 2]);
  size_t body = h.ipsec_at + 8, left = h.length - body;
  bool natt_port = dport == kNatTPort;
  if (!natt_port && left >= 8) {
    const SaEntry* e = s.sad.find(h.dst, load32(&pkt[body]), model::Protocol::esp, 0);
    natt_port = e && e->sa.encap && e->sa.encap->dport == dport;
  }
  if (!natt_port) return r;
  if (left == 1 && pkt[body] == 0xff) {
    r.kind = Header::Kind::keepalive;
  } else if ((left >= 4 && load32(&pkt[body]) == 0) || left <= 8) {
    r.kind = Header::Kind::ike;
  } else if (left > 8) {  // __xfrm4_udp_encap_rcv: no longer than an ESP header is IKE's
    r.kind = Header::Kind::esp;
    r.at = body;
    r.udp = true;
    r.udp_dport = dport;
  }
  return r;
}

uint8_t sadb_id(const std::optional<model::AlgorithmSetting>& a, model::AlgKind kind) {
  if (!a) return 0;
  const auto* info = model::find_kernel_algorithm(a->kernel_name, kind, a->icv_bits);
  if (!info) info = model::find_kernel_algorithm(a->kernel_name, kind);
  return info ? info->sadb_id : 0;
}

// xfrm_state_addr_cmp: a tunnel template's endpoints, where set, must be the SA's.
bool addresses_differ(const model::Template& t, const model::SecurityAssociation& x) {
  return (!t.src.is_zero() && t.src != x.src) || (!t.dst.is_zero() && t.dst != x.dst);
}

// One SA a packet came through. `kern` marks the IPIP companion of an IPComp tunnel (the kernel's
// xfrm_state_kern state) that took a packet sent uncompressed: it is not the IPComp SA itself.
struct Used {
  const model::SecurityAssociation* sa = nullptr;
  bool kern = false;
};

// xfrm_state_ok: whether SA x is what template t asks for. The IPIP companion satisfies only an
// optional template with the tunnel's endpoints.
bool state_ok(const model::Template& t, const Used& u, uint32_t if_id) {
  const model::SecurityAssociation& x = *u.sa;
  if (u.kern) return t.level == model::Level::use && !addresses_differ(t, x);
  bool all_algs = (t.aalgos & t.ealgos & t.calgos) == ~0u;
  uint8_t aalgo = sadb_id(x.auth, model::AlgKind::auth);
  return x.proto == t.proto && (!t.spi || x.spi == t.spi) && (!t.reqid || x.reqid == t.reqid) && x.mode == t.mode &&
         (all_algs || (aalgo < 32 && (t.aalgos >> aalgo & 1))) &&
         !(x.mode != model::Mode::transport && addresses_differ(t, x)) && (if_id == 0 || x.if_id.value_or(0) == if_id);
}

// xfrm_policy_ok: the index past the SA that satisfies `t`, searching from `start`; an optional
// transport template may match nothing. -1: no match; below -1: a tunnel SA stood in the way.
int policy_ok(const model::Template& t, std::span<const Used> sp, int start, uint32_t if_id) {
  int idx = start;
  if (t.level == model::Level::use) {
    if (t.mode == model::Mode::transport) return start;
  } else {
    start = -1;
  }
  for (; idx < static_cast<int>(sp.size()); ++idx) {
    if (state_ok(t, sp[static_cast<size_t>(idx)], if_id)) return idx + 1;
    if (sp[static_cast<size_t>(idx)].sa->mode != model::Mode::transport) {
      if (start == -1) start = -2 - idx;
      break;
    }
  }
  return start;
}

bool has_nontransport(std::span<const Used> sp, size_t from) {
  for (size_t i = from; i < sp.size(); ++i)
    if (sp[i].sa->mode != model::Mode::transport) return true;
  return false;
}

// __xfrm_policy_check for the packet as it is delivered, with the SAs that came off it in `sp`
// (outermost first): against `in` policies when it is for this host, against `fwd` ones when ip_forward
// would take it on.
std::optional<Drop> policy_check(PathContext& c, std::span<const uint8_t> pkt,
                                 std::span<const Used> sp) {
  auto h = parse_ip(pkt);
  if (!h) return Drop{ctr::in_hdr_error, "malformed decapsulated packet"};
  bool local = !c.is_local || !*c.is_local || (*c.is_local)(h->dst);
  Flow flow = flow_of(pkt, *h, local ? model::Direction::in : model::Direction::fwd);
  for (const Used& u : sp)
    if (!u.kern && !selector_matches(u.sa->sel, flow)) return Drop{ctr::in_mismatch, "the packet does not match its SA's selector"};
  const model::Policy* pol = c.state.spd.lookup(flow);
  if (!pol) {
    if ((local ? c.state.default_in : c.state.default_fwd) == model::PolicyAction::block)
      return Drop{ctr::in_no_pols, local ? "no in policy, and the default in policy blocks" : "no fwd policy, and the default fwd policy blocks"};
    if (has_nontransport(sp, 0)) return Drop{ctr::in_no_pols, "tunnel-mode SA with no in or fwd policy for the inner packet"};
    return std::nullopt;
  }
  if (pol->kind == model::PolicyKind::discard) return Drop{ctr::in_pol_block, "blocked by a discard policy"};
  int k = 0;
  uint32_t if_id = pol->if_id.value_or(0);
  for (size_t i = pol->templates.size(); i-- > 0;) {
    k = policy_ok(pol->templates[i], sp, k, if_id);
    if (k < 0) return Drop{ctr::in_tmpl_mismatch, "the SAs used do not satisfy the policy's templates"};
  }
  if (has_nontransport(sp, static_cast<size_t>(k)))
    return Drop{ctr::in_tmpl_mismatch, "a tunnel-mode SA the policy does not ask for"};
  return std::nullopt;
}

model::Protocol protocol_of(Header::Kind k) {
  return k == Header::Kind::ah ? model::Protocol::ah : k == Header::Kind::comp ? model::Protocol::ipcomp : model::Protocol::esp;
}

// An IPComp tunnel sends small packets as plain IP-in-IP (RFC 3173 §2.2); the kernel takes them with
// the SA's hidden IPIP companion. Here: a tunnel-mode IPComp SA between the same two hosts.
SaEntry* ipcomp_tunnel_for(EngineState& s, const IpHeader& h) {
  SaEntry* found = nullptr;
  s.sad.for_each_at(h.dst, [&](SaEntry& e) {
    if (!found && !e.larval && e.sa.proto == model::Protocol::ipcomp && e.sa.mode == model::Mode::tunnel && e.sa.src == h.src)
      found = &e;
  });
  return found;
}

}  // namespace

PacketOutcome run_input(PathContext& c, std::span<const uint8_t> in, std::vector<uint8_t>& out, Scratch& s) {
  PacketOutcome o;
  std::array<Used, kMaxDepth> sp{};
  size_t n = 0;
  std::span<const uint8_t> cur = in;
  if (!parse_ip(in)) return dropped(c, {ctr::in_hdr_error, "not an IPv4 or IPv6 packet"});
  for (;;) {
    auto parsed = parse_ip(cur);
    if (!parsed) return dropped(c, {ctr::in_hdr_error, "malformed packet"}, std::move(o));
    auto h = std::optional<IpHeader>(past_extensions(cur, *parsed));
    Header hd = find_header(c.state, cur, *h);
    if (hd.kind == Header::Kind::keepalive) {
      o.verdict = PacketOutcome::Verdict::consumed;
      o.reason = "NAT-T keepalive";
      return o;
    }
    if (hd.kind == Header::Kind::none || hd.kind == Header::Kind::ike) break;
    // xfrm_input's order: the depth, the SA, its direction and state, the encapsulation, the replay
    // window, the lifetime, and only then the protocol itself.
    if (n == kMaxDepth) return dropped(c, {ctr::in_buffer_error, "more than 6 nested IPsec headers"}, std::move(o));
    SaEntry* e = nullptr;
    if (hd.kind == Header::Kind::ipip) {
      e = ipcomp_tunnel_for(c.state, *h);
      if (!e) break;  // plain IP-in-IP: not ours to open
    } else {
      size_t need = hd.kind == Header::Kind::esp ? 8 : hd.kind == Header::Kind::ah ? 12 : 4;
      if (h->length < hd.at + need) return dropped(c, {ctr::in_hdr_error, "IPsec header truncated"}, std::move(o));
      uint32_t spi = hd.kind == Header::Kind::esp  ? load32(&cur[hd.at])
                     : hd.kind == Header::Kind::ah ? load32(&cur[hd.at + 4])
                                                   : load16(&cur[hd.at + 2]);
      // SPI 0 is never in the kernel's SPI hash (larval SAs from an ACQUIRE wait there with it).
      if (spi != 0) e = c.state.sad.find(h->dst, spi, protocol_of(hd.kind), 0);
      if (!e) return dropped(c, {ctr::in_no_states, "no SA for this destination, SPI and protocol"}, std::move(o));
    }
    if (e->sa.dir == model::SaDirection::out) return dropped(c, {ctr::in_dir_error, "the SA is for outbound traffic"}, std::move(o));
    if (e->larval) return dropped(c, {ctr::in_acquire_error, "the SA is larval (its negotiation has not completed)"}, std::move(o));
    bool sa_udp = e->sa.encap && e->sa.encap->type == kEspInUdp;
    if (hd.kind == Header::Kind::esp && sa_udp != hd.udp)
      return dropped(c, {ctr::in_mismatch, sa_udp ? "the SA expects UDP encapsulation" : "UDP-encapsulated ESP for an SA without it"},
                     std::move(o));
    uint64_t seq = 0;
    if (hd.kind == Header::Kind::esp || hd.kind == Header::Kind::ah) {
      uint32_t seq_lo = load32(&cur[hd.at + (hd.kind == Header::Kind::esp ? 4 : 8)]);
      if (auto d = check_replay(*e, seq_lo, seq)) return dropped(c, *d, std::move(o));
    }
    uint32_t spi = e->sa.spi;
    bool companion = hd.kind == Header::Kind::ipip;  // the IPComp SA's lifetime is not spent on it
    if (!companion && check_expired(c, e)) return dropped(c, {ctr::in_expired, "the SA's hard lifetime ran out"}, std::move(o));
    auto k = crypto_of(*e);
    if (!k) return dropped(c, {ctr::in_proto_error, "the engine cannot run this SA's algorithm"}, std::move(o));
    Inbound r;
    Step st;
    switch (hd.kind) {
      case Header::Kind::esp: st = esp_input(c, *e, **k, cur, *h, hd.at, seq, s.work, r); break;
      case Header::Kind::ah: st = ah_input(c, *e, **k, cur, *h, seq, s.work, r); break;
      case Header::Kind::comp: st = ipcomp_input(c, *e, cur, *h, s.work, r); break;
      default:
        s.work.assign(cur.begin() + static_cast<std::ptrdiff_t>(h->ipsec_at), cur.begin() + static_cast<std::ptrdiff_t>(h->length));
        r.next = h->next;
        r.payload = s.work;
        break;
    }
    if (st) return dropped(c, *st, std::move(o));
    if (hd.kind == Header::Kind::ipip) {
      // The IPIP companion opens the tunnel itself: the inner packet is all there is.
      IpHeader tunnel = *h;
      if (auto d = frame_input(c, e->sa, cur, tunnel, r.next, r.payload, s.step)) return dropped(c, *d, std::move(o));
    } else if (auto d = frame_input(c, e->sa, cur, *h, r.next, r.payload, s.step)) {
      return dropped(c, *d, std::move(o));
    }
    out.swap(s.step);
    cur = out;
    sp[n++] = Used{&e->sa, hd.kind == Header::Kind::ipip};
    o.spis.push_back(spi);
  }
  if (auto d = policy_check(c, cur, std::span(sp.data(), n))) return dropped(c, *d, std::move(o));
  if (n == 0) out.assign(in.begin(), in.end());
  o.verdict = PacketOutcome::Verdict::pass;
  o.transformed = n > 0;
  return o;
}

}  // namespace xfrmpp::engine::packet
