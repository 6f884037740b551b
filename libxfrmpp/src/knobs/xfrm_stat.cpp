// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/knobs/xfrm_stat.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "xfrmpp/util/number.hpp"

namespace xfrmpp::knobs {

namespace {

// Written for someone reading `ipsec-stat` output: what went wrong and where to look first.
constexpr std::array<CounterInfo, 32> kCounters{{
    {"XfrmInError", "inbound packet dropped for a reason no other counter covers (often out of memory)"},
    {"XfrmInBufferError", "inbound packet dropped: no buffer space to process it"},
    {"XfrmInHdrError", "inbound packet dropped: malformed IPsec or inner header"},
    {"XfrmInNoStates", "inbound ESP/AH with an SPI, destination or protocol that matches no SA (missing or deleted SA, "
                       "peer uses other keys)"},
    {"XfrmInStateProtoError", "inbound packet failed in ESP/AH/IPComp itself: wrong key or ICV mismatch, bad padding"},
    {"XfrmInStateModeError", "inbound packet does not fit its SA's mode (transport vs tunnel, inner family)"},
    {"XfrmInStateSeqError", "inbound sequence number outside the replay window (replayed, or reordered beyond it)"},
    {"XfrmInStateExpired", "inbound packet for an SA whose lifetime has expired"},
    {"XfrmInStateMismatch", "inbound packet does not match its SA's options (e.g. UDP encapsulation or addresses differ)"},
    {"XfrmInStateInvalid", "inbound packet for an SA that is not valid (larval, being deleted)"},
    {"XfrmInTmplMismatch", "inbound packet was decrypted but the 'in' policy's templates do not match the SAs used "
                           "(policy and SA disagree on protocol, mode, reqid or addresses)"},
    {"XfrmInNoPols", "inbound IPsec packet with no matching 'in' policy, or no policy while the default policy "
                     "blocks 'in'"},
    {"XfrmInPolBlock", "inbound packet dropped by a discard (block) policy"},
    {"XfrmInPolError", "inbound policy check failed with an error"},
    {"XfrmOutError", "outbound packet dropped for a reason no other counter covers"},
    {"XfrmOutBundleGenError", "outbound: building the transform chain (bundle) for a policy failed"},
    {"XfrmOutBundleCheckError", "outbound: a cached transform chain (bundle) was no longer valid"},
    {"XfrmOutNoStates", "outbound packet matched a policy but a template has no SA (no IKE daemon, or the SA expired); "
                        "dropped while xfrm_larval_drop is 1"},
    {"XfrmOutStateProtoError", "outbound packet failed in ESP/AH/IPComp itself (e.g. crypto error)"},
    {"XfrmOutStateModeError", "outbound packet does not fit its SA's mode (e.g. packet too big for it)"},
    {"XfrmOutStateSeqError", "outbound sequence number would wrap: the SA needs rekeying (or ESN)"},
    {"XfrmOutStateExpired", "outbound packet for an SA whose lifetime has expired"},
    {"XfrmOutPolBlock", "outbound packet dropped by a discard (block) policy, socket policies included"},
    {"XfrmOutPolDead", "outbound packet hit a policy that was being deleted"},
    {"XfrmOutPolError", "outbound policy lookup failed with an error"},
    {"XfrmFwdHdrError", "forwarded packet dropped: its headers could not be decoded for the 'fwd' policy check"},
    {"XfrmOutStateInvalid", "outbound packet for an SA that is no longer valid (perhaps expired)"},
    {"XfrmAcquireError", "an SA was used before its negotiation (acquire) completed"},
    {"XfrmOutStateDirError", "outbound packet found an SA marked for the 'in' direction (SA direction attribute)"},
    {"XfrmInStateDirError", "inbound packet found an SA marked for the 'out' direction (SA direction attribute)"},
    {"XfrmInIptfsError", "inbound IP-TFS (mode iptfs) packet could not be decoded"},
    {"XfrmOutNoQueueSpace", "outbound packet dropped: the queue that holds packets while an SA is negotiated "
                            "(xfrm_larval_drop 0) is full"},
}};

}  // namespace

Result<std::vector<Counter>> parse_xfrm_stat(std::string_view text) {
  std::vector<Counter> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    size_t a = line.find_first_not_of(" \t");
    if (a == std::string_view::npos) continue;  // blank line
    line.remove_prefix(a);
    size_t sp = line.find_first_of(" \t");
    if (sp == std::string_view::npos)
      return make_error(EBADMSG, "xfrm_stat line " + std::to_string(line_no) + ": no value after '" + std::string(line) + "'");
    std::string_view name = line.substr(0, sp);
    std::string_view rest = line.substr(sp);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r')) rest.remove_suffix(1);
    auto v = util::parse_unsigned(rest);
    if (!v)
      return make_error(EBADMSG, "xfrm_stat line " + std::to_string(line_no) + ": '" + std::string(rest) +
                                     "' is not a counter value");
    out.push_back(Counter{std::string(name), *v});
  }
  return out;
}

Result<std::vector<Counter>> read_xfrm_stat(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    int e = errno ? errno : ENOENT;
    return make_error(e, "cannot read " + path.string() + ": " + std::strerror(e) +
                             (e == ENOENT ? " (kernel without CONFIG_XFRM_STATISTICS?)" : ""));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return parse_xfrm_stat(s.str());
}

std::span<const CounterInfo> counter_explanations() { return kCounters; }

std::string_view explain_counter(std::string_view name) {
  for (const auto& c : kCounters)
    if (c.name == name) return c.meaning;
  return {};
}

}  // namespace xfrmpp::knobs
