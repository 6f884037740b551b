// SPDX-License-Identifier: BSD-3-Clause
// Reading and writing knobs: each Mapping talks to its own Linux place.
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "xfrmpp/knobs/knobs.hpp"
#include "xfrmpp/model/names.hpp"
#include "xfrmpp/util/number.hpp"

namespace xfrmpp::knobs {

namespace {

using model::PolicyAction;

Error no_backend(const Knob& k) {
  return make_error(ENODEV, fmt::format("{}: needs the kernel's XFRM interface, and none was given", k.name));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> integer(std::string_view s) {
  auto v = util::parse_signed(s);
  if (!v) return std::nullopt;
  return *v;
}

Error bad_value(const Knob& k, std::string_view value) {
  return make_error(EINVAL, fmt::format("{}: invalid value '{}' (takes {})", k.name, value, k.values));
}

// ---- default_policy ----

std::string_view action_word(const std::optional<PolicyAction>& a) {
  if (!a) return "unset";
  return *a == PolicyAction::block ? "block" : "accept";
}

Result<Reading> read_default_policy(const Knob& k, Context& ctx) {
  if (!ctx.backend) return no_backend(k);
  auto d = ctx.backend->get_default_policy();
  if (!d) return d.error();
  Reading r;
  auto all = [&](PolicyAction a) { return d->in == a && d->fwd == a && d->out == a; };
  if (all(PolicyAction::allow))
    r.value = "1";
  else if (all(PolicyAction::block))
    r.value = "0";
  else
    r.value = "mixed";
  r.note = fmt::format("in={} fwd={} out={}", action_word(d->in), action_word(d->fwd), action_word(d->out));
  return r;
}

Result<Reading> write_default_policy(const Knob& k, std::string_view value, Context& ctx) {
  PolicyAction a;
  if (value == "0" || value == "discard")
    a = PolicyAction::block;
  else if (value == "1" || value == "none")
    a = PolicyAction::allow;
  else
    return bad_value(k, value);
  if (!ctx.backend) return no_backend(k);
  if (auto s = ctx.backend->set_default_policy(model::DefaultPolicy{a, a, a}); !s) return s.error();
  return read_default_policy(k, ctx);
}

// ---- default_level ----

Result<Reading> read_default_level(const Knob& k, Context& ctx) {
  auto st = load_state(ctx.state);
  if (!st) return st.error();
  auto it = st->values.find(k.name);
  if (it == st->values.end()) return Reading{"2", "unset: Linux treats 'default' as require (BSD boots with 1, use)"};
  return Reading{std::to_string(it->second), it->second == 1 ? "use" : "require"};
}

Result<Reading> write_default_level(const Knob& k, std::string_view value, Context& ctx) {
  int64_t level;
  if (value == "1" || value == "use")
    level = 1;
  else if (value == "2" || value == "require")
    level = 2;
  else
    return bad_value(k, value);
  auto u = update_state(ctx.state, [&](KnobState& st) { st.values[std::string(k.name)] = level; });
  if (!u) return u.error();
  return read_default_level(k, ctx);
}

// ---- proc_sysctl ----

Result<Reading> read_proc(const Knob& k, Context& ctx) {
  std::filesystem::path p = ctx.proc_sys / k.path;
  std::ifstream in(p);
  if (!in) {
    int e = errno ? errno : ENOENT;
    return make_error(e, fmt::format("{}: cannot read {}: {}", k.name, p.string(), std::strerror(e)));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return Reading{std::string(trim(s.str())), {}};
}

Result<Reading> write_proc(const Knob& k, std::string_view value, Context& ctx) {
  if (!integer(value)) return bad_value(k, value);
  std::filesystem::path p = ctx.proc_sys / k.path;
  // One write(2) of the whole value, as the kernel's proc handlers expect; the range check is theirs.
  std::FILE* f = std::fopen(p.c_str(), "we");
  if (!f) {
    int e = errno;
    return make_error(e, fmt::format("{}: cannot open {}: {}", k.name, p.string(), std::strerror(e)));
  }
  std::string text = std::string(value) + "\n";
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  int e = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (!ok) return make_error(e, fmt::format("{}: the kernel refused '{}' for {}: {}", k.name, value, p.string(), std::strerror(e)));
  return read_proc(k, ctx);
}

// ---- bypass_policies ----

std::string rule_text(const BypassRule& r) {
  auto n = model::name_of(model::upper_protocol_names(), r.proto);
  std::string proto = n.empty() ? std::to_string(r.proto) : std::string(n);
  return fmt::format("in, {} any, {}", model::family_name(r.family), proto);
}

// The SPD entry with the key `rule` would use, if any (whatever its action).
const model::Policy* same_key(const std::vector<model::Policy>& spd, const BypassRule& rule) {
  model::PolicyKey key = bypass_policy(rule).key();
  for (const auto& p : spd) {
    if (p.is_socket_policy()) continue;
    model::PolicyKey k = p.key();
    // The kernel reports the family on zero addresses; compare what identifies the entry.
    bool sel = k.sel.family == key.sel.family && k.sel.proto == key.sel.proto && k.sel.src.len == 0 &&
               k.sel.dst.len == 0 && k.sel.sport_mask == 0 && k.sel.dport_mask == 0 && k.sel.ifindex == 0 &&
               k.sel.src.addr.is_zero() && k.sel.dst.addr.is_zero();
    bool no_mark = !k.mark || k.mark->mask == 0;
    if (sel && k.dir == key.dir && no_mark && k.if_id == 0 && k.type == key.type) return &p;
  }
  return nullptr;
}

Result<Reading> read_bypass(const Knob& k, Context& ctx) {
  if (!ctx.backend) return no_backend(k);
  auto spd = ctx.backend->dump_policies();
  if (!spd) return spd.error();
  size_t present = 0;
  std::string missing;
  for (const auto& rule : k.rules) {
    const model::Policy* p = same_key(*spd, rule);
    if (p && is_bypass_for(*p, rule))
      ++present;
    else
      missing += (missing.empty() ? "" : "; ") + rule_text(rule);
  }
  if (present == k.rules.size()) return Reading{"1", {}};
  if (present == 0) return Reading{"0", {}};
  return Reading{"partial", "missing: " + missing};
}

Result<Reading> write_bypass(const Knob& k, std::string_view value, Context& ctx) {
  bool on;
  if (value == "1")
    on = true;
  else if (value == "0")
    on = false;
  else
    return bad_value(k, value);
  if (!ctx.backend) return no_backend(k);
  auto spd = ctx.backend->dump_policies();
  if (!spd) return spd.error();
  // Decide every rule before changing anything, so a conflict leaves the SPD as it was.
  std::vector<Change> changes;
  for (const auto& rule : k.rules) {
    const model::Policy* p = same_key(*spd, rule);
    if (on) {
      if (p && is_bypass_for(*p, rule)) continue;
      if (p)
        return make_error(EEXIST, fmt::format("{}: the SPD already has a '{}' entry for {} (index {}); it is not a bypass "
                                              "and would be replaced, so remove it first",
                                              k.name, model::name_of(model::policy_kind_names(), p->kind), rule_text(rule),
                                              p->index));
      changes.push_back(Change{bypass_policy(rule), Change::Verb::add, changes.size()});
    } else if (p && is_bypass_for(*p, rule)) {
      model::PolicyId id;
      id.sel = p->sel;
      id.dir = p->dir;
      id.mark = p->mark;
      id.if_id = p->if_id;
      id.type = p->type;
      changes.push_back(Change{id, Change::Verb::remove, changes.size()});
    }
  }
  // Equal priorities go to the older policy, so an earlier priority-0 'in' entry covering these protocols
  // (ip xfrm's default priority) still beats the bypass: say so rather than claim the knob works.
  size_t shadowing = 0;
  if (on)
    for (const auto& p : *spd) {
      if (p.is_socket_policy() || p.dir != model::Direction::in || p.priority > kBypassPriority) continue;
      bool ours = false;
      for (const auto& rule : k.rules) ours |= is_bypass_for(p, rule);
      bool covers = false;
      for (const auto& rule : k.rules)
        covers |= (p.sel.proto == model::kProtoAny || p.sel.proto == rule.proto) &&
                  (p.sel.family == rule.family || p.sel.family == model::Family::unspec);
      shadowing += !ours && covers;
    }
  auto with_warning = [&](Result<Reading> r) {
    if (r && shadowing)
      r->note = fmt::format("warning: {} older 'in' polic{} with priority 0 cover{} these protocols and win{} the tie; "
                            "give {} a priority above 0",
                            shadowing, shadowing == 1 ? "y" : "ies", shadowing == 1 ? "s" : "", shadowing == 1 ? "s" : "",
                            shadowing == 1 ? "it" : "them");
    return r;
  };
  if (!changes.empty()) {
    ApplyReport rep = ctx.backend->apply(changes, ApplyOptions{});
    if (!rep.errors.empty()) {
      const ChangeError& e = rep.errors.front();
      std::string why = e.extack.empty() ? e.message : e.message + " (kernel: " + e.extack + ")";
      return make_error(e.code, fmt::format("{}: the kernel refused the change: {}{}", k.name, why,
                                            rep.applied ? fmt::format(" ({} of {} changes were made)", rep.applied,
                                                                      changes.size())
                                                        : ""));
    }
  }
  return with_warning(read_bypass(k, ctx));
}

// ---- fixed / none ----

Error no_equivalent(const Knob& k) { return make_error(EOPNOTSUPP, fmt::format("{}: {}", k.name, k.linux_text)); }

}  // namespace

model::Policy bypass_policy(const BypassRule& rule) {
  model::Policy p;
  p.sel.family = rule.family;
  p.sel.proto = rule.proto;
  p.dir = model::Direction::in;
  p.kind = model::PolicyKind::none;
  p.priority = kBypassPriority;
  return p;
}

bool is_bypass_for(const model::Policy& p, const BypassRule& rule) {
  return !p.is_socket_policy() && p.dir == model::Direction::in && p.kind == model::PolicyKind::none &&
         p.templates.empty() && p.sel.family == rule.family && p.sel.proto == rule.proto && p.sel.src.len == 0 &&
         p.sel.dst.len == 0 && p.sel.sport_mask == 0 && p.sel.dport_mask == 0 && p.sel.ifindex == 0;
}

namespace {

// A knob the backend keeps itself: its answer, or nullopt when the backend keeps none (EOPNOTSUPP, the
// kernel), so that the caller falls back to the Linux mapping.
std::optional<Result<Reading>> read_host_knob(const Knob& k, Context& ctx) {
  if (k.host_knob.empty() || !ctx.backend) return std::nullopt;
  auto v = ctx.backend->get_host_knob(k.host_knob);
  if (!v) {
    if (v.error().code == EOPNOTSUPP) return std::nullopt;
    return Result<Reading>(v.error());
  }
  return Result<Reading>(Reading{std::to_string(*v), "kept by the software engine"});
}

std::optional<Result<Reading>> write_host_knob(const Knob& k, std::string_view value, Context& ctx) {
  if (k.host_knob.empty() || !ctx.backend) return std::nullopt;
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
    // Probe first: on the kernel a bad value must still get the "no Linux equivalent" answer.
    auto probe = ctx.backend->get_host_knob(k.host_knob);
    if (!probe && probe.error().code == EOPNOTSUPP) return std::nullopt;
    return Result<Reading>(make_error(EINVAL, fmt::format("{}: '{}' is not a number", k.name, value)));
  }
  auto w = ctx.backend->set_host_knob(k.host_knob, v);
  if (!w) {
    if (w.error().code == EOPNOTSUPP) return std::nullopt;
    return Result<Reading>(w.error());
  }
  return read_host_knob(k, ctx);
}

}  // namespace

Result<Reading> read_knob(const Knob& k, Context& ctx) {
  if (auto r = read_host_knob(k, ctx)) return std::move(*r);
  switch (k.mapping) {
    case Mapping::default_policy: return read_default_policy(k, ctx);
    case Mapping::default_level: return read_default_level(k, ctx);
    case Mapping::proc_sysctl: return read_proc(k, ctx);
    case Mapping::bypass_policies: return read_bypass(k, ctx);
    case Mapping::fixed: return Reading{std::string(k.fixed_value), "fixed in Linux"};
    case Mapping::none: return Reading{"-", std::string(k.linux_text)};
  }
  return no_equivalent(k);
}

Result<Reading> write_knob(const Knob& k, std::string_view value, Context& ctx) {
  value = trim(value);
  if (auto r = write_host_knob(k, value, ctx)) return std::move(*r);
  switch (k.mapping) {
    case Mapping::default_policy: return write_default_policy(k, value, ctx);
    case Mapping::default_level: return write_default_level(k, value, ctx);
    case Mapping::proc_sysctl: return write_proc(k, value, ctx);
    case Mapping::bypass_policies: return write_bypass(k, value, ctx);
    case Mapping::fixed:
      if (value == k.fixed_value) return Reading{std::string(k.fixed_value), "fixed in Linux; nothing to change"};
      return no_equivalent(k);
    case Mapping::none: return no_equivalent(k);
  }
  return no_equivalent(k);
}

}  // namespace xfrmpp::knobs
