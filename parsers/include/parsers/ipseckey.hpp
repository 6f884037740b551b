// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// ipseckey(8) front end: Solaris/illumos manual keying commands (add, update, delete, get, flush, dump,
// save, monitor, ...) parsed into xfrmpp::model SAs. One command per line, '\' continues a line.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/model/algorithm.hpp"
#include "xfrmpp/model/names.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::parsers::ipseckey {

enum class Cmd : uint8_t { add, update, update_pair, del, delete_pair, get, flush, dump, save, monitor, passive_monitor, help, quit };

/// Every extension name of ipseckey.c's token table; several spellings share one.
enum class Ext : uint8_t {
  spi, pair_spi, replay, replay_value, state, auth_alg, encr_alg, flags,
  soft_alloc, soft_bytes, soft_addtime, soft_usetime, hard_alloc, hard_bytes, hard_addtime, hard_usetime,
  current_alloc, current_bytes, current_addtime, current_usetime, idle_addtime, idle_usetime,
  src, dst, src6, dst6, isrc, idst, isrc6, idst6, sport, dport, isport, idport, proto, iproto,
  authkey, encrkey, reserved_bits, srcidtype, dstidtype, dpd, sens_level, sens_map, integ_level, integ_map,
  label, outer_label, implicit_label, nat_loc, nat_rem, nat_lport, nat_rport, encap, inbound, outbound,
};

/// Keyword tables: the single source of names for the parser, help, completions and the man page check.
std::span<const model::Keyword<Cmd>> command_names();
std::span<const model::Keyword<Ext>> extension_names();
/// all, ah, esp (nullopt = all).
std::span<const model::Keyword<std::optional<model::Protocol>>> sa_type_names();

/// Which fields an add or update gave, so an update can change only those (ipseckey's update leaves the
/// rest of the SA alone; XFRM's UPDSA wants the whole SA, so the tool merges).
struct Given {
  bool auth = false, crypt = false, replay = false, replay_value = false, encap = false, selector = false;
  bool soft_bytes = false, hard_bytes = false, soft_add = false, hard_add = false, soft_use = false, hard_use = false;
  bool soft_packets = false, hard_packets = false;
};

/// One SA an add/update/delete/get acts on (a destination name with several addresses gives several).
struct SaRequest {
  model::SecurityAssociation sa;  ///< delete/get: only family, addresses, proto and spi matter
  Given given;
};

struct Command {
  Cmd cmd = Cmd::help;
  std::optional<model::Protocol> satype;  ///< nullopt: all (flush, dump, save all)
  std::vector<SaRequest> sas;
  std::string save_file;                  ///< save: the file ("" or "-": standard output)
  std::string help_topic;
  diag::SourceRange range;                ///< the whole command, continuation lines included
};

/// Names to addresses (both families). Empty = unknown name.
using HostResolver = std::function<std::vector<model::Address>(std::string_view name)>;
/// The XFRM interface id of the tunnel between two outer endpoints, if one exists: tunnel-mode SAs get
/// it so ipsecconf's tunnel rules (policies with that if_id) can use them.
using TunnelIfId = std::function<std::optional<uint32_t>(const model::Address& src, const model::Address& dst)>;

struct ParseOptions {
  HostResolver resolve_host;  ///< unset: numeric addresses only
  TunnelIfId tunnel_if_id;
  bool numeric = false;       ///< -n: no name lookups
  bool from_file = true;      ///< -f/-c: help, monitor, dump and save are refused ("not appropriate in config file")
  bool interactive = false;   ///< add and update are allowed only interactively or from a file
};

/// The key material of ipseckey input, whether or not it parses: every run of 16 or more hex digits (with
/// its 0x) in any command or comment, and, in each command that may carry keys (add, update, an unknown
/// command, or any command with an authkey/encrkey word), every quoted word and the word after
/// authkey/encrkey. May overlap; parse hands it to the sink's add_secrets, which sorts and merges.
std::vector<diag::SourceRange> key_material(std::string_view text);

/// Parses every command of `source`. A command with an error is reported (Solaris message, our location,
/// keys masked) and left out; parsing goes on with the next one. `parsed` counts commands seen.
std::vector<Command> parse(const diag::SourceBuffer& source, diag::DiagnosticSink& sink, const ParseOptions& options,
                           size_t* parsed = nullptr);

/// The name ipseckey prints for an algorithm of an SA (ipsecalgs' first name), e.g. "hmac-sha256".
std::string algorithm_name(const model::AlgorithmSetting& a, model::AlgKind kind);

struct PrintOptions {
  bool paranoid = false;  ///< -p: keys as X
  bool numeric = true;    ///< -n: no reverse lookups
};

/// The `save` text of one SA: "# begin assoc", an add command continued over lines, "# end assoc".
std::string format_save(const model::SecurityAssociation& sa, const PrintOptions& options);
/// The header save writes before the SAs.
std::string save_header();
/// One SA the way ipseckey's get, dump and monitor print a PF_KEY message (SA:, SRC:, DST:, AKY:, LT: ...).
/// `message` is the message type word (GET, DUMP, ADD, EXPIRE...).
std::string format_sa(const model::SecurityAssociation& sa, std::string_view message, const PrintOptions& options);

/// Help text of `help` and `help <command>` / `help attr`.
std::string help_text(std::string_view topic);

}  // namespace xfrmpp::parsers::ipseckey
