// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The one place a tool gets its Backend: the kernel (NETLINK_XFRM) or the software engine (a state file).
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "xfrmpp/backend.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp {

enum class BackendKind : uint8_t { kernel, engine };

struct BackendOptions {
  BackendKind kind = BackendKind::kernel;
  std::optional<std::filesystem::path> state;  ///< engine only; unset = default_engine_state()
  bool read_only = false;                      ///< engine only: do not create or write the state file
};

/// "kernel" or "engine"; nullopt for anything else.
std::optional<BackendKind> parse_backend_kind(std::string_view name);
/// False in a -DXFRMPP_KERNEL=OFF build.
bool kernel_backend_built();
/// $XFRMPP_STATE, else /run/xfrmpp/engine.state for root and $XDG_RUNTIME_DIR/xfrmpp/engine.state otherwise.
std::filesystem::path default_engine_state();
/// Opens the backend. EPERM/EACCES from the kernel come back with a message naming --backend=engine;
/// ENOTSUP for the kernel in a build without it.
Result<std::unique_ptr<Backend>> open_backend(const BackendOptions& options);

}  // namespace xfrmpp

#pragma GCC visibility pop
