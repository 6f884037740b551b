// SPDX-License-Identifier: BSD-3-Clause
// The engine refuses what the kernel refuses, with the kernel's errno (tests/kernel asserts the same codes, and
// its tests run on the engine too: kernel_*_test_engine, where a duplicate in a batch and stop_at_first_error are).
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>

#include "engine_support.hpp"

using namespace xfrmpp;
using etest::addr;

namespace {

int add_error(engine::EngineBackend& be, const Change& c) {
  auto r = be.apply(std::vector<Change>{c}, ApplyOptions{});
  if (r.errors.empty()) return 0;
  CHECK(r.errors[0].message == std::strerror(r.errors[0].code));
  return r.errors[0].code;
}

int policy_error(engine::EngineBackend& be, const model::Policy& p, Change::Verb v = Change::Verb::add) {
  return add_error(be, Change{p, v, 0});
}

int sa_error(engine::EngineBackend& be, const model::SecurityAssociation& sa, Change::Verb v = Change::Verb::add) {
  return add_error(be, Change{sa, v, 0});
}

}  // namespace

TEST_CASE("policies: EEXIST on a duplicate add, update replaces and keeps the index, ENOENT for a missing one") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto p = etest::host_policy(1);
  CHECK(policy_error(*be, p) == 0);
  CHECK(policy_error(*be, p) == EEXIST);
  auto stored = be->get_policy(model::PolicyId{p.sel, p.dir, 0, {}, {}, {}, p.type});
  REQUIRE(stored.ok());
  CHECK(stored->index % 8 == 1);  // out
  auto up = p;
  up.priority = 7;
  CHECK(policy_error(*be, up, Change::Verb::update) == 0);
  auto after = be->dump_policies();
  REQUIRE(after.ok());
  REQUIRE(after->size() == 1);
  CHECK(after->front().priority == 7);
  CHECK(after->front().index == stored->index);

  CHECK(policy_error(*be, etest::host_policy(2), Change::Verb::remove) == ENOENT);
  model::PolicyId by_index;
  by_index.dir = model::Direction::out;
  by_index.index = stored->index + 8;
  CHECK(be->get_policy(by_index).error().code == ENOENT);
  CHECK(add_error(*be, Change{by_index, Change::Verb::remove, 0}) == ENOENT);
  by_index.index = stored->index;
  by_index.dir = model::Direction::in;  // the index names direction out
  CHECK(be->get_policy(by_index).error().code == ENOENT);
  by_index.dir = model::Direction::out;
  CHECK(add_error(*be, Change{by_index, Change::Verb::remove, 0}) == 0);
  CHECK(be->dump_policies()->empty());
}

TEST_CASE("policies: EINVAL as verify_newpolicy_info and validate_tmpl give it") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto bad_index = etest::host_policy(1);
  bad_index.index = 8 + 2;  // fwd index on an out policy
  CHECK(policy_error(*be, bad_index) == EINVAL);

  auto deep = etest::host_policy(2);
  deep.templates.assign(7, deep.templates[0]);  // over XFRM_MAX_DEPTH
  CHECK(policy_error(*be, deep) == EINVAL);
  deep.templates.resize(6);
  CHECK(policy_error(*be, deep) == 0);

  auto tunnel = etest::host_policy(3);
  tunnel.templates[0].mode = model::Mode::tunnel;  // no endpoints: the kernel stores it (0.0.0.0), so do we
  CHECK(policy_error(*be, tunnel) == 0);
  REQUIRE(be->apply(std::vector<Change>{Change{tunnel, Change::Verb::remove, 0}}, ApplyOptions{}).errors.empty());
  tunnel.templates[0].src = addr("198.51.100.1");
  tunnel.templates[0].dst = addr("198.51.100.2");
  CHECK(policy_error(*be, tunnel) == 0);

  auto optional_tunnel = etest::host_policy(4);
  optional_tunnel.templates[0] = tunnel.templates[0];
  optional_tunnel.templates[0].level = model::Level::use;  // optional tunnel in an outbound policy
  CHECK(policy_error(*be, optional_tunnel) == EINVAL);
  optional_tunnel.dir = model::Direction::in;
  CHECK(policy_error(*be, optional_tunnel) == 0);

  auto family_change = etest::host_policy(5);
  family_change.templates[0].family = model::Family::inet6;  // transport cannot change the family
  CHECK(policy_error(*be, family_change) == EINVAL);

  auto long_prefix = etest::host_policy(6);
  long_prefix.sel.src.len = 33;
  CHECK(policy_error(*be, long_prefix) == EINVAL);

  model::Policy no_family;  // nothing says which family
  no_family.kind = model::PolicyKind::none;
  CHECK(policy_error(*be, no_family) == EINVAL);
}

TEST_CASE("SAs: EEXIST on a duplicate, ESRCH for get/delete/update of a missing one") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto sa = etest::esp_sa(0x1001);
  CHECK(sa_error(*be, sa) == 0);
  CHECK(sa_error(*be, sa) == EEXIST);
  auto other = etest::esp_sa(0x1002);
  CHECK(be->get_sa(other.id()).error().code == ESRCH);
  CHECK(sa_error(*be, other, Change::Verb::remove) == ESRCH);
  CHECK(add_error(*be, Change{other.id(), Change::Verb::remove, 0}) == ESRCH);
  CHECK(sa_error(*be, other, Change::Verb::update) == ESRCH);
  // A mark is part of the identity: the same SPI under another mark is another SA.
  auto marked = etest::esp_sa(0x3000);
  marked.mark = model::Mark{1, 0xffffffff};
  auto marked2 = marked;
  marked2.mark = model::Mark{2, 0xffffffff};
  CHECK(sa_error(*be, marked) == 0);
  CHECK(sa_error(*be, marked2) == 0);
  CHECK(sa_error(*be, marked2) == EEXIST);
  CHECK(be->dump_sas(std::nullopt)->size() == 3);
  CHECK(sa_error(*be, marked, Change::Verb::remove) == 0);
  CHECK(be->get_sa(marked.id()).error().code == ESRCH);
  CHECK(be->get_sa(marked2.id()).ok());
}

TEST_CASE("SAs: EINVAL and ENOSYS as verify_newsa_info and the algorithm lookups give them") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  uint32_t spi = 0x2000;
  auto next = [&spi] { return etest::esp_sa(++spi); };

  auto no_algs = next();
  no_algs.auth.reset();
  no_algs.crypt.reset();
  CHECK(sa_error(*be, no_algs) == EINVAL);

  auto short_key = next();
  short_key.crypt->key.resize(15);
  CHECK(sa_error(*be, short_key) == EINVAL);
  auto long_auth = next();
  long_auth.auth->icv_bits = 512;  // over hmac(sha256)'s 256
  CHECK(sa_error(*be, long_auth) == EINVAL);

  auto unknown = next();
  unknown.crypt->kernel_name = "cbc(nothing)";
  CHECK(sa_error(*be, unknown) == ENOSYS);

  auto aead_and_auth = next();
  aead_and_auth.crypt.reset();
  aead_and_auth.aead = model::AlgorithmSetting{"rfc4106(gcm(aes))", std::vector<uint8_t>(20, 1), 128};
  CHECK(sa_error(*be, aead_and_auth) == EINVAL);
  aead_and_auth.auth.reset();
  CHECK(sa_error(*be, aead_and_auth) == 0);
  auto aead_icv = next();
  aead_icv.auth.reset();
  aead_icv.crypt.reset();
  aead_icv.aead = model::AlgorithmSetting{"rfc4543(gcm(aes))", std::vector<uint8_t>(20, 1), 64};  // GMAC: 128 only
  CHECK(sa_error(*be, aead_icv) == ENOSYS);

  auto ah = next();
  ah.proto = model::Protocol::ah;
  CHECK(sa_error(*be, ah) == EINVAL);  // AH with a cipher
  ah.crypt.reset();
  CHECK(sa_error(*be, ah) == 0);

  model::SecurityAssociation comp = next();
  comp.proto = model::Protocol::ipcomp;
  comp.auth.reset();
  comp.crypt.reset();
  comp.comp = model::AlgorithmSetting{"deflate", {}, 0};
  comp.spi = 0x10000;
  CHECK(sa_error(*be, comp) == EINVAL);  // over 16 bits
  comp.spi = 0x300;
  CHECK(sa_error(*be, comp) == 0);

  auto tfc = next();
  tfc.tfcpad = 8;  // transport mode
  CHECK(sa_error(*be, tfc) == EINVAL);

  auto big_window = next();
  big_window.replay.window = 4097;
  CHECK(sa_error(*be, big_window) == EINVAL);

  auto bad_family = next();
  bad_family.family = model::Family::unspec;
  bad_family.dst = {};
  CHECK(sa_error(*be, bad_family) == EINVAL);
  auto mixed = next();
  mixed.src = addr("2001:db8::1");
  CHECK(sa_error(*be, mixed) == EINVAL);

  auto keepalive = next();
  keepalive.nat_keepalive_interval = 20;  // needs encap
  CHECK(sa_error(*be, keepalive) == EINVAL);
  auto thresh_out = next();
  thresh_out.encap = model::Encapsulation{};
  thresh_out.dir = model::SaDirection::out;
  thresh_out.mapping_threshold = 5;
  CHECK(sa_error(*be, thresh_out) == EINVAL);
}

TEST_CASE("alloc_spi: EINVAL for a bad range, ENOENT for an SPI in use") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto want = etest::esp_sa(0);
  CHECK(be->alloc_spi(want, 0x200, 0x100).error().code == EINVAL);
  auto comp = want;
  comp.proto = model::Protocol::ipcomp;
  CHECK(be->alloc_spi(comp, 0x100, 0x10000).error().code == EINVAL);
  auto got = be->alloc_spi(want, 0x100, 0x100);
  REQUIRE(got.ok());
  CHECK(got->spi == 0x100);
  CHECK(be->alloc_spi(want, 0x100, 0x100).error().code == ENOENT);
  // A small range fills up and then says so.
  for (int i = 0; i < 3; ++i) REQUIRE(be->alloc_spi(want, 0x101, 0x103).ok());
  CHECK(be->alloc_spi(want, 0x101, 0x103).error().code == ENOENT);
  auto spis = be->dump_sas(std::nullopt);
  REQUIRE(spis->size() == 4);
}

TEST_CASE("default policy, hash thresholds and info") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto d = be->get_default_policy();
  REQUIRE(d.ok());
  CHECK(d->in == model::PolicyAction::allow);
  CHECK(d->out == model::PolicyAction::allow);
  REQUIRE(be->set_default_policy(model::DefaultPolicy{model::PolicyAction::block, std::nullopt, std::nullopt}).ok());
  d = be->get_default_policy();
  CHECK(d->in == model::PolicyAction::block);
  CHECK(d->fwd == model::PolicyAction::allow);

  CHECK(be->set_spd_hash_thresholds(33, 0, 0, 0).error().code == EINVAL);
  CHECK(be->set_spd_hash_thresholds(0, 0, 129, 0).error().code == EINVAL);
  REQUIRE(be->set_spd_hash_thresholds(24, 16, 64, 48).ok());
  std::vector<model::Policy> ps;
  for (uint32_t i = 0; i < 20; ++i) ps.push_back(etest::host_policy(i));
  ps[3].dir = model::Direction::in;
  ps[4].dir = model::Direction::fwd;
  REQUIRE(be->apply(etest::adds(ps), ApplyOptions{}).errors.empty());
  auto other = etest::open(dir.state());
  auto info = other->spd_info();
  REQUIRE(info.ok());
  CHECK(info->out == 18);
  CHECK(info->in == 1);
  CHECK(info->fwd == 1);
  CHECK(info->v4_lbits == 24);
  CHECK(info->v4_rbits == 16);
  CHECK(info->v6_lbits == 64);
  CHECK(info->v6_rbits == 48);
  CHECK(info->hash_count == 31);
  CHECK(info->hash_max > 0);
  auto sad = other->sad_info();
  REQUIRE(sad.ok());
  CHECK(sad->count == 0);
  CHECK(sad->hash_max > 0);
  CHECK(other->get_default_policy()->in == model::PolicyAction::block);
  // Empty flushes succeed, as on the kernel.
  CHECK(other->flush_sas(model::Protocol::ah).ok());
  REQUIRE(other->flush_policies().ok());
  CHECK(other->flush_policies().ok());
  CHECK(other->spd_info()->out == 0);
}

TEST_CASE("decide: block, allow, ipsec, and the host default when nothing matches") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  auto ipsec = etest::host_policy(1);
  auto block = etest::host_policy(2);
  block.kind = model::PolicyKind::discard;
  block.templates.clear();
  auto pass = etest::host_policy(3);
  pass.kind = model::PolicyKind::none;
  pass.templates.clear();
  REQUIRE(be->apply(etest::adds({ipsec, block, pass}), ApplyOptions{}).errors.empty());
  REQUIRE(be->set_default_policy(model::DefaultPolicy{std::nullopt, std::nullopt, model::PolicyAction::block}).ok());
  auto flow = [](uint32_t n) {
    engine::Flow f;
    f.dir = model::Direction::out;
    f.family = model::Family::inet;
    f.src = model::Address::v4(0x0a000000u | n);
    f.dst = addr("192.0.2.1");
    f.proto = 17;
    return f;
  };
  auto d1 = be->decide(flow(1));
  CHECK(d1.action == engine::Decision::Action::ipsec);
  REQUIRE(d1.policy);
  CHECK(d1.policy->templates.size() == 1);
  CHECK(be->decide(flow(2)).action == engine::Decision::Action::block);
  CHECK(be->decide(flow(3)).action == engine::Decision::Action::allow);
  auto none = be->decide(flow(4));
  CHECK(none.action == engine::Decision::Action::default_action);
  CHECK(none.policy == nullptr);
  CHECK(none.default_verdict == model::PolicyAction::block);
  auto in = flow(4);
  in.dir = model::Direction::in;
  CHECK(be->decide(in).default_verdict == model::PolicyAction::allow);
}
