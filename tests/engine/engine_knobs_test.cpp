// SPDX-License-Identifier: BSD-3-Clause
// The host knobs Linux lacks: kept by the engine with FreeBSD's defaults, through Backend and through the
// knob table (read_knob/write_knob); the kernel's Backend keeps none (EOPNOTSUPP) and the table still says
// what Linux does.
#include <doctest/doctest.h>

#include "engine_support.hpp"
#include "xfrmpp/knobs/knobs.hpp"

using namespace xfrmpp;

TEST_CASE("engine host knobs: BSD defaults, ranges, persistence, unknown names") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  CHECK(*be->get_host_knob("dfbit") == 0);
  CHECK(*be->get_host_knob("ecn") == 0);
  CHECK(*be->get_host_knob("ah_cleartos") == 1);
  CHECK(*be->get_host_knob("ah_offsetmask") == 0);
  CHECK(*be->get_host_knob("debug") == 0);
  CHECK(be->get_host_knob("nosuch").error().code == ENOENT);
  CHECK(be->set_host_knob("nosuch", 1).error().code == ENOENT);
  CHECK(be->set_host_knob("dfbit", 3).error().code == EINVAL);
  CHECK(be->set_host_knob("ah_offsetmask", 0x10000).error().code == EINVAL);
  REQUIRE(be->set_host_knob("dfbit", 1).ok());
  REQUIRE(be->set_host_knob("ah_offsetmask", 0x1fff).ok());
  auto other = etest::open(dir.state(), true);
  CHECK(*other->get_host_knob("dfbit") == 1);
  CHECK(*other->get_host_knob("ah_offsetmask") == 0x1fff);
}

TEST_CASE("the knob table reads and writes the engine's host knobs through the backend") {
  etest::TempDir dir;
  auto be = etest::open(dir.state());
  knobs::Context ctx;
  ctx.backend = be.get();
  const knobs::Knob* dfbit = knobs::find_knob("net.inet.ipsec.dfbit");
  REQUIRE(dfbit);
  auto r = knobs::read_knob(*dfbit, ctx);
  REQUIRE(r.ok());
  CHECK(r->value == "0");
  auto w = knobs::write_knob(*dfbit, "2", ctx);
  REQUIRE_MESSAGE(w.ok(), (w.ok() ? "" : w.error().message));
  CHECK(w->value == "2");
  CHECK(*be->get_host_knob("dfbit") == 2);
  CHECK(knobs::write_knob(*dfbit, "3", ctx).error().code == EINVAL);
  CHECK(knobs::write_knob(*dfbit, "x", ctx).error().code == EINVAL);

  const knobs::Knob* cleartos = knobs::find_knob("net.inet.ipsec.ah_cleartos");
  REQUIRE(cleartos);
  CHECK(knobs::read_knob(*cleartos, ctx)->value == "1");
  REQUIRE(knobs::write_knob(*cleartos, "0", ctx).ok());  // the engine can do what Linux cannot
  CHECK(*be->get_host_knob("ah_cleartos") == 0);

  const knobs::Knob* ecn6 = knobs::find_knob("net.inet6.ipsec6.ecn");
  REQUIRE(ecn6);
  REQUIRE(knobs::write_knob(*ecn6, "1", ctx).ok());
  CHECK(*be->get_host_knob("ecn6") == 1);
  CHECK(*be->get_host_knob("ecn") == 0);
  const knobs::Knob* debug6 = knobs::find_knob("net.inet6.ipsec6.debug");
  REQUIRE(knobs::write_knob(*debug6, "5", ctx).ok());
  CHECK(knobs::read_knob(*knobs::find_knob("net.inet.ipsec.debug"), ctx)->value == "5");  // one variable
}

namespace {
// A backend that keeps no host knobs: Backend's defaults, as the kernel backend has them.
struct NoKnobs final : Backend {
  ApplyReport apply(std::span<const Change>, const ApplyOptions&) override { return {}; }
  Result<std::vector<model::Policy>> dump_policies() override { return std::vector<model::Policy>{}; }
  Result<std::vector<model::SecurityAssociation>> dump_sas(std::optional<model::Protocol>) override {
    return std::vector<model::SecurityAssociation>{};
  }
  Result<model::Policy> get_policy(const model::PolicyId&) override { return make_error(ENOENT, ""); }
  Result<model::SecurityAssociation> get_sa(const model::SaId&) override { return make_error(ESRCH, ""); }
  Result<void> flush_policies() override { return {}; }
  Result<void> flush_sas(std::optional<model::Protocol>) override { return {}; }
  Result<model::SecurityAssociation> alloc_spi(const model::SecurityAssociation&, uint32_t, uint32_t) override {
    return make_error(ENOSYS, "");
  }
  Result<model::DefaultPolicy> get_default_policy() override { return model::DefaultPolicy{}; }
  Result<void> set_default_policy(const model::DefaultPolicy&) override { return {}; }
  Result<SpdInfo> spd_info() override { return SpdInfo{}; }
  Result<void> set_spd_hash_thresholds(uint8_t, uint8_t, uint8_t, uint8_t) override { return {}; }
  Result<SadInfo> sad_info() override { return SadInfo{}; }
  Result<std::unique_ptr<EventStream>> subscribe(std::span<const EventGroup>) override { return make_error(ENOSYS, ""); }
};
}  // namespace

TEST_CASE("on a backend without host knobs the table's Linux answer stands") {
  NoKnobs be;
  knobs::Context ctx;
  ctx.backend = &be;
  const knobs::Knob* dfbit = knobs::find_knob("net.inet.ipsec.dfbit");
  auto r = knobs::read_knob(*dfbit, ctx);
  REQUIRE(r.ok());
  CHECK(r->value == "-");
  CHECK(knobs::write_knob(*dfbit, "1", ctx).error().code == EOPNOTSUPP);
  CHECK(knobs::write_knob(*dfbit, "x", ctx).error().code == EOPNOTSUPP);
  const knobs::Knob* cleartos = knobs::find_knob("net.inet.ipsec.ah_cleartos");
  CHECK(knobs::read_knob(*cleartos, ctx)->value == "1");
  CHECK(knobs::write_knob(*cleartos, "1", ctx).ok());
  CHECK(knobs::write_knob(*cleartos, "0", ctx).error().code == EOPNOTSUPP);
  CHECK(be.get_host_knob("dfbit").error().code == EOPNOTSUPP);
}
