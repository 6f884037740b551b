// SPDX-License-Identifier: BSD-3-Clause
// Default policy, SPD/SAD info and hash thresholds, SA flush, SA errors with extack, ALLOCSPI.
#include <doctest/doctest.h>

#include <cerrno>

#include "kernel_support.hpp"
#include "wire.hpp"

using namespace xfrmpp;
using model::PolicyAction;

TEST_CASE("SETDEFAULT/GETDEFAULT round trip; an unset direction stays unchanged") {
  auto be = ktest::fresh_backend();
  auto start = be->get_default_policy();
  REQUIRE(start.ok());
  CHECK(start->in == PolicyAction::allow);
  CHECK(start->fwd == PolicyAction::allow);
  CHECK(start->out == PolicyAction::allow);

  REQUIRE(be->set_default_policy(model::DefaultPolicy{PolicyAction::block, std::nullopt, PolicyAction::allow}).ok());
  auto d = be->get_default_policy();
  REQUIRE(d.ok());
  CHECK(d->in == PolicyAction::block);
  CHECK(d->fwd == PolicyAction::allow);
  CHECK(d->out == PolicyAction::allow);

  REQUIRE(be->set_default_policy(model::DefaultPolicy{std::nullopt, PolicyAction::block, PolicyAction::block}).ok());
  d = be->get_default_policy();
  REQUIRE(d.ok());
  CHECK(d->in == PolicyAction::block);  // left alone
  CHECK(d->fwd == PolicyAction::block);
  CHECK(d->out == PolicyAction::block);
  REQUIRE(be->set_default_policy({PolicyAction::allow, PolicyAction::allow, PolicyAction::allow}).ok());
}

TEST_CASE("spd_info counts per direction; hash thresholds set and read back") {
  auto be = ktest::fresh_backend();
  std::vector<model::Policy> ps = {ktest::host_policy(1), ktest::host_policy(2), ktest::host_policy(3, model::Direction::in),
                                   ktest::host_policy(4, model::Direction::fwd), ktest::host_policy(5, model::Direction::fwd),
                                   ktest::host_policy(6, model::Direction::fwd)};
  REQUIRE(be->apply(ktest::changes_of(ps), ApplyOptions{}).applied == ps.size());
  auto info = be->spd_info();
  REQUIRE(info.ok());
  CHECK(info->out == 2);
  CHECK(info->in == 1);
  CHECK(info->fwd == 3);
  CHECK(info->in_socket == 0);
  CHECK(info->hash_max > 0);
  CHECK(info->v4_lbits == 32);
  CHECK(info->v6_rbits == 128);

  REQUIRE(be->set_spd_hash_thresholds(24, 16, 64, 56).ok());
  info = be->spd_info();
  REQUIRE(info.ok());
  CHECK(info->v4_lbits == 24);
  CHECK(info->v4_rbits == 16);
  CHECK(info->v6_lbits == 64);
  CHECK(info->v6_rbits == 56);
  CHECK(info->out == 2);  // the rebuild keeps every policy

  auto bad = be->set_spd_hash_thresholds(33, 0, 0, 0);
  CHECK_FALSE(bad.ok());
  REQUIRE(be->set_spd_hash_thresholds(32, 32, 128, 128).ok());
}

TEST_CASE("an empty SAD: count 0, flush succeeds, dump is empty, get is ESRCH") {
  auto be = ktest::fresh_backend();
  auto sad = be->sad_info();
  REQUIRE(sad.ok());
  CHECK(sad->count == 0);
  CHECK(sad->hash_max > 0);
  CHECK(be->flush_sas(std::nullopt).ok());
  CHECK(be->flush_sas(model::Protocol::esp).ok());
  auto dump = be->dump_sas(std::nullopt);
  REQUIRE(dump.ok());
  CHECK(dump->empty());
  model::SaId id;
  id.dst = wire::addr("192.0.2.2");
  id.spi = 0x1000;
  auto got = be->get_sa(id);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == ESRCH);
}

TEST_CASE("a complete SA add is refused with the kernel's explanation on its tag") {
  auto be = ktest::fresh_backend();
  model::SecurityAssociation sa;
  sa.family = model::Family::inet;
  sa.src = wire::addr("192.0.2.1");
  sa.dst = wire::addr("192.0.2.2");
  sa.spi = 0x1001;
  sa.reqid = 1;
  sa.auth = model::AlgorithmSetting{"hmac(sha256)", std::vector<uint8_t>(32, 1), 128};
  sa.crypt = model::AlgorithmSetting{"cbc(aes)", std::vector<uint8_t>(16, 2), 0};
  auto no_algs = sa;
  no_algs.auth.reset();
  no_algs.crypt.reset();
  no_algs.spi = 0x1002;
  ApplyReport r = be->apply(std::vector<Change>{Change{sa, Change::Verb::add, 3}, Change{no_algs, Change::Verb::add, 4}},
                            ApplyOptions{false});
  CHECK(r.applied == 0);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].tag == 3);
  CHECK(r.errors[0].code != 0);
  CHECK_FALSE(r.errors[0].extack.empty());
  CHECK_FALSE(r.errors[0].message.empty());
  CHECK(r.errors[1].tag == 4);
  CHECK(r.errors[1].code == EINVAL);  // ESP without any algorithm fails validation before the type lookup

  auto upd = be->apply(std::vector<Change>{Change{sa, Change::Verb::update, 5}}, ApplyOptions{});
  REQUIRE(upd.errors.size() == 1);
  CHECK(upd.errors[0].tag == 5);
  CHECK(upd.errors[0].code != 0);
}

TEST_CASE("ALLOCSPI creates a larval SA with an SPI in range") {
  auto be = ktest::fresh_backend();
  model::SecurityAssociation larval;
  larval.family = model::Family::inet;
  larval.src = wire::addr("192.0.2.1");
  larval.dst = wire::addr("192.0.2.2");
  larval.proto = model::Protocol::esp;
  larval.mode = model::Mode::tunnel;
  larval.reqid = 42;
  auto sa = be->alloc_spi(larval, 0x1000, 0x1fff);
  REQUIRE_MESSAGE(sa.ok(), (sa.ok() ? std::string() : sa.error().message));
  CHECK(sa->spi >= 0x1000);
  CHECK(sa->spi <= 0x1fff);
  CHECK(sa->dst == larval.dst);
  CHECK(sa->src == larval.src);
  CHECK(sa->reqid == 42);
  auto dump = be->dump_sas(model::Protocol::esp);
  REQUIRE(dump.ok());
  REQUIRE(dump->size() == 1);
  CHECK(dump->front().spi == sa->spi);
  model::SaId id;
  id.dst = larval.dst;
  id.spi = sa->spi;
  auto got = be->get_sa(id);
  REQUIRE(got.ok());
  CHECK(got->reqid == 42);
  auto ah_only = be->dump_sas(model::Protocol::ah);
  REQUIRE(ah_only.ok());
  CHECK(ah_only->empty());
  REQUIRE(be->flush_sas(std::nullopt).ok());
  auto sad = be->sad_info();
  REQUIRE(sad.ok());
  CHECK(sad->count == 0);
}
