// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// ipsecconf(8) front end: Solaris/illumos IPsec policy rules, `{pattern} action {properties} [or ...]`.
//
// Pipeline: parse() turns a file into Rules (every Solaris check, names and tunnels resolved, all
// diagnostics collected); expand() splits a Rule into one rule per address pair as Solaris adds them;
// policies() maps one expanded rule to xfrmpp::model policies; format_rule() prints an expanded rule
// in the canonical `ipsecconf -l` form, which parses back to the same policies.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/model/address.hpp"
#include "xfrmpp/model/algorithm.hpp"
#include "xfrmpp/model/names.hpp"
#include "xfrmpp/model/policy.hpp"

namespace xfrmpp::parsers::ipsecconf {

enum class Action : uint8_t { apply, permit, ipsec, bypass, drop };

/// Pattern names (TOK_* in ipsecconf.c); several spellings share one.
enum class PatternKey : uint8_t { saddr, daddr, sport, dport, smask, dmask, ulp, laddr, lport, raddr, rport, dir, type, code, negotiate, tunnel };
enum class PropertyKey : uint8_t { auth_algs, encr_algs, encr_auth_algs, sa, dir };

/// Keyword tables: the single source of names for the parser, the printer, --help, completions and the man page check.
std::span<const model::Keyword<Action>> action_names();        ///< apply permit ipsec bypass pass drop
std::span<const model::Keyword<PatternKey>> pattern_names();   ///< every pattern keyword and alias
std::span<const model::Keyword<PropertyKey>> property_names();
std::span<const model::Keyword<uint8_t>> icmp_type_names();
std::span<const model::Keyword<uint8_t>> icmp_code_names();

/// Direction bits of a rule (SPD_RULE_FLAG_INBOUND / OUTBOUND).
inline constexpr uint8_t kDirIn = 1, kDirOut = 2, kDirBoth = 3;

/// A key-length specification `(N)`, `(N..)`, `(..N)`, `(N..M)`; max 0 = unbounded.
struct KeyRange {
  uint16_t min = 0, max = 0;
  bool given = false;
  bool operator==(const KeyRange&) const = default;
};

/// One algorithm value of auth_algs / encr_algs / encr_auth_algs.
struct AlgorithmChoice {
  const model::AlgorithmInfo* info = nullptr;  ///< nullptr: `any` (every algorithm the range admits)
  KeyRange bits;
  diag::SourceRange range;
  bool operator==(const AlgorithmChoice& o) const { return info == o.info && bits == o.bits; }
};

/// One `action {properties}` of a rule; rules with `or` have several.
struct Alternative {
  Action action = Action::ipsec;
  std::optional<AlgorithmChoice> ah_auth, esp_encr, esp_auth;
  bool unique = false;  ///< `sa unique`
  diag::SourceRange range;
  bool uses_esp() const { return esp_encr || esp_auth; }
  bool uses_ah() const { return ah_auth.has_value(); }
};

/// laddr/raddr (or saddr/daddr): what the user wrote and every address it stands for.
struct Endpoint {
  std::string text;                    ///< as written, without the prefix
  std::vector<model::Address> addrs;   ///< one, or several for a multi-homed name
  std::optional<uint8_t> prefix;       ///< `/plen`, or from smask/dmask
  diag::SourceRange range;
  bool operator==(const Endpoint& o) const { return addrs == o.addrs && prefix == o.prefix; }
};

struct IcmpRange {
  uint8_t first = 0, last = 0;
  bool operator==(const IcmpRange&) const = default;
};

/// What a tunnel name stands for on Linux (ipsecconf.8, TUNNELS): an XFRM interface (if_id) and the
/// outer endpoints, or an ipip/sit/ip6tnl/gre device (endpoints only, for `negotiate transport`).
struct TunnelInfo {
  std::string kind;                     ///< "xfrm", "ipip", "sit", "ip6tnl", "gre", ... ("static" from a table)
  std::optional<uint32_t> if_id;        ///< XFRM interface id the tunnel's policies carry
  model::Address local, remote;         ///< outer endpoints; unspec when unknown
  bool operator==(const TunnelInfo&) const = default;
};

struct Tunnel {
  std::string name;
  bool negotiate_tunnel = false;  ///< negotiate tunnel (tunnel-mode SAs) vs transport
  TunnelInfo info;
  diag::SourceRange range;
  bool resolved = true;  ///< false: not found where the file was checked (ipsecconf -c); info is empty, no policies
  bool operator==(const Tunnel& o) const {
    return name == o.name && negotiate_tunnel == o.negotiate_tunnel && info == o.info && resolved == o.resolved;
  }
};

/// One parsed rule, normalized to local/remote (the old saddr/daddr form is swapped for inbound rules,
/// as ipsecconf.c does).
struct Rule {
  diag::SourceRange range;              ///< the whole entry, comments excluded
  std::optional<Endpoint> local, remote;
  uint16_t lport = 0, rport = 0;        ///< 0 = any
  uint8_t ulp = 0;                      ///< 0 = any
  std::optional<IcmpRange> type, code;  ///< code needs type
  std::optional<Tunnel> tunnel;
  uint8_t dirs = kDirBoth;
  bool dir_given = false;
  bool icmp_typecode_ignored = false;   ///< type/code without ulp icmp: Solaris drops them, so do we
  std::vector<Alternative> alternatives;
};

/// Names to addresses (hosts and networks, both families). Empty = "Could not resolve address".
using HostResolver = std::function<std::vector<model::Address>(std::string_view name)>;
/// Tunnel name to what it is on Linux; nullopt with `why` filled when there is no such tunnel.
using TunnelResolver = std::function<std::optional<TunnelInfo>(std::string_view name, std::string& why)>;

struct ParseOptions {
  HostResolver resolve_host;      ///< unset: numeric addresses only
  TunnelResolver resolve_tunnel;  ///< unset: every tunnel rule is an error
  /// Checking a file for another machine (ipsecconf -c): a tunnel this one lacks is a warning, and the
  /// rest of its rule is still checked.
  bool unknown_tunnel_is_warning = false;
};

/// Parses a whole file. Every problem goes to `sink` with the Solaris message and line number, at the
/// offending token; a rule with an error is left out and parsing resumes with the next rule, so one run
/// reports every bad rule. Warnings (DANGER, approximations XFRM forces) go to `sink` as well.
std::vector<Rule> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options);

/// One rule per (local, remote) address pair, skipping v4/v6 mismatches (ipsecconf.c do_address_adds).
/// A rule without addresses comes back unchanged. Empty when no pair matches (an error parse() reports).
std::vector<Rule> expand(const Rule& rule);

/// The Solaris SPD priority of an expanded rule: base | boosts (bypass 0x800000, ESP 0x400000, AH 0x200000).
uint32_t solaris_priority(const Rule& rule, uint32_t base);
/// The XFRM priority: Linux matches the lowest value first, so the order is inverted; always >= 1.
uint32_t xfrm_priority(uint32_t solaris);
/// Where Solaris starts counting down, one step per expanded rule (INITIAL_BASE_PRIORITY).
inline constexpr uint32_t kInitialBase = 0x000fffff;

/// The XFRM policies of one expanded rule with its base priority: in and/or out (and fwd for tunnel
/// rules), one per family for rules without addresses, one per ICMP type/code block.
std::vector<model::Policy> policies(const Rule& rule, uint32_t base);

/// ALLOW policies that keep IKE (UDP 500 and 4500) out of IPsec in both directions and families, as
/// Solaris always does. Priority 0: above every ipsecconf rule.
std::vector<model::Policy> ike_bypass_policies();
/// True for a policy ike_bypass_policies() makes.
bool is_ike_bypass(const model::Policy& p);

struct FormatOptions {
  bool numeric = true;  ///< -n: numbers for protocols and ports; otherwise names where known
};
/// The canonical rule as `ipsecconf -l` prints it after `#INDEX`: one line, braces as `{ ... }`.
std::string format_rule(const Rule& rule, const FormatOptions& options = {});

/// Every keyword of the language (patterns, actions, properties, values), for completions and docs.
std::vector<std::string_view> all_keywords();

}  // namespace xfrmpp::parsers::ipsecconf
