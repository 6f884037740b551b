// SPDX-License-Identifier: BSD-3-Clause
// subscribe(): an EventStream that tails the journal other processes' changes append to.
#include <chrono>
#include <thread>

#include "engine_impl.hpp"
#include "journal.hpp"

namespace xfrmpp::engine {

namespace {

// The journal is polled: short enough that `setkey -x` feels live, long enough to cost nothing idle.
constexpr int kPollMs = 10;

EventGroup group_of(Event::Kind k) {
  using K = Event::Kind;
  switch (k) {
    case K::new_sa:
    case K::update_sa:
    case K::delete_sa:
    case K::flush_sa: return EventGroup::sa;
    case K::new_policy:
    case K::update_policy:
    case K::delete_policy:
    case K::flush_policy:
    case K::default_policy: return EventGroup::policy;
    case K::acquire: return EventGroup::acquire;
    case K::expire:
    case K::policy_expire: return EventGroup::expire;
    case K::new_ae: return EventGroup::aevents;
    case K::mapping: return EventGroup::mapping;
    case K::report: return EventGroup::report;
    case K::overrun:
    case K::other: break;
  }
  return EventGroup::migrate;
}

class EngineEventStream final : public EventStream {
 public:
  EngineEventStream(JournalReader reader, std::vector<EventGroup> groups)
      : reader_(std::move(reader)), groups_(std::move(groups)) {}

  Result<std::vector<Event>> next(int timeout_ms) override {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
      auto got = reader_.poll();
      if (!got) return got.error();
      std::vector<Event> out;
      for (auto& e : *got)
        if (wanted(e)) out.push_back(std::move(e));
      if (!out.empty()) return out;
      if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
  }

 private:
  bool wanted(const Event& e) const {
    // An overrun concerns every subscriber; an undecodable record is passed on as the kernel stream does.
    if (e.kind == Event::Kind::overrun || e.kind == Event::Kind::other) return true;
    EventGroup g = group_of(e.kind);
    for (EventGroup w : groups_)
      if (w == g) return true;
    return false;
  }

  JournalReader reader_;
  std::vector<EventGroup> groups_;
};

}  // namespace

Result<std::unique_ptr<EventStream>> EngineBackend::subscribe(std::span<const EventGroup> groups) {
  if (auto r = impl_->refresh(); !r) return r.error();
  JournalReader reader(impl_->file.journal_path());
  if (auto r = reader.start(impl_->state.next_event_seq); !r) return r.error();
  return std::unique_ptr<EventStream>(
      new EngineEventStream(std::move(reader), std::vector<EventGroup>(groups.begin(), groups.end())));
}

}  // namespace xfrmpp::engine
