// SPDX-License-Identifier: BSD-3-Clause
// ipsec-stat: the XFRM error counters of /proc/net/xfrm_stat next to the SPD and SAD counts and the
// default policy, with each non-zero counter explained in one line.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "backend_cli.hpp"
#include "cli.hpp"
#include "guard.hpp"
#include "privilege.hpp"
#include "xfrmpp/engine/engine_backend.hpp"
#include "xfrmpp/knobs/xfrm_stat.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace knobs = xfrmpp::knobs;
using nlohmann::json;

namespace {

struct Flags {
  bool json = false, all = false;
  std::optional<std::string> stat_file;  ///< --stat-file; unset = the backend's own counters
  xfrmpp::BackendOptions backend;
};

constexpr const char* kProcStat = "/proc/net/xfrm_stat";

std::string why(const xfrmpp::Error& e) {
  return xfrmpp::tools::with_privilege_hint(e);
}

std::string action_word(const std::optional<xfrmpp::model::PolicyAction>& a) {
  if (!a) return "unset";
  return *a == xfrmpp::model::PolicyAction::block ? "block" : "accept";
}

// What the kernel reports, each part on its own so one failure does not hide the others.
struct Snapshot {
  xfrmpp::Result<xfrmpp::SpdInfo> spd = xfrmpp::make_error(ENODEV, "not queried");
  xfrmpp::Result<xfrmpp::SadInfo> sad = xfrmpp::make_error(ENODEV, "not queried");
  xfrmpp::Result<xfrmpp::model::DefaultPolicy> defaults = xfrmpp::make_error(ENODEV, "not queried");
  xfrmpp::Result<std::vector<knobs::Counter>> counters = xfrmpp::make_error(ENODEV, "not read");
};

Snapshot take(const Flags& f) {
  Snapshot s;
  bool own_counters = !f.stat_file && f.backend.kind == xfrmpp::BackendKind::engine;
  if (!own_counters) s.counters = knobs::read_xfrm_stat(f.stat_file.value_or(kProcStat));
  auto be = xfrmpp::tools::open_tool_backend(f.backend);
  // The engine counts its packet path's drops under the kernel's names, in its state file.
  if (own_counters && be) {
    if (const auto* engine = dynamic_cast<const xfrmpp::engine::EngineBackend*>(be->get())) {
      std::vector<knobs::Counter> counters;
      for (const auto& c : engine->packet_counters()) counters.push_back({std::string(c.name), c.value});
      s.counters = std::move(counters);
    }
  }
  if (!be) {
    s.spd = be.error();
    s.sad = be.error();
    s.defaults = be.error();
    return s;
  }
  s.spd = (*be)->spd_info();
  s.sad = (*be)->sad_info();
  s.defaults = (*be)->get_default_policy();
  return s;
}

json to_json(const Snapshot& s) {
  json j{{"schema", "xfrmpp-stat/1"}};
  if (s.spd) {
    const auto& p = *s.spd;
    j["spd"] = {{"in", p.in}, {"out", p.out}, {"fwd", p.fwd},
                {"socket", {{"in", p.in_socket}, {"out", p.out_socket}, {"fwd", p.fwd_socket}}},
                {"hash_buckets", p.hash_count}, {"hash_max", p.hash_max},
                {"hthresh", {{"v4", {p.v4_lbits, p.v4_rbits}}, {"v6", {p.v6_lbits, p.v6_rbits}}}}};
  } else {
    j["spd"] = nullptr;
    j["spd_error"] = why(s.spd.error());
  }
  if (s.sad) {
    j["sad"] = {{"count", s.sad->count}, {"hash_buckets", s.sad->hash_count}, {"hash_max", s.sad->hash_max}};
  } else {
    j["sad"] = nullptr;
    j["sad_error"] = why(s.sad.error());
  }
  if (s.defaults) {
    j["default_policy"] = {{"in", action_word(s.defaults->in)}, {"fwd", action_word(s.defaults->fwd)},
                           {"out", action_word(s.defaults->out)}};
  } else {
    j["default_policy"] = nullptr;
    j["default_policy_error"] = why(s.defaults.error());
  }
  j["counters"] = json::array();
  if (s.counters) {
    for (const auto& c : *s.counters)
      j["counters"].push_back({{"name", c.name}, {"value", c.value}, {"explanation", knobs::explain_counter(c.name)}});
  } else {
    j["counters_error"] = s.counters.error().message;
  }
  return j;
}

void print_text(const Snapshot& s, bool all, const std::string& stat_file) {
  if (s.spd) {
    const auto& p = *s.spd;
    std::printf("SPD: %u policies (in %u, out %u, fwd %u); per-socket: in %u, out %u, fwd %u\n", p.in + p.out + p.fwd, p.in,
                p.out, p.fwd, p.in_socket, p.out_socket, p.fwd_socket);
    std::printf("     buckets count %u, max %u; exact-hash thresholds IPv4 %u/%u, IPv6 %u/%u\n", p.hash_count, p.hash_max,
                p.v4_lbits, p.v4_rbits, p.v6_lbits, p.v6_rbits);
  } else {
    std::printf("SPD: unavailable: %s\n", why(s.spd.error()).c_str());
  }
  if (s.sad)
    std::printf("SAD: %u SAs; buckets count %u, max %u\n", s.sad->count, s.sad->hash_count, s.sad->hash_max);
  else
    std::printf("SAD: unavailable: %s\n", why(s.sad.error()).c_str());
  if (s.defaults)
    std::printf("Default policy: in %s, fwd %s, out %s\n", action_word(s.defaults->in).c_str(),
                action_word(s.defaults->fwd).c_str(), action_word(s.defaults->out).c_str());
  else
    std::printf("Default policy: unavailable: %s\n", why(s.defaults.error()).c_str());

  if (!s.counters) {
    std::printf("Counters: unavailable: %s\n", s.counters.error().message.c_str());
    return;
  }
  size_t width = 0, shown = 0;
  for (const auto& c : *s.counters) width = std::max(width, c.name.size());
  std::printf("\nCounters (%s)%s:\n", stat_file.c_str(), all ? "" : ", non-zero");
  for (const auto& c : *s.counters) {
    if (!all && c.value == 0) continue;
    ++shown;
    std::string_view e = knobs::explain_counter(c.name);
    std::printf("  %-*s %12llu  %s\n", static_cast<int>(width), c.name.c_str(), static_cast<unsigned long long>(c.value),
                e.empty() ? "(not explained: newer than this ipsec-stat)" : std::string(e).c_str());
  }
  if (!all) {
    size_t zero = s.counters->size() - shown;
    if (shown == 0)
      std::printf("  none: all %zu counters are 0\n", zero);
    else if (zero)
      std::printf("  (%zu other counters are 0)\n", zero);
  }
}

}  // namespace

// Reads only, so an internal error has nothing to take back.
int run(int argc, char** argv) {
  Flags f;
  CLI::App app{"ipsec-stat: XFRM error counters explained, next to the SPD/SAD counts and the default policy",
               "ipsec-stat"};
  app.set_version_flag("-V,--version", std::string("ipsec-stat (xfrmpp) ") + XFRMPP_VERSION);
  app.add_flag("-a,--all", f.all, "show every counter, zero or not");
  app.add_flag("--json", f.json, "JSON output (schema xfrmpp-stat/1); always has every counter");
  app.add_option("--stat-file", f.stat_file, "read the counters from FILE instead of /proc/net/xfrm_stat");
  xfrmpp::tools::BackendArgs backend_args;
  xfrmpp::tools::add_backend_options(app, backend_args);
  if (auto stop = xfrmpp::tools::parse_command_line(app, argc, argv)) return *stop;
  auto bopts = xfrmpp::tools::backend_options(backend_args);
  if (!bopts) return xfrmpp::tools::usage_error("ipsec-stat", bopts.error().message);
  f.backend = *bopts;
  f.backend.read_only = true;  // a report changes nothing, and creates no state file
  Snapshot s = take(f);
  if (f.json)
    std::printf("%s\n", xfrmpp::render::json_text(to_json(s), 2).c_str());
  else
    print_text(s, f.all,
               f.stat_file                                          ? *f.stat_file
               : f.backend.kind == xfrmpp::BackendKind::engine ? "the engine's packet path"
                                                                    : kProcStat);
  bool complete = s.spd.ok() && s.sad.ok() && s.defaults.ok() && s.counters.ok();
  if (!s.counters) std::fprintf(stderr, "ipsec-stat: %s\n", s.counters.error().message.c_str());
  return complete ? 0 : 1;
}

int main(int argc, char** argv) {
  return xfrmpp::tools::run_guarded("ipsec-stat", [&](xfrmpp::tools::Rollback&) { return run(argc, argv); });
}
