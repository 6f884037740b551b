// SPDX-License-Identifier: BSD-3-Clause
#include "sa_runtime.hpp"

#include "../engine_impl.hpp"
#include "counters.hpp"
#include "replay_window.hpp"

namespace xfrmpp::engine::packet {

uint32_t PathContext::knob(std::string_view name) const {
  auto v = host_knob_value(state, name);
  return v ? *v : 0;
}

void count(PacketLog& log, std::string_view counter) {
  auto it = log.counters.find(counter);
  if (it == log.counters.end()) it = log.counters.emplace(std::string(counter), 0).first;
  ++it->second;
}

PacketOutcome dropped(PathContext& c, Drop d, PacketOutcome o) {
  count(c.log, d.counter);
  o.verdict = PacketOutcome::Verdict::drop;
  o.counter = d.counter;
  o.reason = d.reason;
  return o;
}

Result<SaCrypto*> crypto_of(SaEntry& e) {
  if (e.crypto) return e.crypto.get();
  auto c = std::make_shared<SaCrypto>();
  if (e.sa.proto == model::Protocol::esp) {
    auto t = crypto::EspTransform::make(e.sa);
    if (!t) return t.error();
    c->esp = std::move(*t);
  } else if (e.sa.proto == model::Protocol::ah) {
    if (!e.sa.auth) return make_error(EINVAL, "AH SA without an authentication algorithm");
    auto m = crypto::Mac::make(*e.sa.auth);
    if (!m) return m.error();
    c->mac = std::move(*m);
  }
  e.crypto = std::move(c);
  return e.crypto.get();
}

namespace {

void expire_event(PathContext& c, const SaEntry& e, bool hard) {
  Event ev;
  ev.kind = Event::Kind::expire;
  ev.sa = e.sa;
  ev.hard = hard;
  c.log.events.push_back(std::move(ev));
}

bool time_passed(uint64_t since, uint64_t seconds, uint64_t now) { return since && seconds && now >= since + seconds; }

void soft_check(PathContext& c, SaEntry& e) {
  const auto& l = e.sa.limits;
  const auto& cur = e.sa.current;
  if (e.dying) return;
  if (cur.bytes >= l.soft_bytes || cur.packets >= l.soft_packets || time_passed(cur.add_time, l.soft_add_seconds, c.now) ||
      time_passed(cur.use_time, l.soft_use_seconds, c.now)) {
    e.dying = true;
    expire_event(c, e, false);
  }
}

}  // namespace

bool check_expired(PathContext& c, SaEntry*& e) {
  auto& cur = e->sa.current;
  if (!cur.use_time) cur.use_time = c.now;
  c.log.dirty = true;
  const auto& l = e->sa.limits;
  if (cur.bytes >= l.hard_bytes || cur.packets >= l.hard_packets || time_passed(cur.add_time, l.hard_add_seconds, c.now) ||
      time_passed(cur.use_time, l.hard_use_seconds, c.now)) {
    expire_event(c, *e, true);
    c.log.deleted.push_back(e->sa.key());
    c.state.sad.erase(e);
    e = nullptr;
    return true;
  }
  soft_check(c, *e);
  return false;
}

void run_timers(PathContext& c) {
  std::vector<const SaEntry*> hard;
  c.state.sad.for_each([&](SaEntry& e) {
    if (e.larval) return;  // a larval SA's time is the ACQUIRE's, kept by the transaction
    const auto& l = e.sa.limits;
    const auto& cur = e.sa.current;
    if (time_passed(cur.add_time, l.hard_add_seconds, c.now) || time_passed(cur.use_time, l.hard_use_seconds, c.now)) {
      hard.push_back(&e);
      return;
    }
    if (!e.dying && (time_passed(cur.add_time, l.soft_add_seconds, c.now) || time_passed(cur.use_time, l.soft_use_seconds, c.now))) {
      e.dying = true;
      expire_event(c, e, false);
      c.log.dirty = true;
    }
  });
  for (const SaEntry* e : hard) {
    expire_event(c, *e, true);
    c.log.deleted.push_back(e->sa.key());
    c.state.sad.erase(e);
    c.log.dirty = true;
  }
}

void account(PathContext& c, SaEntry& e, uint64_t bytes) {
  e.sa.current.bytes += bytes;
  e.sa.current.packets += 1;
  e.sa.last_used = c.now;
}

namespace {

// The window of `e` as a ReplayWindow, which borrows the entry's bits for as long as it lives.
struct BorrowedWindow {
  SaEntry& e;
  ReplayWindow w;
  explicit BorrowedWindow(SaEntry& entry)
      : e(entry),
        w{entry.sa.replay.window, esn_of(entry.sa),
          uint64_t{entry.sa.replay_counters.seq_hi} << 32 | entry.sa.replay_counters.seq, {}} {
    w.bits.swap(e.replay_bits);
    if (w.window && w.bits.size() != (w.window + 63) / 64) w.bits.assign((w.window + 63) / 64, 0);
  }
  ~BorrowedWindow() { w.bits.swap(e.replay_bits); }
  BorrowedWindow(const BorrowedWindow&) = delete;
  BorrowedWindow& operator=(const BorrowedWindow&) = delete;
};

}  // namespace

Step check_replay(SaEntry& e, uint32_t seq_lo, uint64_t& seq) {
  BorrowedWindow b(e);
  seq = b.w.infer(seq_lo);
  switch (b.w.check(seq)) {
    case ReplayWindow::Check::ok: return std::nullopt;
    case ReplayWindow::Check::too_old:
      ++e.sa.stats.replay_window;
      return Drop{ctr::in_seq_error, "sequence number below the replay window"};
    case ReplayWindow::Check::replayed:
      ++e.sa.stats.replay;
      return Drop{ctr::in_seq_error, "replayed packet"};
    case ReplayWindow::Check::zero: break;
  }
  return Drop{ctr::in_seq_error, "sequence number 0"};
}

void accept_replay(SaEntry& e, uint64_t seq) {
  BorrowedWindow b(e);
  b.w.accept(seq);
  e.sa.replay_counters.seq = static_cast<uint32_t>(b.w.top);
  if (b.w.esn) e.sa.replay_counters.seq_hi = static_cast<uint32_t>(b.w.top >> 32);
}

bool selector_matches(const model::Selector& sel, const Flow& flow) {
  if (sel.family == model::Family::unspec) return true;
  if (sel.family != flow.family) return false;
  model::Policy p;
  p.sel = sel;
  return matches(p, flow);
}

SaChoice find_outbound_sa(EngineState& s, const model::Template& t, const model::Address& src,
                          const model::Address& dst, const Flow& flow, uint32_t if_id) {
  SaChoice best;
  s.sad.for_each_at(dst, [&](SaEntry& e) {
    const auto& sa = e.sa;
    if (sa.proto != t.proto || sa.mode != t.mode || sa.reqid != t.reqid) return;
    if (t.spi && sa.spi != t.spi) return;
    if (!src.is_zero() && !sa.src.is_zero() && sa.src != src) return;  // a template's unset source matches any
    if (sa.flags & model::sa_flag::wildrecv) return;
    // (mark & m) == v with the packet's mark, which is always 0 here.
    if (sa.if_id.value_or(0) != if_id || (sa.mark && sa.mark->value != 0)) return;
    if (e.larval) {
      best.larval = true;
      return;
    }
    if (!selector_matches(sa.sel, flow)) return;
    if (!best.sa || (best.sa->dying && !e.dying) ||
        (best.sa->dying == e.dying && best.sa->sa.current.add_time <= sa.current.add_time))
      best.sa = &e;
  });
  return best;
}

}  // namespace xfrmpp::engine::packet
