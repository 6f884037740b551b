// SPDX-License-Identifier: BSD-3-Clause
#include "engine_side.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "parsers/setkey.hpp"
#include "parsers/setkey_printer.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"

namespace xfrmpp::testing {

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int shell(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// The tools' way, for when the engine backend exists: the same file through setkey into a state file,
// the flows through ipsec-engine lookup.
std::optional<std::vector<Answer>> through_tools(const std::filesystem::path& file, const std::vector<engine::Flow>& flows,
                                                 const EngineTools& t, const std::filesystem::path& dir, std::string& why) {
  if (t.setkey.empty() || t.ipsec_engine.empty()) {
    why = "tools not given";
    return std::nullopt;
  }
  auto state = dir / "engine.state";
  std::filesystem::remove(state);
  auto log = dir / "engine_load.log";
  if (shell(fmt::format("{} -k --backend=engine --state {} -f {} >{} 2>&1", quoted(t.setkey), quoted(state), quoted(file),
                        quoted(log))) != 0) {
    why = "setkey --backend=engine failed: " + read_file(log);
    return std::nullopt;
  }
  auto in = dir / "flows.txt", out = dir / "decisions.jsonl";
  {
    std::ofstream o(in);
    for (const auto& f : flows) o << flow_line(f) << '\n';
  }
  if (shell(fmt::format("{} lookup --state {} <{} >{} 2>{}", quoted(t.ipsec_engine), quoted(state), quoted(in), quoted(out),
                        quoted(log))) != 0) {
    why = "ipsec-engine lookup failed: " + read_file(log);
    return std::nullopt;
  }
  std::vector<Answer> answers;
  std::ifstream res(out);
  std::string line;
  while (std::getline(res, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) throw std::runtime_error("ipsec-engine printed a line that is not JSON: " + line);
    Answer a;
    std::string action = j.value("action", "");
    a.detail = line;
    if (action == "block") {
      a.kind = Answer::Kind::block;
    } else if (action == "ipsec") {
      a.kind = Answer::Kind::ipsec;
      a.reqid = j.at("templates").at(0).at("reqid").get<uint32_t>();
    } else if (action == "default" && j.value("default", "allow") == "block") {
      a.kind = Answer::Kind::block;
    }
    answers.push_back(a);
  }
  if (answers.size() != flows.size())
    throw std::runtime_error(fmt::format("ipsec-engine answered {} of {} flows", answers.size(), flows.size()));
  return answers;
}

}  // namespace

std::string to_string(const Answer& a) {
  std::string k = a.kind == Answer::Kind::pass ? "pass" : a.kind == Answer::Kind::block ? "block" : "ipsec";
  if (a.kind == Answer::Kind::ipsec) k += fmt::format(" reqid {}", a.reqid);
  if (!a.detail.empty()) k += " (" + a.detail + ")";
  return k;
}

std::string flow_line(const engine::Flow& f) {
  std::string s = fmt::format("{} {} {} {} {} {}",
                              f.dir == model::Direction::out ? "out" : f.dir == model::Direction::in ? "in" : "fwd", f.proto,
                              f.src.to_string(), f.sport, f.dst.to_string(), f.dport);
  if (f.mark) s += fmt::format(" mark={:#x}", f.mark);
  if (f.if_id) s += fmt::format(" if_id={}", f.if_id);
  if (f.ifindex) s += fmt::format(" ifindex={}", f.ifindex);
  return s;
}

std::vector<Answer> engine_answers(const std::filesystem::path& setkey_file, const std::vector<engine::Flow>& flows,
                                   const EngineTools& tools, const std::filesystem::path& workdir, std::string& how) {
  std::string why;
  auto r = through_tools(setkey_file, flows, tools, workdir, why);
  if (!r) throw std::runtime_error("the engine tools cannot answer: " + why);
  how = "setkey -k --backend=engine + ipsec-engine lookup";
  return *r;
}

}  // namespace xfrmpp::testing
