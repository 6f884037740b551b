// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Host-wide IPsec knobs under the names BSD (ipsec(4), sysctl), QNX and Solaris (ndd /dev/ip) users know,
// each mapped to its Linux equivalent or marked as having none. The table is the single source of knob
// names: ipsec-sysctl, its help, the shell completions and the man-page check all read it.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/model/address.hpp"
#include "xfrmpp/model/ipsec.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::knobs {

/// Where a knob's value lives on Linux.
enum class Mapping : uint8_t {
  default_policy,   ///< the XFRM default policy (XFRM_MSG_SETDEFAULT/GETDEFAULT), in, fwd and out together
  default_level,    ///< xfrmpp's per-netns state, applied where a policy request says `default`
  proc_sysctl,      ///< a file under /proc/sys (per network namespace)
  bypass_policies,  ///< `in` allow policies without templates for some upper-layer protocols
  fixed,            ///< Linux behaves one way only; that behaviour is the value, and only it can be "set"
  none,             ///< no Linux equivalent: reading says so, writing fails
};

/// One policy a bypass knob stands for: direction in, any address of `family`, upper protocol `proto`.
struct BypassRule {
  model::Family family = model::Family::inet;
  uint8_t proto = 0;
};

/// A knob. Only the fields of its `mapping` are meaningful.
struct Knob {
  std::string_view name;        ///< as users write it: net.inet.ipsec.def_policy, icmp_accept_clear_messages
  std::string_view origin;      ///< where the name comes from, e.g. "FreeBSD/NetBSD/QNX ipsec(4)"
  Mapping mapping = Mapping::none;
  std::string_view meaning;     ///< what it does on its home system, one line
  std::string_view linux_text;  ///< the Linux mapping, or why there is none, one line
  std::string_view values;      ///< what -w accepts, for help and the man page ("" = nothing)
  // default_level
  model::Family family = model::Family::unspec;
  model::Protocol proto = model::Protocol::esp;
  bool tunnel = false;  ///< *_net_deflev (tunnel mode) rather than *_trans_deflev
  // proc_sysctl
  std::string_view path;  ///< relative to /proc/sys
  // fixed
  std::string_view fixed_value;
  // bypass_policies
  std::span<const BypassRule> rules;
  /// Any mapping: the name under which a backend that keeps host knobs itself (the engine,
  /// Backend::get/set_host_knob) holds this one; "" = none. On a backend without them (the kernel, which
  /// answers EOPNOTSUPP) the knob behaves as its `mapping` says.
  std::string_view host_knob;
};

/// Every knob, in the order ipsec-sysctl -a lists them.
std::span<const Knob> knob_table();
/// Exact name match only (no prefixes); null when unknown.
const Knob* find_knob(std::string_view name);
/// "default-policy", "default-level", "proc-sysctl", "bypass-policies", "fixed" or "none".
std::string_view mapping_name(Mapping m);

/// Priority of the policies a bypass knob installs: 0, the highest precedence Linux has (a lower value wins).
inline constexpr uint32_t kBypassPriority = 0;

/// What a knob reads as.
struct Reading {
  std::string value;  ///< as sysctl prints it: "1", "0", "mixed", "partial", or "-" when there is no equivalent
  std::string note;   ///< qualifies the value, e.g. "unset: Linux treats 'default' as require"; may be empty
};

/// Everything reading or writing knobs touches. Nothing here is global: tests point it elsewhere.
struct Context {
  Backend* backend = nullptr;                  ///< kernel access (default policy, bypass policies); may be null
  StateOptions state;                          ///< where default levels are kept
  std::filesystem::path proc_sys = "/proc/sys";
};

/// Reads a knob. Errors: ENODEV without a backend where one is needed, kernel errors, unreadable files.
Result<Reading> read_knob(const Knob& knob, Context& ctx);

/// Sets a knob and returns what it reads as afterwards. EOPNOTSUPP for a knob with no Linux equivalent
/// (and for a fixed knob given any value but its fixed one); EINVAL for a value the knob does not take;
/// EEXIST when a bypass knob would replace an SPD entry that is not a bypass; kernel errors as they come.
Result<Reading> write_knob(const Knob& knob, std::string_view value, Context& ctx);

/// The policies bypass knob `rule` installs (exposed for tests and for printing what a knob does).
model::Policy bypass_policy(const BypassRule& rule);
/// True when `p` is the policy `bypass_policy(rule)` describes (any priority; kernel-assigned fields ignored).
bool is_bypass_for(const model::Policy& p, const BypassRule& rule);

}  // namespace xfrmpp::knobs

#pragma GCC visibility pop
