// SPDX-License-Identifier: BSD-3-Clause
// The engine backend: opening, reading (dumps, gets, info), decide() and the transaction every change
// runs in. The changes themselves are in engine_apply.cpp, events in engine_events.cpp.
#include "xfrmpp/engine/engine_backend.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "engine_impl.hpp"
#include "journal.hpp"
#include "sa_merge.hpp"

namespace xfrmpp::engine {

uint64_t EngineBackend::Impl::now() const {
  if (options.clock) return options.clock();
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

Result<void> EngineBackend::Impl::refresh() {
  auto st = file.stamp();
  if (!st) return st.error();
  if (loaded && *st == stamp) return {};
  auto r = file.read();
  if (!r) return r.error();
  // What packets did since the file was last read (this process's sequence numbers, replay windows,
  // lifetime use) survives the re-read; a failed write (loaded == false) must not rewind it either.
  std::vector<SaRuntime> mine = runtime_of(state.sad);
  state = std::move(r->first);
  ++loads;
  merge_runtime(state.sad, mine, seq_reserve != 0);
  stamp = r->second;
  loaded = true;
  return {};
}

void EngineBackend::Impl::expire_larval(std::vector<Event>* events) {
  uint64_t t = now();
  auto gone = state.sad.erase_if([t](const SaEntry& e) { return e.larval && e.expires <= t; });
  if (!events) return;
  for (auto& e : gone) {
    Event ev;
    ev.kind = Event::Kind::expire;
    ev.hard = true;
    ev.sa = std::move(e.sa);
    events->push_back(std::move(ev));
  }
}

Result<void> EngineBackend::Impl::transact(const std::function<Result<void>(std::vector<Event>&, bool&)>& fn) {
  if (options.read_only) return make_error(EROFS, file.path().string() + ": the engine state was opened read-only");
  if (bulk_lock) {
    // Inside a bulk run the lock is ours already and the file is written once, at end_bulk().
    expire_larval(&bulk_events);
    bool changed = false;
    Result<void> result = fn(bulk_events, changed);
    bulk_changed |= changed;
    if (bulk_events.size() > kBulkEvents) {
      bulk_dropped += bulk_events.size() - kBulkEvents - (bulk_newest ? 0 : 1);
      bulk_newest = std::move(bulk_events.back());
      bulk_events.resize(kBulkEvents);
    }
    return result;
  }
  auto lock = file.lock();
  if (!lock) return lock.error();
  if (auto r = refresh(); !r) return r;
  std::vector<Event> events;
  expire_larval(&events);
  bool changed = !events.empty();
  Result<void> result = fn(events, changed);
  if (!changed) return result;
  if (auto w = persist(events); !w) return w;
  return result;
}

Result<void> EngineBackend::Impl::persist(std::vector<Event>& events, const Event* newest, size_t skipped) {
  state.generation++;
  uint64_t first_seq = state.next_event_seq;
  state.next_event_seq += events.size() + skipped + (newest ? 1 : 0);
  auto written = file.write(state);
  if (!written) {
    loaded = false;  // memory is ahead of the file: the next call re-reads it
    return written.error();
  }
  stamp = *written;
  // The state is the truth and is written; a journal that cannot be appended to costs subscribers an
  // overrun (they see the sequence gap), not the change.
  (void)journal_append(file.journal_path(), events, first_seq);
  if (newest) (void)journal_append(file.journal_path(), std::span<const Event>(newest, 1), first_seq + events.size() + skipped);
  return {};
}

Result<void> EngineBackend::begin_bulk() {
  if (impl_->options.read_only || impl_->bulk_lock) return {};
  auto lock = impl_->file.lock();
  if (!lock) return lock.error();
  if (auto r = impl_->refresh(); !r) return r;
  impl_->bulk_lock.emplace(std::move(*lock));
  impl_->bulk_changed = false;
  impl_->bulk_events.clear();
  return {};
}

Result<void> EngineBackend::end_bulk() {
  auto& m = *impl_;
  if (!m.bulk_lock) return {};
  Result<void> r;
  if (m.bulk_changed || !m.bulk_events.empty())
    r = m.persist(m.bulk_events, m.bulk_newest ? &*m.bulk_newest : nullptr, m.bulk_dropped);
  m.bulk_events.clear();
  m.bulk_newest.reset();
  m.bulk_dropped = 0;
  m.bulk_changed = false;
  m.bulk_lock.reset();
  return r;
}

Result<std::unique_ptr<EngineBackend>> EngineBackend::open(const EngineOptions& options) {
  if (options.state.empty()) return make_error(EINVAL, "the engine needs a state file path");
  auto impl = std::make_unique<Impl>(options);
  if (auto r = impl->refresh(); !r) return r.error();
  return std::unique_ptr<EngineBackend>(new EngineBackend(std::move(impl)));
}

EngineBackend::EngineBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
// A bulk run the caller did not end (an exception, an early return) is still written: what apply()
// reported as applied must stay applied, as it would in the kernel.
EngineBackend::~EngineBackend() { (void)end_bulk(); }

uint64_t EngineBackend::loads() const { return impl_->loads; }

Result<void> EngineBackend::refresh() {
  if (auto r = impl_->refresh(); !r) return r;
  impl_->expire_larval(nullptr);
  return {};
}

const Spd& EngineBackend::spd() const { return impl_->state.spd; }

// Dumps come newest first, as the kernel's (its policy_all and state_all lists grow at the head): the
// printers turn that back into load order, so a --save of either backend reloads in the order it was made.
Result<std::vector<model::Policy>> EngineBackend::dump_policies() {
  if (auto r = refresh(); !r) return r.error();
  auto out = impl_->state.spd.dump();
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::vector<model::SecurityAssociation>> EngineBackend::dump_sas(std::optional<model::Protocol> proto) {
  if (auto r = refresh(); !r) return r.error();
  std::vector<model::SecurityAssociation> out;
  for (const SaEntry* e : impl_->state.sad.entries())
    if (!proto || e->sa.proto == *proto) out.push_back(e->sa);
  std::reverse(out.begin(), out.end());
  return out;
}

// The state is in memory already: a visit copies one entry at a time (newest first, as the dumps), not all.
Result<void> EngineBackend::visit_policies(const DumpVisitor<model::Policy>& visitor) {
  if (auto r = refresh(); !r) return r.error();
  std::vector<const model::Policy*> order;
  order.reserve(impl_->state.spd.size());
  impl_->state.spd.for_each([&order](const model::Policy& p) { order.push_back(&p); });
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (auto r = visitor.entry(model::Policy(**it)); !r) return r;
  return {};
}

Result<void> EngineBackend::visit_sas(std::optional<model::Protocol> proto, const DumpVisitor<model::SecurityAssociation>& visitor) {
  if (auto r = refresh(); !r) return r.error();
  auto entries = impl_->state.sad.entries();
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (!proto || (*it)->sa.proto == *proto)
      if (auto r = visitor.entry(model::SecurityAssociation((*it)->sa)); !r) return r;
  return {};
}

Result<model::Policy> EngineBackend::get_policy(const model::PolicyId& id) {
  if (auto r = refresh(); !r) return r.error();
  auto p = impl_->state.spd.get(id);
  // xfrm_policy_byid: an index names a direction too; a mismatch finds nothing.
  if (p && id.index != 0 && (p->dir != id.dir || p->type != id.type)) return make_error(ENOENT, "No such file or directory");
  return p;
}

Result<model::SecurityAssociation> EngineBackend::get_sa(const model::SaId& id) {
  if (auto r = refresh(); !r) return r.error();
  const SaEntry* e = impl_->state.sad.find(id.dst, id.spi, id.proto, mark_value(id.mark));
  if (!e) return make_error(ESRCH, "No such process");
  return e->sa;
}

Result<model::DefaultPolicy> EngineBackend::get_default_policy() {
  if (auto r = refresh(); !r) return r.error();
  const auto& s = impl_->state;
  return model::DefaultPolicy{s.default_in, s.default_fwd, s.default_out};
}

Result<SpdInfo> EngineBackend::spd_info() {
  if (auto r = refresh(); !r) return r.error();
  const auto& s = impl_->state;
  SpdInfo info;
  s.spd.for_each([&](const model::Policy& p) {
    switch (p.dir) {
      case model::Direction::in: ++info.in; break;
      case model::Direction::out: ++info.out; break;
      case model::Direction::fwd: ++info.fwd; break;
    }
  });
  info.hash_count = hash_mask_for(s.spd.size());
  info.hash_max = 1u << 20;  // xfrm_policy_hashmax
  info.v4_lbits = s.v4_lbits;
  info.v4_rbits = s.v4_rbits;
  info.v6_lbits = s.v6_lbits;
  info.v6_rbits = s.v6_rbits;
  return info;
}

Result<SadInfo> EngineBackend::sad_info() {
  if (auto r = refresh(); !r) return r.error();
  SadInfo info;
  info.count = static_cast<uint32_t>(impl_->state.sad.size());
  info.hash_count = hash_mask_for(info.count);
  info.hash_max = 1u << 20;  // xfrm_state_hashmax
  return info;
}

Result<uint32_t> EngineBackend::get_host_knob(std::string_view name) {
  if (auto r = refresh(); !r) return r.error();
  return host_knob_value(impl_->state, name);
}

void EngineBackend::prepare_lookups() { impl_->state.spd.prepare(); }

Decision EngineBackend::decide(const Flow& flow) const {
  Decision d;
  const auto& s = impl_->state;
  d.policy = s.spd.lookup(flow);
  if (!d.policy) {
    d.action = Decision::Action::default_action;
    d.default_verdict = flow.dir == model::Direction::in    ? s.default_in
                        : flow.dir == model::Direction::fwd ? s.default_fwd
                                                            : s.default_out;
    return d;
  }
  switch (d.policy->kind) {
    case model::PolicyKind::discard: d.action = Decision::Action::block; break;
    case model::PolicyKind::ipsec:
      // An allow policy without templates lets the packet pass, as the kernel does.
      d.action = d.policy->templates.empty() ? Decision::Action::allow : Decision::Action::ipsec;
      break;
    case model::PolicyKind::none:
    case model::PolicyKind::entrust:
    case model::PolicyKind::bypass: d.action = Decision::Action::allow; break;
  }
  return d;
}

}  // namespace xfrmpp::engine
