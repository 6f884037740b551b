// SPDX-License-Identifier: BSD-3-Clause
// Lookups per second of engine::Spd at 1k, 10k and 100k policies of the differential mix, the fast
// lookup next to the linear scan over the same policies and flows (bench/spd_lookup.sh runs it).
// Usage: spd_lookup_bench [SIZE...]; prints a table, one row per size and family.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "spd_mix.hpp"

using namespace xfrmpp;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <typename F>
double rate(const std::vector<engine::Flow>& flows, double min_seconds, F&& lookup, size_t& sink) {
  size_t n = 0;
  auto t0 = std::chrono::steady_clock::now();
  double t = 0;
  do {
    for (const auto& f : flows) sink += lookup(f) != nullptr;
    n += flows.size();
    t = seconds_since(t0);
  } while (t < min_seconds);
  return static_cast<double>(n) / t;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  fmt::print("{:>8} {:>6} {:>10} {:>14} {:>14} {:>9} {:>7}\n", "policies", "family", "load_s", "fast_lookups/s",
             "linear_lookups/s", "ratio", "hit%");
  size_t sink = 0;
  for (auto fam : {model::Family::inet, model::Family::inet6}) {
    for (size_t n : sizes) {
      testing::MixOptions o;
      o.seed = 42;
      o.family = fam;
      // The pools grow with the SPD so that policies stay spread (the kernel test's 64/16 at 1k).
      o.dst_hosts = std::max<size_t>(64, n / 16);
      o.src_hosts = std::max<size_t>(16, n / 64);
      testing::Mix mix(o);
      auto policies = mix.policies(n);
      engine::Spd spd;
      auto t0 = std::chrono::steady_clock::now();
      for (auto& p : policies)
        if (!spd.insert(std::move(p), false)) return 1;
      (void)spd.lookup(engine::Flow{});  // the SPD builds its lookup index at the first lookup: part of the load
      double load = seconds_since(t0);
      std::vector<engine::Flow> flows;
      for (int i = 0; i < 4096; ++i) flows.push_back(mix.flow());
      size_t hits = 0;
      for (const auto& f : flows) hits += spd.lookup(f) != nullptr;
      double fast = rate(flows, 1.0, [&](const engine::Flow& f) { return spd.lookup(f); }, sink);
      std::vector<engine::Flow> few(flows.begin(), flows.begin() + (n >= 100000 ? 64 : 512));
      double slow = rate(few, 1.0, [&](const engine::Flow& f) { return spd.lookup_linear(f); }, sink);
      fmt::print("{:>8} {:>6} {:>10.3f} {:>14.0f} {:>16.0f} {:>9.1f} {:>7.1f}\n", n,
                 fam == model::Family::inet ? "inet" : "inet6", load, fast, slow, fast / slow,
                 100.0 * static_cast<double>(hits) / static_cast<double>(flows.size()));
    }
  }
  return sink == 0 ? 1 : 0;
}
