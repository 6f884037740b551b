// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "xfrmpp/render/json_text.hpp"

using nlohmann::json;
using xfrmpp::render::json_member;
using xfrmpp::render::json_text;

TEST_CASE("json_text writes bytes that are not UTF-8 as U+FFFD instead of throwing") {
  json j{{"label", std::string("lab\xff" "el")}, {"name", std::string("r\xe8gles.conf")}};
  std::string s;
  REQUIRE_NOTHROW(s = json_text(j));
  CHECK(s == "{\"label\":\"lab\xef\xbf\xbd" "el\",\"name\":\"r\xef\xbf\xbdgles.conf\"}");
  CHECK(!json::parse(s, nullptr, false).is_discarded());
  CHECK(json_text(json{{"a", 1}}, 1) == "{\n \"a\": 1\n}");
  CHECK(json_text(json{{"ok", "caf\xc3\xa9"}}) == "{\"ok\":\"caf\xc3\xa9\"}");  // valid UTF-8 is kept
}

TEST_CASE("json_member: absent gives the fallback, a wrong type or range gives nullopt, nothing throws") {
  json j = json::parse(R"({"n": 7, "neg": -1, "big": 4294967296, "s": "one", "b": true})");
  CHECK(*json_member(j, "n", uint32_t{1}) == 7);
  CHECK(*json_member(j, "missing", uint32_t{1}) == 1);
  CHECK(!json_member(j, "s", uint32_t{1}));  // state_bad_type.json: "next_index": "one"
  CHECK(!json_member(j, "neg", uint32_t{1}));
  CHECK(!json_member(j, "big", uint32_t{1}));
  CHECK(*json_member(j, "big", uint64_t{0}) == 4294967296u);
  CHECK(*json_member(j, "n", uint8_t{0}) == 7);
  CHECK(!json_member(j, "big", uint8_t{0}));
  CHECK(*json_member(j, "neg", int64_t{0}) == -1);
  CHECK(*json_member(j, "s", std::string()) == "one");
  CHECK(!json_member(j, "n", std::string()));
  CHECK(*json_member(j, "b", false));
  CHECK(!json_member(j, "n", false));
  CHECK(*json_member(json::array(), "n", uint32_t{3}) == 3);
}
