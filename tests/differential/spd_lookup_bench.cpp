// SPDX-License-Identifier: BSD-3-Clause
// Lookups per second of engine::Spd at 1k, 10k and 100k policies of the differential mix: the index
// kept up to date on every change (trie), the compiled one (fast: after Spd::prepare, as the engine
// runs), and the linear scan over the same policies and flows (bench/spd_lookup.sh runs it). The
// three must agree on every flow, or the bench fails.
// Usage: spd_lookup_bench [--fast-only] [SIZE...]; prints a table, one row per size and family.
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
  bool fast_only = false;  // --fast-only: no linear scan (for profiling the fast lookup alone)
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--fast-only")
      fast_only = true;
    else
      sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  }
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  fmt::print("{:>8} {:>6} {:>8} {:>9} {:>14} {:>14} {:>16} {:>9} {:>6}\n", "policies", "family", "load_s", "prepare_s",
             "trie_lookups/s", "fast_lookups/s", "linear_lookups/s", "fast/lin", "hit%");
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
      // The index kept up to date on every change, then the compiled one; both must give the same answers.
      std::vector<const model::Policy*> live;
      for (const auto& f : flows) live.push_back(spd.lookup(f));
      double trie = rate(flows, 1.0, [&](const engine::Flow& f) { return spd.lookup(f); }, sink);
      auto t1 = std::chrono::steady_clock::now();
      spd.prepare();
      double prep = seconds_since(t1);
      size_t hits = 0;
      for (size_t i = 0; i < flows.size(); ++i) {
        const model::Policy* p = spd.lookup(flows[i]);
        if (p != live[i]) {
          fmt::print(stderr, "spd_lookup_bench: flow {} of {} policies: the compiled lookup disagrees\n", i, n);
          return 1;
        }
        hits += p != nullptr;
      }
      double fast = rate(flows, 1.0, [&](const engine::Flow& f) { return spd.lookup(f); }, sink);
      std::vector<engine::Flow> few(flows.begin(), flows.begin() + (n >= 100000 ? 64 : 512));
      for (const auto& f : few)
        if (spd.lookup_linear(f) != spd.lookup(f)) {
          fmt::print(stderr, "spd_lookup_bench: {} policies: the linear scan disagrees\n", n);
          return 1;
        }
      double slow =
          fast_only ? 0.0 : rate(few, 1.0, [&](const engine::Flow& f) { return spd.lookup_linear(f); }, sink);
      fmt::print("{:>8} {:>6} {:>8.3f} {:>9.3f} {:>14.0f} {:>14.0f} {:>16.0f} {:>9.1f} {:>6.1f}\n", n,
                 fam == model::Family::inet ? "inet" : "inet6", load, prep, trie, fast, slow,
                 fast_only ? 0.0 : fast / slow, 100.0 * static_cast<double>(hits) / static_cast<double>(flows.size()));
    }
  }
  return sink == 0 ? 1 : 0;
}
