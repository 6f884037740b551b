// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/backend_factory.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "xfrmpp/engine/engine_backend.hpp"
#ifdef XFRMPP_HAVE_KERNEL
#include "xfrmpp/netlink/kernel_backend.hpp"
#endif

namespace xfrmpp {

std::optional<BackendKind> parse_backend_kind(std::string_view name) {
  if (name == "kernel") return BackendKind::kernel;
  if (name == "engine") return BackendKind::engine;
  return std::nullopt;
}

bool kernel_backend_built() {
#ifdef XFRMPP_HAVE_KERNEL
  return true;
#else
  return false;
#endif
}

std::filesystem::path default_engine_state() {
  if (const char* s = std::getenv("XFRMPP_STATE"); s && *s) return s;
  if (geteuid() != 0) {
    if (const char* r = std::getenv("XDG_RUNTIME_DIR"); r && *r) return std::filesystem::path(r) / "xfrmpp/engine.state";
  }
  return "/run/xfrmpp/engine.state";
}

Result<std::unique_ptr<Backend>> open_backend(const BackendOptions& options) {
  if (options.kind == BackendKind::engine) {
    engine::EngineOptions eo;
    eo.state = options.state.value_or(default_engine_state());
    eo.read_only = options.read_only;
    auto b = engine::EngineBackend::open(eo);
    if (!b) return b.error();
    return std::unique_ptr<Backend>(std::move(*b));
  }
#ifdef XFRMPP_HAVE_KERNEL
  auto b = nl::KernelBackend::open();
  if (!b) {
    Error e = b.error();
    if (e.code == EPERM || e.code == EACCES)
      e.message += " (the kernel's IPsec databases need CAP_NET_ADMIN; without it, use --backend=engine)";
    return e;
  }
  return std::unique_ptr<Backend>(std::move(*b));
#else
  return make_error(ENOTSUP, "this build has no kernel backend (built with -DXFRMPP_KERNEL=OFF): use --backend=engine");
#endif
}

}  // namespace xfrmpp
