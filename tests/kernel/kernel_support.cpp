// SPDX-License-Identifier: BSD-3-Clause
#include "kernel_support.hpp"

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "netns.hpp"
#include "xfrmpp/backend_factory.hpp"

namespace ktest {

using namespace xfrmpp;

namespace {

// The engine run's state file, in a directory of this process's own under $TMPDIR, removed at exit.
struct RunState {
  RunState() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kernel_test_engine.XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~RunState() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
};

BackendOptions options_of_run() {
  BackendOptions o;
  if (!on_engine()) return o;
  static const RunState run;
  o.kind = BackendKind::engine;
  o.state = run.dir / "engine.state";
  return o;
}

}  // namespace

bool on_engine() { return xfrmpp::test::engine_run(); }

std::unique_ptr<Backend> fresh_backend() {
  auto be = open_backend(options_of_run());
  REQUIRE_MESSAGE(be.ok(), (be.ok() ? std::string() : be.error().message));
  auto& b = *be.value();
  REQUIRE(b.flush_policies().ok());
  REQUIRE(b.flush_sas(std::nullopt).ok());
  model::DefaultPolicy accept{model::PolicyAction::allow, model::PolicyAction::allow, model::PolicyAction::allow};
  REQUIRE(b.set_default_policy(accept).ok());
  REQUIRE(b.set_spd_hash_thresholds(32, 32, 128, 128).ok());
  return std::move(be.value());
}

model::Policy host_policy(uint32_t i, model::Direction dir) {
  model::Policy p;
  p.sel.family = model::Family::inet;
  p.sel.src = {model::Address::v4(0x0a000000u + i), 32};
  p.sel.dst = {model::Address::v4(0x14000000u + i), 32};
  p.dir = dir;
  p.kind = model::PolicyKind::ipsec;
  model::Template t;
  t.family = model::Family::inet;
  t.level = model::Level::require;
  p.templates = {t};
  return p;
}

std::vector<Change> changes_of(const std::vector<model::Policy>& policies, Change::Verb verb) {
  std::vector<Change> out;
  out.reserve(policies.size());
  for (size_t i = 0; i < policies.size(); ++i) out.push_back(Change{policies[i], verb, i});
  return out;
}

model::PolicyId policy_id(const model::Selector& sel, model::Direction dir) {
  model::PolicyId id;
  id.sel = sel;
  id.dir = dir;
  return id;
}

const model::Policy* find_by_key(const std::vector<model::Policy>& dump, const model::PolicyKey& key) {
  for (const auto& p : dump)
    if (p.key() == key) return &p;
  return nullptr;
}

model::Policy as_kernel_reports(model::Policy sent, const model::Policy& got) {
  if (sent.index == 0) sent.index = got.index;
  sent.current = got.current;
  return sent;
}

}  // namespace ktest
