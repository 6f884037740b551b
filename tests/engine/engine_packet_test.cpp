// SPDX-License-Identifier: BSD-3-Clause
// The engine's packet path between two engines playing two hosts: what A sends B takes, in every mode
// and protocol; and each way a packet can be refused (replay, a changed byte, a wrong key, no SA, an
// expired SA, a policy that asks for more) is dropped under the kernel's counter.
#include <doctest/doctest.h>

#include "../support/udp_packet.hpp"
#include "packet_support.hpp"

using namespace xfrmpp;
using namespace ptest;
using model::Direction;
using model::Mode;
using model::Protocol;
using Verdict = engine::PacketOutcome::Verdict;

namespace {

constexpr const char* A4 = "10.0.0.1";
constexpr const char* B4 = "10.0.0.2";
constexpr const char* A6 = "2001:db8::1";
constexpr const char* B6 = "2001:db8::2";

// Two engines, each with both SAs (A->B spi 0x1000+, B->A 0x2000+) and its own policies.
struct Hosts {
  etest::TempDir dir_a, dir_b;
  std::unique_ptr<engine::EngineBackend> a, b;
  uint64_t clock = 1'000'000;
  Hosts() {
    a = etest::open(dir_a.state(), false, [this] { return clock; });
    b = etest::open(dir_b.state(), false, [this] { return clock; });
  }
  // `protos` innermost first, each with its own SA pair.
  void setup(const char* ha, const char* hb, const Algorithms& alg, std::vector<Protocol> protos, Mode mode = Mode::transport,
             std::function<void(model::SecurityAssociation&)> tweak = {}) {
    std::vector<model::Template> t_ab, t_ba, in_ab, in_ba;
    std::vector<Change> sas;
    uint32_t spi = 0;
    for (Protocol p : protos) {
      bool tunnel = mode != Mode::transport;
      t_ab.push_back(tmpl(p, mode, tunnel ? ha : nullptr, tunnel ? hb : nullptr));
      t_ba.push_back(tmpl(p, mode, tunnel ? hb : nullptr, tunnel ? ha : nullptr));
      // IPComp sends small packets uncompressed, so the receiving side can only ask for it as `use`
      // (the kernel refuses an optional tunnel template in an out policy, so the sender says require).
      model::Level in_level = p == Protocol::ipcomp ? model::Level::use : model::Level::require;
      in_ab.push_back(tmpl(p, mode, tunnel ? ha : nullptr, tunnel ? hb : nullptr, in_level));
      in_ba.push_back(tmpl(p, mode, tunnel ? hb : nullptr, tunnel ? ha : nullptr, in_level));
      auto ab = sa(ha, hb, 0x1000 + spi, alg, p, mode), ba = sa(hb, ha, 0x2000 + spi, alg, p, mode);
      if (mode == Mode::beet) {
        ab.sel = policy(ha, hb, Direction::out, {}).sel;
        ba.sel = policy(hb, ha, Direction::out, {}).sel;
      }
      if (tweak) tweak(ab), tweak(ba);
      sas.push_back(add(ab));
      sas.push_back(add(ba));
      ++spi;
    }
    for (auto* be : {a.get(), b.get()}) apply(*be, sas);
    apply(*a, {add(policy(ha, hb, Direction::out, t_ab)), add(policy(hb, ha, Direction::in, in_ba))});
    apply(*b, {add(policy(hb, ha, Direction::out, t_ba)), add(policy(ha, hb, Direction::in, in_ab))});
  }
  Bytes send(const Bytes& plain) {
    Bytes wire;
    auto o = a->output(plain, wire);
    REQUIRE_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
    return wire;
  }
  engine::PacketOutcome receive(const Bytes& wire, Bytes& got) { return b->input(wire, got); }
};

void round_trip(Hosts& h, const Bytes& plain, uint8_t wire_proto) {
  Bytes wire = h.send(plain);
  CHECK(ip_protocol(wire) == wire_proto);
  CHECK(wire != plain);
  Bytes got;
  auto o = h.receive(wire, got);
  REQUIRE_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
  CHECK(o.transformed);
  CHECK(got == plain);
}

}  // namespace

TEST_CASE("ESP transport and tunnel round trips, IPv4 and IPv6, AEAD and CBC+HMAC") {
  for (const auto& alg : {gcm128(), cbc_sha256(), chacha()}) {
    for (Mode mode : {Mode::transport, Mode::tunnel, Mode::beet}) {
      for (bool v6 : {false, true}) {
        CAPTURE(alg.aead + alg.crypt);
        CAPTURE(static_cast<int>(mode));
        CAPTURE(v6);
        Hosts h;
        h.setup(v6 ? A6 : A4, v6 ? B6 : B4, alg, {Protocol::esp}, mode);
        for (size_t n : {0, 1, 15, 16, 17, 100, 1400})
          round_trip(h, udp_packet(v6 ? A6 : A4, v6 ? B6 : B4, 1234, 53, n), 50);
      }
    }
  }
}

TEST_CASE("a replayed packet, a changed byte and a wrong key are dropped under the kernel's counters") {
  Hosts h;
  h.setup(A4, B4, cbc_sha256(), {Protocol::esp});
  Bytes plain = udp_packet(A4, B4, 1, 2, 64), got;
  Bytes wire = h.send(plain);
  REQUIRE(h.receive(wire, got).verdict == Verdict::pass);
  auto o = h.receive(wire, got);
  CHECK(o.verdict == Verdict::drop);
  CHECK(o.counter == "XfrmInStateSeqError");
  CHECK(counter(*h.b, "XfrmInStateSeqError") == 1);

  Bytes flipped = h.send(plain);
  flipped[flipped.size() - 20] ^= 1;
  o = h.receive(flipped, got);
  CHECK(o.counter == "XfrmInStateProtoError");
  // The sequence number of a packet that failed its ICV is not consumed: the intact packet still goes.
  flipped[flipped.size() - 20] ^= 1;
  CHECK(h.receive(flipped, got).verdict == Verdict::pass);

  // A packet from hosts with the right key, taken by a B whose SA has another authentication key.
  Hosts w;
  w.setup(A4, B4, cbc_sha256(), {Protocol::esp}, Mode::transport, [](model::SecurityAssociation& s) {
    if (s.spi == 0x1000 && s.auth) s.auth->key[0] ^= 0xff;
  });
  Hosts right;
  right.setup(A4, B4, cbc_sha256(), {Protocol::esp});
  Bytes good = right.send(plain);
  o = w.b->input(good, got);
  CHECK(o.verdict == Verdict::drop);
  CHECK(o.counter == "XfrmInStateProtoError");
}

TEST_CASE("replay window: out of order within the window passes, below it and repeated do not") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp});
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), got;
  std::vector<Bytes> wire;
  for (int i = 0; i < 40; ++i) wire.push_back(h.send(plain));
  CHECK(h.receive(wire[39], got).verdict == Verdict::pass);   // seq 40
  CHECK(h.receive(wire[10], got).verdict == Verdict::pass);   // seq 11: inside a 32-packet window
  CHECK(h.receive(wire[10], got).counter == "XfrmInStateSeqError");
  CHECK(h.receive(wire[5], got).counter == "XfrmInStateSeqError");  // seq 6: below it
  auto sa = h.b->get_sa(model::SaId{etest::addr(B4), {}, Protocol::esp, 0x1000, {}, {}});
  REQUIRE(sa);
  CHECK(sa->stats.replay == 1);
  CHECK(sa->stats.replay_window == 1);
}

TEST_CASE("ESN: the receiver infers the high half across 2^32") {
  Hosts h;
  h.setup(A4, B4, cbc_sha256(), {Protocol::esp}, Mode::transport, [](model::SecurityAssociation& s) {
    s.replay.esn = true;
    s.replay.window = 128;
    s.flags |= model::sa_flag::esn;
    s.replay_counters.oseq = 0xfffffff0u;  // A starts just below 2^32
    s.replay_counters.seq = 0xffffffe0u;   // B has seen up to just below it
  });
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), got;
  for (int i = 0; i < 40; ++i) {
    Bytes wire = h.send(plain);
    auto o = h.receive(wire, got);
    REQUIRE_MESSAGE(o.verdict == Verdict::pass, i << " " << o.counter << ": " << o.reason);
  }
  auto sa = h.b->get_sa(model::SaId{etest::addr(B4), {}, Protocol::esp, 0x1000, {}, {}});
  CHECK(sa->replay_counters.seq_hi == 1);
  CHECK(sa->replay_counters.seq == 0x18u);
}

TEST_CASE("a non-ESN SA stops at 2^32-1 packets") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::transport,
          [](model::SecurityAssociation& s) { s.replay_counters.oseq = 0xfffffffeu; });
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), wire;
  CHECK(h.a->output(plain, wire).verdict == Verdict::pass);
  auto o = h.a->output(plain, wire);
  CHECK(o.counter == "XfrmOutStateSeqError");
}

TEST_CASE("no SA: ACQUIRE once, a larval SA, XfrmOutNoStates; `use` sends in the clear") {
  Hosts h;
  apply(*h.a, {add(policy(A4, B4, Direction::out, {tmpl(Protocol::esp)}))});
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), wire;
  auto o = h.a->output(plain, wire);
  CHECK(o.counter == "XfrmOutNoStates");
  CHECK(h.a->output(plain, wire).counter == "XfrmOutNoStates");
  REQUIRE(h.a->packet_events().size() == 1);
  CHECK(h.a->packet_events()[0].kind == Event::Kind::acquire);
  CHECK(counter(*h.a, "XfrmOutNoStates") == 2);
  REQUIRE(h.a->commit_packets());
  auto sas = h.a->dump_sas(std::nullopt);
  REQUIRE(sas);
  REQUIRE(sas->size() == 1);
  CHECK(sas->front().dst == etest::addr(B4));

  Hosts u;
  apply(*u.a, {add(policy(A4, B4, Direction::out, {tmpl(Protocol::esp, Mode::transport, nullptr, nullptr, model::Level::use)}))});
  o = u.a->output(plain, wire);
  CHECK(o.verdict == Verdict::pass);
  CHECK(!o.transformed);
  CHECK(wire == plain);
  CHECK(u.a->packet_events().size() == 1);  // the kernel still asks for an SA
}

TEST_CASE("discard policies and the default policy") {
  Hosts h;
  auto p = policy(A4, B4, Direction::out, {});
  p.kind = model::PolicyKind::discard;
  apply(*h.a, {add(p)});
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), wire;
  CHECK(h.a->output(plain, wire).counter == "XfrmOutPolBlock");
  // Another flow: no policy, default allow, passes unchanged.
  Bytes other = udp_packet(A4, "10.0.0.3", 1, 2, 10);
  auto o = h.a->output(other, wire);
  CHECK(o.verdict == Verdict::pass);
  CHECK(wire == other);
}

TEST_CASE("the in policy check: a plain packet where ESP is required, and the wrong protocol") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp});
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), got;
  auto o = h.b->input(plain, got);
  CHECK(o.counter == "XfrmInTmplMismatch");
  // B's in policy asks for AH on top of ESP: ESP alone does not satisfy it.
  apply(*h.b, {Change{policy(A4, B4, Direction::in, {tmpl(Protocol::esp), tmpl(Protocol::ah)}), Change::Verb::update, 0}});
  o = h.receive(h.send(plain), got);
  CHECK(o.counter == "XfrmInTmplMismatch");
  // No SA for the SPI.
  Bytes wire = h.send(plain);
  wire[20 + 3] ^= 0x55;
  CHECK(h.receive(wire, got).counter == "XfrmInNoStates");
}

TEST_CASE("AH, IPComp and bundles round trip") {
  for (bool v6 : {false, true}) {
    const char *ha = v6 ? A6 : A4, *hb = v6 ? B6 : B4;
    CAPTURE(v6);
    {
      Hosts h;
      h.setup(ha, hb, cbc_sha256(), {Protocol::ah});
      round_trip(h, udp_packet(ha, hb, 1, 2, 100), 51);
    }
    {
      Hosts h;
      h.setup(ha, hb, cbc_sha256(), {Protocol::esp, Protocol::ah});
      round_trip(h, udp_packet(ha, hb, 1, 2, 100), 51);
    }
    {
      Hosts h;
      h.setup(ha, hb, gcm128(), {Protocol::ipcomp, Protocol::esp}, Mode::tunnel);
      // Compressible: IPComp inside ESP; small: sent uncompressed as IP-in-IP, which the IPComp SA's
      // IPIP companion takes and the receiver's `use` template lets through.
      round_trip(h, udp_packet(ha, hb, 1, 2, 1000, 0), 50);
      round_trip(h, udp_packet(ha, hb, 1, 2, 20, 0), 50);
    }
  }
}

TEST_CASE("AH ICV covers the header: a changed address is refused, a changed TTL is not") {
  Hosts h;
  h.setup(A4, B4, cbc_sha256(), {Protocol::ah});
  Bytes plain = udp_packet(A4, B4, 1, 2, 50), got;
  Bytes wire = h.send(plain);
  Bytes ttl = wire;
  ttl[8] = 3;  // TTL is mutable: zeroed for the ICV
  xfrmpp::testing::set_ipv4_header_checksum(ttl);
  auto o = h.receive(ttl, got);
  CHECK_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
  Bytes src = h.send(plain);
  src[15] ^= 1;  // source address: covered
  CHECK(h.receive(src, got).counter == "XfrmInStateProtoError");
}

TEST_CASE("NAT-T: ESP in UDP both ways; keepalives are consumed, IKE passes") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::tunnel, [](model::SecurityAssociation& s) {
    s.encap = model::Encapsulation{2, 4500, 4500, {}};
  });
  Bytes plain = udp_packet(A4, B4, 1, 2, 80), got;
  Bytes wire = h.send(plain);
  CHECK(ip_protocol(wire) == 17);
  auto o = h.receive(wire, got);
  REQUIRE_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
  CHECK(got == plain);
  Bytes keepalive = udp_packet(A4, B4, 4500, 4500, 1, 0xff);
  CHECK(h.b->input(keepalive, got).verdict == Verdict::consumed);
  // IKE behind the non-ESP marker is a plain UDP packet, not ESP (XfrmInNoStates would say it was taken
  // for one); B's policy wants everything from A protected, and the engine has no IKE socket with a
  // bypass policy, so the in policy check refuses it.
  Bytes ike = udp_packet(A4, B4, 4500, 4500, 40, 0);
  o = h.b->input(ike, got);
  CHECK(o.counter == "XfrmInTmplMismatch");
  CHECK(!o.transformed);
}

TEST_CASE("lifetimes: soft then hard EXPIRE by packets, and by time") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::transport, [](model::SecurityAssociation& s) {
    s.limits.soft_packets = 2;
    s.limits.hard_packets = 3;
  });
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), wire;
  for (int i = 0; i < 3; ++i) REQUIRE(h.a->output(plain, wire).verdict == Verdict::pass);
  auto o = h.a->output(plain, wire);
  CHECK(o.counter == "XfrmOutStateExpired");
  std::vector<bool> hard;
  for (const auto& e : h.a->packet_events())
    if (e.kind == Event::Kind::expire) hard.push_back(e.hard);
  CHECK(hard == std::vector<bool>{false, true});
  // The SA is gone: the next packet asks for a new one.
  CHECK(h.a->output(plain, wire).counter == "XfrmOutNoStates");

  Hosts t;
  t.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::transport,
          [](model::SecurityAssociation& s) { s.limits.hard_add_seconds = 60; });
  REQUIRE(t.a->output(plain, wire).verdict == Verdict::pass);
  t.clock += 61;
  CHECK(t.a->output(plain, wire).counter == "XfrmOutStateExpired");
}

TEST_CASE("commit_packets persists sequence numbers, the replay window and counters") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp});
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), got;
  Bytes w1 = h.send(plain), w2 = h.send(plain);
  REQUIRE(h.receive(w2, got).verdict == Verdict::pass);
  CHECK(h.receive(w2, got).counter == "XfrmInStateSeqError");
  REQUIRE(h.a->commit_packets());
  REQUIRE(h.b->commit_packets());
  // Reopened, A continues at 3 and B still remembers packet 2.
  auto a2 = etest::open(h.dir_a.state());
  auto b2 = etest::open(h.dir_b.state());
  Bytes w3;
  REQUIRE(a2->output(plain, w3).verdict == Verdict::pass);
  CHECK(w3[20 + 7] == 3);
  CHECK(b2->input(w2, got).counter == "XfrmInStateSeqError");
  CHECK(b2->input(w1, got).verdict == Verdict::pass);
  CHECK(b2->input(w3, got).verdict == Verdict::pass);
  CHECK(counter(*b2, "XfrmInStateSeqError") == 2);
}

TEST_CASE("malformed input never crashes and every drop is counted") {
  Hosts h;
  h.setup(A4, B4, cbc_sha256(), {Protocol::esp});
  Bytes plain = udp_packet(A4, B4, 1, 2, 64), got;
  Bytes wire = h.send(plain);
  uint64_t drops = 0;
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    Bytes t(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(cut));
    auto o = h.b->input(t, got);
    if (o.verdict == Verdict::drop) {
      ++drops;
      CHECK(!o.counter.empty());
    }
  }
  uint64_t total = 0;
  for (const auto& c : h.b->packet_counters()) total += c.value;
  CHECK(total == drops);
}


TEST_CASE("AH and the BSD knobs: ah_cleartos decides whether the TOS is covered") {
  for (uint32_t cleartos : {1u, 0u}) {
    CAPTURE(cleartos);
    Hosts h;
    h.setup(A4, B4, cbc_sha256(), {Protocol::ah});
    for (auto* be : {h.a.get(), h.b.get()}) REQUIRE(be->set_host_knob("ah_cleartos", cleartos));
    Bytes plain = udp_packet(A4, B4, 1, 2, 50), got;
    Bytes wire = h.send(plain);
    wire[1] = 0x10;  // a router re-marks the DSCP
    xfrmpp::testing::set_ipv4_header_checksum(wire);
    auto o = h.receive(wire, got);
    if (cleartos)
      CHECK_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
    else
      CHECK(o.counter == "XfrmInStateProtoError");
  }
}

TEST_CASE("tunnel outer header: dfbit 0/1/2, ecn off/on (RFC 6040), TTL 64") {
  Bytes plain = udp_packet(A4, B4, 1, 2, 50);
  plain[6] = 0x40;  // DF set on the inner packet
  struct Row {
    uint32_t dfbit, ecn;
    uint8_t inner_tos;
    bool outer_df;
    uint8_t outer_tos;
  };
  for (Row r : {Row{0, 0, 0x02, false, 0x00}, Row{1, 0, 0x02, true, 0x00}, Row{2, 0, 0x02, true, 0x00},
                Row{2, 1, 0xb8 | 0x02, true, 0xb8 | 0x02}, Row{0, 1, 0x01, false, 0x01}}) {
    CAPTURE(r.dfbit);
    CAPTURE(r.ecn);
    Hosts h;
    h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::tunnel);
    REQUIRE(h.a->set_host_knob("dfbit", r.dfbit));
    REQUIRE(h.a->set_host_knob("ecn", r.ecn));
    Bytes in = plain;
    in[1] = r.inner_tos;
    xfrmpp::testing::set_ipv4_header_checksum(in);
    Bytes wire = h.send(in);
    CHECK(((wire[6] & 0x40) != 0) == r.outer_df);
    CHECK(wire[1] == static_cast<uint8_t>(r.outer_tos & (r.ecn ? 0xff : 0xfc)));
    CHECK(wire[8] == 64);
  }
  // Decapsulation with ecn on: outer CE over an ECT(0) inner packet marks it CE.
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::tunnel);
  for (auto* be : {h.a.get(), h.b.get()}) REQUIRE(be->set_host_knob("ecn", 1));
  Bytes in = plain;
  in[1] = 0x02;
  xfrmpp::testing::set_ipv4_header_checksum(in);
  Bytes wire = h.send(in), got;
  wire[1] |= 0x03;
  xfrmpp::testing::set_ipv4_header_checksum(wire);
  REQUIRE(h.receive(wire, got).verdict == Verdict::pass);
  CHECK((got[1] & 3) == 3);
}

TEST_CASE("TFC padding fills the ESP payload up to tfcpad") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::tunnel, [](model::SecurityAssociation& s) { s.tfcpad = 400; });
  Bytes small = udp_packet(A4, B4, 1, 2, 10), big = udp_packet(A4, B4, 1, 2, 600), got;
  Bytes w1 = h.send(small), w2 = h.send(big);
  // 20 outer + 8 ESP + 8 IV + 400 (padded inner) + 2 + pad to 4 + 16 ICV
  CHECK(w1.size() == 20 + 8 + 8 + 404 + 16);
  CHECK(w2.size() > 600);
  auto o = h.receive(w1, got);
  REQUIRE(o.verdict == Verdict::pass);
  CHECK(got == small);  // the inner packet's own length drops the TFC bytes
}

TEST_CASE("AH is padded to 8 bytes as the kernel pads it (align4 SAs to 4), and its length is checked") {
  for (bool align4 : {false, true}) {
    CAPTURE(align4);
    Hosts h;
    h.setup(A4, B4, cbc_sha256(), {Protocol::ah}, Mode::transport, [align4](model::SecurityAssociation& s) {
      if (align4) s.flags |= model::sa_flag::align4;
    });
    Bytes plain = udp_packet(A4, B4, 1, 2, 40), got;
    Bytes wire = h.send(plain);
    // 12 fixed bytes + a 16-byte ICV (hmac-sha256-128): 28, rounded to 32 unless align4.
    size_t ah_len = (size_t{wire[20 + 1]} + 2) * 4;
    CHECK(ah_len == (align4 ? 28u : 32u));
    CHECK(wire.size() == plain.size() + ah_len);
    CHECK(h.receive(wire, got).verdict == Verdict::pass);
  }
}

TEST_CASE("IPv6: ESP goes behind hop-by-hop and destination options, and is found there") {
  Hosts h;
  h.setup(A6, B6, gcm128(), {Protocol::esp});
  Bytes plain = udp_packet(A6, B6, 1, 2, 30), got;
  // Insert hop-by-hop (8 bytes of Pad) and destination options (8 bytes) in front of UDP.
  Bytes ext = {60, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0};
  plain[6] = 0;  // next header: hop-by-hop
  plain.insert(plain.begin() + 40, ext.begin(), ext.end());
  size_t plen = plain.size() - 40;
  plain[4] = static_cast<uint8_t>(plen >> 8), plain[5] = static_cast<uint8_t>(plen);
  Bytes wire = h.send(plain);
  CHECK(wire[6] == 0);       // hop-by-hop stays first
  CHECK(wire[40] == 60);     // then destination options
  CHECK(wire[48] == 50);     // whose next header is now ESP
  auto o = h.receive(wire, got);
  REQUIRE_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
  CHECK(got == plain);
}

TEST_CASE("inbound order: a replay on an expired SA counts as a replay and leaves the SA") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::esp}, Mode::transport,
          [](model::SecurityAssociation& s) { s.limits.hard_packets = 1; });
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), got;
  Bytes wire = h.send(plain);
  REQUIRE(h.receive(wire, got).verdict == Verdict::pass);  // B's SA has now counted its one packet
  CHECK(h.receive(wire, got).counter == "XfrmInStateSeqError");
  CHECK(h.b->get_sa(model::SaId{etest::addr(B4), {}, Protocol::esp, 0x1000, {}, {}}).ok());
}

TEST_CASE("an uncompressed IPComp packet satisfies only a `use` template, as the kernel's IPIP companion does") {
  Hosts h;
  h.setup(A4, B4, gcm128(), {Protocol::ipcomp, Protocol::esp}, Mode::tunnel);
  // B now requires IPComp: a small packet, sent uncompressed, no longer passes its in policy.
  apply(*h.b, {Change{policy(A4, B4, Direction::in,
                             {tmpl(Protocol::ipcomp, Mode::tunnel, A4, B4), tmpl(Protocol::esp, Mode::tunnel, A4, B4)}),
                      Change::Verb::update, 0}});
  Bytes got;
  CHECK(h.receive(h.send(udp_packet(A4, B4, 1, 2, 20, 0)), got).counter == "XfrmInTmplMismatch");
  auto big = h.receive(h.send(udp_packet(A4, B4, 1, 2, 1000, 0)), got);
  CHECK_MESSAGE(big.verdict == Verdict::pass, big.counter << ": " << big.reason);
}
