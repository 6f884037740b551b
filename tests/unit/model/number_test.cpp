// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cerrno>

#include "xfrmpp/util/number.hpp"

using xfrmpp::util::NumberBase;
using xfrmpp::util::parse_signed;
using xfrmpp::util::parse_unsigned;

TEST_CASE("parse_unsigned takes the whole text as one number, and nothing else") {
  CHECK(*parse_unsigned("0") == 0);
  CHECK(*parse_unsigned("4294967295", UINT32_MAX) == 4294967295u);
  CHECK(*parse_unsigned("18446744073709551615") == UINT64_MAX);
  for (const char* bad : {"", "abc", "12x", " 1", "1 ", "-1", "+1", "0x10"}) {
    auto r = parse_unsigned(bad);
    CHECK_MESSAGE(!r, bad);
    if (!r) CHECK(r.error().code == EINVAL);
  }
}

TEST_CASE("parse_unsigned reports overflow and a maximum instead of wrapping or truncating") {
  auto huge = parse_unsigned("99999999999999999999999");
  REQUIRE(!huge);
  CHECK(huge.error().code == ERANGE);
  auto above = parse_unsigned("0x100000007", UINT32_MAX, NumberBase::c_prefix);  // was silently 7
  REQUIRE(!above);
  CHECK(above.error().code == ERANGE);
  CHECK(above.error().message == "out of range (0 to 4294967295)");
  CHECK(!parse_unsigned("33", 32));
}

TEST_CASE("parse_unsigned with C prefixes reads hex and octal as strtoul(s, 0) does") {
  CHECK(*parse_unsigned("0x1f", UINT64_MAX, NumberBase::c_prefix) == 31);
  CHECK(*parse_unsigned("0X1F", UINT64_MAX, NumberBase::c_prefix) == 31);
  CHECK(*parse_unsigned("010", UINT64_MAX, NumberBase::c_prefix) == 8);
  CHECK(*parse_unsigned("0", UINT64_MAX, NumberBase::c_prefix) == 0);
  CHECK(!parse_unsigned("0x", UINT64_MAX, NumberBase::c_prefix));
  CHECK(!parse_unsigned("09", UINT64_MAX, NumberBase::c_prefix));
  CHECK(*parse_unsigned("010") == 10);  // decimal stays decimal
}

TEST_CASE("parse_signed checks its range in both directions") {
  CHECK(*parse_signed("-5", -10, 10) == -5);
  CHECK(*parse_signed("9223372036854775807") == INT64_MAX);
  CHECK(!parse_signed("9223372036854775808"));
  CHECK(!parse_signed("-11", -10, 10));
  CHECK(!parse_signed("+1"));
  CHECK(!parse_signed("-"));
}
