// SPDX-License-Identifier: BSD-3-Clause
// What a live dataplane needs of the engine beyond the packet path: outbound sequence numbers that a
// crash cannot make a successor reuse (persisted ahead of use), and the `fwd` policy check for
// decapsulated packets that another host is to receive.
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

uint32_t esp_seq(const Bytes& wire) {
  return uint32_t{wire[24]} << 24 | uint32_t{wire[25]} << 16 | uint32_t{wire[26]} << 8 | wire[27];
}

// One host with an outbound ESP SA to B; `sent` is every sequence number it put on the wire.
struct Sender {
  etest::TempDir dir;
  std::unique_ptr<engine::EngineBackend> be = etest::open(dir.state());
  Sender() {
    apply(*be, {add(sa(A4, B4, 0x1000, gcm128())),
                add(policy(A4, B4, Direction::out, {tmpl(Protocol::esp)}))});
  }
  uint32_t send(engine::EngineBackend& e) {
    Bytes plain = udp_packet(A4, B4, 1, 2, 10), wire;
    auto o = e.output(plain, wire);
    REQUIRE_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
    // The dataplane's rule: commit before the packet leaves when the engine says so.
    if (e.commit_due()) REQUIRE(e.commit_packets());
    return esp_seq(wire);
  }
};

// A host is killed after `committed` packets it committed and `lost` it sent but never committed; a
// successor opens the same state. Returns the first number the successor sends.
uint32_t successor_after_crash(uint32_t reserve, int committed, int lost, uint32_t& highest_sent) {
  Sender s;
  s.be->set_sequence_reserve(reserve);
  for (int i = 0; i < committed; ++i) highest_sent = s.send(*s.be);
  REQUIRE(s.be->commit_packets());
  for (int i = 0; i < lost; ++i) highest_sent = s.send(*s.be);
  auto successor = etest::open(s.dir.state());
  return s.send(*successor);
}

}  // namespace

TEST_CASE("a successor after a crash never reuses an outbound sequence number") {
  uint32_t highest = 0;
  SUBCASE("with a reservation the successor starts above everything sent") {
    uint32_t first = successor_after_crash(100, 3, 5, highest);
    CHECK(highest == 8);
    CHECK(first > highest);
    CHECK(first <= 3 + 100 + 1);  // the jump is bounded by the reservation
  }
  SUBCASE("control: without one, the packets sent after the last commit are reused") {
    uint32_t first = successor_after_crash(0, 3, 5, highest);
    CHECK(highest == 8);
    CHECK(first == 4);
  }
  SUBCASE("a reservation used up to its half is renewed before the packet leaves") {
    uint32_t first = successor_after_crash(8, 0, 20, highest);
    CHECK(highest == 20);
    CHECK(first > highest);
  }
}

TEST_CASE("a clean stop writes the true sequence numbers, and other processes' changes do not move them") {
  Sender s;
  s.be->set_sequence_reserve(1000);
  for (int i = 0; i < 3; ++i) s.send(*s.be);
  REQUIRE(s.be->commit_packets());
  auto on_file = [&] {
    auto reader = etest::open(s.dir.state(), true);
    auto sas = reader->dump_sas(Protocol::esp);
    REQUIRE(sas);
    REQUIRE(sas->size() == 1);
    return sas->front().replay_counters.oseq;
  };
  CHECK(on_file() > 1000);
  // Another process changes the state (a new policy): the running host re-reads it and goes on from
  // its own number, not from the reservation it wrote.
  uint64_t loads = s.be->loads();
  {
    auto other = etest::open(s.dir.state());
    apply(*other, {add(policy(A4, "10.0.0.3", Direction::out, {tmpl(Protocol::esp)}))});
  }
  REQUIRE(s.be->refresh());
  CHECK(s.be->loads() == loads + 1);
  CHECK(s.send(*s.be) == 4);
  s.be->set_sequence_reserve(0);
  REQUIRE(s.be->commit_packets());
  CHECK(on_file() == 4);
}

TEST_CASE("a decapsulated packet for another host is checked against fwd, one for this host against in") {
  // B is a gateway for 10.1.0.0/24: tunnel-mode ESP from A arrives, its inner packet goes to 10.1.0.5.
  etest::TempDir da, db;
  auto a = etest::open(da.state()), b = etest::open(db.state());
  auto tunnel_sa = sa(A4, B4, 0x1000, gcm128(), Protocol::esp, Mode::tunnel);
  for (auto* e : {a.get(), b.get()}) apply(*e, {add(tunnel_sa)});
  apply(*a, {add(policy(A4, "10.1.0.5", Direction::out, {tmpl(Protocol::esp, Mode::tunnel, A4, B4)}))});
  apply(*b, {add(policy(A4, "10.1.0.5", Direction::fwd, {tmpl(Protocol::esp, Mode::tunnel, A4, B4)}))});
  b->set_local_address_test([](const model::Address& x) { return x == *model::Address::parse(B4); });
  Bytes plain = udp_packet(A4, "10.1.0.5", 1, 2, 10), wire, got;
  auto sent = [&] {
    REQUIRE(a->output(plain, wire).verdict == Verdict::pass);
    return wire;
  };
  SUBCASE("forwarded: the fwd policy is satisfied") {
    auto o = b->input(sent(), got);
    CHECK_MESSAGE(o.verdict == Verdict::pass, o.counter << ": " << o.reason);
    CHECK(got == plain);
  }
  SUBCASE("control: checked as if local, the same packet finds no in policy for its tunnel SA") {
    b->set_local_address_test({});
    auto o = b->input(sent(), got);
    CHECK(o.verdict == Verdict::drop);
    CHECK(o.counter == "XfrmInNoPols");
  }
  SUBCASE("a fwd policy that asks for AH refuses the ESP tunnel") {
    apply(*b, {add(policy(A4, "10.1.0.6", Direction::fwd, {tmpl(Protocol::ah, Mode::tunnel, A4, B4)}))});
    plain = udp_packet(A4, "10.1.0.6", 1, 2, 10);
    apply(*a, {add(policy(A4, "10.1.0.6", Direction::out, {tmpl(Protocol::esp, Mode::tunnel, A4, B4)}))});
    auto o = b->input(sent(), got);
    CHECK(o.verdict == Verdict::drop);
    CHECK(o.counter == "XfrmInTmplMismatch");
  }
}

TEST_CASE("SA timers: time limits raise their EXPIREs without a packet, as the kernel's timer does") {
  etest::TempDir dir;
  uint64_t clock = 1'000'000;
  auto be = etest::open(dir.state(), false, [&] { return clock; });
  auto s = sa(A4, B4, 0x1000, gcm128());
  s.limits.soft_add_seconds = 10;
  s.limits.hard_add_seconds = 20;
  apply(*be, {add(s)});
  auto kinds = [&] {
    std::string out;
    for (const auto& e : be->packet_events()) out += e.kind == Event::Kind::expire ? (e.hard ? "H" : "S") : "?";
    return out;
  };
  clock += 5;
  be->run_timers();
  CHECK(kinds() == "");
  clock += 5;
  SUBCASE("soft at 10 s, once; hard at 20 s deletes the SA") {
    be->run_timers();
    be->run_timers();
    CHECK(kinds() == "S");
    clock += 10;
    be->run_timers();
    CHECK(kinds() == "SH");
    REQUIRE(be->commit_packets());
    auto sas = etest::open(dir.state(), true)->dump_sas(Protocol::esp);
    REQUIRE(sas);
    CHECK(sas->empty());
  }
  SUBCASE("control: without the timers nothing fires until a packet comes") {
    clock += 10;
    CHECK(kinds() == "");
    REQUIRE(be->commit_packets());
    auto sas = etest::open(dir.state(), true)->dump_sas(Protocol::esp);
    REQUIRE(sas);
    CHECK(sas->size() == 1);
  }
}

TEST_CASE("an SA deleted and added again under the same SPI starts afresh, as the kernel's new state does") {
  etest::TempDir dir;
  uint64_t clock = 1'000'000;
  auto be = etest::open(dir.state(), false, [&] { return clock; });
  apply(*be, {add(sa(A4, B4, 0x1000, gcm128())), add(policy(A4, B4, Direction::out, {tmpl(Protocol::esp)}))});
  Bytes plain = udp_packet(A4, B4, 1, 2, 10), wire;
  for (int i = 0; i < 3; ++i) REQUIRE(be->output(plain, wire).verdict == Verdict::pass);
  CHECK(esp_seq(wire) == 3);
  clock += 5;
  SUBCASE("re-added by another process: the running host's next packet is number 1") {
    auto other = etest::open(dir.state(), false, [&] { return clock; });
    auto s = sa(A4, B4, 0x1000, gcm128());
    REQUIRE(other->flush_sas(Protocol::esp));
    apply(*other, {add(s)});
    REQUIRE(be->refresh());
    REQUIRE(be->output(plain, wire).verdict == Verdict::pass);
    CHECK(esp_seq(wire) == 1);
  }
  SUBCASE("control: the same SA, only re-read, goes on from 4") {
    auto other = etest::open(dir.state(), false, [&] { return clock; });
    apply(*other, {add(policy(A4, "10.0.0.9", Direction::out, {tmpl(Protocol::esp)}))});
    REQUIRE(be->refresh());
    REQUIRE(be->output(plain, wire).verdict == Verdict::pass);
    CHECK(esp_seq(wire) == 4);
  }
}
