// SPDX-License-Identifier: BSD-3-Clause
// `ipsec-engine lookup` input lines: the six fields, optional name=value fields, and the column of
// each mistake (the tool prints it as <stdin>:LINE:COL).
#include <doctest/doctest.h>

#include "flow_line.hpp"

using namespace xfrmpp;
using tools::engine_cli::LineError;
using tools::engine_cli::parse_flow_line;

TEST_CASE("flow lines: fields, names, numbers, ICMP type/code, extras") {
  auto r = parse_flow_line("out udp 10.0.0.1 4000 10.0.0.2 53");
  auto* f = std::get_if<engine::Flow>(&r);
  REQUIRE(f);
  CHECK(f->dir == model::Direction::out);
  CHECK(f->proto == 17);
  CHECK(f->family == model::Family::inet);
  CHECK(f->sport == 4000);
  CHECK(f->dport == 53);
  r = parse_flow_line("  fwd ipv6-icmp fd00::1 128 fd00::2 0 mark=0x10 if_id=3 ifindex=2");
  f = std::get_if<engine::Flow>(&r);
  REQUIRE(f);
  CHECK(f->proto == 58);
  CHECK(f->sport == 128);
  CHECK(f->mark == 0x10);
  CHECK(f->if_id == 3);
  CHECK(f->ifindex == 2);
  r = parse_flow_line("in 132 10.0.0.1 0 10.0.0.2 0");
  REQUIRE(std::get_if<engine::Flow>(&r));
  CHECK(std::get<engine::Flow>(r).proto == 132);
  CHECK(std::holds_alternative<std::monostate>(parse_flow_line("")));
  CHECK(std::holds_alternative<std::monostate>(parse_flow_line("# comment")));
}

TEST_CASE("flow lines: each mistake names its column") {
  auto col = [](std::string_view line) {
    auto r = parse_flow_line(line);
    auto* e = std::get_if<LineError>(&r);
    return e ? e->column : 0;
  };
  CHECK(col("up udp 10.0.0.1 1 10.0.0.2 2") == 1);
  CHECK(col("out foo 10.0.0.1 1 10.0.0.2 2") == 5);
  CHECK(col("out 256 10.0.0.1 1 10.0.0.2 2") == 5);
  CHECK(col("out udp 10.0.0.x 1 10.0.0.2 2") == 9);
  CHECK(col("out udp 10.0.0.1 70000 10.0.0.2 2") == 18);
  CHECK(col("out udp 10.0.0.1 1 fd00::2 2") == 20);
  CHECK(col("out udp 10.0.0.1 1 10.0.0.2 2 mark=zz") == 31);
  CHECK(col("out udp 10.0.0.1 1 10.0.0.2 2 color=red") == 31);
  CHECK(col("out udp 10.0.0.1") == 17);  // too few fields: the end of the line
}
