// SPDX-License-Identifier: BSD-3-Clause
// The libipsec policy API of <netinet6/ipsec.h> (ipsec_set_policy(3)): KAME policy strings to and from
// the PF_KEY struct sadb_x_policy buffer that setsockopt(IP_IPSEC_POLICY) takes. The string goes through
// the library's one policy grammar (policy_string::parse); this file only lays the model out as PF_KEY
// bytes and prints such bytes in libipsec's dump format (the Linux one, which names the priority).
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "xfrmpp/compat/netinet6/ipsec.h"
#include "xfrmpp/model/names.hpp"
#include "xfrmpp/policy_string.hpp"

// The kernel's PF_KEY layout, which is KAME's (RFC 2367 section 2.2 plus the KAME policy extension).
static_assert(sizeof(sadb_x_policy) == 16 && sizeof(sadb_x_ipsecrequest) == 16);
static_assert(offsetof(sadb_x_policy, sadb_x_policy_len) == 0 && offsetof(sadb_x_policy, sadb_x_policy_exttype) == 2 &&
              offsetof(sadb_x_policy, sadb_x_policy_type) == 4 && offsetof(sadb_x_policy, sadb_x_policy_dir) == 6 &&
              offsetof(sadb_x_policy, sadb_x_policy_id) == 8 && offsetof(sadb_x_policy, sadb_x_policy_priority) == 12);
static_assert(offsetof(sadb_x_ipsecrequest, sadb_x_ipsecrequest_len) == 0 &&
              offsetof(sadb_x_ipsecrequest, sadb_x_ipsecrequest_proto) == 2 &&
              offsetof(sadb_x_ipsecrequest, sadb_x_ipsecrequest_mode) == 4 &&
              offsetof(sadb_x_ipsecrequest, sadb_x_ipsecrequest_level) == 5 &&
              offsetof(sadb_x_ipsecrequest, sadb_x_ipsecrequest_reqid) == 8);
// The model's enumerations carry the PF_KEY values where PF_KEY has the concept.
namespace m = xfrmpp::model;
static_assert(int(m::PolicyKind::discard) == IPSEC_POLICY_DISCARD && int(m::PolicyKind::none) == IPSEC_POLICY_NONE &&
              int(m::PolicyKind::ipsec) == IPSEC_POLICY_IPSEC && int(m::PolicyKind::entrust) == IPSEC_POLICY_ENTRUST &&
              int(m::PolicyKind::bypass) == IPSEC_POLICY_BYPASS);
static_assert(int(m::Level::default_level) == IPSEC_LEVEL_DEFAULT && int(m::Level::use) == IPSEC_LEVEL_USE &&
              int(m::Level::require) == IPSEC_LEVEL_REQUIRE && int(m::Level::unique) == IPSEC_LEVEL_UNIQUE);
static_assert(int(m::Protocol::esp) == IPPROTO_ESP && int(m::Protocol::ah) == IPPROTO_AH &&
              int(m::Protocol::ipcomp) == IPPROTO_COMP);
static_assert(IPSEC_MANUAL_REQID_MAX == m::kManualReqidMax);

__thread int __ipsec_errcode;

namespace {

using xfrmpp::diag::DiagnosticSink;
using xfrmpp::diag::SourceBuffer;

// libipsec's text for each EIPSEC_* code; EIPSEC_SYSTEM_ERROR has none of its own.
constexpr const char* kMessages[EIPSEC_MAX + 1] = {
    "Success", "Not supported", "Invalid argument", "Invalid sadb message", "Invalid version",
    "Invalid security policy", "Invalid address specification", "Invalid ipsec protocol", "Invalid ipsec mode",
    "Invalid ipsec level", "Invalid SA type", "Invalid message type", "Invalid extension type",
    "Invalid algorithm type", "Invalid key length", "Invalid address family", "Invalid prefix length",
    "Invalid direction", "SPI range violation", "No protocol specified", "No algorithm specified",
    "No buffers available", "Must get supported algorithms list first", "Protocol mismatch", "Family mismatch",
    "Too few arguments", "System error", "Priority offset not in valid range",
    "Priority offset from base not in valid range", "Policy priority not compiled in", "Unknown error"};

// The detail behind the thread's last error, and the code it explains: ipsec_strerror() shows it while
// __ipsec_errcode still holds that code (a program may reset the variable itself).
thread_local std::string t_detail;
thread_local int t_detail_code = EIPSEC_NO_ERROR;

// Sets the thread's error: `code`, and as its explanation libipsec's text followed by `detail`, if any.
void set_error(int code, std::string_view detail = {}) {
  __ipsec_errcode = code;
  t_detail_code = code;
  t_detail = detail.empty() ? std::string() : fmt::format("{}: {}", kMessages[code], detail);
}

bool fail(int code, std::string_view detail) {
  set_error(code, detail);
  return false;
}

// PF_KEY's priority bases (libipsec's PRIORITY_HIGH, _DEFAULT, _LOW): a smaller value wins.
constexpr int64_t kPrioHigh = 0x40000000, kPrioDefault = 0x80000000, kPrioLow = 0xC0000000;

constexpr size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }

uint8_t pfkey_dir(m::Direction d) {
  switch (d) {
    case m::Direction::in: return IPSEC_DIR_INBOUND;
    case m::Direction::out: return IPSEC_DIR_OUTBOUND;
    case m::Direction::fwd: return IPSEC_DIR_FWD;
  }
  return IPSEC_DIR_INVALID;
}

// A request endpoint as the sockaddr libipsec copies from getaddrinfo(AI_NUMERICHOST): family, port
// (the [port] of a NAT-T endpoint, else 0) and address; everything else zero.
void put_sockaddr(std::vector<uint8_t>& out, const m::Address& a, uint16_t port) {
  if (a.family == m::Family::inet) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    std::memcpy(&sin.sin_addr, a.bytes.data(), 4);
    auto* p = reinterpret_cast<const uint8_t*>(&sin);
    out.insert(out.end(), p, p + sizeof sin);
  } else {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    std::memcpy(&sin6.sin6_addr, a.bytes.data(), 16);
    auto* p = reinterpret_cast<const uint8_t*>(&sin6);
    out.insert(out.end(), p, p + sizeof sin6);
  }
}

// The policy as libipsec lays it out: sadb_x_policy, then one sadb_x_ipsecrequest per request with its
// endpoints, each request's length in bytes (a multiple of 8), the whole length in 8-byte units.
std::vector<uint8_t> encode(const m::Policy& p, const std::vector<m::ReplacedReqid>& replaced) {
  std::vector<uint8_t> out(sizeof(sadb_x_policy));
  for (size_t i = 0; i < p.templates.size(); ++i) {
    const m::Template& t = p.templates[i];
    size_t begin = out.size();
    out.resize(begin + sizeof(sadb_x_ipsecrequest));
    if (!t.src.is_unspec()) {
      put_sockaddr(out, t.src, t.src_port);
      put_sockaddr(out, t.dst, t.dst_port);
    }
    out.resize(align8(out.size()));  // a no-op with Linux's 16- and 28-byte sockaddrs, kept for the rule
    uint32_t reqid = t.reqid;
    // libipsec writes unique:N as N; the kernel replaces an N above IPSEC_MANUAL_REQID_MAX itself.
    for (const auto& r : replaced)
      if (r.request == i) reqid = r.written;
    sadb_x_ipsecrequest rq{};
    rq.sadb_x_ipsecrequest_len = static_cast<uint16_t>(out.size() - begin);
    rq.sadb_x_ipsecrequest_proto = static_cast<uint16_t>(t.proto);
    rq.sadb_x_ipsecrequest_mode = t.mode == m::Mode::tunnel ? IPSEC_MODE_TUNNEL : IPSEC_MODE_TRANSPORT;
    rq.sadb_x_ipsecrequest_level = static_cast<uint8_t>(t.level);
    rq.sadb_x_ipsecrequest_reqid = reqid;
    std::memcpy(out.data() + begin, &rq, sizeof rq);
  }
  sadb_x_policy xpl{};
  xpl.sadb_x_policy_len = static_cast<uint16_t>(out.size() / 8);
  xpl.sadb_x_policy_exttype = SADB_X_EXT_POLICY;
  xpl.sadb_x_policy_type = static_cast<uint16_t>(p.kind);
  xpl.sadb_x_policy_dir = pfkey_dir(p.dir);
  xpl.sadb_x_policy_priority = p.priority;
  std::memcpy(out.data(), &xpl, sizeof xpl);
  return out;
}

// "prio high", "prio def + 10", "prio low - 5": the base nearest the value and the offset from it, with
// '+' meaning a higher precedence (a smaller value), as the string is written. Priority 0 prints nothing.
std::string priority_text(uint32_t prio) {
  if (prio == 0) return {};
  int64_t base = prio < kPrioDefault / 4 * 3 ? kPrioHigh : prio < kPrioDefault / 4 * 5 ? kPrioDefault : kPrioLow;
  const char* name = base == kPrioHigh ? "high" : base == kPrioDefault ? "def" : "low";
  int64_t raise = base - static_cast<int64_t>(prio);
  if (raise == 0) return fmt::format("prio {} ", name);
  return fmt::format("prio {} {} {} ", name, raise > 0 ? '+' : '-', raise > 0 ? raise : -raise);
}

bool sockaddr_size(const uint8_t* p, size_t avail, size_t& size) {
  sa_family_t family;
  if (avail < sizeof family) return false;
  std::memcpy(&family, p, sizeof family);
  size = family == AF_INET ? sizeof(sockaddr_in) : family == AF_INET6 ? sizeof(sockaddr_in6) : 0;
  return size != 0 && size <= avail;
}

bool numeric_host(const uint8_t* p, size_t size, std::string& out) {
  sockaddr_storage ss{};
  std::memcpy(&ss, p, size);
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&ss), static_cast<socklen_t>(size), host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) != 0)
    return false;
  out = host;
  return true;
}

// One request as "proto/mode/src-dst/level[:reqid]"; false with __ipsec_errcode set if it is malformed.
bool dump_request(const uint8_t* p, size_t len, std::string& out) {
  sadb_x_ipsecrequest rq;
  std::memcpy(&rq, p, sizeof rq);
  // Plain copies: fmt cannot take references to the packed fields.
  unsigned proto_id = rq.sadb_x_ipsecrequest_proto, mode_id = rq.sadb_x_ipsecrequest_mode;
  unsigned level_id = rq.sadb_x_ipsecrequest_level;
  uint32_t reqid = rq.sadb_x_ipsecrequest_reqid;
  std::string_view proto = proto_id == IPPROTO_ESP || proto_id == IPPROTO_AH || proto_id == IPPROTO_COMP
                               ? m::name_of(m::protocol_names(), static_cast<m::Protocol>(proto_id))
                               : std::string_view();
  if (proto.empty()) return fail(EIPSEC_INVAL_PROTO, fmt::format("unknown request protocol {}", proto_id));
  const char* mode = mode_id == IPSEC_MODE_ANY         ? "any"
                     : mode_id == IPSEC_MODE_TRANSPORT ? "transport"
                     : mode_id == IPSEC_MODE_TUNNEL    ? "tunnel"
                                                       : nullptr;
  if (!mode) return fail(EIPSEC_INVAL_MODE, fmt::format("unknown request mode {}", mode_id));
  std::string ends;
  if (len > sizeof rq) {
    size_t s1, s2;
    const uint8_t* a = p + sizeof rq;
    size_t avail = len - sizeof rq;
    std::string h1, h2;
    if (!sockaddr_size(a, avail, s1) || !sockaddr_size(a + s1, avail - s1, s2) || align8(sizeof rq + s1 + s2) != len ||
        !numeric_host(a, s1, h1) || !numeric_host(a + s1, s2, h2))
      return fail(EIPSEC_INVAL_ADDRESS, "the request's endpoints are not two AF_INET or AF_INET6 sockaddrs");
    ends = h1 + "-" + h2;
  }
  if (level_id > IPSEC_LEVEL_UNIQUE) return fail(EIPSEC_INVAL_LEVEL, fmt::format("unknown request level {}", level_id));
  std::string_view level = m::name_of(m::level_names(), static_cast<m::Level>(level_id));
  out = fmt::format("{}/{}/{}/{}", proto, mode, ends, level);
  // A reqid above the manual range is one the kernel generated: libipsec marks it with '#'.
  if (reqid) out += fmt::format("{}{}", reqid > IPSEC_MANUAL_REQID_MAX ? '#' : ':', reqid);
  return true;
}

char* to_malloc(const void* data, size_t size) {
  auto* buf = static_cast<char*>(std::malloc(size));
  if (!buf) {
    set_error(EIPSEC_NO_BUFS);
    return nullptr;
  }
  std::memcpy(buf, data, size);
  return buf;
}

}  // namespace

extern "C" char* ipsec_set_policy(const char* policy, int len) {
  if (!policy || len < 0) {
    set_error(EIPSEC_INVAL_ARGUMENT, !policy ? "ipsec_set_policy: no policy string (null pointer)"
                                             : fmt::format("ipsec_set_policy: negative length {}", len));
    return nullptr;
  }
  try {
    SourceBuffer source("policy", std::string(policy, strnlen(policy, static_cast<size_t>(len))));
    DiagnosticSink sink;
    xfrmpp::policy_string::Outcome outcome;
    std::optional<m::Policy> p = xfrmpp::policy_string::parse(source, sink, outcome);
    if (!p) {
      std::string detail;
      for (const auto& d : sink.all())
        if (d.severity == xfrmpp::diag::Severity::error) detail += xfrmpp::diag::format(source, d);
      if (!detail.empty() && detail.back() == '\n') detail.pop_back();
      set_error(EIPSEC_INVAL_POLICY, detail.empty() ? "the policy does not parse" : detail);
      return nullptr;
    }
    std::vector<uint8_t> bytes = encode(*p, outcome.replaced_reqids);
    char* buf = to_malloc(bytes.data(), bytes.size());
    if (buf) set_error(EIPSEC_NO_ERROR);
    return buf;
  } catch (const std::bad_alloc&) {
    set_error(EIPSEC_NO_BUFS);
    return nullptr;
  }
}

extern "C" int ipsec_get_policylen(const void* policy) {
  if (!policy) return -1;
  sadb_x_policy xpl;
  std::memcpy(&xpl, policy, sizeof xpl);
  return xpl.sadb_x_policy_len * 8;
}

extern "C" char* ipsec_dump_policy(const void* policy, const char* delimiter) {
  if (!policy) return nullptr;  // as libipsec: NULL, error code untouched
  try {
    const auto* bytes = static_cast<const uint8_t*>(policy);
    sadb_x_policy xpl;
    std::memcpy(&xpl, bytes, sizeof xpl);
    unsigned exttype = xpl.sadb_x_policy_exttype, dir = xpl.sadb_x_policy_dir, type = xpl.sadb_x_policy_type;
    if (exttype != SADB_X_EXT_POLICY) {
      set_error(EIPSEC_INVAL_EXTTYPE, fmt::format("extension type {}, not SADB_X_EXT_POLICY ({})", exttype, SADB_X_EXT_POLICY));
      return nullptr;
    }
    // Linux reports per-socket policies with the directions after fwd (libipsec's "in(socket)").
    static constexpr const char* kDirs[] = {"any", "in", "out", "fwd", "in(socket)", "out(socket)"};
    if (dir >= std::size(kDirs)) {
      set_error(EIPSEC_INVAL_DIR, fmt::format("unknown direction {}", dir));
      return nullptr;
    }
    if (type > IPSEC_POLICY_BYPASS) {
      set_error(EIPSEC_INVAL_POLICY, fmt::format("unknown policy type {}", type));
      return nullptr;
    }
    std::string text = fmt::format("{} {}{}", kDirs[dir], priority_text(xpl.sadb_x_policy_priority),
                                   m::name_of(m::policy_kind_names(), static_cast<m::PolicyKind>(type)));
    if (type == IPSEC_POLICY_IPSEC) {
      const char* delim = delimiter ? delimiter : " ";
      size_t total = size_t{xpl.sadb_x_policy_len} * 8;
      for (size_t off = sizeof xpl; off < total;) {
        uint16_t len;
        std::memcpy(&len, bytes + off, sizeof len);
        if (len < sizeof(sadb_x_ipsecrequest) || len > total - off) {
          set_error(EIPSEC_INVAL_SADBMSG, fmt::format("request at byte {} has length {}, outside the policy's {} bytes",
                                                      off, len, total));
          return nullptr;
        }
        std::string request;
        if (!dump_request(bytes + off, len, request)) return nullptr;
        text += delim;
        text += request;
        off += len;
      }
    }
    char* buf = to_malloc(text.c_str(), text.size() + 1);
    if (buf) set_error(EIPSEC_NO_ERROR);
    return buf;
  } catch (const std::bad_alloc&) {
    set_error(EIPSEC_NO_BUFS);
    return nullptr;
  }
}

extern "C" const char* ipsec_strerror(void) {
  if (__ipsec_errcode < 0 || __ipsec_errcode > EIPSEC_MAX) __ipsec_errcode = EIPSEC_MAX;
  if (__ipsec_errcode == t_detail_code && !t_detail.empty()) return t_detail.c_str();
  return kMessages[__ipsec_errcode];
}
