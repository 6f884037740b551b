// SPDX-License-Identifier: BSD-3-Clause
// Malformed and hostile packets at the inbound path: valid ESP, AH, IPComp and ESP-in-UDP packets from
// output(), then cut short, bit-flipped, given another SPI or sequence number, or replayed, through
// input() by the tens of thousands. None may crash (run it in the ASan+UBSan build), every drop names
// a counter, and the counters grow by exactly the number of drops: no drop goes uncounted, none twice.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "packet_mix.hpp"

using namespace xfrmpp;
using pmix::Bytes;
using Verdict = engine::PacketOutcome::Verdict;

namespace {

std::map<std::string, uint64_t> counters(const engine::EngineBackend& be) {
  std::map<std::string, uint64_t> m;
  for (const auto& c : be.packet_counters()) m[std::string(c.name)] = c.value;
  return m;
}

struct Tally {
  uint64_t passed = 0, dropped = 0, consumed = 0, unnamed = 0;
  std::map<std::string, uint64_t> by_counter;  // from the outcomes
  void add(const engine::PacketOutcome& o) {
    if (o.verdict == Verdict::pass) ++passed;
    else if (o.verdict == Verdict::consumed) ++consumed;
    else {
      ++dropped;
      if (o.counter.empty()) ++unnamed;
      else ++by_counter[std::string(o.counter)];
    }
  }
};

// Empty when the engine's counters grew by what the outcomes say, else what differs.
std::string accounting_error(const Tally& t, const std::map<std::string, uint64_t>& before,
                             const std::map<std::string, uint64_t>& after) {
  if (t.unnamed) return std::to_string(t.unnamed) + " drops without a counter";
  uint64_t grown = 0;
  std::string err;
  for (const auto& [name, value] : after) {
    auto it = before.find(name);
    uint64_t d = value - (it == before.end() ? 0 : it->second);
    grown += d;
    auto o = t.by_counter.find(name);
    uint64_t said = o == t.by_counter.end() ? 0 : o->second;
    if (d != said) err += name + " grew by " + std::to_string(d) + ", outcomes say " + std::to_string(said) + "; ";
  }
  if (grown != t.dropped) err += "counters grew by " + std::to_string(grown) + " for " + std::to_string(t.dropped) + " drops";
  return err;
}

enum class Mutation { truncate, flip_bit, flip_bytes, spi, seq, replay, garbage_tail, count };

Bytes mutate(const Bytes& wire, Mutation m, std::mt19937& rng) {
  Bytes p = wire;
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  size_t hl = (p[0] >> 4) == 6 ? 40 : size_t{p[0] & 0x0fu} * 4;
  // ESP-in-UDP: the SPI comes after the UDP header.
  size_t esp = hl + (((p[0] >> 4) == 4 && p[9] == 17) ? 8 : 0);
  // AH: SPI and sequence at 4 and 8 of its header; ESP: at 0 and 4; IPComp has a CPI at 2.
  uint8_t next = (p[0] >> 4) == 6 ? p[6] : p[9];
  size_t spi_at = esp + (next == 51 ? 4 : 0), seq_at = spi_at + 4;
  switch (m) {
    case Mutation::truncate: p.resize(pick(p.size())); break;
    case Mutation::flip_bit: p[pick(p.size())] ^= static_cast<uint8_t>(1u << pick(8)); break;
    case Mutation::flip_bytes:
      for (size_t i = 0, n = 1 + pick(8); i < n; ++i) p[pick(p.size())] = static_cast<uint8_t>(rng());
      break;
    case Mutation::spi:
      if (spi_at + 4 <= p.size()) p[spi_at + pick(4)] ^= static_cast<uint8_t>(1 + pick(255));
      break;
    case Mutation::seq:
      // A sequence number far ahead, far behind or zero: the replay window before the ICV judges it.
      if (seq_at + 4 <= p.size()) {
        uint32_t v = pick(3) == 0 ? 0 : static_cast<uint32_t>(rng());
        for (int i = 0; i < 4; ++i) p[seq_at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
      }
      break;
    case Mutation::replay: break;  // the packet again, unchanged
    case Mutation::garbage_tail:
      for (size_t i = 0, n = 1 + pick(40); i < n; ++i) p.push_back(static_cast<uint8_t>(rng()));
      break;
    case Mutation::count: break;
  }
  return p;
}

}  // namespace

TEST_CASE("the accounting check finds a drop without a counter and a counter that moved twice") {
  Tally t;
  engine::PacketOutcome o;
  o.verdict = Verdict::drop;
  o.counter = "XfrmInNoStates";
  t.add(o);
  CHECK(accounting_error(t, {{"XfrmInNoStates", 0}}, {{"XfrmInNoStates", 1}}).empty());
  CHECK(!accounting_error(t, {{"XfrmInNoStates", 0}}, {{"XfrmInNoStates", 2}}).empty());
  CHECK(!accounting_error(t, {{"XfrmInNoStates", 0}, {"XfrmInError", 0}}, {{"XfrmInNoStates", 1}, {"XfrmInError", 1}}).empty());
  o.counter = {};
  t.add(o);
  CHECK(!accounting_error(t, {{"XfrmInNoStates", 0}}, {{"XfrmInNoStates", 2}}).empty());
}

TEST_CASE("10,000+ mutated ESP, AH, IPComp and NAT-T packets: no crash, every drop counted once") {
  const char* tmp = std::getenv("TMPDIR");
  auto mix = pmix::make_mix(tmp && *tmp ? tmp : "/tmp");
  REQUIRE_MESSAGE(mix.ok(), (mix ? std::string() : mix.error().message));
  engine::EngineBackend& a = *(*mix)->a;
  engine::EngineBackend& b = *(*mix)->b;
  std::mt19937 rng(20261202);
  auto before = counters(b);
  Tally t;
  Bytes wire, got;
  size_t mutants = 0, originals = 0, kinds_seen[static_cast<int>(Mutation::count)] = {};
  for (int round = 0; round < 400; ++round) {
    for (size_t flow = 0; flow < pmix::kFlows; ++flow) {
      // Flow 3 is IPComp: compressible payloads over its threshold, so the IPComp header is there.
      size_t len = flow == 3 ? 200 + round % 800 : 1 + (round * 37 + flow * 11) % 1300;
      Bytes plain = pmix::plain_packet(flow, len, flow == 3 ? 0 : static_cast<uint8_t>(round));
      auto o = a.output(plain, wire);
      REQUIRE_MESSAGE(o.verdict == Verdict::pass, "flow " << flow << ": " << o.counter << ": " << o.reason);
      // Every fifth original is delivered first, so replays and stale sequence numbers meet a window
      // that has seen them; the others only as mutants.
      if (round % 5 == 0) {
        auto in = b.input(wire, got);
        CHECK_MESSAGE(in.verdict == Verdict::pass, "flow " << flow << " original: " << in.counter << ": " << in.reason);
        t.add(in);
        ++originals;
      }
      for (int k = 0; k < 5; ++k) {
        auto m = static_cast<Mutation>(std::uniform_int_distribution<int>(0, static_cast<int>(Mutation::count) - 1)(rng));
        Bytes bad = mutate(wire, m, rng);
        auto in = b.input(bad, got);
        t.add(in);
        ++mutants;
        ++kinds_seen[static_cast<int>(m)];
        if (in.verdict == Verdict::drop) CHECK_MESSAGE(!in.reason.empty(), "drop under " << in.counter << " without a reason");
      }
    }
  }
  auto after = counters(b);
  MESSAGE(mutants << " mutants, " << originals << " originals: " << t.passed << " passed, " << t.dropped << " dropped, "
                  << t.consumed << " consumed");
  CHECK(mutants >= 10000);
  for (int k = 0; k < static_cast<int>(Mutation::count); ++k) CHECK(kinds_seen[k] > 1000);
  CHECK(t.dropped > mutants / 2);
  std::string err = accounting_error(t, before, after);
  CHECK_MESSAGE(err.empty(), err);
  // What was counted stays in the state file.
  REQUIRE(b.commit_packets().ok());
}
