// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// --backend=kernel|engine and --state FILE, the same words on every tool: read here, checked once, and
// the backend opened only through xfrmpp::open_backend().
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "xfrmpp/backend_factory.hpp"
#include "xfrmpp/knobs/state.hpp"

namespace xfrmpp::tools {

/// The two options as written, before they are checked (ipsecconf's getopt loop fills this too).
struct BackendArgs {
  std::optional<std::string> backend;  ///< --backend NAME
  std::optional<std::string> state;    ///< --state FILE
};

inline constexpr const char* kBackendHelp =
    "where the SPD/SAD live: 'kernel' (NETLINK_XFRM, needs CAP_NET_ADMIN) or 'engine' (the software engine's "
    "state file; no privileges); default $XFRMPP_BACKEND, else kernel";
inline constexpr const char* kStateHelp =
    "with --backend=engine: the state file (default $XFRMPP_STATE, else /run/xfrmpp/engine.state as root, "
    "$XDG_RUNTIME_DIR/xfrmpp/engine.state otherwise)";

/// Adds --backend NAME and --state FILE to `app`, writing into `args`.
void add_backend_options(CLI::App& app, BackendArgs& args);

/// Checks the options. Without --backend, $XFRMPP_BACKEND decides, else the kernel (the engine in a build
/// without the kernel backend). An unknown name (naming the valid ones) and --state without the engine are
/// errors whose message is a usage error's text (exit status 2).
Result<BackendOptions> backend_options(const BackendArgs& args);

/// The state file the engine uses for `o` (its --state, else default_engine_state()).
std::filesystem::path engine_state_path(const BackendOptions& o);

/// Where the knobs Linux has no place for (the *_deflev default levels) are kept for `o`: /run/xfrmpp for the
/// kernel (per network namespace), <state file>.knobs/ for the engine, so the engine's levels are its own.
knobs::StateOptions knob_state(const BackendOptions& o);

/// open_backend(o); the error message says which backend could not be opened (the kernel's EPERM names
/// --backend=engine, see open_backend()).
Result<std::unique_ptr<Backend>> open_tool_backend(const BackendOptions& o);

}  // namespace xfrmpp::tools
