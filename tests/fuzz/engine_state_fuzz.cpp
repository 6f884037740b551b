// SPDX-License-Identifier: BSD-3-Clause
// The engine's state file reader (libxfrmpp/src/engine/state_codec.cpp, codec.cpp): no sanitizer report and
// no escaped exception on any content; a state that decodes encodes again to bytes that decode to the same
// encoding (the format is canonical once read). The target compiles the private reader sources itself.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <cstring>
#include <vector>

#include "codec.hpp"
#include "engine_state.hpp"
#include "support/fuzz_check.hpp"

namespace {

using namespace xfrmpp;

void check(std::span<const uint8_t> input) {
  try {
    auto first = engine::decode_state(input, "fuzz");
    if (!first) {
      fuzz::require(!first.error().message.empty(), "error", "a refused state file has no message");
      return;
    }
    if (!fuzz::enabled("roundtrip")) return;
    std::string bytes = engine::encode_state(*first);
    auto again = engine::decode_state(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "fuzz");
    fuzz::require(again.ok(), "roundtrip", "an encoded state does not decode: " + (again ? std::string() : again.error().message));
    fuzz::require(engine::encode_state(*again) == bytes, "roundtrip", "a state changed through encode/decode");
  } catch (const std::exception& e) {
    fuzz::fail("exception", std::string("reading the engine state threw: ") + e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check(std::span<const uint8_t>(data, size));
  // Mutations almost never keep the checksum right: the same input again with its header's length and
  // checksum fixed up, so the payload decoder gets explored too.
  if (size >= engine::kStateHeaderBytes && std::memcmp(data, engine::kStateMagic, sizeof engine::kStateMagic) == 0) {
    std::vector<uint8_t> fixed(data, data + size);
    auto payload = std::span<const uint8_t>(fixed).subspan(engine::kStateHeaderBytes);
    engine::Writer w;
    w.u64(payload.size());
    w.u64(engine::checksum(payload));
    std::memcpy(fixed.data() + 16, w.out().data(), 16);
    check(fixed);
  }
  return 0;
}
