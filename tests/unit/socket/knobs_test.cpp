// SPDX-License-Identifier: BSD-3-Clause
// The knob table and every Linux mapping, against an in-memory backend and temporary directories standing
// in for /run/xfrmpp and /proc/sys; plus the xfrm_stat parser and its explanations.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fake_backend.hpp"
#include "xfrmpp/knobs/knobs.hpp"
#include "xfrmpp/knobs/xfrm_stat.hpp"

using namespace xfrmpp;
using knobs::Mapping;
using model::PolicyAction;

namespace {

// A private directory, removed at the end of the test case.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xfrmpp-knobs-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

const knobs::Knob& knob(std::string_view name) {
  const knobs::Knob* k = knobs::find_knob(name);
  REQUIRE_MESSAGE(k != nullptr, std::string(name));
  return *k;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_value(std::string_view name, knobs::Context& ctx) {
  auto r = knobs::read_knob(knob(name), ctx);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message));
  return r->value;
}

}  // namespace

TEST_CASE("knob table: unique names, complete rows, every name the man pages use") {
  std::set<std::string_view> names;
  for (const auto& k : knobs::knob_table()) {
    CHECK_MESSAGE(names.insert(k.name).second, "duplicate " << k.name);
    CHECK_FALSE(k.origin.empty());
    CHECK_FALSE(k.meaning.empty());
    CHECK_FALSE(k.linux_text.empty());
    switch (k.mapping) {
      case Mapping::none: CHECK_MESSAGE(k.linux_text.starts_with("no Linux equivalent"), k.name); break;
      case Mapping::fixed: CHECK_FALSE(k.fixed_value.empty()); break;
      case Mapping::proc_sysctl: CHECK_FALSE(k.path.empty()); break;
      case Mapping::bypass_policies: CHECK_FALSE(k.rules.empty()); break;
      case Mapping::default_level: CHECK(k.family != model::Family::unspec); break;
      case Mapping::default_policy: break;
    }
    if (k.mapping != Mapping::none) CHECK_FALSE(k.values.empty());
  }
  // The names of FreeBSD/NetBSD ipsec(4), QNX and Solaris ipsec(4P) (the issue's list and the rest of
  // those pages).
  for (std::string_view n :
       {"net.inet.ipsec.def_policy", "net.inet6.ipsec6.def_policy", "net.inet.ipsec.esp_trans_deflev",
        "net.inet.ipsec.esp_net_deflev", "net.inet.ipsec.ah_trans_deflev", "net.inet.ipsec.ah_net_deflev",
        "net.inet6.ipsec6.esp_trans_deflev", "net.inet6.ipsec6.esp_net_deflev", "net.inet6.ipsec6.ah_trans_deflev",
        "net.inet6.ipsec6.ah_net_deflev", "net.inet.ipsec.ah_cleartos", "net.inet.ipsec.ah_offsetmask",
        "net.inet.ipsec.dfbit", "net.inet.ipsec.ecn", "net.inet.ipsec.debug", "net.inet6.ipsec6.ecn",
        "net.inet6.ipsec6.debug", "net.inet.ipsec.filtertunnel", "net.inet6.ipsec6.filtertunnel",
        "net.inet.ipsec.crypto_support", "net.inet.esp.esp_enable", "net.inet.ah.ah_enable",
        "net.inet.ipcomp.ipcomp_enable", "icmp_accept_clear_messages", "igmp_accept_clear_messages",
        "pim_accept_clear_messages", "ipsec_policy_log_interval", "net.core.xfrm_acq_expires",
        "net.core.xfrm_aevent_etime", "net.core.xfrm_aevent_rseqth", "net.core.xfrm_larval_drop"})
    CHECK_MESSAGE(knobs::find_knob(n) != nullptr, n);
  // Exactly one default-level knob per family, protocol and mode class.
  for (auto f : {model::Family::inet, model::Family::inet6})
    for (auto p : {model::Protocol::esp, model::Protocol::ah})
      for (bool tunnel : {false, true}) {
        int n = 0;
        for (const auto& k : knobs::knob_table())
          n += k.mapping == Mapping::default_level && k.family == f && k.proto == p && k.tunnel == tunnel;
        CHECK(n == 1);
      }
  // Names match exactly, never by prefix or without their tree.
  CHECK(knobs::find_knob("net.inet.ipsec") == nullptr);
  CHECK(knobs::find_knob("def_policy") == nullptr);
  CHECK(knobs::find_knob("net.inet.ipsec.def_polic") == nullptr);
}

TEST_CASE("def_policy maps to the XFRM default policy, shared by both families") {
  fake::Backend be;
  knobs::Context ctx;
  ctx.backend = &be;
  CHECK(read_value("net.inet.ipsec.def_policy", ctx) == "1");

  auto w = knobs::write_knob(knob("net.inet.ipsec.def_policy"), "0", ctx);
  REQUIRE(w.ok());
  CHECK(w->value == "0");
  CHECK(be.defaults.in == PolicyAction::block);
  CHECK(be.defaults.fwd == PolicyAction::block);
  CHECK(be.defaults.out == PolicyAction::block);
  CHECK(read_value("net.inet6.ipsec6.def_policy", ctx) == "0");  // one Linux setting

  REQUIRE(knobs::write_knob(knob("net.inet6.ipsec6.def_policy"), "none", ctx).ok());
  CHECK(be.defaults.out == PolicyAction::allow);
  CHECK(read_value("net.inet.ipsec.def_policy", ctx) == "1");

  be.defaults.in = PolicyAction::block;  // as `ip xfrm policy setdefault in block` leaves it
  auto mixed = knobs::read_knob(knob("net.inet.ipsec.def_policy"), ctx);
  REQUIRE(mixed.ok());
  CHECK(mixed->value == "mixed");
  CHECK(mixed->note == "in=block fwd=accept out=accept");

  auto bad = knobs::write_knob(knob("net.inet.ipsec.def_policy"), "2", ctx);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EINVAL);
  CHECK(be.defaults.in == PolicyAction::block);  // unchanged

  knobs::Context none;
  CHECK(knobs::read_knob(knob("net.inet.ipsec.def_policy"), none).error().code == ENODEV);
}

TEST_CASE("default levels live in a per-netns state file and resolve 'default' requests") {
  TempDir dir;
  knobs::Context ctx;
  ctx.state.dir = dir.path / "run";  // created on the first write
  auto unset = knobs::read_knob(knob("net.inet.ipsec.esp_trans_deflev"), ctx);
  REQUIRE(unset.ok());
  CHECK(unset->value == "2");
  CHECK(unset->note.find("unset") == 0);
  CHECK_FALSE(std::filesystem::exists(ctx.state.dir));  // reading never creates anything

  REQUIRE(knobs::write_knob(knob("net.inet.ipsec.esp_trans_deflev"), "1", ctx).ok());
  REQUIRE(knobs::write_knob(knob("net.inet6.ipsec6.ah_net_deflev"), "use", ctx).ok());
  CHECK(read_value("net.inet.ipsec.esp_trans_deflev", ctx) == "1");
  CHECK(read_value("net.inet.ipsec.esp_net_deflev", ctx) == "2");

  auto ns = knobs::current_netns();
  REQUIRE(ns.ok());
  auto file = knobs::state_file(*ns, ctx.state);
  CHECK(file.filename() == "netns-" + std::to_string(ns->inode) + ".json");
  std::string text = slurp(file);
  CHECK(text.find("\"net.inet.ipsec.esp_trans_deflev\": 1") != std::string::npos);
  CHECK(text.find("xfrmpp-knobs/1") != std::string::npos);
  for (const auto& e : std::filesystem::directory_iterator(ctx.state.dir))  // no temporary file left behind
    CHECK(e.path().string().find(".tmp.") == std::string::npos);

  auto lv = knobs::load_default_levels(ctx.state);
  REQUIRE(lv.ok());
  CHECK(lv->level_for(model::Family::inet, model::Protocol::esp, model::Mode::transport) == model::Level::use);
  CHECK(lv->level_for(model::Family::inet, model::Protocol::esp, model::Mode::tunnel) == model::Level::require);
  CHECK(lv->level_for(model::Family::inet6, model::Protocol::ah, model::Mode::tunnel) == model::Level::use);
  CHECK(lv->level_for(model::Family::inet6, model::Protocol::ah, model::Mode::beet) == model::Level::use);  // net class
  CHECK(lv->level_for(model::Family::unspec, model::Protocol::esp, model::Mode::transport) == model::Level::use);
  CHECK(lv->level_for(model::Family::inet, model::Protocol::ipcomp, model::Mode::transport) == model::Level::use);
  // resolve(): a transport request has no family of its own; the policy's selector says IPv6.
  model::Policy v6;
  v6.sel.src = {*model::Address::parse("2001:db8::1"), 128};
  v6.sel.dst = {*model::Address::parse("2001:db8::2"), 128};
  v6.templates.resize(2);
  v6.templates[0].proto = model::Protocol::ah;
  v6.templates[0].mode = model::Mode::tunnel;
  v6.templates[1].level = model::Level::require;
  lv->resolve(v6);
  CHECK(v6.templates[0].level == model::Level::use);      // net.inet6.ipsec6.ah_net_deflev = 1
  CHECK(v6.templates[1].level == model::Level::require);  // explicit
  model::Policy v4 = v6;
  v4.sel = {};
  v4.templates[0].level = model::Level::default_level;
  lv->resolve(v4, model::Family::inet);  // only the fallback says IPv4: net.inet.ipsec.ah_net_deflev is unset
  CHECK(v4.templates[0].level == model::Level::require);
  auto eff = knobs::effective_default_level(model::Family::inet, model::Protocol::esp, model::Mode::transport, ctx.state);
  REQUIRE(eff.ok());
  CHECK(*eff == model::Level::use);

  REQUIRE(knobs::write_knob(knob("net.inet.ipsec.esp_trans_deflev"), "require", ctx).ok());
  CHECK(read_value("net.inet.ipsec.esp_trans_deflev", ctx) == "2");
  CHECK(read_value("net.inet6.ipsec6.ah_net_deflev", ctx) == "1");  // the other knob kept
  CHECK(knobs::write_knob(knob("net.inet.ipsec.esp_trans_deflev"), "3", ctx).error().code == EINVAL);

  // A file left by a dead namespace whose inode came back is someone else's state.
  if (ns->cookie != 0) {
    std::ofstream(file) << R"({"schema":"xfrmpp-knobs/1","netns_inode":1,"netns_cookie":)" << ns->cookie + 1
                        << R"(,"values":{"net.inet.ipsec.esp_trans_deflev":1}})";
    CHECK(read_value("net.inet.ipsec.esp_trans_deflev", ctx) == "2");
  }
  std::ofstream(file) << "{ not json";
  auto corrupt = knobs::read_knob(knob("net.inet.ipsec.esp_trans_deflev"), ctx);
  REQUIRE_FALSE(corrupt.ok());
  CHECK(corrupt.error().code == EBADMSG);
}

TEST_CASE("net.core.xfrm_* knobs read and write their /proc/sys file") {
  TempDir dir;
  knobs::Context ctx;
  ctx.proc_sys = dir.path;
  std::filesystem::create_directories(dir.path / "net/core");
  std::ofstream(dir.path / "net/core/xfrm_acq_expires") << "30\n";
  CHECK(read_value("net.core.xfrm_acq_expires", ctx) == "30");
  CHECK(read_value("net.key.larval_lifetime", ctx) == "30");  // the KAME name of the same value
  auto w = knobs::write_knob(knob("net.key.larval_lifetime"), "45", ctx);
  REQUIRE(w.ok());
  CHECK(w->value == "45");
  CHECK(slurp(dir.path / "net/core/xfrm_acq_expires") == "45\n");
  CHECK(knobs::write_knob(knob("net.core.xfrm_acq_expires"), "4x", ctx).error().code == EINVAL);
  CHECK(slurp(dir.path / "net/core/xfrm_acq_expires") == "45\n");
  CHECK(knobs::read_knob(knob("net.core.xfrm_larval_drop"), ctx).error().code == ENOENT);
}

TEST_CASE("clear-message knobs install and remove 'in' bypass policies, and never replace other policies") {
  fake::Backend be;
  knobs::Context ctx;
  ctx.backend = &be;
  const auto& icmp = knob("icmp_accept_clear_messages");
  CHECK(read_value("icmp_accept_clear_messages", ctx) == "0");

  auto on = knobs::write_knob(icmp, "1", ctx);
  REQUIRE(on.ok());
  CHECK(on->value == "1");
  REQUIRE(be.spd.size() == 2);
  for (const auto& p : be.spd) {
    CHECK(p.dir == model::Direction::in);
    CHECK(p.kind == model::PolicyKind::none);
    CHECK(p.templates.empty());
    CHECK(p.priority == knobs::kBypassPriority);
    CHECK(p.sel.src.len == 0);
    CHECK(p.sel.dst.len == 0);
  }
  CHECK(be.spd[0].sel.proto == 1);
  CHECK(be.spd[0].sel.family == model::Family::inet);
  CHECK(be.spd[1].sel.proto == 58);
  CHECK(be.spd[1].sel.family == model::Family::inet6);

  size_t applies = be.applies;
  REQUIRE(knobs::write_knob(icmp, "1", ctx).ok());  // already there: nothing sent
  CHECK(be.applies == applies);
  CHECK(read_value("igmp_accept_clear_messages", ctx) == "0");  // other knobs unaffected

  be.spd.pop_back();
  auto partial = knobs::read_knob(icmp, ctx);
  REQUIRE(partial.ok());
  CHECK(partial->value == "partial");
  CHECK(partial->note.find("ipv6-icmp") != std::string::npos);

  REQUIRE(knobs::write_knob(icmp, "0", ctx).ok());
  CHECK(be.spd.empty());
  CHECK(read_value("icmp_accept_clear_messages", ctx) == "0");

  // An ESP policy on the same selector is the administrator's: the knob refuses to replace it, and
  // changes nothing (the IPv6 rule is not added either).
  model::Policy esp = knobs::bypass_policy(icmp.rules[0]);
  esp.kind = model::PolicyKind::ipsec;
  esp.templates.push_back(model::Template{});
  be.spd.push_back(esp);
  auto clash = knobs::write_knob(icmp, "1", ctx);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().code == EEXIST);
  CHECK(be.spd.size() == 1);
  REQUIRE(knobs::write_knob(icmp, "0", ctx).ok());  // and 0 does not delete it
  CHECK(be.spd.size() == 1);
  CHECK(knobs::write_knob(icmp, "yes", ctx).error().code == EINVAL);
}

TEST_CASE("fixed knobs take only Linux's value; knobs without an equivalent refuse every write") {
  knobs::Context ctx;
  CHECK(read_value("net.inet.ipsec.ah_cleartos", ctx) == "1");
  CHECK(read_value("net.inet.ipsec.ah_offsetmask", ctx) == "0");
  CHECK(knobs::write_knob(knob("net.inet.ipsec.ah_cleartos"), "1", ctx).ok());
  auto other = knobs::write_knob(knob("net.inet.ipsec.ah_cleartos"), "0", ctx);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == EOPNOTSUPP);

  for (const auto& k : knobs::knob_table()) {
    if (k.mapping != Mapping::none) continue;
    auto r = knobs::read_knob(k, ctx);
    REQUIRE(r.ok());
    CHECK(r->value == "-");
    CHECK(r->note.starts_with("no Linux equivalent"));
    auto w = knobs::write_knob(k, "1", ctx);
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().code == EOPNOTSUPP);
    CHECK(w.error().message.find("no Linux equivalent") != std::string::npos);
  }
}

TEST_CASE("xfrm_stat parses the kernel's format; every counter of Linux 6.18 is explained") {
  const char* sample =
      "XfrmInError             \t0\nXfrmInBufferError       \t0\nXfrmInHdrError          \t0\n"
      "XfrmInNoStates          \t3\nXfrmInStateProtoError   \t0\nXfrmInStateModeError    \t0\n"
      "XfrmInStateSeqError     \t0\nXfrmInStateExpired      \t0\nXfrmInStateMismatch     \t0\n"
      "XfrmInStateInvalid      \t0\nXfrmInTmplMismatch      \t0\nXfrmInNoPols            \t0\n"
      "XfrmInPolBlock          \t0\nXfrmInPolError          \t0\nXfrmOutError            \t0\n"
      "XfrmOutBundleGenError   \t0\nXfrmOutBundleCheckError \t0\nXfrmOutNoStates         \t18446744073709551615\n"
      "XfrmOutStateProtoError  \t0\nXfrmOutStateModeError   \t0\nXfrmOutStateSeqError    \t0\n"
      "XfrmOutStateExpired     \t0\nXfrmOutPolBlock         \t0\nXfrmOutPolDead          \t0\n"
      "XfrmOutPolError         \t0\nXfrmFwdHdrError         \t0\nXfrmOutStateInvalid     \t0\n"
      "XfrmAcquireError        \t0\nXfrmOutStateDirError    \t0\nXfrmInStateDirError     \t0\n"
      "XfrmInIptfsError        \t0\nXfrmOutNoQueueSpace     \t0\n";
  auto c = knobs::parse_xfrm_stat(sample);
  REQUIRE(c.ok());
  REQUIRE(c->size() == 32);
  CHECK((*c)[3].name == "XfrmInNoStates");
  CHECK((*c)[3].value == 3);
  CHECK((*c)[17].value == 18446744073709551615ull);
  for (const auto& x : *c) CHECK_MESSAGE(!knobs::explain_counter(x.name).empty(), x.name);
  CHECK(knobs::counter_explanations().size() == c->size());
  CHECK(knobs::explain_counter("XfrmSomethingNew").empty());

  auto bad = knobs::parse_xfrm_stat("XfrmInError 0\nXfrmInNoStates many\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EBADMSG);
  CHECK(bad.error().message.find("line 2") != std::string::npos);
  CHECK_FALSE(knobs::parse_xfrm_stat("XfrmInError\n").ok());
  CHECK(knobs::parse_xfrm_stat("").value().empty());
}
