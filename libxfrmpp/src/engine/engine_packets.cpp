// SPDX-License-Identifier: BSD-3-Clause
// EngineBackend's packet path members. Packets change the state in memory only; commit_packets() writes
// what they did under the state file's lock, replayed onto the file's state when another process
// changed it meanwhile (SA runtime fields merged so that none moves back, drop counters added).
#include <algorithm>

#include "engine_impl.hpp"
#include "packet/path.hpp"
#include "xfrmpp/knobs/xfrm_stat.hpp"

namespace xfrmpp::engine {

namespace {

// An SA's fields that packets change.
struct SaRuntime {
  model::SaKey key;
  model::ReplayCounters counters;
  model::LifetimeCurrent current;
  model::SaStats stats;
  uint64_t last_used = 0;
  std::vector<uint64_t> replay_bits;
  bool dying = false;
};

SaEntry* find_exact(Sad& sad, const model::SaKey& key) {
  SaEntry* e = sad.find(key.dst, key.spi, key.proto, mark_value(key.mark));
  return e && e->sa.key() == key ? e : nullptr;
}

bool same_larval(const SaEntry& a, const SaEntry& b) {
  return a.larval && b.larval && a.sa.src == b.sa.src && a.sa.dst == b.sa.dst && a.sa.proto == b.sa.proto &&
         a.sa.mode == b.sa.mode && a.sa.reqid == b.sa.reqid && a.sa.sel == b.sa.sel;
}

}  // namespace

PacketOutcome EngineBackend::output(std::span<const uint8_t> ip, std::vector<uint8_t>& out) {
  auto& m = *impl_;
  packet::PathContext c{m.state, m.now(), m.packet_log, &m.iv_source, m.ip_id};
  return packet::run_output(c, ip, out, m.scratch);
}

PacketOutcome EngineBackend::input(std::span<const uint8_t> ip, std::vector<uint8_t>& out) {
  auto& m = *impl_;
  packet::PathContext c{m.state, m.now(), m.packet_log, &m.iv_source, m.ip_id};
  return packet::run_input(c, ip, out, m.scratch);
}

Result<void> EngineBackend::commit_packets() {
  auto& m = *impl_;
  auto& log = m.packet_log;
  if (!log.dirty && log.events.empty() && log.counters.empty() && log.larvals.empty() && log.deleted.empty()) return {};
  std::vector<SaRuntime> runtime;
  for (const SaEntry* e : m.state.sad.entries())
    if (!e->larval)
      runtime.push_back({e->sa.key(), e->sa.replay_counters, e->sa.current, e->sa.stats, e->sa.last_used, e->replay_bits, e->dying});
  auto r = m.transact([&](std::vector<Event>& events, bool& changed) -> Result<void> {
    for (auto& rt : runtime) {
      SaEntry* e = find_exact(m.state.sad, rt.key);
      if (!e) continue;  // deleted meanwhile
      // Nothing moves back: another process may have sent or taken packets on the same SA meanwhile
      // (its outbound sequence numbers must not be reused, its replay window not reopened, its
      // lifetime use not forgotten). Counts from both are not added: each is a total, the larger wins.
      auto& rc = e->sa.replay_counters;
      auto wide = [](uint32_t hi, uint32_t lo) { return uint64_t{hi} << 32 | lo; };
      uint64_t oseq = std::max(wide(rc.oseq_hi, rc.oseq), wide(rt.counters.oseq_hi, rt.counters.oseq));
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
    }
    for (const auto& key : log.deleted)
      if (SaEntry* e = find_exact(m.state.sad, key)) m.state.sad.erase(e);
    for (auto& l : log.larvals) {
      bool present = false;
      for (const SaEntry* e : m.state.sad.entries()) present = present || same_larval(*e, l);
      if (!present) m.state.sad.insert(std::move(l));
    }
    for (const auto& [name, value] : log.counters) m.state.counters[name] += value;
    events.insert(events.end(), log.events.begin(), log.events.end());
    changed = true;
    return {};
  });
  if (!r) return r;
  log = packet::PacketLog{};
  return {};
}

const std::vector<Event>& EngineBackend::packet_events() const { return impl_->packet_log.events; }

std::vector<PacketCounter> EngineBackend::packet_counters() const {
  std::vector<PacketCounter> out;
  const auto& saved = impl_->state.counters;
  const auto& fresh = impl_->packet_log.counters;
  for (const auto& info : knobs::counter_explanations()) {
    uint64_t v = 0;
    if (auto it = saved.find(info.name); it != saved.end()) v += it->second;
    if (auto it = fresh.find(info.name); it != fresh.end()) v += it->second;
    out.push_back({info.name, v});
  }
  return out;
}

void EngineBackend::set_iv_source(IvSource source) { impl_->iv_source = std::move(source); }

}  // namespace xfrmpp::engine
