// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What the kernel checks before it stores a policy or an SA (xfrm_user.c verify_newpolicy_info,
// validate_tmpl, verify_newsa_info, the attach_* algorithm lookups, verify_spi_info), with its errno and,
// as `extack`, the kernel's explanation where it gives one.
#include <cstdint>
#include <string>

#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::engine {

struct Rejection {
  int code = 0;         ///< 0 = accepted
  std::string extack;   ///< the kernel's text for the same mistake
  explicit operator bool() const { return code != 0; }
};

Rejection validate_policy(const model::Policy& p);
Rejection validate_sa(const model::SecurityAssociation& sa);
Rejection validate_spi_range(model::Protocol proto, uint32_t min, uint32_t max);
/// The SA's family as the kernel stores it: its own, else its destination's.
model::Family sa_family(const model::SecurityAssociation& sa);

}  // namespace xfrmpp::engine
