// SPDX-License-Identifier: BSD-3-Clause
// The engine's inbound packet path (EngineBackend::input) on arbitrary bytes, at a receiver with ESP
// (AES-GCM, AES-CBC+HMAC-SHA-256 tunnel, ChaCha20-Poly1305 over IPv6), AH, IPComp inside ESP and
// ESP-in-UDP SAs (tests/engine/packet_mix). No sanitizer report, no exception; a drop names a counter
// and a reason, and the engine's counters grow by exactly one per drop and not at all otherwise.
// The seeds are valid packets of each kind from the sender (make_seeds writes them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "packet_mix.hpp"
#include "support/fuzz_check.hpp"

namespace {

using namespace xfrmpp;
using Verdict = engine::PacketOutcome::Verdict;

pmix::Mix* mix() {
  static std::unique_ptr<pmix::Mix> m = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto r = pmix::make_mix(tmp && *tmp ? tmp : "/tmp");
    if (!r) fuzz::fail("setup", "the engines could not be set up: " + r.error().message);
    return std::move(*r);
  }();
  return m.get();
}

uint64_t counter_sum(const engine::EngineBackend& be) {
  uint64_t n = 0;
  for (const auto& c : be.packet_counters()) n += c.value;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engine::EngineBackend& b = *mix()->b;
  static std::vector<uint8_t> out;
  try {
    uint64_t before = counter_sum(b);
    auto o = b.input(std::span<const uint8_t>(data, size), out);
    uint64_t grown = counter_sum(b) - before;
    if (o.verdict == Verdict::drop) {
      fuzz::require(!o.counter.empty() && !o.reason.empty(), "counter", "a drop without a counter or reason");
      fuzz::require(grown == 1, "counter", "a drop under " + std::string(o.counter) + " moved the counters by " +
                                               std::to_string(grown));
    } else {
      fuzz::require(grown == 0, "counter", "a packet that was not dropped moved the counters");
    }
  } catch (const std::exception& e) {
    fuzz::fail("exception", std::string("input() threw: ") + e.what());
  }
  return 0;
}
