// SPDX-License-Identifier: BSD-3-Clause
// Backend Change -> XFRM request mapping.
#include <doctest/doctest.h>

#include <cerrno>

#include "wire.hpp"
#include "xfrmpp/netlink/change.hpp"
#include "xfrmpp/netlink/policy.hpp"
#include "xfrmpp/netlink/sa.hpp"
#include "xfrmpp/netlink/uapi.hpp"

using namespace xfrmpp;
using namespace xfrmpp::nl;

namespace {

uint16_t type_of(const Change& c, uint32_t seq = 1) {
  auto buf = wire::buffer();
  auto n = encode_change(buf, c, seq);
  REQUIRE(n.ok());
  CHECK(wire::load<uint32_t>(buf, 8) == seq);
  CHECK(wire::load<uint16_t>(buf, 6) == (NLM_F_REQUEST | NLM_F_ACK));
  return wire::load<uint16_t>(buf, 4);
}

}  // namespace

TEST_CASE("each change verb and target picks its message type") {
  auto p = wire::full_policy();
  auto sa = wire::full_sa();
  CHECK(type_of(Change{p, Change::Verb::add, 0}) == XFRM_MSG_NEWPOLICY);
  CHECK(type_of(Change{p, Change::Verb::update, 0}, 77) == XFRM_MSG_UPDPOLICY);
  CHECK(type_of(Change{p, Change::Verb::remove, 0}) == XFRM_MSG_DELPOLICY);
  CHECK(type_of(Change{model::PolicyId{}, Change::Verb::remove, 0}) == XFRM_MSG_DELPOLICY);
  CHECK(type_of(Change{sa, Change::Verb::add, 0}) == XFRM_MSG_NEWSA);
  CHECK(type_of(Change{sa, Change::Verb::update, 0}) == XFRM_MSG_UPDSA);
  CHECK(type_of(Change{sa, Change::Verb::remove, 0}) == XFRM_MSG_DELSA);
  CHECK(type_of(Change{model::SaId{}, Change::Verb::remove, 0}) == XFRM_MSG_DELSA);

  auto buf = wire::buffer();
  CHECK(encode_change(buf, Change{model::PolicyId{}, Change::Verb::add, 0}, 1).error().code == EINVAL);
  CHECK(encode_change(buf, Change{model::SaId{}, Change::Verb::update, 0}, 1).error().code == EINVAL);
}

TEST_CASE("removing a policy deletes it by its key; removing an SA by its id") {
  auto p = wire::full_policy();
  auto buf = wire::buffer();
  auto n = encode_change(buf, Change{p, Change::Verb::remove, 0}, 3);
  REQUIRE(n.ok());
  auto id = decode_policy_id(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(id.ok());
  CHECK(id->sel == p.sel);
  CHECK(id->dir == p.dir);
  CHECK(id->index == p.index);
  CHECK(id->mark == p.mark);
  CHECK(id->if_id == p.if_id);
  CHECK(id->ctx == p.ctx);
  CHECK(id->type == p.type);

  auto sa = wire::full_sa();
  auto m = encode_change(buf, Change{sa, Change::Verb::remove, 0}, 4);
  REQUIRE(m.ok());
  auto sid = decode_sa_id(std::span<const uint8_t>(buf).first(*m));
  REQUIRE(sid.ok());
  CHECK(sid->dst == sa.dst);
  CHECK(sid->src == sa.src);
  CHECK(sid->spi == sa.spi);
  CHECK(sid->proto == sa.proto);
  CHECK(sid->mark == sa.mark);
  CHECK(sid->if_id == sa.if_id);
}
