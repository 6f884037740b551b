// SPDX-License-Identifier: BSD-3-Clause
#include "sa_merge.hpp"

#include <algorithm>

namespace xfrmpp::engine {

namespace {

uint64_t wide(uint32_t hi, uint32_t lo) { return uint64_t{hi} << 32 | lo; }

}  // namespace

std::vector<SaRuntime> runtime_of(const Sad& sad) {
  std::vector<SaRuntime> out;
  for (const SaEntry* e : sad.entries())
    if (!e->larval)
      out.push_back({e->sa.key(), e->sa.current.add_time, e->sa.replay_counters, e->sa.current, e->sa.stats, e->sa.last_used,
                     e->replay_bits, e->dying, e->oseq_reserved});
  return out;
}

void merge_runtime(Sad& sad, std::vector<SaRuntime>& mine, bool reserving) {
  for (auto& rt : mine) {
    SaEntry* e = sad.find(rt.key.dst, rt.key.spi, rt.key.proto, mark_value(rt.key.mark));
    if (!e || e->larval || !(e->sa.key() == rt.key) || e->sa.current.add_time != rt.add_time) continue;
    auto& rc = e->sa.replay_counters;
    uint64_t on_file = wide(rc.oseq_hi, rc.oseq);
    if (rt.oseq_reserved && on_file == rt.oseq_reserved) on_file = 0;
    uint64_t oseq = std::max(on_file, wide(rt.counters.oseq_hi, rt.counters.oseq));
    rc.oseq = static_cast<uint32_t>(oseq);
    rc.oseq_hi = static_cast<uint32_t>(oseq >> 32);
    if (wide(rt.counters.seq_hi, rt.counters.seq) >= wide(rc.seq_hi, rc.seq)) {
      rc.seq = rt.counters.seq;
      rc.seq_hi = rt.counters.seq_hi;
      e->replay_bits = std::move(rt.replay_bits);
    }
    auto& cur = e->sa.current;
    cur.bytes = std::max(cur.bytes, rt.current.bytes);
    cur.packets = std::max(cur.packets, rt.current.packets);
    cur.use_time = cur.use_time ? cur.use_time : rt.current.use_time;
    e->sa.stats.replay = std::max(e->sa.stats.replay, rt.stats.replay);
    e->sa.stats.replay_window = std::max(e->sa.stats.replay_window, rt.stats.replay_window);
    e->sa.stats.integrity_failed = std::max(e->sa.stats.integrity_failed, rt.stats.integrity_failed);
    e->sa.last_used = std::max(e->sa.last_used, rt.last_used);
    e->dying = e->dying || rt.dying;
    e->oseq_reserved = reserving ? rt.oseq_reserved : 0;
  }
}

}  // namespace xfrmpp::engine
