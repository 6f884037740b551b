// SPDX-License-Identifier: BSD-3-Clause
#include "process_report.hpp"

#include <fmt/format.h>

#include "xfrmpp/model/names.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::tools::engine_cli {

namespace {

std::string_view event_name(const Event& e) {
  switch (e.kind) {
    case Event::Kind::acquire: return "acquire";
    case Event::Kind::expire: return e.hard ? "expire-hard" : "expire-soft";
    case Event::Kind::policy_expire: return e.hard ? "policy-expire-hard" : "policy-expire-soft";
    case Event::Kind::mapping: return "mapping";
    case Event::Kind::report: return "report";
    case Event::Kind::overrun: return "overrun";
    default: return "other";
  }
}

// Events name SAs and policies by what identifies them; keys stay out of the report.
nlohmann::json sa_brief(const model::SecurityAssociation& sa) {
  return {{"src", sa.src.to_string()}, {"dst", sa.dst.to_string()},
          {"proto", model::name_of(model::protocol_names(), sa.proto)}, {"spi", sa.spi},
          {"mode", model::name_of(model::mode_names(), sa.mode)}, {"reqid", sa.reqid}};
}

nlohmann::json policy_brief(const model::Policy& p) {
  nlohmann::json j{{"index", p.index}, {"dir", model::name_of(model::direction_names(), p.dir)},
                   {"selector", render::to_json(p.sel)}};
  nlohmann::json reqids = nlohmann::json::array();
  for (const auto& t : p.templates) reqids.push_back(t.reqid);
  j["reqids"] = std::move(reqids);
  return j;
}

nlohmann::json event_json(const Event& e) {
  nlohmann::json j{{"event", event_name(e)}};
  if (e.sa) j["sa"] = sa_brief(*e.sa);
  if (e.policy) j["policy"] = policy_brief(*e.policy);
  return j;
}

std::string event_line(const Event& e) {
  std::string line(event_name(e));
  if (e.sa) {
    const auto& sa = *e.sa;
    line += fmt::format(" {} {}->{}", model::name_of(model::protocol_names(), sa.proto), sa.src.to_string(),
                        sa.dst.to_string());
    if (sa.spi) line += fmt::format(" spi 0x{:08x}", sa.spi);
    line += fmt::format(" {} reqid {}", model::name_of(model::mode_names(), sa.mode), sa.reqid);
  }
  if (e.policy) {
    const auto& p = *e.policy;
    line += fmt::format(" policy {} {}", p.index, model::name_of(model::direction_names(), p.dir));
    for (const auto& t : p.templates) line += fmt::format(" tmpl-reqid {}", t.reqid);
  }
  return line;
}

}  // namespace

nlohmann::json summary_json(const ProcessSummary& s) {
  nlohmann::json j{{"schema", "xfrmpp-engine-process/1"},
                   {"direction", s.outbound ? "out" : "in"},
                   {"link_type", s.link_type},
                   {"packets",
                    {{"read", s.read}, {"passed", s.passed}, {"dropped", s.dropped}, {"consumed", s.consumed},
                     {"transformed", s.transformed}, {"non_ip", s.non_ip}, {"cut_short", s.cut_short},
                     {"unwritable", s.unwritable}}}};
  nlohmann::json drops = nlohmann::json::array();
  for (const auto& [key, n] : s.drops)
    drops.push_back({{"counter", key.first}, {"reason", key.second}, {"packets", n}});
  j["drops"] = std::move(drops);
  nlohmann::json counters = nlohmann::json::array();
  for (const auto& c : s.counters) counters.push_back({{"name", c.name}, {"run", c.run}, {"total", c.total}});
  j["counters"] = std::move(counters);
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : s.events) events.push_back(event_json(e));
  j["events"] = std::move(events);
  return j;
}

std::string summary_json_text(const ProcessSummary& s) { return render::json_text(summary_json(s), 2) + "\n"; }

std::string summary_table(const ProcessSummary& s) {
  std::string t = fmt::format("direction    {}\nlink type    {}\n", s.outbound ? "out" : "in", s.link_type);
  t += fmt::format("read         {}\npassed       {}  ({} transformed, {} not IP)\ndropped      {}\n", s.read, s.passed,
                   s.transformed, s.non_ip, s.dropped);
  if (s.consumed) t += fmt::format("consumed     {}  (NAT-T keepalives)\n", s.consumed);
  if (s.cut_short) t += fmt::format("  {} captured shorter than sent (snaplen)\n", s.cut_short);
  if (s.unwritable) t += fmt::format("  {} of an IP version the link type cannot hold\n", s.unwritable);
  for (const auto& [key, n] : s.drops) t += fmt::format("  {:>8}  {}: {}\n", n, key.first, key.second);
  if (!s.counters.empty()) {
    t += fmt::format("\n{:<32} {:>12} {:>12}\n", "counter", "this run", "total");
    for (const auto& c : s.counters) t += fmt::format("{:<32} {:>12} {:>12}\n", c.name, c.run, c.total);
  }
  if (!s.events.empty()) {
    t += "\nevents\n";
    for (const auto& e : s.events) t += "  " + event_line(e) + "\n";
  }
  return t;
}

}  // namespace xfrmpp::tools::engine_cli
