// SPDX-License-Identifier: BSD-3-Clause
// EngineBackend's packet path members. Packets change the state in memory only; commit_packets() writes
// what they did under the state file's lock, replayed onto the file's state when another process
// changed it meanwhile (SA runtime fields merged by refresh() so that none moves back, drop counters added).
#include <algorithm>

#include "engine_impl.hpp"
#include "packet/path.hpp"
#include "packet/sa_runtime.hpp"
#include "xfrmpp/knobs/xfrm_stat.hpp"

namespace xfrmpp::engine {

namespace {

SaEntry* find_exact(Sad& sad, const model::SaKey& key) {
  SaEntry* e = sad.find(key.dst, key.spi, key.proto, mark_value(key.mark));
  return e && e->sa.key() == key ? e : nullptr;
}

bool same_larval(const SaEntry& a, const SaEntry& b) {
  return a.larval && b.larval && a.sa.src == b.sa.src && a.sa.dst == b.sa.dst && a.sa.proto == b.sa.proto &&
         a.sa.mode == b.sa.mode && a.sa.reqid == b.sa.reqid && a.sa.sel == b.sa.sel;
}

uint64_t oseq_of(const model::SecurityAssociation& sa) {
  return uint64_t{sa.replay_counters.oseq_hi} << 32 | sa.replay_counters.oseq;
}

void set_oseq(model::SecurityAssociation& sa, uint64_t v) {
  sa.replay_counters.oseq = static_cast<uint32_t>(v);
  sa.replay_counters.oseq_hi = static_cast<uint32_t>(v >> 32);
}

// What the file gets while a dataplane runs: each SA's outbound number `reserve` ahead, renewed once
// half of it is used, so that a successor after a crash starts above anything sent. `actual` keeps the
// true numbers for after the write. A number near the end of its space is not pushed past it.
// SAs that never sent are reserved for only when they leave from a local address (inbound ones keep 0).
void reserve_ahead(Sad& sad, uint64_t reserve, const std::function<bool(const model::Address&)>& is_local,
                   std::vector<std::pair<model::SaKey, uint64_t>>& actual) {
  sad.for_each([&](SaEntry& e) {
    if (e.larval) return;
    uint64_t now = oseq_of(e.sa);
    if (now == 0 && !e.oseq_reserved && !(is_local && is_local(e.sa.src))) return;
    uint64_t limit = packet::esn_of(e.sa) ? ~uint64_t{0} : 0xffffffffu;
    if (now + reserve / 2 > e.oseq_reserved) e.oseq_reserved = std::min(limit, now + reserve);
    if (e.oseq_reserved <= now) return;
    actual.emplace_back(e.sa.key(), now);
    set_oseq(e.sa, e.oseq_reserved);
  });
}

}  // namespace

PacketOutcome EngineBackend::output(std::span<const uint8_t> ip, std::vector<uint8_t>& out) {
  auto& m = *impl_;
  packet::PathContext c = m.path_context();
  return packet::run_output(c, ip, out, m.scratch);
}

PacketOutcome EngineBackend::input(std::span<const uint8_t> ip, std::vector<uint8_t>& out) {
  auto& m = *impl_;
  packet::PathContext c = m.path_context();
  return packet::run_input(c, ip, out, m.scratch);
}

packet::PathContext EngineBackend::Impl::path_context() {
  return packet::PathContext{state, now(), packet_log, &iv_source, ip_id, seq_reserve, &is_local};
}

void EngineBackend::run_timers() {
  auto& m = *impl_;
  packet::PathContext c = m.path_context();
  packet::run_timers(c);
}

Result<void> EngineBackend::commit_packets() {
  auto& m = *impl_;
  auto& log = m.packet_log;
  if (!log.dirty && !log.reserve_low && log.events.empty() && log.counters.empty() && log.larvals.empty() && log.deleted.empty()) return {};
  std::vector<std::pair<model::SaKey, uint64_t>> actual;  // true outbound numbers, where the file is ahead
  // The transaction re-reads the file when another process changed it; refresh() then carries what
  // packets did onto it (sa_merge.hpp).
  auto r = m.transact([&](std::vector<Event>& events, bool& changed) -> Result<void> {
    if (m.seq_reserve) reserve_ahead(m.state.sad, m.seq_reserve, m.is_local, actual);
    else m.state.sad.for_each([](SaEntry& e) { e.oseq_reserved = 0; });
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
  // The file holds the reservations; this process goes on from the numbers it really used.
  for (const auto& [key, oseq] : actual)
    if (SaEntry* e = find_exact(m.state.sad, key)) set_oseq(e->sa, oseq);
  if (!r) return r;
  log = packet::PacketLog{};
  return {};
}

void EngineBackend::set_local_address_test(std::function<bool(const model::Address&)> is_local) {
  impl_->is_local = std::move(is_local);
}

void EngineBackend::set_sequence_reserve(uint32_t n) {
  auto& m = *impl_;
  m.seq_reserve = n;
  // Turning it off must reach the file even when no packet moved, and turning it on must reserve
  // before the first packet.
  m.packet_log.dirty = true;
  m.packet_log.reserve_low = n != 0;
}

bool EngineBackend::commit_due() const {
  const auto& log = impl_->packet_log;
  return log.reserve_low || !log.events.empty();
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
