// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf's rule record (/run/xfrmpp/ipsecconf/netns-<inode>.json), read through StateFile::open as
// `ipsecconf -l` reads it: no sanitizer report and no escaped exception on any file content; a record that
// loads saves and loads back to the same state. The file lives in a private directory of this process.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "state.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/knobs/state.hpp"

namespace {

using namespace xfrmpp;
namespace fs = std::filesystem;
using tools::ipsecconf::State;
using tools::ipsecconf::StateFile;

const fs::path& dir() {
  static const fs::path d = fs::temp_directory_path() / ("xfrmpp-fuzz-ipsecconf-" + std::to_string(::getpid()));
  return d;
}

std::string same(const State& a, const State& b) {
  if (a.next_index != b.next_index || a.next_base != b.next_base || a.ike_bypass != b.ike_bypass) return "header";
  if (a.rules.size() != b.rules.size()) return "rule count";
  for (size_t i = 0; i < a.rules.size(); ++i) {
    const auto &x = a.rules[i], &y = b.rules[i];
    if (x.index != y.index || x.tunnel != y.tunnel || x.text != y.text || x.origin != y.origin || x.entries.size() != y.entries.size())
      return "rule " + std::to_string(i);
    for (size_t k = 0; k < x.entries.size(); ++k) {
      const auto &e = x.entries[k], &f = y.entries[k];
      if (e.text != f.text || e.base != f.base || e.priority != f.priority || e.policies != f.policies)
        return "rule " + std::to_string(i) + " entry " + std::to_string(k);
    }
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path file = [] {
    fs::create_directories(dir());
    auto ns = knobs::current_netns();
    return dir() / ("netns-" + std::to_string(ns ? ns->inode : 0) + ".json");
  }();
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  State first;
  try {
    auto f = StateFile::open(dir());
    if (!f) return 0;  // refused with an error value: what a corrupt record must get
    first = f->state();
    if (!fuzz::enabled("roundtrip")) return 0;
    auto saved = f->save();
    fuzz::require(saved.ok(), "roundtrip", "a loaded record does not save");
  } catch (const std::exception& e) {
    fuzz::fail("exception", std::string("reading the rule record threw: ") + e.what());
  }
  try {
    auto g = StateFile::open(dir());
    fuzz::require(g.ok(), "roundtrip", "a saved record does not load: " + (g ? std::string() : g.error().message));
    std::string diff = same(first, g->state());
    fuzz::require(diff.empty(), "roundtrip", "the record changed through save: " + diff);
  } catch (const std::exception& e) {
    fuzz::fail("exception", std::string("reading a saved rule record threw: ") + e.what());
  }
  return 0;
}
