// SPDX-License-Identifier: BSD-3-Clause
// The per-namespace knob state (netns-<inode>.json, libxfrmpp/src/knobs/state.cpp), read through
// load_state: no sanitizer report and no escaped exception on any file content; a state that loads
// rewrites (update_state with no change) and loads back to the same values. Private directory per process.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/fuzz_check.hpp"
#include "xfrmpp/knobs/state.hpp"

namespace {

using namespace xfrmpp;
namespace fs = std::filesystem;

const knobs::StateOptions& options() {
  static const knobs::StateOptions o{fs::temp_directory_path() / ("xfrmpp-fuzz-knobs-" + std::to_string(::getpid()))};
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path file = [] {
    fs::create_directories(options().dir);
    auto ns = knobs::current_netns();
    return knobs::state_file(ns ? *ns : knobs::NetnsIdentity{}, options());
  }();
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    auto first = knobs::load_state(options());
    if (!first) return 0;  // refused with an error value
    (void)knobs::DefaultLevels(*first).level_for(model::Family::inet6, model::Protocol::esp, model::Mode::tunnel);
    if (!fuzz::enabled("roundtrip")) return 0;
    auto written = knobs::update_state(options(), [](knobs::KnobState&) {});
    fuzz::require(written.ok(), "roundtrip", "a loaded knob state does not save: " + (written ? std::string() : written.error().message));
    auto again = knobs::load_state(options());
    fuzz::require(again.ok(), "roundtrip", "a saved knob state does not load");
    fuzz::require(again->values == first->values, "roundtrip", "knob values changed through save");
  } catch (const std::exception& e) {
    fuzz::fail("exception", std::string("reading the knob state threw: ") + e.what());
  }
  return 0;
}
