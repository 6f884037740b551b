// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "parsers/script_check.hpp"
#include "parsers/setkey.hpp"

using namespace xfrmpp;
namespace sk = xfrmpp::parsers::setkey;

namespace {

struct Parsed {
  diag::SourceBuffer source;
  diag::DiagnosticSink sink;
  model::Script script;
};

Parsed parse(std::string text) {
  Parsed p{diag::SourceBuffer("t.conf", std::move(text)), {}, {}};
  p.script = sk::parse(p.source, p.sink);
  return p;
}

const model::Policy& policy_at(const Parsed& p, size_t i) {
  return std::get<model::AddPolicy>(p.script.statements.at(i).op).policy;
}

std::string first_error(const Parsed& p) {
  for (const auto& d : p.sink.all())
    if (d.severity == diag::Severity::error) return diag::format(p.source, d);
  return {};
}

}  // namespace

TEST_CASE("spdadd with a transport request") {
  auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//require;\n");
  REQUIRE_FALSE(p.sink.has_errors());
  REQUIRE(p.script.statements.size() == 1);
  const auto& pol = policy_at(p, 0);
  CHECK(pol.sel.family == model::Family::inet);
  CHECK(pol.sel.src.addr.to_string() == "10.0.0.1");
  CHECK(pol.sel.src.len == 32);
  CHECK(pol.sel.proto == 0);
  CHECK(pol.dir == model::Direction::out);
  CHECK(pol.kind == model::PolicyKind::ipsec);
  CHECK(pol.priority == 0x80000000u);  // libipsec's PRIORITY_DEFAULT when none is written
  REQUIRE(pol.templates.size() == 1);
  CHECK(pol.templates[0].proto == model::Protocol::esp);
  CHECK(pol.templates[0].mode == model::Mode::transport);
  CHECK(pol.templates[0].level == model::Level::require);
  CHECK(pol.templates[0].family == model::Family::inet);
}

TEST_CASE("selectors: prefixes, ports, protocols, v6") {
  auto p = parse(
      "spdadd 10.0.0.0/24[any] 10.1.0.0/16[80] tcp -P out none;\n"
      "spdadd fe80::/64 ::/0 ipv6-icmp 135,0 -P in discard;\n"
      "spdadd 192.0.2.1 192.0.2.2 icmp 8 -P out discard;\n"
      "spdadd 192.0.2.1 192.0.2.2 47 0x10020 -P out discard;\n"
      "spdadd 192.0.2.1 192.0.2.2 255 -P out none;\n");
  REQUIRE_FALSE(p.sink.has_errors());
  const auto& a = policy_at(p, 0);
  CHECK(a.sel.src.len == 24);
  CHECK(a.sel.sport_mask == 0);
  CHECK(a.sel.dport == 80);
  CHECK(a.sel.dport_mask == 0xffff);
  CHECK(a.sel.proto == 6);
  const auto& b = policy_at(p, 1);
  CHECK(b.sel.family == model::Family::inet6);
  CHECK(b.sel.proto == 58);
  CHECK(b.sel.sport == 135);
  CHECK(b.sel.dport == 0);
  CHECK(b.sel.dport_mask == 0xffff);
  const auto& c = policy_at(p, 2);
  CHECK(c.sel.sport == 8);
  CHECK(c.sel.dport_mask == 0);  // no code given: any code
  const auto& d = policy_at(p, 3);
  CHECK(d.sel.sport == 0x1);
  CHECK(d.sel.dport == 0x0020);
  CHECK(policy_at(p, 4).sel.proto == 0);  // KAME 255 = any
}

TEST_CASE("priority forms follow libipsec") {
  auto prio = [](const std::string& spec) {
    auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P out " + spec + " none;");
    REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
    return policy_at(p, 0).priority;
  };
  CHECK(prio("prio def") == 0x80000000u);
  CHECK(prio("priority high") == 0x40000000u);
  CHECK(prio("prio low") == 0xC0000000u);
  CHECK(prio("prio 10") == 0x80000000u - 10);
  CHECK(prio("prio -10") == 0x80000000u + 10);
  CHECK(prio("prio def + 5") == 0x80000000u - 5);
  CHECK(prio("prio high-3") == 0x40000000u + 3);
  CHECK(prio("prio high + 1073741824") == 0u);
  // The edges of each form are accepted.
  CHECK(prio("prio 2147483648") == 0u);
  CHECK(prio("prio -2147483647") == 0xffffffffu);
  CHECK(prio("prio low - 1073741823") == 0xffffffffu);
  CHECK(prio("prio def-2147483647") == 0xffffffffu);
}

TEST_CASE("an out-of-range priority offset says how far its base allows") {
  auto err = [](const std::string& spec) {
    auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P out " + spec + " none;");
    REQUIRE(p.sink.error_count() == 1);
    return p.sink.all().front().message;
  };
  CHECK(err("prio 4294967295") ==
        "priority offset 4294967295 is out of range: 'prio N' (def + N) is kernel priority 2147483648 - N, which must not go "
        "below 0, so N can be at most 2147483648");
  CHECK(err("prio 2147483649").ends_with("so N can be at most 2147483648"));
  CHECK(err("prio -2147483648") ==
        "priority offset 2147483648 is out of range: 'prio -N' (def - N) is kernel priority 2147483648 + N, which must not "
        "exceed 4294967295, so N can be at most 2147483647");
  CHECK(err("prio high + 1073741825") ==
        "priority offset 1073741825 is out of range: 'prio high + N' is kernel priority 1073741824 - N, which must not go "
        "below 0, so N can be at most 1073741824");
  CHECK(err("prio high - 3221225472").ends_with("'prio high - N' is kernel priority 1073741824 + N, which must not exceed "
                                                "4294967295, so N can be at most 3221225471"));
  CHECK(err("prio low+3221225473").ends_with("'prio low + N' is kernel priority 3221225472 - N, which must not go below 0, "
                                             "so N can be at most 3221225472"));
  CHECK(err("prio low - 1073741824").ends_with("so N can be at most 1073741823"));
  CHECK(err("prio def + 2147483649").ends_with("'prio def + N' is kernel priority 2147483648 - N, which must not go below 0, "
                                               "so N can be at most 2147483648"));
}

TEST_CASE("bundles, tunnel endpoints, levels and reqids") {
  auto p = parse(
      "spdadd 10.0.1.0/24 10.0.2.0/24 any -P in prio high ipsec\n"
      "    ipcomp/tunnel/192.0.2.1-192.0.2.2/use\n"
      "    esp/transport//unique:7 ah/transport/;\n");
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  const auto& pol = policy_at(p, 0);
  REQUIRE(pol.templates.size() == 3);
  CHECK(pol.templates[0].proto == model::Protocol::ipcomp);
  CHECK(pol.templates[0].mode == model::Mode::tunnel);
  CHECK(pol.templates[0].src.to_string() == "192.0.2.1");
  CHECK(pol.templates[0].dst.to_string() == "192.0.2.2");
  CHECK(pol.templates[0].level == model::Level::use);
  CHECK(pol.templates[1].level == model::Level::unique);
  CHECK(pol.templates[1].reqid == 7);
  CHECK(pol.templates[2].proto == model::Protocol::ah);
  CHECK(pol.templates[2].level == model::Level::default_level);
}

TEST_CASE("unique:N above 16383 becomes a generated reqid, as PF_KEY did, and is remembered for the warning") {
  auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique:5 ah/transport//unique:20000;\n"
                 "spdadd 10.0.0.1 10.0.0.2 any -P in ipsec esp/transport//unique:4294967295;\n");
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  CHECK(p.sink.all().empty());  // the tool warns once it knows the reqid
  const auto& a = std::get<model::AddPolicy>(p.script.statements.at(0).op);
  CHECK(a.policy.templates[0].reqid == 5);
  CHECK(a.policy.templates[1].level == model::Level::unique);
  CHECK(a.policy.templates[1].reqid == 0);
  REQUIRE(a.replaced_reqids.size() == 1);
  CHECK(a.replaced_reqids[0].request == 1);
  CHECK(a.replaced_reqids[0].written == 20000);
  CHECK(p.source.text().substr(a.replaced_reqids[0].range.begin, a.replaced_reqids[0].range.end - a.replaced_reqids[0].range.begin) ==
        "unique:20000");
  const auto& b = std::get<model::AddPolicy>(p.script.statements.at(1).op);
  REQUIRE(b.replaced_reqids.size() == 1);
  CHECK(b.replaced_reqids[0].written == 4294967295u);
  // 16383 is still the user's own.
  auto q = parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique:16383;");
  CHECK(policy_at(q, 0).templates[0].reqid == 16383);
  CHECK(std::get<model::AddPolicy>(q.script.statements.at(0).op).replaced_reqids.empty());
}

TEST_CASE("hmac-sha256 with a 160-bit key loads with a warning at the algorithm; past the block size it is an error") {
  auto p = parse("add 10.0.0.1 10.0.0.2 esp 0x1000 -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha2-256 "
                 "0x0011223344556677889900112233445566778899;\n");
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  REQUIRE(p.sink.all().size() == 1);
  const auto& w = p.sink.all().front();
  CHECK(w.severity == diag::Severity::warning);
  CHECK(p.source.text().substr(w.range.begin, w.range.end - w.range.begin) == "hmac-sha2-256");
  CHECK(w.message.find("RFC 4868") != std::string::npos);
  const auto& sa = *std::get<model::AddSa>(p.script.statements.at(0).op).sa;
  REQUIRE(sa.auth);
  CHECK(sa.auth->key.size() == 20);
  CHECK(sa.auth->icv_bits == 128);

  auto ok = parse("add 10.0.0.1 10.0.0.2 ah 0x1000 -A hmac-sha256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;");
  CHECK(ok.sink.all().empty());

  std::string long_key(130, 'a');
  auto bad = parse("add 10.0.0.1 10.0.0.2 ah 0x1000 -A hmac-sha256 0x" + long_key + ";");
  CHECK(first_error(bad).find("hmac-sha256 takes a key of 8 to 512 bits in whole bytes") != std::string::npos);
  CHECK(first_error(bad).find("this key has 520 bits") != std::string::npos);
  CHECK(first_error(parse("add 10.0.0.1 10.0.0.2 ah 0x1000 -A hmac-sha256 \"\";")).find("this key has 0 bits") != std::string::npos);
}

TEST_CASE("4-in-6 tunnel keeps the endpoint family") {
  auto p = parse("spdadd 10.0.1.0/24 10.0.2.0/24 any -P out ipsec esp/tunnel/2001:db8::1-2001:db8::2/require;");
  REQUIRE_FALSE(p.sink.has_errors());
  CHECK(policy_at(p, 0).templates[0].family == model::Family::inet6);
}

TEST_CASE("linux extensions: mark, if_id, ctx") {
  auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -mark 0x10/0xff -if_id 7 -ctx 1 1 \"system_u:object_r:ipsec_spd_t:s0\" -P out none;");
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  const auto& pol = policy_at(p, 0);
  REQUIRE(pol.mark);
  CHECK(pol.mark->value == 0x10);
  CHECK(pol.mark->mask == 0xff);
  CHECK(pol.if_id == 7u);
  REQUIRE(pol.ctx);
  CHECK(pol.ctx->label == "system_u:object_r:ipsec_spd_t:s0");
}

TEST_CASE("errors carry file, line, column, the source line and a caret") {
  auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//require;\n"
                 "spdadd 10.0.0.1 10.0.0.3 any -P out ipsec esp/transport//requir;\n");
  REQUIRE(p.sink.error_count() == 1);
  CHECK(first_error(p) ==
        "t.conf:2:58: error: unknown level 'requir'\n"
        "spdadd 10.0.0.1 10.0.0.3 any -P out ipsec esp/transport//requir;\n"
        "                                                         ^~~~~~\n"
        "t.conf:2:58: note: did you mean 'require'?\n");
}

TEST_CASE("an error on line 40 is reported at line 40 and parsing goes on") {
  std::string text;
  for (int i = 1; i <= 39; ++i) text += "spdadd 10.0.0." + std::to_string(i) + " 10.0.1.1 any -P out none;\n";
  text += "spdadd 10.0.0.40 10.0.1.1 any -P out nonne;\n";
  text += "spdadd 10.0.0.41 10.0.1.1 any -P sideways none;\n";
  auto p = parse(text);
  REQUIRE(p.sink.error_count() == 2);
  auto lc = p.source.line_col(p.sink.all()[0].range.begin);
  CHECK(lc.line == 40);
  CHECK(lc.column == 38);
  CHECK(p.source.line_col(p.sink.all()[1].range.begin).line == 41);
  CHECK(p.script.statements.size() == 39);
}

TEST_CASE("misspelled commands and keywords get suggestions") {
  auto p = parse("spdad 10.0.0.1 10.0.0.2 any -P out none;");
  REQUIRE(p.sink.error_count() == 1);
  CHECK(first_error(p).find("did you mean 'spdadd'?") != std::string::npos);
  auto q = parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/tunel/1.1.1.1-2.2.2.2/require;");
  CHECK(first_error(q).find("did you mean 'tunnel'?") != std::string::npos);
}

TEST_CASE("semantic checks Linux needs before anything is sent") {
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/tunnel//require;")).find("needs endpoints") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/tunnel/1.1.1.1-2.2.2.2/use;")).find("rejects 'use'") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 ::1 any -P out none;")).find("different address families") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1/33 10.0.0.2 any -P out none;")).find("prefix length") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out bypass;")).find("per-socket") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec;")).find("at least one request") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique:4294967296;")).find("1 to 4294967295") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out ipsec esp/transport//unique:0;")).find("1 to 4294967295") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1[80] 10.0.0.2 icmp -P out none;")).find("has no ports") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any -P out none")).find("missing ';'") != std::string::npos);
  CHECK(first_error(parse("spdadd host.invalid 10.0.0.2 any -P out none;")).find("not a numeric") != std::string::npos);
  CHECK(first_error(parse("spdadd 10.0.0.1 10.0.0.2 any \\\n -P out none;")).find("backslash") != std::string::npos);
}

TEST_CASE("comments, blank lines, multi-line statements, exit") {
  auto p = parse("# header\n\nspdadd 10.0.0.1 # trailing\n  10.0.0.2 any\n  -P out none;\nexit;\nthis is ignored");
  REQUIRE_FALSE(p.sink.has_errors());
  CHECK(p.script.statements.size() == 1);
}

TEST_CASE("RFC mode: in gets a fwd copy with unique turned into require") {
  auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P in ipsec esp/transport//unique:5 ah/transport//unique:6;");
  REQUIRE_FALSE(p.sink.has_errors());
  auto copy = sk::rfc_fwd_copy(p.script.statements[0]);
  REQUIRE(copy);
  const auto& fwd = std::get<model::AddPolicy>(copy->op).policy;
  CHECK(fwd.dir == model::Direction::fwd);
  CHECK(fwd.templates[0].level == model::Level::require);
  CHECK(fwd.templates[0].reqid == 0);
  CHECK(fwd.templates[1].level == model::Level::unique);  // only the first request, as ipsec-tools
  CHECK(sk::is_rfc_fwd_copy(fwd, policy_at(p, 0)));
  auto out = parse("spdadd 10.0.0.1 10.0.0.2 any -P out none;");
  CHECK_FALSE(sk::rfc_fwd_copy(out.script.statements[0]));
}

TEST_CASE("the same policy twice is caught before the kernel sees it") {
  auto p = parse("spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"
                 "spdadd 10.0.0.1 10.0.0.2 any -P in none;\n"
                 "spdadd 10.0.0.1 10.0.0.2 any -P out discard;\n"
                 "spddelete 10.0.0.1 10.0.0.2 any -P out;\n"
                 "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"
                 "spdflush;\n"
                 "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n");
  REQUIRE_FALSE(p.sink.has_errors());
  diag::DiagnosticSink sink;
  parsers::DuplicatePolicyCheck check;
  for (const auto& st : p.script.statements) check.check(p.source, st, sink);
  check.finish(p.source);
  REQUIRE(sink.error_count() == 1);
  CHECK(p.source.line_col(sink.all()[0].range.begin).line == 3);
  CHECK(sink.all()[0].message.find("line 1") != std::string::npos);
}

// Runs the duplicate check over a parsed script; the lines of the statements it reports.
static std::vector<uint64_t> duplicate_lines(const Parsed& p,
                                             parsers::DuplicatePolicyCheck::Hash hash = parsers::hash_key_bytes) {
  diag::DiagnosticSink sink;
  parsers::DuplicatePolicyCheck check(hash);
  for (const auto& st : p.script.statements) check.check(p.source, st, sink);
  check.finish(p.source);
  std::vector<uint64_t> lines;
  for (const auto& d : sink.all()) lines.push_back(p.source.line_col(d.range.begin).line);
  return lines;
}

TEST_CASE("duplicate check under churn: deletes really remove, and a duplicate after many deletions is still found") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "spdadd 10.0.0.1 10.0.0.2 any -P out none;\nspddelete 10.0.0.1 10.0.0.2 any -P out;\n";
  text += "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n";  // line 10001
  text += "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n";  // line 10002: the duplicate
  auto p = parse(text);
  REQUIRE_FALSE(p.sink.has_errors());
  CHECK(duplicate_lines(p) == std::vector<uint64_t>{10002});
}

TEST_CASE("duplicate check against a reference set: random adds and deletes over thousands of colliding keys") {
  // Thousands of live keys in a table of a few thousand slots make long probe chains, so deletions in the
  // middle of chains (the backward shift) and table growth are both exercised.
  std::string text;
  std::set<int> live;
  std::vector<uint64_t> expected;
  uint64_t line = 0;
  uint32_t rng = 12345;
  auto next = [&] { return rng = rng * 1103515245u + 12345u, (rng >> 8) % 3000u; };
  auto add = [&](int port) {
    text += fmt::format("spdadd 10.0.0.1[{}] 10.0.0.2 tcp -P out none;\n", port);
    ++line;
    if (!live.insert(port).second) expected.push_back(line);
  };
  auto del = [&](int port) {
    text += fmt::format("spddelete 10.0.0.1[{}] 10.0.0.2 tcp -P out;\n", port);
    ++line;
    live.erase(port);
  };
  for (int i = 1; i <= 2500; ++i) add(i);
  for (int i = 0; i < 30000; ++i) {
    int port = static_cast<int>(next()) + 1;
    if (next() % 2) add(port); else del(port);
  }
  auto p = parse(text);
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  REQUIRE(expected.size() > 1000);
  CHECK(duplicate_lines(p) == expected);
}

TEST_CASE("duplicate check with every hash equal: the exact key comparison alone still gives the right answers") {
  // The table compares full 64-bit hashes before it reads an entry; a constant hash makes every key
  // collide, so a check that trusted the hash would call every add after the first a duplicate.
  std::string text;
  for (int port = 1; port <= 300; ++port) text += fmt::format("spdadd 10.0.0.1[{}] 10.0.0.2 tcp -P out none;\n", port);
  for (int port = 1; port <= 300; port += 2) text += fmt::format("spddelete 10.0.0.1[{}] 10.0.0.2 tcp -P out;\n", port);
  text += "spdadd 10.0.0.1[1] 10.0.0.2 tcp -P out none;\n";   // line 451: deleted before, so no duplicate
  text += "spdadd 10.0.0.1[2] 10.0.0.2 tcp -P out none;\n";   // line 452: a duplicate of line 2
  text += "spdadd 10.0.0.1[300] 10.0.0.2 tcp -P out none;\n"; // line 453: a duplicate of line 300
  auto p = parse(text);
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  auto constant = [](std::span<const uint8_t>) -> uint64_t { return 0x5eed; };
  CHECK(duplicate_lines(p, constant) == std::vector<uint64_t>{452, 453});
  CHECK(duplicate_lines(p) == std::vector<uint64_t>{452, 453});
}

TEST_CASE("the duplicate check's key bytes: equal exactly when the keys are equal") {
  // The table compares encodings, not PolicyKeys: a field the encoding dropped would make two different
  // policies a "duplicate". Each variant changes one field of PolicyKey's equality (or a v4 address's
  // unused bytes, which that equality also compares) and must encode differently from all the others.
  model::PolicyKey base;
  base.sel.family = model::Family::inet;
  base.sel.src = {*model::Address::parse("10.0.0.1"), 32};
  base.sel.dst = {*model::Address::parse("10.0.0.2"), 32};
  std::vector<model::PolicyKey> keys{base};
  auto vary = [&](auto&& change) {
    model::PolicyKey k = base;
    change(k);
    keys.push_back(k);
  };
  vary([](auto& k) { k.sel.family = model::Family::inet6; });
  vary([](auto& k) { k.sel.src.addr.family = model::Family::unspec; });
  vary([](auto& k) { k.sel.dst.addr.family = model::Family::unspec; });
  vary([](auto& k) { k.sel.src.addr.bytes[3] = 9; });
  vary([](auto& k) { k.sel.dst.addr.bytes[3] = 9; });
  vary([](auto& k) { k.sel.src.addr.bytes[15] = 1; });
  vary([](auto& k) { k.sel.dst.addr.bytes[15] = 1; });
  vary([](auto& k) { k.sel.src.len = 24; });
  vary([](auto& k) { k.sel.dst.len = 24; });
  vary([](auto& k) { k.sel.sport = 1; });
  vary([](auto& k) { k.sel.sport_mask = 1; });
  vary([](auto& k) { k.sel.dport = 1; });
  vary([](auto& k) { k.sel.dport_mask = 1; });
  vary([](auto& k) { k.sel.proto = 6; });
  vary([](auto& k) { k.sel.ifindex = 1; });
  vary([](auto& k) { k.sel.user = 1; });
  vary([](auto& k) { k.dir = model::Direction::fwd; });
  vary([](auto& k) { k.mark = model::Mark{0, 0}; });
  vary([](auto& k) { k.mark = model::Mark{1, 0xffffffff}; });
  vary([](auto& k) { k.mark = model::Mark{0, 1}; });
  vary([](auto& k) { k.if_id = 7; });
  vary([](auto& k) { k.type = model::PolicyType::sub; });
  vary([](auto& k) {  // the longest form: every optional part present
    k.sel.src = {*model::Address::parse("2001:db8::1"), 128};
    k.sel.dst = {*model::Address::parse("2001:db8::2"), 128};
    k.sel.sport = k.sel.dport = 1;
    k.sel.ifindex = -1;
    k.mark = model::Mark{};
    k.if_id = 1;
  });
  auto bytes = [](const model::PolicyKey& k) {
    std::array<uint8_t, parsers::kMaxPolicyKeyBytes> b{};
    return std::vector<uint8_t>(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(parsers::encode_policy_key(k, b)));
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    model::PolicyKey copy = keys[i];
    CHECK(bytes(copy) == bytes(keys[i]));
    for (size_t j = i + 1; j < keys.size(); ++j) {
      REQUIRE(!(keys[i] == keys[j]));
      CHECK_MESSAGE(bytes(keys[i]) != bytes(keys[j]), "variants ", i, " and ", j, " encode the same");
    }
  }
  CHECK(bytes(base).size() == 17);
}

TEST_CASE("duplicate errors come in input order among the parser's own, though the check answers late") {
  // The check answers a statement only a few statements later (its table lookups are prefetched), while
  // the parser reports at once into the same sink; the errors must still read top to bottom.
  std::string text = "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"   // 1
                     "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"   // 2: duplicate of 1
                     "spdadd 10.0.0.1 10.0.0.2 any -P out bogus;\n"  // 3: parse error
                     "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"   // 4: duplicate of 1
                     "spdadd 10.0.0.1 10.0.0.2 any -P in none;\n"    // 5
                     "spdadd 10.0.0.9 10.0.0.2 any -P out bogus;\n"  // 6: parse error
                     "spdadd 10.0.0.1 10.0.0.2 any -P in none;\n";   // 7: duplicate of 5
  for (int i = 0; i < 20; ++i) text += fmt::format("spdadd 10.1.0.{} 10.0.0.2 any -P out none;\n", i);
  text += "spdadd 10.0.0.1 10.0.0.2 any -P in none;\n";  // 28: duplicate of 5, answered at finish()
  text += "spdadd 10.0.0.1 10.0.0.2 any -P in bogus;\n"; // 29: parse error
  diag::SourceBuffer source("t.conf", text);
  diag::DiagnosticSink sink;
  parsers::DuplicatePolicyCheck check;
  sk::parse_each(source, sink, {}, [&](model::Statement&& st) { check.check(source, st, sink); });
  check.finish(source);
  std::vector<uint64_t> lines;
  for (const auto& d : sink.all()) lines.push_back(source.line_col(d.range.begin).line);
  CHECK(lines == std::vector<uint64_t>{2, 3, 4, 6, 7, 28, 29});
  CHECK(sink.error_count() == 7);
}

TEST_CASE("a duplicate across two inputs names the first one's file and line") {
  std::vector<diag::SourceBuffer> sources;
  sources.emplace_back("a.conf", "# a\n# b\nspdadd 10.0.0.1 10.0.0.2 any -P out none;\n");
  sources.emplace_back("b.conf", "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n");
  parsers::DuplicatePolicyCheck check;
  diag::DiagnosticSink sink_a, sink_b;
  for (auto& st : sk::parse(sources[0], sink_a).statements) check.check(sources, 0, st, sink_a);
  check.finish(sources);
  for (auto& st : sk::parse(sources[1], sink_b).statements) check.check(sources, 1, st, sink_b);
  check.finish(sources);
  CHECK_FALSE(sink_a.has_errors());
  REQUIRE(sink_b.error_count() == 1);
  auto text = diag::format(sources[1], sink_b.all()[0]);
  CHECK(text.rfind("b.conf:1:1: error: this out policy was already added at a.conf:3;", 0) == 0);
}

TEST_CASE("SA statements: algorithms, key sizes, unsupported algorithms") {
  auto p = parse(
      "add 10.0.0.1 10.0.0.2 esp 0x1000 -m tunnel -u 5 -r 64 -E aes-cbc 0x00112233445566778899aabbccddeeff "
      "-A hmac-sha256 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff;\n"
      "add 10.0.0.1 10.0.0.2 esp 0x1001 -E aes-gcm-16 \"0123456789abcdef0123\";\n"
      "add 10.0.0.1 10.0.0.2 ipcomp 0x2 -C deflate;\n");
  REQUIRE_MESSAGE(!p.sink.has_errors(), first_error(p));
  const auto& sa = *std::get<model::AddSa>(p.script.statements[0].op).sa;
  CHECK(sa.spi == 0x1000);
  CHECK(sa.mode == model::Mode::tunnel);
  CHECK(sa.reqid == 5);
  CHECK(sa.replay.window == 64);
  REQUIRE(sa.crypt);
  CHECK(sa.crypt->kernel_name == "cbc(aes)");
  REQUIRE(sa.auth);
  CHECK(sa.auth->kernel_name == "hmac(sha256)");
  CHECK(sa.auth->icv_bits == 128);  // RFC 4868, never the kernel's 96-bit default
  const auto& gcm = *std::get<model::AddSa>(p.script.statements[1].op).sa;
  REQUIRE(gcm.aead);
  CHECK(gcm.aead->key.size() == 20);
  CHECK(gcm.aead->icv_bits == 128);

  CHECK(first_error(parse("add 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-cbc 0x0011;")).find("128 to 256 bits") != std::string::npos);
  CHECK(first_error(parse("add 1.1.1.1 2.2.2.2 ah 0x1000 -A keyed-md5 0x00112233445566778899aabbccddeeff;")).find("not available on Linux") != std::string::npos);
  CHECK(first_error(parse("add 1.1.1.1 2.2.2.2 ipcomp 0x1000 -C lzs;")).find("not available on Linux") != std::string::npos);
  CHECK(first_error(parse("add 1.1.1.1 2.2.2.2 esp 0x1000 -A hmac-sha1 0x00112233445566778899aabbccddeeff00112233;")).find("needs an encryption") != std::string::npos);
}

TEST_CASE("a key never appears in an error message") {
  auto p = parse("add 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-cbc 00112233445566778899aabbccddeeff;");
  REQUIRE(p.sink.has_errors());
  auto msg = p.sink.all()[0].message;
  CHECK(msg.find("00112233") == std::string::npos);
}

TEST_CASE("keys are masked in the source line quoted under an error") {
  auto p = parse("add 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-cbc 0x00112233445566778899aabbccddeeff -A nope 0x11;");
  REQUIRE(p.sink.has_errors());
  std::string text = diag::format(p.source, p.sink.all()[0], p.sink.secrets());
  CHECK(text.find("00112233") == std::string::npos);
  CHECK(text.find("**********************************") != std::string::npos);
  CHECK(text.find("-A nope") != std::string::npos);
}

TEST_CASE("key pre-scan: keys by what they look like, in statements that may carry them") {
  std::string text =
      "spdadd 10.0.0.1 10.0.0.2 any -ctx 1 1 \"label\" -P out none;\n"  // no keys: the label stays
      "ad 10.0.0.1 10.0.0.2 esp 0x1000 -E aes-cbc 0x00112233445566778899aabbccddeeff;\n"
      "add 10.0.0.1 10.0.0.999 esp 0x1001\n  -A hmac-sha1 \"a;quoted#key\";\n"
      "spdadd 10.0.0.1 10.0.0.2 any -P out none\nadd 1.1.1.1 2.2.2.2 esp 0x1 -E aes-cbc 1122334455667788aabbccddeeff0011;\n";
  auto ranges = sk::key_material(text);
  std::vector<std::string_view> got;
  for (auto r : ranges) got.push_back(std::string_view(text).substr(r.begin, r.end - r.begin));
  CHECK(got == std::vector<std::string_view>{"0x00112233445566778899aabbccddeeff", "\"a;quoted#key\"",
                                             "1122334455667788aabbccddeeff0011"});
}

TEST_CASE("key pre-scan on text without quotes: long hex runs, any case, comments included; nothing else") {
  // Text with no quote and no 16-digit run is settled by a quick pass; these are the cases it must not settle.
  std::string text = "spdadd 10.0.0.1 10.0.0.2 any -P out none;\n"
                     "# old key 0XAABBCCDDEEFFAABBCCDDEEFF00112233\n"
                     "spdadd 10.0.0.3 10.0.0.4 any -P out none;\n";
  auto ranges = sk::key_material(text);
  REQUIRE(ranges.size() == 1);
  CHECK(std::string_view(text).substr(ranges[0].begin, ranges[0].end - ranges[0].begin) == "0XAABBCCDDEEFFAABBCCDDEEFF00112233");
  CHECK(sk::key_material("spdadd 10.0.0.1 10.0.0.2 any -P out none; # 0x0011223344556677 is 16\n").size() == 1);
  CHECK(sk::key_material("spdadd 10.0.0.1 10.0.0.2 any -P out none; # 0x001122334455667 is 15\n").empty());
}

TEST_CASE("a key is masked in every echoed line of its statement and in every message") {
  auto p = parse("ad 1.1.1.1 2.2.2.2 esp 0x1000 -E aes-cbc 0x00112233445566778899aabbccddeeff;\n"
                 "add 1.1.1.1 2.2.2.999 esp 0x1001\n -E aes-cbc 0x11112233445566778899aabbccddeeff;\n"
                 "add 1.1.1.1 2.2.2.2 esp 0x1002 -x 0x22112233445566778899aabbccddeeff;\n");
  REQUIRE(p.sink.all().size() >= 3);
  std::string all;
  for (const auto& d : p.sink.all()) all += diag::format(p.source, d, p.sink.secrets());
  CHECK(all.find("2233445566778899") == std::string::npos);
  CHECK(all.find("unknown command 'ad'") != std::string::npos);
}

TEST_CASE("-n on a statement forbids name lookups") {
  diag::SourceBuffer src("t", "spdadd -n localhost 10.0.0.2 any -P out none;");
  diag::DiagnosticSink sink;
  sk::ParseOptions o;
  o.resolver = [](std::string_view, model::Family) { return std::vector<model::Address>{*model::Address::parse("127.0.0.1")}; };
  sk::parse(src, sink, o);
  REQUIRE(sink.error_count() == 1);
  CHECK(sink.all()[0].message.find("-n forbids") != std::string::npos);
  diag::SourceBuffer ok("t", "spdadd localhost 10.0.0.2 any -P out none;");
  diag::DiagnosticSink sink2;
  sk::parse(ok, sink2, o);
  CHECK_FALSE(sink2.has_errors());
}

TEST_CASE("policy strings as ipsec_set_policy(3) takes them") {
  auto one = [](const char* text, diag::DiagnosticSink& sink) {
    diag::SourceBuffer src("policy", text);
    return sk::parse_policy_string(src, sink);
  };
  diag::DiagnosticSink sink;
  auto p = one("out ipsec esp/transport//require ah/transport//use", sink);
  REQUIRE(p);
  CHECK(p->dir == model::Direction::out);
  CHECK(p->templates.size() == 2);
  CHECK(one("in bypass", sink)->kind == model::PolicyKind::bypass);
  CHECK(one("out entrust;", sink)->kind == model::PolicyKind::entrust);
  CHECK_FALSE(sink.has_errors());
  diag::DiagnosticSink bad;
  CHECK_FALSE(one("out ipsec esp/transport//require trailing/", bad));
  CHECK(bad.has_errors());
  diag::DiagnosticSink bad2;
  CHECK_FALSE(one("sideways bypass", bad2));
  CHECK(bad2.all()[0].message.find("policy direction") != std::string::npos);
}

TEST_CASE("-bh 0 / -bs 0 mean no byte limit, as PF_KEY read them; a number is kept") {
  auto p = parse("add 10.0.0.1 10.0.0.2 esp 0x1000 -bh 0 -bs 000 -E aes-cbc 0x000102030405060708090a0b0c0d0e0f;\n"
                 "add 10.0.0.1 10.0.0.2 esp 0x1001 -bh 9000 -bs 8000 -E aes-cbc 0x000102030405060708090a0b0c0d0e0f;\n");
  REQUIRE_FALSE(p.sink.has_errors());
  const auto& unlimited = *std::get<model::AddSa>(p.script.statements.at(0).op).sa;
  CHECK(unlimited.limits.hard_bytes == model::kInfinite);  // sent to XFRM as 0 it would expire at the first packet
  CHECK(unlimited.limits.soft_bytes == model::kInfinite);
  const auto& limited = *std::get<model::AddSa>(p.script.statements.at(1).op).sa;
  CHECK(limited.limits.hard_bytes == 9000);
  CHECK(limited.limits.soft_bytes == 8000);
}

TEST_CASE("the 64-bit limit is written 2^64-1: its 20 digits could be a key's digits (fuzz finding)") {
  auto p = parse("add 10.0.0.1 10.0.0.2 esp 0x1000 -bh 1.2 -E aes-cbc 0x18446744073709551615000000000000;\n");
  REQUIRE(p.sink.has_errors());
  const auto& m = p.sink.all()[0].message;
  CHECK(m.find("a number from 0 to 2^64-1") != std::string::npos);
  CHECK(m.find("18446744073709551615") == std::string::npos);
}
