// SPDX-License-Identifier: BSD-3-Clause
// libnl-xfrm-3 reads the SPD we wrote, as a decoder independent of ours; `ip xfrm` covers if_id,
// which libnl 3.7 does not parse.
#include <doctest/doctest.h>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "kernel_support.hpp"
#include "wire.hpp"

using namespace xfrmpp;

namespace {

struct SockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

bool same_address(nl_addr* a, const model::Address& b) {
  if (!a) return b.is_unspec() || b.is_zero();
  size_t n = b.family == model::Family::inet6 ? 16 : 4;
  if (b.is_unspec()) {
    // A transport template's endpoints are zeros on the wire.
    auto* bytes = static_cast<const uint8_t*>(nl_addr_get_binary_addr(a));
    for (unsigned i = 0; i < nl_addr_get_len(a); ++i)
      if (bytes[i]) return false;
    return true;
  }
  return nl_addr_get_len(a) == n && std::memcmp(nl_addr_get_binary_addr(a), b.bytes.data(), n) == 0;
}

// Finds libnl's view of `p` by selector and direction (and mark, when set).
xfrmnl_sp* find_sp(nl_cache* cache, const model::Policy& p) {
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* sp = reinterpret_cast<xfrmnl_sp*>(o);
    xfrmnl_sel* sel = xfrmnl_sp_get_sel(sp);
    if (xfrmnl_sp_get_dir(sp) != static_cast<int>(p.dir)) continue;
    if (!same_address(xfrmnl_sel_get_saddr(sel), p.sel.src.addr)) continue;
    if (!same_address(xfrmnl_sel_get_daddr(sel), p.sel.dst.addr)) continue;
    if (xfrmnl_sel_get_prefixlen_s(sel) != p.sel.src.len || xfrmnl_sel_get_prefixlen_d(sel) != p.sel.dst.len) continue;
    if (xfrmnl_sel_get_proto(sel) != p.sel.proto) continue;
    return sp;
  }
  return nullptr;
}

std::string run(const char* cmd) {
  std::string out;
  FILE* f = popen(cmd, "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

model::Template tmpl(model::Protocol proto, model::Mode mode, model::Level level, uint32_t reqid, const char* src,
                     const char* dst, model::Family family) {
  model::Template t;
  t.proto = proto;
  t.mode = mode;
  t.level = level;
  t.reqid = reqid;
  t.family = family;
  if (src) t.src = wire::addr(src);
  if (dst) t.dst = wire::addr(dst);
  return t;
}

std::vector<model::Policy> sample() {
  using model::Direction;
  std::vector<model::Policy> out;
  model::Policy a;
  a.sel.family = model::Family::inet;
  a.sel.src = wire::prefix("10.8.0.0", 16);
  a.sel.dst = wire::prefix("10.9.0.1", 32);
  a.sel.proto = 6;
  a.sel.dport = 22;
  a.sel.dport_mask = 0xffff;
  a.dir = Direction::out;
  a.priority = 300;
  a.kind = model::PolicyKind::ipsec;
  a.templates = {tmpl(model::Protocol::ah, model::Mode::transport, model::Level::use, 0, nullptr, nullptr,
                      model::Family::inet),
                 tmpl(model::Protocol::esp, model::Mode::tunnel, model::Level::unique, 11, "192.0.2.10", "192.0.2.20",
                      model::Family::inet)};
  a.mark = model::Mark{0x42, 0xffff};
  a.if_id = 0x33;
  out.push_back(a);

  model::Policy b;
  b.sel.family = model::Family::inet6;
  b.sel.src = wire::prefix("2001:db8:5::", 64);
  b.sel.dst = wire::prefix("2001:db8:6::", 64);
  b.sel.proto = 17;
  b.sel.sport = 500;
  b.sel.sport_mask = 0xffff;
  b.dir = Direction::in;
  b.priority = 17;
  b.kind = model::PolicyKind::discard;
  out.push_back(b);

  model::Policy c;
  c.sel.family = model::Family::inet;
  c.sel.src = wire::prefix("10.10.0.0", 24);
  c.sel.dst = wire::prefix("10.11.0.0", 24);
  c.dir = Direction::fwd;
  c.kind = model::PolicyKind::ipsec;
  c.if_id = 5;
  c.templates = {tmpl(model::Protocol::esp, model::Mode::tunnel, model::Level::require, 0, "2001:db8::a", "2001:db8::b",
                      model::Family::inet6)};
  out.push_back(c);
  return out;
}

}  // namespace

TEST_CASE("libnl-xfrm's SPD cache agrees with the model on selector, dir, priority, action, templates and mark") {
  auto be = ktest::fresh_backend();
  auto ps = sample();
  REQUIRE(be->apply(ktest::changes_of(ps), ApplyOptions{}).applied == ps.size());

  std::unique_ptr<nl_sock, SockDeleter> sock(nl_socket_alloc());
  REQUIRE(sock);
  REQUIRE(nl_connect(sock.get(), NETLINK_XFRM) == 0);
  nl_cache* raw = nullptr;
  REQUIRE(xfrmnl_sp_alloc_cache(sock.get(), &raw) == 0);
  std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
  CHECK(nl_cache_nitems(cache.get()) == static_cast<int>(ps.size()));

  for (const auto& p : ps) {
    CAPTURE(p.priority);
    xfrmnl_sp* sp = find_sp(cache.get(), p);
    REQUIRE(sp);
    xfrmnl_sel* sel = xfrmnl_sp_get_sel(sp);
    CHECK(xfrmnl_sel_get_family(sel) == static_cast<int>(p.sel.family));
    CHECK(xfrmnl_sel_get_sport(sel) == p.sel.sport);
    CHECK(xfrmnl_sel_get_dport(sel) == p.sel.dport);
    CHECK(xfrmnl_sel_get_sportmask(sel) == p.sel.sport_mask);
    CHECK(xfrmnl_sel_get_dportmask(sel) == p.sel.dport_mask);
    CHECK(xfrmnl_sp_get_priority(sp) == static_cast<int>(p.priority));
    CHECK(xfrmnl_sp_get_action(sp) == (p.kind == model::PolicyKind::discard ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW));
    unsigned mark_v = 0, mark_m = 0;
    int has_mark = xfrmnl_sp_get_mark(sp, &mark_m, &mark_v);  // libnl's getter takes the mask first
    if (p.mark) {
      REQUIRE(has_mark == 0);
      CHECK(mark_v == p.mark->value);
      CHECK(mark_m == p.mark->mask);
    } else {
      CHECK(has_mark != 0);
    }
    REQUIRE(xfrmnl_sp_get_nusertemplates(sp) == static_cast<int>(p.templates.size()));
    for (size_t i = 0; i < p.templates.size(); ++i) {
      CAPTURE(i);
      const auto& t = p.templates[i];
      xfrmnl_user_tmpl* ut = xfrmnl_sp_usertemplate_n(sp, static_cast<int>(i));
      REQUIRE(ut);
      CHECK(xfrmnl_user_tmpl_get_proto(ut) == static_cast<int>(t.proto));
      CHECK(xfrmnl_user_tmpl_get_mode(ut) == static_cast<int>(t.mode));
      CHECK(xfrmnl_user_tmpl_get_reqid(ut) == static_cast<int>(t.reqid));
      CHECK(xfrmnl_user_tmpl_get_optional(ut) == (t.level == model::Level::use ? 1 : 0));
      CHECK(xfrmnl_user_tmpl_get_family(ut) == static_cast<int>(t.family));
      CHECK(same_address(xfrmnl_user_tmpl_get_saddr(ut), t.src));
      CHECK(same_address(xfrmnl_user_tmpl_get_daddr(ut), t.dst));
    }
  }

  // libnl 3.7 has no if_id accessor; iproute2 prints it, so the third decoder checks that field.
  std::string text = run("ip xfrm policy list 2>/dev/null");
  if (!text.empty()) {
    CHECK(text.find("if_id 0x33") != std::string::npos);
    CHECK(text.find("if_id 0x5") != std::string::npos);
  }
}
