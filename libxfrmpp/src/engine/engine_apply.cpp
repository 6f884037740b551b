// SPDX-License-Identifier: BSD-3-Clause
// The engine's changes: policy and SA add/update/delete with the kernel's rules and errnos, flushes,
// getspi's larval SAs, the default policy, the SPD hash thresholds and the host knobs.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>

#include "engine_impl.hpp"
#include "validate.hpp"

namespace xfrmpp::engine {

namespace {

Event event_of(Event::Kind kind) {
  Event e;
  e.kind = kind;
  return e;
}

ChangeError change_error(size_t tag, int code, std::string extack) {
  return ChangeError{tag, code, std::strerror(code), std::move(extack)};
}

struct Outcome {
  int code = 0;
  std::string extack;
};

Outcome fail(int code, std::string extack = {}) { return Outcome{code, std::move(extack)}; }
Outcome fail(const Rejection& r) { return Outcome{r.code, r.extack}; }

model::PolicyId id_of(const model::Policy& p) {
  return model::PolicyId{p.sel, p.dir, p.index, p.mark, p.if_id, p.ctx, p.type};
}

// Applies one change to `s`; events go to `events`.
class Applier {
 public:
  using Emit = std::function<void(Event&&)>;
  Applier(EngineState& s, Emit emit, uint64_t now) : s_(s), emit_(std::move(emit)), now_(now) {}

  Outcome apply(const Change& c) {
    return std::visit(
        [&](const auto& target) -> Outcome {
          using T = std::decay_t<decltype(target)>;
          if constexpr (std::is_same_v<T, model::Policy>) {
            if (c.verb == Change::Verb::remove) return remove_policy(id_of(target));
            return add_policy(target, c.verb == Change::Verb::update);
          } else if constexpr (std::is_same_v<T, model::PolicyId>) {
            if (c.verb != Change::Verb::remove) return fail(EINVAL, "a policy id can only be removed");
            return remove_policy(target);
          } else if constexpr (std::is_same_v<T, model::SecurityAssociation>) {
            if (c.verb == Change::Verb::remove) return remove_sa(target.id());
            return c.verb == Change::Verb::update ? update_sa(target) : add_sa(target);
          } else {
            if (c.verb != Change::Verb::remove) return fail(EINVAL, "an SA id can only be removed");
            return remove_sa(target);
          }
        },
        c.target);
  }

 private:
  // xfrm_gen_index: a requested index when it is free, else the next free one of the generator.
  uint32_t gen_index(model::Direction dir, uint32_t requested) {
    for (;;) {
      uint32_t idx;
      if (requested != 0) {
        idx = requested;
        requested = 0;
      } else {
        idx = s_.idx_generator | static_cast<uint32_t>(dir);
        s_.idx_generator += 8;
      }
      if (idx == 0) idx = 8;
      if (!s_.spd.has_index(idx)) return idx;
    }
  }

  Outcome add_policy(model::Policy p, bool update) {
    if (p.sel.family == model::Family::unspec)
      p.sel.family = !p.sel.src.addr.is_unspec() ? p.sel.src.addr.family : p.sel.dst.addr.family;
    if (auto r = validate_policy(p)) return fail(r);
    for (auto& t : p.templates)
      if (t.family == model::Family::unspec) t.family = p.sel.family;
    model::PolicyId key_id = id_of(p);
    key_id.index = 0;
    auto old = s_.spd.get(key_id);
    if (old && !update) return fail(EEXIST);
    // xfrm_policy_insert: a replaced policy keeps its index; a new one gets the requested or a generated one.
    p.index = old ? old->index : gen_index(p.dir, p.index);
    p.current = model::LifetimeCurrent{};
    p.current.add_time = now_;
    auto in = s_.spd.insert(std::move(p), update);
    if (!in) return fail(in.error().code, in.error().message);
    Event e = event_of(update ? Event::Kind::update_policy : Event::Kind::new_policy);
    e.policy = std::move(*in);
    emit_(std::move(e));
    return {};
  }

  Outcome remove_policy(const model::PolicyId& id) {
    if (id.index != 0) {
      auto p = s_.spd.get(id);
      if (!p || p->dir != id.dir || p->type != id.type) return fail(ENOENT);
    }
    auto gone = s_.spd.remove(id);
    if (!gone) return fail(gone.error().code);
    Event e = event_of(Event::Kind::delete_policy);
    e.policy = std::move(*gone);
    emit_(std::move(e));
    return {};
  }

  static model::SecurityAssociation normalised(model::SecurityAssociation sa) {
    sa.family = sa_family(sa);
    // A transport-mode SA without a selector family reads back with the SA's family (0.0.0.0/0 or ::/0):
    // seen on Debian's 6.1 kernel (tests/vm/scenarios/engine_agrees_sa.sh); tunnel-mode SAs stay unspec.
    if (sa.mode == model::Mode::transport && sa.sel.family == model::Family::unspec) {
      sa.sel.family = sa.family;
      for (model::Prefix* pre : {&sa.sel.src, &sa.sel.dst})
        if (pre->addr.is_unspec()) pre->addr.family = sa.family;
    }
    return sa;
  }

  Outcome add_sa(const model::SecurityAssociation& in) {
    if (auto r = validate_sa(in)) return fail(r);
    auto sa = normalised(in);
    // xfrm_state_add: any SA with this (daddr, spi, proto, mark), larval ones from getspi included.
    if (s_.sad.find(sa.dst, sa.spi, sa.proto, mark_value(sa.mark))) return fail(EEXIST);
    // A larval SA waiting for this sequence number (same protocol and destination) is completed: replaced.
    if (const SaEntry* l = s_.sad.find_larval_by_seq(sa.seq); l && l->sa.proto == sa.proto && l->sa.dst == sa.dst)
      s_.sad.erase(l);
    sa.current = model::LifetimeCurrent{};
    sa.current.add_time = now_;
    s_.sad.insert(SaEntry::of(sa));
    Event e = event_of(Event::Kind::new_sa);
    e.sa = std::move(sa);
    emit_(std::move(e));
    return {};
  }

  // xfrm_state_update: a larval SA is replaced by the full one; a complete SA only takes the new
  // encapsulation ports (same type), care-of address and lifetime limits.
  Outcome update_sa(const model::SecurityAssociation& in) {
    if (auto r = validate_sa(in)) return fail(r);
    auto sa = normalised(in);
    const SaEntry* old = s_.sad.find(sa.dst, sa.spi, sa.proto, mark_value(sa.mark));
    if (!old) return fail(ESRCH);
    SaEntry next = *old;
    if (old->larval) {
      if (sa.dir && old->sa.dir != sa.dir) return fail(ESRCH);
      sa.current = model::LifetimeCurrent{};
      sa.current.add_time = now_;
      next = SaEntry::of(sa);
    } else {
      if (old->sa.dir != sa.dir) return fail(ESRCH);
      auto& x1 = next.sa;
      if (sa.encap && x1.encap && sa.encap->type == x1.encap->type) x1.encap = sa.encap;
      else if (sa.encap || x1.encap) return fail(EINVAL);
      if (sa.coaddr && x1.coaddr) x1.coaddr = sa.coaddr;
      x1.limits = sa.limits;
    }
    Event e = event_of(Event::Kind::update_sa);
    e.sa = next.sa;
    s_.sad.replace(old, std::move(next));
    emit_(std::move(e));
    return {};
  }

  Outcome remove_sa(const model::SaId& id) {
    const SaEntry* old = s_.sad.find(id.dst, id.spi, id.proto, mark_value(id.mark));
    if (!old) return fail(ESRCH);
    Event e = event_of(Event::Kind::delete_sa);
    e.sa = old->sa;
    s_.sad.erase(old);
    emit_(std::move(e));
    return {};
  }

  EngineState& s_;
  Emit emit_;  // where events go (EngineBackend::Impl::emit)
  uint64_t now_;
  // Every index in use, built on the first collision check of an apply and kept current by add_policy.
};

}  // namespace

ApplyReport EngineBackend::apply(std::span<const Change> changes, const ApplyOptions& options) {
  ApplyReport report;
  if (changes.empty()) return report;
  auto r = impl_->transact([&](std::vector<Event>& events, bool& changed) -> Result<void> {
    // Events are large: no reallocation in a batch (a bulk run keeps no more than kBulkEvents).
    events.reserve(impl_->bulk_lock ? Impl::kBulkEvents : events.size() + changes.size());
    Applier a(impl_->state, [&](Event&& e) { impl_->emit(events, std::move(e)); }, impl_->now());
    for (size_t i = 0; i < changes.size(); ++i) {
      Outcome o = a.apply(changes[i]);
      if (o.code == 0) {
        ++report.applied;
        report.applied_tags.push_back(changes[i].tag);
        changed = true;
        continue;
      }
      report.errors.push_back(change_error(changes[i].tag, o.code, std::move(o.extack)));
      if (options.stop_at_first_error) {
        report.stopped_early = i + 1 < changes.size();
        break;
      }
    }
    return {};
  });
  if (!r) {
    // Nothing reached the file: every change fails with the reason (a lock or write error, read-only...).
    std::vector<ChangeError> errors;
    for (const Change& c : changes) errors.push_back(ChangeError{c.tag, r.error().code, r.error().message, {}});
    report = ApplyReport{};
    report.errors = std::move(errors);
  }
  return report;
}

Result<void> EngineBackend::flush_policies() {
  return impl_->transact([&](std::vector<Event>& events, bool& changed) -> Result<void> {
    auto& spd = impl_->state.spd;
    // xfrm_policy_flush: the main type only; an empty table is not an error and sends no event.
    std::vector<model::PolicyId> doomed;
    spd.for_each([&](const model::Policy& p) {
      if (p.type == model::PolicyType::main) doomed.push_back(id_of(p));
    });
    if (doomed.empty()) return {};
    if (doomed.size() == spd.size()) {
      spd.clear();
    } else {
      for (const auto& id : doomed) (void)spd.remove(id);
    }
    events.push_back(event_of(Event::Kind::flush_policy));
    changed = true;
    return {};
  });
}

Result<void> EngineBackend::flush_sas(std::optional<model::Protocol> proto) {
  return impl_->transact([&](std::vector<Event>& events, bool& changed) -> Result<void> {
    auto gone = impl_->state.sad.erase_if([&](const SaEntry& e) { return !proto || e.sa.proto == *proto; });
    if (gone.empty()) return {};
    Event e = event_of(Event::Kind::flush_sa);
    if (proto) {
      e.sa = model::SecurityAssociation{};
      e.sa->proto = *proto;
    }
    events.push_back(std::move(e));
    changed = true;
    return {};
  });
}

Result<model::SecurityAssociation> EngineBackend::alloc_spi(const model::SecurityAssociation& want, uint32_t min,
                                                            uint32_t max) {
  if (auto r = validate_spi_range(want.proto, min, max)) return make_error(r.code, r.extack);
  model::Family fam = sa_family(want);
  if (fam != model::Family::inet && fam != model::Family::inet6) return make_error(EINVAL, "Invalid address family");
  model::SecurityAssociation out;
  auto r = impl_->transact([&](std::vector<Event>&, bool& changed) -> Result<void> {
    auto& sad = impl_->state.sad;
    // xfrm_alloc_userspi: the larval SA of this sequence number, when it already has an SPI, is the answer.
    if (const SaEntry* l = sad.find_larval_by_seq(want.seq); l && l->sa.dst == want.dst) {
      out = l->sa;
      return {};
    }
    uint32_t mark = mark_value(want.mark);
    auto free = [&](uint32_t spi) { return spi != 0 && !sad.find(want.dst, spi, want.proto, mark); };
    uint32_t spi = 0;
    if (min == max) {
      if (!free(min)) return make_error(ENOENT, "Requested SPI is already in use");
      spi = min;
    } else {
      uint64_t span = uint64_t{max} - min + 1;
      std::uniform_int_distribution<uint64_t> pick(0, span - 1);
      uint64_t start = pick(impl_->rng);
      // Random first, as the kernel; then a bounded walk so a nearly full small range still finds a hole.
      uint64_t tries = std::min<uint64_t>(span, 1u << 16);
      for (uint64_t i = 0; i < tries && spi == 0; ++i) {
        uint32_t cand = static_cast<uint32_t>(min + (start + i) % span);
        if (free(cand)) spi = cand;
      }
      if (spi == 0) return make_error(ENOENT, "No SPI available in the requested range");
    }
    model::SecurityAssociation sa;
    sa.family = fam;
    sa.src = want.src;
    sa.dst = want.dst;
    sa.proto = want.proto;
    sa.spi = spi;
    sa.mode = want.mode;
    sa.reqid = want.reqid;
    sa.mark = want.mark;
    sa.if_id = want.if_id;
    sa.seq = want.seq;
    // __find_acq_core: the larval SA selects exactly its two addresses.
    sa.sel.family = fam;
    sa.sel.src = model::Prefix{want.src, want.src.max_prefix()};
    sa.sel.dst = model::Prefix{want.dst, want.dst.max_prefix()};
    uint64_t now = impl_->now();
    sa.limits.hard_add_seconds = kLarvalSeconds;
    sa.current.add_time = now;
    sad.insert(SaEntry::of(sa, true, now + kLarvalSeconds));
    out = sa;
    changed = true;
    return {};
  });
  if (!r) return r.error();
  return out;
}

Result<void> EngineBackend::set_default_policy(const model::DefaultPolicy& d) {
  return impl_->transact([&](std::vector<Event>& events, bool& changed) -> Result<void> {
    auto& s = impl_->state;
    if (d.in) s.default_in = *d.in;
    if (d.fwd) s.default_fwd = *d.fwd;
    if (d.out) s.default_out = *d.out;
    Event e = event_of(Event::Kind::default_policy);
    e.defaults = model::DefaultPolicy{s.default_in, s.default_fwd, s.default_out};
    events.push_back(std::move(e));
    changed = true;
    return {};
  });
}

Result<void> EngineBackend::set_spd_hash_thresholds(uint8_t v4_lbits, uint8_t v4_rbits, uint8_t v6_lbits,
                                                    uint8_t v6_rbits) {
  if (v4_lbits > 32 || v4_rbits > 32) return make_error(EINVAL, "Invalid hash threshold (must be <= 32 for IPv4)");
  if (v6_lbits > 128 || v6_rbits > 128) return make_error(EINVAL, "Invalid hash threshold (must be <= 128 for IPv6)");
  return impl_->transact([&](std::vector<Event>&, bool& changed) -> Result<void> {
    auto& s = impl_->state;
    s.v4_lbits = v4_lbits;
    s.v4_rbits = v4_rbits;
    s.v6_lbits = v6_lbits;
    s.v6_rbits = v6_rbits;
    changed = true;
    return {};
  });
}

Result<void> EngineBackend::set_host_knob(std::string_view name, uint32_t value) {
  if (auto r = check_host_knob(name, value); !r) return r;
  return impl_->transact([&](std::vector<Event>&, bool& changed) -> Result<void> {
    impl_->state.knobs[std::string(name)] = value;
    changed = true;
    return {};
  });
}

}  // namespace xfrmpp::engine
