// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "xfrmpp/render/json.hpp"

using namespace xfrmpp;

TEST_CASE("policy JSON carries the schema and the model's fields") {
  model::Policy p;
  p.sel.family = model::Family::inet;
  p.sel.src = {*model::Address::parse("10.0.0.0"), 24};
  p.sel.dst = {*model::Address::parse("10.0.1.1"), 32};
  p.sel.proto = 6;
  p.sel.dport = 443;
  p.sel.dport_mask = 0xffff;
  p.dir = model::Direction::in;
  p.priority = 7;
  model::Template t;
  t.level = model::Level::unique;
  t.reqid = 5;
  p.templates.push_back(t);
  p.mark = model::Mark{1, 0xff};
  std::vector<model::Policy> v{p};
  auto doc = render::spd_document(v);
  CHECK(doc["schema"] == "xfrmpp/1");
  auto j = doc["policies"][0];
  CHECK(j["selector"]["src"] == "10.0.0.0/24");
  CHECK(j["selector"]["dport"] == 443);
  CHECK_FALSE(j["selector"].contains("sport"));
  CHECK(j["dir"] == "in");
  CHECK(j["templates"][0]["level"] == "unique");
  CHECK(j["templates"][0]["reqid"] == 5);
  CHECK(j["mark"]["mask"] == 0xff);
  // Round trip through text proves it is valid JSON.
  CHECK(nlohmann::json::parse(doc.dump()) == doc);
}

TEST_CASE("--nokeys keeps key material out of SA JSON") {
  model::SecurityAssociation sa;
  sa.auth = model::AlgorithmSetting{"hmac(sha256)", std::vector<uint8_t>(32, 0xab), 128};
  CHECK(render::to_json(sa, {true})["auth"]["key"].get<std::string>().find("abab") != std::string::npos);
  auto hidden = render::to_json(sa, {false});
  CHECK_FALSE(hidden["auth"].contains("key"));
  CHECK(hidden["auth"]["key_bits"] == 256);
  CHECK(hidden["auth"]["icv_bits"] == 128);
}
