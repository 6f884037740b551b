// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "xfrmpp/model/address.hpp"

using xfrmpp::model::Address;
using xfrmpp::model::Family;

TEST_CASE("addresses parse and print in both families") {
  auto a = Address::parse("192.0.2.1");
  REQUIRE(a);
  CHECK(a->family == Family::inet);
  CHECK(a->bytes[0] == 192);
  CHECK(a->to_string() == "192.0.2.1");
  CHECK(a->max_prefix() == 32);
  auto b = Address::parse("2001:DB8::1");
  REQUIRE(b);
  CHECK(b->family == Family::inet6);
  CHECK(b->to_string() == "2001:db8::1");
  CHECK(b->max_prefix() == 128);
  CHECK_FALSE(Address::parse("300.1.1.1"));
  CHECK_FALSE(Address::parse("host.example"));
  CHECK_FALSE(Address::parse(""));
  CHECK(Address::v4(0x0a000001).to_string() == "10.0.0.1");
  CHECK(Address{}.is_unspec());
}
