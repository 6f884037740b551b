#include <doctest/doctest.h>

#include "parsers/setkey.hpp"
#include "parsers/setkey_printer.hpp"

using namespace xfrmpp;
namespace sk = xfrmpp::parsers::setkey;

namespace {

model::Policy parse_one(const std::string& text) {
  diag::SourceBuffer src("t", text);
  diag::DiagnosticSink sink;
  auto s = sk::parse(src, sink);
  REQUIRE_MESSAGE(!sink.has_errors(), (sink.all().empty() ? "" : diag::format(src, sink.all()[0])));
  REQUIRE(s.statements.size() == 1);
  return std::get<model::AddPolicy>(s.statements[0].op).policy;
}

}  // namespace

TEST_CASE("-DP block in the ipsec-tools Linux layout") {
  auto p = parse_one("spdadd 10.0.0.0/24[any] 10.0.1.1[500] udp -P out prio def + 5 ipsec esp/tunnel/192.0.2.1-192.0.2.2/unique:3;");
  p.index = 9;
  sk::PrintOptions o;
  o.pid = 42;
  CHECK(sk::format_policy_dump(p, o) ==
        "10.0.0.0/24[any] 10.0.1.1[500] udp\n"
        "\tout prio def + 5 ipsec\n"
        "\tesp/tunnel/192.0.2.1-192.0.2.2/unique:3\n"
        "\tcreated:                       lastused:                     \n"
        "\tlifetime: 0(s) validtime: 0(s)\n"
        "\tspid=9 seq=0 pid=42\n");
}

TEST_CASE("generated reqids print with '#', as ipsec-tools") {
  auto p = parse_one("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique;");
  p.templates[0].reqid = 16385;
  CHECK(sk::format_policy_dump(p, {}).find("esp/transport//unique#16385") != std::string::npos);
  // --save writes plain 'unique' so the reload generates a fresh one.
  CHECK(sk::format_spdadd(p).find("esp/transport//unique;") != std::string::npos);
}

TEST_CASE("spdadd output re-parses to the same policy") {
  const char* cases[] = {
      "spdadd 10.0.0.0/24[any] 10.0.1.1[500] udp -P out prio def + 5 ipsec esp/tunnel/192.0.2.1-192.0.2.2/unique:3;",
      "spdadd fe80::/64 ::/0 ipv6-icmp 135,0 -P in prio low - 7 discard;",
      "spdadd 192.0.2.1 192.0.2.2 icmp 8 -P fwd none;",
      "spdadd 192.0.2.1 192.0.2.2 gre 65568 -P out none;",
      "spdadd 10.0.0.1 10.0.0.2 any -mark 0x10/0xff -if_id 7 -P out ipsec ah/transport//use esp/transport//require;",
      "spdadd 10.0.0.1 10.0.0.2 tcp -P out prio high + 1073741824 none;",
  };
  for (const char* c : cases) {
    auto p = parse_one(c);
    auto text = sk::format_spdadd(p);
    auto q = parse_one(text);
    CHECK_MESSAGE(p.sel == q.sel, text);
    CHECK_MESSAGE(p.priority == q.priority, text);
    CHECK_MESSAGE(p.kind == q.kind, text);
    CHECK_MESSAGE(p.mark == q.mark, text);
    CHECK_MESSAGE(p.if_id == q.if_id, text);
    REQUIRE(p.templates.size() == q.templates.size());
    for (size_t i = 0; i < p.templates.size(); ++i) {
      auto a = p.templates[i], b = q.templates[i];
      if (a.level == model::Level::default_level) a.level = model::Level::require;  // the kernel keeps no 'default'
      CHECK_MESSAGE(a == b, text);
    }
  }
}

TEST_CASE("--save skips RFC-mode fwd copies and replays oldest first") {
  auto in = parse_one("spdadd 10.0.0.1 10.0.0.2 any -P in ipsec esp/transport//require;");
  auto fwd = *sk::rfc_fwd_copy(model::Statement{model::AddPolicy{in, false}, {}});
  auto fwd_policy = std::get<model::AddPolicy>(fwd.op).policy;
  auto out = parse_one("spdadd 10.0.0.2 10.0.0.1 any -P out ipsec esp/transport//require;");
  std::vector<model::Policy> dump{fwd_policy, in, out};  // newest first
  auto rfc = sk::format_policy_save(dump, true);
  CHECK(rfc.find("-P fwd") == std::string::npos);
  CHECK(rfc.find("10.0.0.2[any] 10.0.0.1[any]") < rfc.find("-P in"));
  auto kernel = sk::format_policy_save(dump, false);
  CHECK(kernel.find("-P fwd") != std::string::npos);
}
