// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Codecs for the structs and attributes that policies, SAs and events share (selector, address,
// lifetimes, mark, security context, templates). Pure functions; byte order conversions live here only.
#include <optional>
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/lifetime.hpp"
#include "xfrmpp/model/mark.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/selector.hpp"
#include "xfrmpp/netlink/message.hpp"
#include "xfrmpp/netlink/uapi.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// Length rules for every XFRMA_* type this library reads (the kernel's xfrma_policy minimums).
std::span<const AttrRule> xfrma_rules();

xfrm_address_t encode_address(const model::Address& a);
/// `family` tells how many bytes are meaningful. With `zero_is_unspec`, an all-zero address decodes as
/// unspec (template endpoints, NAT-OA), so "absent" survives a round trip.
model::Address decode_address(const xfrm_address_t& a, model::Family family, bool zero_is_unspec);

/// Ports go to network order; the family comes from the selector or, when unspec, from its prefixes.
xfrm_selector encode_selector(const model::Selector& s);
model::Selector decode_selector(const xfrm_selector& s);

xfrm_lifetime_cfg encode_lifetime(const model::LifetimeLimits& l);
model::LifetimeLimits decode_lifetime(const xfrm_lifetime_cfg& l);
xfrm_lifetime_cur encode_lifetime_current(const model::LifetimeCurrent& c);
model::LifetimeCurrent decode_lifetime_current(const xfrm_lifetime_cur& c);

xfrm_mark encode_mark(const model::Mark& m);
model::Mark decode_mark(const xfrm_mark& m);

/// Level::use -> optional 1; unique keeps its reqid; default/require -> optional 0.
xfrm_user_tmpl encode_template(const model::Template& t);
/// optional -> use; else reqid != 0 -> unique; else require.
model::Template decode_template(const xfrm_user_tmpl& t);

/// XFRMA_SEC_CTX: xfrm_user_sec_ctx with len = header + label, then the label.
void put_sec_ctx(MessageWriter& w, const model::SecurityContext& ctx);
/// EBADMSG when the declared lengths disagree with the attribute.
Result<model::SecurityContext> decode_sec_ctx(std::span<const uint8_t> payload);

/// XFRMA_TMPL payload: whole xfrm_user_tmpl entries (EBADMSG on a partial one or more than XFRM_MAX_DEPTH).
Result<std::vector<model::Template>> decode_templates(std::span<const uint8_t> payload);

/// XFRMA_MARK / XFRMA_IF_ID / XFRMA_SEC_CTX / XFRMA_POLICY_TYPE as policies and policy ids carry them.
void put_policy_keys(MessageWriter& w, const std::optional<model::Mark>& mark, const std::optional<uint32_t>& if_id,
                     const std::optional<model::SecurityContext>& ctx, model::PolicyType type);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
