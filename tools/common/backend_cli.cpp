// SPDX-License-Identifier: BSD-3-Clause
#include "backend_cli.hpp"

#include <cerrno>
#include <cstdlib>

namespace xfrmpp::tools {

namespace {

constexpr const char* kBackendNames = "'kernel' or 'engine'";

BackendKind built_in_default() { return kernel_backend_built() ? BackendKind::kernel : BackendKind::engine; }

}  // namespace

void add_backend_options(CLI::App& app, BackendArgs& args) {
  app.add_option("--backend", args.backend, kBackendHelp)->type_name("NAME");
  app.add_option("--state", args.state, kStateHelp)->type_name("FILE");
}

Result<BackendOptions> backend_options(const BackendArgs& args) {
  BackendOptions o;
  o.kind = built_in_default();
  if (args.backend) {
    auto k = parse_backend_kind(*args.backend);
    if (!k) return make_error(EINVAL, "--backend: '" + *args.backend + "' is not a backend; choose " + kBackendNames);
    o.kind = *k;
  } else if (const char* env = std::getenv("XFRMPP_BACKEND"); env && *env) {
    auto k = parse_backend_kind(env);
    if (!k) return make_error(EINVAL, std::string("XFRMPP_BACKEND: '") + env + "' is not a backend; choose " + kBackendNames);
    o.kind = *k;
  }
  if (args.state) {
    if (o.kind != BackendKind::engine) return make_error(EINVAL, "--state goes with --backend=engine");
    if (args.state->empty()) return make_error(EINVAL, "--state: the file name is empty");
    o.state = *args.state;
  }
  return o;
}

std::filesystem::path engine_state_path(const BackendOptions& o) { return o.state.value_or(default_engine_state()); }

knobs::StateOptions knob_state(const BackendOptions& o) {
  knobs::StateOptions s;
  if (o.kind == BackendKind::engine) s.dir = engine_state_path(o).string() + ".knobs";
  return s;
}

Result<std::unique_ptr<Backend>> open_tool_backend(const BackendOptions& o) {
  auto b = open_backend(o);
  if (b) return b;
  Error e = b.error();
  if (o.kind == BackendKind::kernel) {
    e.message = "cannot open NETLINK_XFRM: " + e.message;
  } else {
    // The engine's own messages usually name the file already.
    std::string path = engine_state_path(o).string();
    e.message = "engine backend: " + (e.message.find(path) == std::string::npos ? path + ": " + e.message : e.message);
  }
  return e;
}

}  // namespace xfrmpp::tools
