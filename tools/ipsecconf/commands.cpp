// SPDX-License-Identifier: BSD-3-Clause
#include "commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "input.hpp"
#include "json_errors.hpp"
#include "json_stdout.hpp"
#include "backend_cli.hpp"
#include "privilege.hpp"
#include "state.hpp"
#include "xfrmpp/model/names.hpp"
#include "xfrmpp/plan/snapshot.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_stream.hpp"
#include "xfrmpp/render/json_text.hpp"
#include "xfrmpp/plan/rule_load.hpp"

namespace xfrmpp::tools::ipsecconf {

namespace ic = parsers::ipsecconf;
using nlohmann::json;

namespace {

// --- planning --------------------------------------------------------------------------------------

struct PlannedEntry {
  std::string text;
  uint32_t base = 0, priority = 0;
  std::vector<model::Policy> policies;
  std::vector<bool> skipped;  // duplicate of a policy planned earlier or already in the kernel
};

struct PlannedRule {
  const ic::Rule* rule = nullptr;
  std::string original, origin;
  std::vector<PlannedEntry> entries;
};

Result<std::vector<PlannedRule>> plan(const diag::SourceBuffer& src, const std::vector<ic::Rule>& rules, uint32_t& base) {
  std::vector<PlannedRule> out;
  for (const auto& r : rules) {
    PlannedRule pr;
    pr.rule = &r;
    pr.original = std::string(src.text().substr(r.range.begin, r.range.end - r.range.begin));
    pr.origin = fmt::format("{}:{}", src.name(), src.line_col(r.range.begin).line);
    for (const auto& x : ic::expand(r)) {
      if (base == 0) return make_error(ENOSPC, "no Solaris priorities left (over a million rules since the last flush); run ipsecconf -f");
      PlannedEntry e;
      e.text = ic::format_rule(x);
      e.base = base;
      e.priority = ic::xfrm_priority(ic::solaris_priority(x, base));
      e.policies = ic::policies(x, base);
      e.skipped.assign(e.policies.size(), false);
      --base;
      pr.entries.push_back(std::move(e));
    }
    out.push_back(std::move(pr));
  }
  return out;
}

json rule_json(const PlannedRule& pr, const diag::SourceBuffer& src) {
  json jr{{"line", src.line_col(pr.rule->range.begin).line}, {"entries", json::array()}};
  // Checked without its tunnel (missing on this machine): no policies can be shown for it.
  if (pr.rule->tunnel && !pr.rule->tunnel->resolved) jr["tunnel_not_found"] = pr.rule->tunnel->name;
  for (const auto& e : pr.entries) {
    json je{{"text", e.text}, {"policies", json::array()}};
    for (const auto& p : e.policies) {
      json jp = render::to_json(p);
      // The algorithm masks are what the Solaris algorithm properties become; show them.
      for (size_t t = 0; t < p.templates.size(); ++t) {
        const auto& tm = p.templates[t];
        if (tm.aalgos != ~0u) jp["templates"][t]["auth_mask"] = fmt::format("{:#010x}", tm.aalgos);
        if (tm.ealgos != ~0u) jp["templates"][t]["enc_mask"] = fmt::format("{:#010x}", tm.ealgos);
        if (tm.mode == model::Mode::tunnel) {
          jp["templates"][t]["src"] = tm.src.to_string();
          jp["templates"][t]["dst"] = tm.dst.to_string();
        }
      }
      if (p.if_id) jp["if_id"] = *p.if_id;
      // ICMP ranges become aligned blocks: a partial mask is part of the selector.
      if (model::proto_has_type_code(p.sel.proto)) {
        if (p.sel.sport_mask && p.sel.sport_mask != 0xffff) jp["selector"]["icmp_type_mask"] = fmt::format("{:#06x}", p.sel.sport_mask);
        if (p.sel.dport_mask && p.sel.dport_mask != 0xffff) jp["selector"]["icmp_code_mask"] = fmt::format("{:#06x}", p.sel.dport_mask);
      }
      je["policies"].push_back(std::move(jp));
    }
    jr["entries"].push_back(std::move(je));
  }
  return jr;
}

// The -c --json document, printed one rule at a time, without a tree of every rule in memory (20k rules
// made 200 MB).
void print_plan_json(const std::vector<PlannedRule>& plan, const diag::SourceBuffer& src, std::FILE* out) {
  render::JsonArrayWriter doc(file_sink(out), "rules", json{{"schema", render::kJsonSchema}});
  for (const auto& rule : plan) doc.add(rule_json(rule, src));
  doc.finish();
  std::fputc('\n', out);
}

// --- helpers ----------------------------------------------------------------------------------------

std::string kernel_text(const ChangeError& e) {
  std::string s = e.message.empty() ? std::string(std::strerror(e.code)) : e.message;
  if (!e.extack.empty()) s += fmt::format(" (kernel: {})", e.extack);
  return with_privilege_hint(e.code, std::move(s));
}

Result<std::unique_ptr<Backend>> open_backend(const Env& env) { return open_tool_backend(env.backend); }

// What every command that reads or changes the SPD holds: the kernel and the locked rule record.
struct Session {
  std::unique_ptr<Backend> backend;
  StateFile file;
};

// Opens both, in this order, reporting a failure on stderr. A read-only session (a listing) writes
// nothing, so it works with a read-only or missing state directory.
std::optional<Session> open_session(const Env& env, bool read_only = false) {
  auto be = open_backend(env);
  if (!be) {
    std::fprintf(stderr, "ipsecconf: %s\n", be.error().message.c_str());
    return std::nullopt;
  }
  auto file = read_only ? StateFile::open_read_only(env.state_dir) : StateFile::open(env.state_dir);
  if (!file) {
    std::fprintf(stderr, "ipsecconf: %s\n", file.error().message.c_str());
    return std::nullopt;
  }
  return Session{std::move(*be), std::move(*file)};
}

int save_state(StateFile& file) {
  if (auto s = file.save(); !s) {
    std::fprintf(stderr, "ipsecconf: %s\n", s.error().message.c_str());
    return 1;
  }
  return 0;
}

// Deletes policies by key; ones already gone are fine. Returns the first other error, if any.
std::optional<ChangeError> remove_keys(Backend& be, const std::vector<model::PolicyKey>& keys) {
  return plan::remove_policies(be, keys);
}

void print_error(const diag::SourceBuffer& src, diag::SourceRange range, const std::string& msg) {
  std::fputs(diag::format(src, diag::Diagnostic{diag::Severity::error, range, msg, {}}).c_str(), stderr);
}

// check_only: the file may be meant for another machine, so a tunnel missing here is only a warning.
// With --json (only with -c) the errors also go to standard output as a JSON "errors" array.
Result<diag::SourceBuffer> parse_file(const Env& env, const std::string& file, std::vector<ic::Rule>& rules, size_t& errors,
                                      bool check_only = false) {
  JsonErrors json;
  auto src = load_source(file, env.max_input);
  if (!src && env.json) {
    json.add(file, src.error().message);
    json.print_if_any();
  }
  if (!src && src.error().code == EFBIG) return src.error();  // already "FILE: error: ..."
  if (!src) return make_error(src.error().code, "ipsecconf: " + file + " : Policy config file cannot be opened: " + src.error().message);
  diag::DiagnosticSink sink;
  auto po = env.parse_options();
  po.unknown_tunnel_is_warning = check_only;
  rules = ic::parse(*src, sink, po);
  DiagnosticPrinter printer(env.max_errors);
  if (env.json) printer.collect(&json);
  printer.print(*src, sink);
  printer.finish("ipsecconf");
  errors = sink.error_count();
  json.print_if_any();
  return src;
}

std::string index_text(const StateRule& r) {
  return r.tunnel ? fmt::format("{},{}", *r.tunnel, r.index) : fmt::format("{}", r.index);
}

// Which policies a listing or flush covers: the host SPD (no if_id), one tunnel's, or all.
struct Scope {
  bool all = false;
  std::optional<std::string> tunnel;
  std::set<uint32_t> if_ids;  // of `tunnel`
  bool rule(const StateRule& r) const { return all || r.tunnel == tunnel; }
  bool policy(const model::Policy& p) const {
    if (all) return true;
    if (!tunnel) return p.if_id.value_or(0) == 0;
    return p.if_id && if_ids.count(*p.if_id);
  }
};

Scope scope_for(const Env& env, const State& st, const std::optional<std::string>& tunnel, bool all) {
  Scope s;
  s.all = all;
  s.tunnel = tunnel;
  if (tunnel && !all) {
    for (const auto& r : st.rules)
      if (r.tunnel == tunnel)
        for (const auto& e : r.entries)
          for (const auto& k : e.policies)
            if (k.if_id) s.if_ids.insert(k.if_id);
    std::string why;
    auto info = solaris::lookup_tunnel(env.tunnels ? &*env.tunnels : nullptr, *tunnel, why);
    if (info && info->if_id) s.if_ids.insert(*info->if_id);
  }
  return s;
}

// One line naming a kernel policy: what -l prints for foreign policies and what a conflict names.
std::string policy_text(const model::Policy& p) {
  auto pre = [](const model::Prefix& x) { return fmt::format("{}/{}", x.addr.to_string(), x.len); };
  std::string s = fmt::format("dir {} priority {} {} -> {} proto {}", model::name_of(model::direction_names(), p.dir), p.priority,
                              pre(p.sel.src), pre(p.sel.dst), p.sel.proto);
  if (p.sel.sport_mask) s += fmt::format(" sport {}", p.sel.sport);
  if (p.sel.dport_mask) s += fmt::format(" dport {}", p.sel.dport);
  s += fmt::format(" {}", model::name_of(model::policy_kind_names(), p.kind));
  for (const auto& t : p.templates)
    s += fmt::format(" {}/{}", model::name_of(model::protocol_names(), t.proto), model::name_of(model::mode_names(), t.mode));
  if (p.if_id) s += fmt::format(" if_id {}", *p.if_id);
  return s;
}

std::string describe(const model::Policy& p) { return "# kernel policy not installed by ipsecconf: " + policy_text(p); }

// The Solaris word for what a policy does, as the conflict message says it.
std::string_view action_word(const model::Policy& p) {
  switch (p.kind) {
    case model::PolicyKind::discard: return "drop";
    case model::PolicyKind::none: return "pass";
    default: return "ipsec";
  }
}

void latching_note(const Env& env) {
  if (env.quiet) return;
  std::fputs("\tWARNING: New policy entries apply to existing connections too: Linux does not\n"
             "\tlatch policy on connected sockets as Solaris does, so traffic of open\n"
             "\tconnections that the new rules cover is protected (or dropped) from now on.\n\n",
             stdout);
}

}  // namespace

ic::ParseOptions Env::parse_options() const {
  ic::ParseOptions po;
  po.resolve_host = [this](std::string_view name) { return hosts ? hosts->resolve(name) : solaris::resolve_system(name); };
  po.resolve_tunnel = [this](std::string_view name, std::string& why) {
    return solaris::lookup_tunnel(tunnels ? &*tunnels : nullptr, name, why);
  };
  return po;
}

int add(const Env& env, const std::string& file, bool replace, bool check_only, Rollback& rollback) {
  std::vector<ic::Rule> rules;
  size_t errors = 0;
  auto src = parse_file(env, file, rules, errors, check_only);
  if (!src) {
    std::fprintf(stderr, "%s\n", src.error().message.c_str());
    return 1;
  }
  if (errors) {
    std::fprintf(stderr, "ipsecconf: %zu policy rule(s) contained errors.\n", errors);
    if (!check_only) std::fputs("ipsecconf: nothing was changed\n", stderr);
    return 1;
  }
  if (check_only) {
    if (env.json) {
      uint32_t base = ic::kInitialBase;
      auto p = plan(*src, rules, base);
      if (!p) {
        std::fprintf(stderr, "ipsecconf: %s\n", p.error().message.c_str());
        return 1;
      }
      print_plan_json(*p, *src, stdout);
    } else {
      std::fputs("IPsec configuration does not contain any errors.\nIPsec policy was not modified.\n", stdout);
    }
    return 0;
  }
  if (rules.empty() && !replace) {
    std::fputs("ipsecconf: Policy file does not contain any valid rules.\n", stderr);
    return 0;
  }
  auto session = open_session(env);
  if (!session) return 1;
  auto* be = &session->backend;
  auto* state_file = &session->file;
  State& st = state_file->state();
  // A replace starts the numbering over, as a fresh load would.
  uint32_t base = replace ? ic::kInitialBase : st.next_base;
  auto planned = plan(*src, rules, base);
  if (!planned) {
    std::fprintf(stderr, "ipsecconf: %s\n", planned.error().message.c_str());
    return 1;
  }
  auto before = (*be)->dump_policies();
  if (!before) {
    std::fprintf(stderr, "ipsecconf: cannot read the SPD: %s\n", with_privilege_hint(before.error()).c_str());
    return 1;
  }

  // One change per policy; a policy planned twice (Solaris: "duplicate/overlap policies") goes once.
  // A key already in the SPD is a duplicate (Solaris ignores it) when ipsecconf installed it or when it
  // does the same to traffic; a policy another tool set that does something else would stay in force
  // while -l shows this rule, so that is an error and nothing is sent.
  struct Ref {
    size_t rule, entry, policy;
  };
  std::vector<Ref> refs;
  std::vector<model::Policy> wanted;
  for (size_t i = 0; i < planned->size(); ++i)
    for (size_t j = 0; j < (*planned)[i].entries.size(); ++j)
      for (size_t k = 0; k < (*planned)[i].entries[j].policies.size(); ++k) {
        wanted.push_back((*planned)[i].entries[j].policies[k]);
        refs.push_back({i, j, k});
      }
  auto bypass = ic::ike_bypass_policies();
  plan::RuleLoadInput in{*before, wanted, {}, bypass, replace};
  for (const auto& r : st.rules)
    for (const auto& e : r.entries) in.owned.insert(e.policies.begin(), e.policies.end());
  plan::RuleLoadPlan lp = plan::plan_rule_load(in);
  for (size_t w = 0; w < wanted.size(); ++w)
    if (lp.skipped[w]) (*planned)[refs[w].rule].entries[refs[w].entry].skipped[refs[w].policy] = true;
  for (const auto& c : lp.conflicts)
    print_error(*src, (*planned)[refs[c.wanted].rule].rule->range,
                fmt::format("conflicts with a {} policy already in the SPD that was not set by ipsecconf ({}): "
                            "XFRM keeps one policy per selector and direction, so it would stay in force instead "
                            "of this rule's {}; remove it first, or replace the SPD with ipsecconf -a file -f",
                            action_word(c.existing), policy_text(c.existing), action_word(wanted[c.wanted])));
  if (!lp.conflicts.empty()) {
    std::fprintf(stderr, "ipsecconf: %zu policy conflict(s) with the SPD.\nipsecconf: nothing was changed\n", lp.conflicts.size());
    return 1;
  }

  plan::RuleLoadResult res = plan::apply_rule_load(**be, lp);
  // Takes this run's change back: an add removes what it added, a replace puts the SPD back to `before`.
  auto take_back = [&]() -> std::string {
    auto err = plan::take_back_rule_load(**be, lp, res.report, *before, replace);
    if (replace) return err ? fmt::format("could not put the SPD back as it was: {}", kernel_text(*err)) : "the SPD is as it was before";
    if (err) return "could not take back every added policy: " + kernel_text(*err);
    return "added policies taken back; nothing was changed";
  };
  if (res.fatal) {
    const auto& e = *res.fatal;
    if (e.tag < lp.bypass_from) {
      const auto& r = refs[lp.wanted_of[e.tag]];
      print_error(*src, (*planned)[r.rule].rule->range, fmt::format("Kernel returned: {}", kernel_text(e)));
    } else {
      std::fprintf(stderr, "ipsecconf: cannot add the IKE bypass policies: %s\n", kernel_text(e).c_str());
    }
    std::fprintf(stderr, "ipsecconf: %s\n", take_back().c_str());
    return 1;
  }
  UndoOnUnwind undo(rollback, take_back);

  if (replace) {
    // New rules are in: now take out whatever the old SPD had that the new one does not.
    std::vector<model::PolicyKey> recorded;
    for (const auto& r : st.rules)
      for (const auto& e : r.entries) recorded.insert(recorded.end(), e.policies.begin(), e.policies.end());
    auto old = plan::stale_keys(*before, lp.planned_keys, recorded, [](const model::Policy& p) { return ic::is_ike_bypass(p); });
    if (auto err = remove_keys(**be, old)) {
      undo.dismiss();
      std::fprintf(stderr, "ipsecconf: an old policy could not be removed: %s\nipsecconf: %s\n", kernel_text(*err).c_str(),
                   take_back().c_str());
      return 1;
    }
    st.rules.clear();
    st.next_index = 1;
  }

  for (auto& pr : *planned) {
    StateRule sr;
    sr.tunnel = pr.rule->tunnel ? std::optional<std::string>(pr.rule->tunnel->name) : std::nullopt;
    sr.text = pr.original;
    sr.origin = pr.origin;
    for (auto& e : pr.entries) {
      StateEntry se{e.text, e.base, e.priority, {}};
      for (size_t k = 0; k < e.policies.size(); ++k)
        if (!e.skipped[k]) se.policies.push_back(e.policies[k].key());
      if (!se.policies.empty()) sr.entries.push_back(std::move(se));
    }
    if (sr.entries.empty()) {
      if (!env.quiet) std::fprintf(stderr, "ipsecconf: Duplicate policy entry (ignored):\n%s\n", pr.original.c_str());
      continue;
    }
    sr.index = st.next_index++;
    st.rules.push_back(std::move(sr));
  }
  st.next_base = base;
  st.ike_bypass = true;
  fault_point("ipsecconf-after-apply");
  if (auto s = state_file->save(); !s) {
    // Policies the record does not hold could never be listed or removed by rule: take them out again.
    undo.dismiss();
    std::fprintf(stderr, "ipsecconf: cannot write the rule record: %s\nipsecconf: %s\n", s.error().message.c_str(), take_back().c_str());
    return 1;
  }
  undo.dismiss();
  latching_note(env);
  return 0;
}

int remove(const Env& env, const std::string& file) {
  std::vector<ic::Rule> rules;
  size_t errors = 0;
  auto src = parse_file(env, file, rules, errors);
  if (!src) {
    std::fprintf(stderr, "%s\n", src.error().message.c_str());
    return 1;
  }
  if (errors) {
    std::fprintf(stderr, "ipsecconf: %zu policy rule(s) contained errors.\nipsecconf: nothing was changed\n", errors);
    return 1;
  }
  auto session = open_session(env);
  if (!session) return 1;
  auto* be = &session->backend;
  auto* state_file = &session->file;
  State& st = state_file->state();
  int status = 0;
  for (const auto& r : rules) {
    std::vector<std::string> texts;
    for (const auto& x : ic::expand(r)) texts.push_back(ic::format_rule(x));
    auto it = std::find_if(st.rules.begin(), st.rules.end(), [&](const StateRule& s) {
      if (s.entries.size() != texts.size()) return false;
      for (size_t i = 0; i < texts.size(); ++i)
        if (s.entries[i].text != texts[i]) return false;
      return true;
    });
    if (it == st.rules.end()) {
      print_error(*src, r.range, "no installed rule matches this entry (ipsecconf -l lists them)");
      status = 1;
      continue;
    }
    std::vector<model::PolicyKey> keys;
    for (const auto& e : it->entries) keys.insert(keys.end(), e.policies.begin(), e.policies.end());
    if (auto err = remove_keys(**be, keys)) {
      print_error(*src, r.range, fmt::format("Kernel returned: {}", kernel_text(*err)));
      status = 1;
      continue;
    }
    st.rules.erase(it);
  }
  if (st.rules.empty() && st.ike_bypass) {
    std::vector<model::PolicyKey> bypass;
    for (const auto& p : ic::ike_bypass_policies()) bypass.push_back(p.key());
    remove_keys(**be, bypass);
    st.ike_bypass = false;
    st.next_base = ic::kInitialBase;
  }
  if (auto s = state_file->save(); !s) {
    std::fprintf(stderr, "ipsecconf: %s\n", s.error().message.c_str());
    return 1;
  }
  return status;
}

int remove_index(const Env& env, uint32_t index, const std::optional<std::string>& tunnel) {
  auto session = open_session(env);
  if (!session) return 1;
  auto* be = &session->backend;
  auto* state_file = &session->file;
  State& st = state_file->state();
  auto it = std::find_if(st.rules.begin(), st.rules.end(), [&](const StateRule& r) {
    return r.index == index && (!tunnel || r.tunnel == tunnel);
  });
  if (it == st.rules.end()) {
    std::fprintf(stderr, "ipsecconf: Non-existent index %s%u\n", tunnel ? (*tunnel + ",").c_str() : "", index);
    return 1;
  }
  std::vector<model::PolicyKey> keys;
  for (const auto& e : it->entries) keys.insert(keys.end(), e.policies.begin(), e.policies.end());
  if (auto err = remove_keys(**be, keys)) {
    std::fprintf(stderr, "ipsecconf: Deletion incomplete: %s\n", kernel_text(*err).c_str());
    return 1;
  }
  st.rules.erase(it);
  if (st.rules.empty() && st.ike_bypass) {
    std::vector<model::PolicyKey> bypass;
    for (const auto& p : ic::ike_bypass_policies()) bypass.push_back(p.key());
    remove_keys(**be, bypass);
    st.ike_bypass = false;
    st.next_base = ic::kInitialBase;
  }
  return save_state(*state_file);
}

int flush(const Env& env, const std::optional<std::string>& tunnel, bool all) {
  auto session = open_session(env);
  if (!session) return 1;
  auto* be = &session->backend;
  auto* state_file = &session->file;
  State& st = state_file->state();
  if (all) {
    if (auto r = (*be)->flush_policies(); !r) {
      std::fprintf(stderr, "ipsecconf: Flush failed: %s\n", with_privilege_hint(r.error()).c_str());
      return 1;
    }
    st = State{};
  } else {
    Scope scope = scope_for(env, st, tunnel, false);
    auto flushed = plan::flush_policies_where(**be, [&](const model::Policy& p) { return scope.policy(p); });
    if (flushed.read_error) {
      std::fprintf(stderr, "ipsecconf: cannot read the SPD: %s\n", with_privilege_hint(*flushed.read_error).c_str());
      return 1;
    }
    if (flushed.error) {
      std::fprintf(stderr, "ipsecconf: Flush failed: %s\n", kernel_text(*flushed.error).c_str());
      return 1;
    }
    std::erase_if(st.rules, [&](const StateRule& r) { return scope.rule(r); });
    if (!tunnel) st.ike_bypass = false;
    if (st.rules.empty()) st.next_base = ic::kInitialBase;
  }
  return save_state(*state_file);
}

int list(const Env& env, const std::optional<std::string>& tunnel, bool all) {
  auto session = open_session(env, true);
  if (!session) return 1;
  auto* be = &session->backend;
  auto* state_file = &session->file;
  const State& st = state_file->state();
  auto dump = (*be)->dump_policies();
  if (!dump) {
    std::fprintf(stderr, "ipsecconf: ruleset dump failed: %s\n", with_privilege_hint(dump.error()).c_str());
    return 1;
  }
  Scope scope = scope_for(env, st, tunnel, all);
  std::map<model::PolicyKey, const model::Policy*> kernel;
  for (const auto& p : *dump)
    if (!p.is_socket_policy()) kernel[p.key()] = &p;
  std::set<model::PolicyKey> owned;
  struct Item {
    uint32_t priority, index;
    const StateRule* rule;
    const StateEntry* entry;
  };
  std::vector<Item> items;
  for (const auto& r : st.rules) {
    for (const auto& e : r.entries) {
      for (const auto& k : e.policies) owned.insert(k);
      if (scope.rule(r)) items.push_back({e.priority, r.index, &r, &e});
    }
  }
  // Match order: the lowest XFRM priority first (bypass rules, then AH+ESP, ESP, AH, then file order).
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.index < b.index;
  });
  bool bypass_present = false;
  std::vector<const model::Policy*> foreign;
  for (const auto& p : *dump) {
    if (p.is_socket_policy()) continue;
    if (ic::is_ike_bypass(p)) {
      bypass_present = true;
      continue;
    }
    if (!owned.count(p.key()) && scope.policy(p)) foreign.push_back(&p);
  }
  if (env.json) {
    json j{{"schema", render::kJsonSchema}, {"rules", json::array()}, {"foreign", json::array()}, {"ike_bypass", bypass_present}};
    for (const auto& it : items) {
      json jr{{"index", it.rule->index}, {"text", it.entry->text}, {"policies", json::array()}, {"missing", 0}};
      jr["tunnel"] = it.rule->tunnel ? json(*it.rule->tunnel) : json(nullptr);
      size_t missing = 0;
      for (const auto& k : it.entry->policies) {
        auto f = kernel.find(k);
        if (f == kernel.end()) ++missing;
        else jr["policies"].push_back(render::to_json(*f->second));
      }
      jr["missing"] = missing;
      j["rules"].push_back(std::move(jr));
    }
    for (const auto* p : foreign) j["foreign"].push_back(render::to_json(*p));
    std::puts(render::json_text(j, 2).c_str());
    return 0;
  }
  if (bypass_present && !tunnel) std::puts("# UDP ports 500 and 4500 (IKE) bypass IPsec, as on Solaris");
  for (const auto& it : items) {
    std::printf("#INDEX %s\n%s\n", index_text(*it.rule).c_str(), it.entry->text.c_str());
    size_t missing = 0;
    for (const auto& k : it.entry->policies) missing += !kernel.count(k);
    if (missing)
      std::printf("# warning: %zu of %zu XFRM policies of this rule are not in the kernel (removed by another tool?)\n", missing,
                  it.entry->policies.size());
  }
  for (const auto* p : foreign) std::puts(describe(*p).c_str());
  return 0;
}

int view(const Env& env) {
  auto state_file = StateFile::open_read_only(env.state_dir);
  if (!state_file) {
    std::fprintf(stderr, "ipsecconf: %s\n", state_file.error().message.c_str());
    return 1;
  }
  auto rules = state_file->state().rules;
  std::sort(rules.begin(), rules.end(), [](const StateRule& a, const StateRule& b) { return a.index < b.index; });
  for (const auto& r : rules) std::printf("#INDEX %s\n%s\n\n", index_text(r).c_str(), r.text.c_str());
  return 0;
}

}  // namespace xfrmpp::tools::ipsecconf
