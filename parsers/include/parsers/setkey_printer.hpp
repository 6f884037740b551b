// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// setkey text output: the ipsec-tools dump formats (-D, -DP) and --save statements that load back.
#include <span>
#include <string>

#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::parsers::setkey {

struct PrintOptions {
  bool with_ports = false;  ///< -p: ports on tunnel endpoints
  long pid = 0;             ///< printed as pid= like ipsec-tools (the dumping process)
  bool show_keys = true;    ///< --nokeys hides key bytes
};

/// One policy block of `setkey -DP`, as ipsec-tools prints it on Linux (without its refcnt line: netlink
/// reports no reference counts).
std::string format_policy_dump(const model::Policy& p, const PrintOptions& options);

/// `setkey -DP --save`: spdadd statements, oldest first, that recreate `dump` (given newest first, as the
/// kernel dumps). Per-socket policies are skipped; in RFC mode the automatic fwd copies are too.
std::string format_policy_save(std::span<const model::Policy> dump, bool rfc_mode);

/// One spdadd statement for a policy (no trailing newline).
std::string format_spdadd(const model::Policy& p);

/// The selector line's protocol part: "any", a name from the keyword table, or the number.
std::string upper_protocol_text(uint8_t proto);

/// `setkey -D --save`: one add statement per SA that recreates it (keys included: treat the output as
/// secret). SAs setkey cannot express (larval ones, unknown algorithms) become comments saying why.
std::string format_sa_save(std::span<const model::SecurityAssociation> dump);

/// One add statement for an SA, or an error text when setkey has no syntax for part of it.
std::string format_sa_add(const model::SecurityAssociation& sa, std::string& why_not);

/// One line per SA for `setkey -Dl`: "MMSS proto state spi age/hard src -> dst" (ipsec-tools' short form;
/// MMSS is the minute and second of `now`).
std::string format_sa_line(const model::SecurityAssociation& sa, uint64_t now);

/// One SA block of `setkey -D`.
std::string format_sa_dump(const model::SecurityAssociation& sa, const PrintOptions& options);

}  // namespace xfrmpp::parsers::setkey
