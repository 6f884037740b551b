// SPDX-License-Identifier: BSD-3-Clause
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
  auto fwd = *sk::rfc_fwd_copy(model::Statement{model::AddPolicy{in, false, {}}, {}});
  auto fwd_policy = std::get<model::AddPolicy>(fwd.op).policy;
  auto out = parse_one("spdadd 10.0.0.2 10.0.0.1 any -P out ipsec esp/transport//require;");
  std::vector<model::Policy> dump{fwd_policy, in, out};  // newest first
  auto rfc = sk::format_policy_save(dump, true);
  CHECK(rfc.find("-P fwd") == std::string::npos);
  CHECK(rfc.find("10.0.0.2[any] 10.0.0.1[any]") < rfc.find("-P in"));
  auto kernel = sk::format_policy_save(dump, false);
  CHECK(kernel.find("-P fwd") != std::string::npos);
}

TEST_CASE("-D --save writes add statements that parse back to the same SA") {
  const char* text =
      "add 10.0.0.1 10.0.0.2 esp 0x1000 -m tunnel -u 5 -r 1024 -esn -lh 60 -ls 50 -bh 9000 -bs 8000 -mark 0x1/0xff -if_id 4 "
      "-E aes-cbc 0x000102030405060708090a0b0c0d0e0f -A hmac-sha256 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;\n"
      "add 10.0.0.1[4500] 10.0.0.2[4501] esp-udp 0x1001 -m transport -E aes-gcm-16 0x000102030405060708090a0b0c0d0e0f10111213;\n"
      "add 10.0.0.1 10.0.0.2 ipcomp 0x2 -m transport -C deflate;\n"
      "add 10.0.0.1 10.0.0.2 esp 0x1002 -m tunnel -dir out -tfcpad 64 -output-mark 0x3/0xf -E aes-cbc 0x000102030405060708090a0b0c0d0e0f;\n";
  diag::SourceBuffer src("t", text);
  diag::DiagnosticSink sink;
  auto script = sk::parse(src, sink);
  REQUIRE_FALSE(sink.has_errors());
  std::vector<model::SecurityAssociation> sas;
  for (const auto& st : script.statements) sas.push_back(*std::get<model::AddSa>(st.op).sa);
  std::vector<model::SecurityAssociation> dump(sas.rbegin(), sas.rend());  // the kernel dumps newest first
  std::string saved = sk::format_sa_save(dump);
  diag::SourceBuffer again("saved", saved);
  auto re = sk::parse(again, sink);
  REQUIRE_MESSAGE(!sink.has_errors(), saved);
  REQUIRE(re.statements.size() == sas.size());
  for (size_t i = 0; i < sas.size(); ++i) {
    const auto& a = sas[i];
    const auto& b = *std::get<model::AddSa>(re.statements[i].op).sa;
    CHECK_MESSAGE(a.spi == b.spi, saved);
    CHECK(a.mode == b.mode);
    CHECK(a.reqid == b.reqid);
    CHECK(a.replay.window == b.replay.window);
    CHECK(a.replay.esn == b.replay.esn);
    CHECK(a.limits == b.limits);
    CHECK(a.mark == b.mark);
    CHECK(a.if_id == b.if_id);
    CHECK(a.auth == b.auth);
    CHECK(a.crypt == b.crypt);
    CHECK(a.aead == b.aead);
    CHECK(a.comp == b.comp);
    CHECK(a.encap == b.encap);
    CHECK(a.dir == b.dir);
    CHECK(a.tfcpad == b.tfcpad);
    CHECK(a.output_mark == b.output_mark);
  }
  model::SecurityAssociation larval;
  larval.src = *model::Address::parse("10.0.0.1");
  larval.dst = *model::Address::parse("10.0.0.2");
  larval.spi = 0x1234;
  std::vector<model::SecurityAssociation> only{larval};
  CHECK(sk::format_sa_save(only).find("# not saved: esp spi 0x1234") != std::string::npos);
}
