// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/backend.hpp"

#include <cerrno>
#include <string>

namespace xfrmpp {

Result<uint32_t> Backend::get_host_knob(std::string_view name) {
  return make_error(EOPNOTSUPP, std::string(name) + ": this backend keeps no such knob (only the engine does)");
}

Result<void> Backend::set_host_knob(std::string_view name, uint32_t) {
  return make_error(EOPNOTSUPP, std::string(name) + ": this backend keeps no such knob (only the engine does)");
}

}  // namespace xfrmpp
