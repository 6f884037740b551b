// SPDX-License-Identifier: BSD-3-Clause
// libxfrmpp-preload.so (libxfrmpp-preload(8)): setsockopt/getsockopt interposed with LD_PRELOAD, so that
// programs written for KAME/BSD or Solaris keep their per-socket IPsec policy on a Linux without PF_KEY.
//
//  * IP_IPSEC_POLICY / IPV6_IPSEC_POLICY (a PF_KEY sadb_x_policy, as ipsec_set_policy(3) makes it) goes
//    to the kernel first. Only when the kernel refuses it for want of PF_KEY (EINVAL: no key manager
//    compiles that format without af_key) is the buffer printed with ipsec_dump_policy(3) and the text
//    applied with xfrmpp_set_socket_policy(3): the library's one translation to IP_XFRM_POLICY.
//  * Solaris' IP_SEC_OPT / IPV6_SEC_OPT (an ipsec_req_t) is always ours: a bypass or transport-mode
//    require/unique policy both ways, put on the socket with xfrmpp::socket::encode_socket_policy.
//    getsockopt answers from what was set on that socket, since Linux cannot read a socket policy back.
//  * Everything else goes to the next setsockopt/getsockopt untouched, errno included.
//
// The option numbers are not illumos' 0x22: on Linux that is IP_MULTICAST_LOOP and IPV6_IPSEC_POLICY, and
// a Solaris program run without this library would silently set multicast loopback. <netinet/in.h> of
// xfrmpp-compat gives 0x1022, which Linux (and its netfilter option ranges) leave unused, so without the
// preload such a setsockopt fails with ENOPROTOOPT, as it should.
//
// Nothing is printed unless XFRMPP_PRELOAD_DEBUG=1 is in the environment; then each translation and each
// refusal is reported on stderr, prefixed "libxfrmpp-preload:".
#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

// Our compat <netinet/in.h> (ipsec_req_t, IP_SEC_OPT) over the system one, and the libipsec API.
#include "xfrmpp/compat/net/pfkeyv2.h"
#include "xfrmpp/compat/netinet/in.h"
#include "xfrmpp/compat/netinet6/ipsec.h"
#include "xfrmpp/socket/socket_policy.hpp"
#include "xfrmpp/socket_policy.h"

static_assert(sizeof(ipsec_req_t) == 16, "Solaris' layout: three words and three algorithm ids");

namespace {

namespace m = xfrmpp::model;

using setsockopt_fn = int (*)(int, int, int, const void*, socklen_t);
using getsockopt_fn = int (*)(int, int, int, void*, socklen_t*);

// The interposed functions' next definitions (libc's). Resolved once; a function-local static is
// initialised thread-safely.
setsockopt_fn next_setsockopt() {
  static const auto fn = reinterpret_cast<setsockopt_fn>(dlsym(RTLD_NEXT, "setsockopt"));
  return fn;
}
getsockopt_fn next_getsockopt() {
  static const auto fn = reinterpret_cast<getsockopt_fn>(dlsym(RTLD_NEXT, "getsockopt"));
  return fn;
}

void debug(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char* fmt, ...) {
  const char* on = std::getenv("XFRMPP_PRELOAD_DEBUG");
  if (!on || std::strcmp(on, "1") != 0) return;
  int saved = errno;
  std::va_list ap;
  va_start(ap, fmt);
  std::fputs("libxfrmpp-preload: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
  errno = saved;
}

int fail(int code) {
  errno = code;
  return -1;
}

// What IP_SEC_OPT set, per socket, for getsockopt(IP_SEC_OPT): the kernel cannot be asked. This table
// is the preload's only mutable state; the inode tells a reused fd from the socket it replaced.
struct SecOpt {
  ino_t inode;
  ipsec_req_t req;
};
std::mutex g_mutex;
std::map<int, SecOpt> g_secopt;

ino_t socket_inode(int fd) {
  struct stat st{};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

bool is_pfkey_policy(const void* val, socklen_t len) {
  if (!val || len < sizeof(sadb_x_policy)) return false;
  sadb_x_policy xpl;
  std::memcpy(&xpl, val, sizeof xpl);
  return xpl.sadb_x_policy_exttype == SADB_X_EXT_POLICY && socklen_t{xpl.sadb_x_policy_len} * 8 == len;
}

bool is_sec_opt(int level, int name) {
  return (level == IPPROTO_IP && name == IP_SEC_OPT) || (level == IPPROTO_IPV6 && name == IPV6_SEC_OPT);
}

// The errors of a kernel without PF_KEY for IP_IPSEC_POLICY: no key manager compiles the sadb_x_policy
// format (6.18 says EOPNOTSUPP; older kernels EINVAL).
bool no_pfkey(int err) { return err == EOPNOTSUPP || err == EINVAL || err == ENOPROTOOPT; }

// ipsr_*_alg as a template mask: bit n for SADB id n, all bits for 0 (any).
bool alg_mask(uint8_t id, uint32_t& mask) {
  if (id >= 32) return false;
  mask = id == 0 ? ~0u : 1u << id;
  return true;
}

// The IPsec level an IPSEC_PREF_* word asks for, none for 0 or NEVER.
bool level_of(unsigned pref, m::Level& level) {
  if (!(pref & (IPSEC_PREF_REQUIRED | IPSEC_PREF_UNIQUE))) return false;
  level = pref & IPSEC_PREF_UNIQUE ? m::Level::unique : m::Level::require;
  return true;
}

int set_sec_opt(int fd, int level, const ipsec_req_t& req) {
  const char* opt = level == IPPROTO_IP ? "IP_SEC_OPT" : "IPV6_SEC_OPT";
  constexpr unsigned known = IPSEC_PREF_NEVER | IPSEC_PREF_REQUIRED | IPSEC_PREF_UNIQUE;
  if (req.ipsr_self_encap_req) {
    debug("%s on fd %d: ipsr_self_encap_req (self-encapsulation, an IP-in-IP tunnel to the peer) has no Linux "
          "socket-policy equivalent; refused (EINVAL)", opt, fd);
    return fail(EINVAL);
  }
  if ((req.ipsr_ah_req | req.ipsr_esp_req) & ~known) {
    debug("%s on fd %d: unknown IPSEC_PREF_* bits (ah 0x%x, esp 0x%x); refused (EINVAL)", opt, fd, req.ipsr_ah_req,
          req.ipsr_esp_req);
    return fail(EINVAL);
  }
  bool never = (req.ipsr_ah_req | req.ipsr_esp_req) & IPSEC_PREF_NEVER;
  m::Level ah_level{}, esp_level{};
  bool ah = level_of(req.ipsr_ah_req, ah_level), esp = level_of(req.ipsr_esp_req, esp_level);
  if (never && (ah || esp)) {
    debug("%s on fd %d: IPSEC_PREF_NEVER together with IPSEC_PREF_REQUIRED/UNIQUE; refused (EINVAL)", opt, fd);
    return fail(EINVAL);
  }
  m::Family family = level == IPPROTO_IP ? m::Family::inet : m::Family::inet6;
  int xfrm_opt = level == IPPROTO_IP ? IP_XFRM_POLICY : IPV6_XFRM_POLICY;

  if (!never && !ah && !esp) {
    // No request: the socket follows the SPD again (Linux clears both directions at once).
    if (next_setsockopt()(fd, level, xfrm_opt, nullptr, 0) != 0) return -1;
    debug("%s on fd %d: no request, socket policy removed", opt, fd);
  } else {
    m::Policy p;
    p.kind = never ? m::PolicyKind::bypass : m::PolicyKind::ipsec;
    // ESP inside AH, as Solaris applies them (and as KAME writes "esp/transport//require ah/...").
    if (esp) {
      m::Template t;
      t.proto = m::Protocol::esp;
      t.level = esp_level;
      if (!alg_mask(req.ipsr_esp_alg, t.ealgos) || !alg_mask(req.ipsr_esp_auth_alg, t.aalgos)) {
        debug("%s on fd %d: ESP algorithm id %u/%u is not a PF_KEY id below 32; refused (EINVAL)", opt, fd,
              req.ipsr_esp_alg, req.ipsr_esp_auth_alg);
        return fail(EINVAL);
      }
      p.templates.push_back(t);
    }
    if (ah) {
      m::Template t;
      t.proto = m::Protocol::ah;
      t.level = ah_level;
      if (!alg_mask(req.ipsr_auth_alg, t.aalgos)) {
        debug("%s on fd %d: AH algorithm id %u is not a PF_KEY id below 32; refused (EINVAL)", opt, fd,
              req.ipsr_auth_alg);
        return fail(EINVAL);
      }
      p.templates.push_back(t);
    }
    for (m::Direction dir : {m::Direction::in, m::Direction::out}) {
      p.dir = dir;
      auto bytes = xfrmpp::socket::encode_socket_policy(p, family);
      if (!bytes) {
        debug("%s on fd %d: %s", opt, fd, bytes.error().message.c_str());
        return fail(bytes.error().code ? bytes.error().code : EINVAL);
      }
      if (next_setsockopt()(fd, level, xfrm_opt, bytes->data(), static_cast<socklen_t>(bytes->size())) != 0) {
        debug("%s on fd %d: the kernel refused the %s policy: %s", opt, fd, dir == m::Direction::in ? "in" : "out",
              std::strerror(errno));
        return -1;
      }
    }
    debug("%s on fd %d: %s policy set both ways (%zu request(s))", opt, fd, never ? "bypass" : "ipsec",
          p.templates.size());
  }
  std::lock_guard lock(g_mutex);
  g_secopt[fd] = SecOpt{socket_inode(fd), req};
  return 0;
}

int get_sec_opt(int fd, void* val, socklen_t* len) {
  if (!val || !len) return fail(EFAULT);
  if (*len < sizeof(ipsec_req_t)) return fail(EINVAL);
  ipsec_req_t req{};
  {
    std::lock_guard lock(g_mutex);
    auto it = g_secopt.find(fd);
    if (it != g_secopt.end()) {
      if (it->second.inode == socket_inode(fd))
        req = it->second.req;
      else
        g_secopt.erase(it);
    }
  }
  std::memcpy(val, &req, sizeof req);
  *len = sizeof req;
  return 0;
}

// IP_IPSEC_POLICY the kernel refused: the PF_KEY buffer as KAME text, applied through the C API.
int set_pfkey_policy(int fd, const void* val, socklen_t len, int kernel_errno) {
  if (!is_pfkey_policy(val, len)) return fail(kernel_errno);
  char* text = ipsec_dump_policy(val, nullptr);
  if (!text) {
    debug("IP_IPSEC_POLICY on fd %d: not a policy ipsec_dump_policy can read: %s", fd, ipsec_strerror());
    return fail(kernel_errno);
  }
  std::string policy = text;
  std::free(text);
  if (xfrmpp_set_socket_policy(fd, policy.c_str()) != 0) {
    int code = errno;
    debug("IP_IPSEC_POLICY on fd %d: \"%s\": %s", fd, policy.c_str(), xfrmpp_last_error());
    return fail(code);
  }
  debug("IP_IPSEC_POLICY on fd %d: the kernel has no PF_KEY (%s); set \"%s\" as IP_XFRM_POLICY", fd,
        std::strerror(kernel_errno), policy.c_str());
  return 0;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int setsockopt(int fd, int level, int name, const void* val,
                                                                 socklen_t len) {
  setsockopt_fn next = next_setsockopt();
  if (!next) return fail(ENOSYS);
  if (is_sec_opt(level, name)) {
    if (!val) return fail(EFAULT);
    if (len != sizeof(ipsec_req_t)) return fail(EINVAL);
    ipsec_req_t req;
    std::memcpy(&req, val, sizeof req);
    try {
      return set_sec_opt(fd, level, req);
    } catch (const std::bad_alloc&) {
      return fail(ENOMEM);
    }
  }
  int rc = next(fd, level, name, val, len);
  if (rc == 0 || !no_pfkey(errno)) return rc;
  if ((level == IPPROTO_IP && name == IP_IPSEC_POLICY) || (level == IPPROTO_IPV6 && name == IPV6_IPSEC_POLICY)) {
    int kernel_errno = errno;
    try {
      return set_pfkey_policy(fd, val, len, kernel_errno);
    } catch (const std::bad_alloc&) {
      return fail(kernel_errno);
    }
  }
  return rc;
}

extern "C" __attribute__((visibility("default"))) int getsockopt(int fd, int level, int name, void* val,
                                                                 socklen_t* len) {
  getsockopt_fn next = next_getsockopt();
  if (!next) return fail(ENOSYS);
  if (is_sec_opt(level, name)) return get_sec_opt(fd, val, len);
  return next(fd, level, name, val, len);
}
