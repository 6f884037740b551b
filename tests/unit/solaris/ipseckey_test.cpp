// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <string>

#include "parsers/ipseckey.hpp"

using namespace xfrmpp;
namespace ik = xfrmpp::parsers::ipseckey;

namespace {

std::vector<model::Address> hosts(std::string_view name) {
  auto a = [](const char* s) { return *model::Address::parse(s); };
  if (name == "me") return {a("192.0.2.1"), a("2001:db8::1")};
  if (name == "you") return {a("192.0.2.2"), a("2001:db8::2")};
  if (name == "twov4") return {a("192.0.2.7"), a("192.0.2.8")};
  return {};
}

struct Parsed {
  diag::SourceBuffer source;
  diag::DiagnosticSink sink;
  std::vector<ik::Command> cmds;
};

Parsed parse(std::string text, bool interactive = true) {
  Parsed p{diag::SourceBuffer("k.keys", std::move(text)), {}, {}};
  ik::ParseOptions o;
  o.resolve_host = hosts;
  o.interactive = interactive;
  o.tunnel_if_id = [](const model::Address& a, const model::Address& b) -> std::optional<uint32_t> {
    if (a.to_string() == "192.0.2.1" && b.to_string() == "192.0.2.2") return 7;
    return std::nullopt;
  };
  p.cmds = ik::parse(p.source, p.sink, o);
  return p;
}

std::string errors(const Parsed& p) {
  std::string s;
  for (const auto& d : p.sink.all())
    if (d.severity == diag::Severity::error) s += diag::format(p.source, d, p.sink.secrets());
  return s;
}

// Equal as far as add and save are concerned (counters and kernel state aside).
void check_same(const model::SecurityAssociation& a, const model::SecurityAssociation& b) {
  CHECK(a.family == b.family);
  CHECK(a.src == b.src);
  CHECK(a.dst == b.dst);
  CHECK(a.proto == b.proto);
  CHECK(a.spi == b.spi);
  CHECK(a.mode == b.mode);
  CHECK(a.sel == b.sel);
  CHECK(a.replay == b.replay);
  CHECK(a.replay_counters == b.replay_counters);
  CHECK(a.auth == b.auth);
  CHECK(a.crypt == b.crypt);
  CHECK(a.aead == b.aead);
  CHECK(a.encap == b.encap);
  CHECK(a.limits == b.limits);
}

}  // namespace

TEST_CASE("add with Solaris algorithm names, keys and a continuation line") {
  auto p = parse("add esp spi 0x1000 src 192.0.2.1 dst 192.0.2.2 \\\n  encr_alg AES encrkey 00112233445566778899aabbccddeeff auth_alg sha256 \\\n"
                 "  authkey 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  CHECK(errors(p).empty());
  REQUIRE(p.cmds.size() == 1);
  REQUIRE(p.cmds[0].sas.size() == 1);
  const auto& sa = p.cmds[0].sas[0].sa;
  CHECK(sa.spi == 0x1000);
  CHECK(sa.crypt->kernel_name == "cbc(aes)");
  CHECK(sa.crypt->key.size() == 16);
  CHECK(sa.crypt->key[15] == 0xff);
  CHECK(sa.auth->kernel_name == "hmac(sha256)");
  CHECK(sa.auth->icv_bits == 128);  // Solaris' 16-byte MAC, RFC 4868
  CHECK(p.cmds[0].range.end > 100);  // the command spans its continuation lines
}

TEST_CASE("keys: /bits, odd nibbles, and never echoed in a diagnostic") {
  auto p = parse("add ah spi 1 dst 192.0.2.2 auth_alg md5 authkey 00112233445566778899aabbccddeeff0/128\n");
  CHECK(errors(p).empty());
  REQUIRE(p.cmds.size() == 1);
  CHECK(p.cmds[0].sas[0].sa.auth->key.size() == 16);
  auto bad = parse("add ah spi 1 dst 192.0.2.2 auth_alg md5 authkey 0011223344556677deadbeefXXeeff\n");
  std::string e = errors(bad);
  CHECK(e.find("not a hex string") != std::string::npos);
  CHECK(e.find("deadbeef") == std::string::npos);
  CHECK(e.find("**********") != std::string::npos);
}

TEST_CASE("a destination name with several addresses gives one SA per address, with the source of its family") {
  auto p = parse("add esp spi 0x2 src me dst you encr_alg 3des encrkey 000102030405060708090a0b0c0d0e0f1011121314151617\n");
  REQUIRE(p.cmds.size() == 1);
  REQUIRE(p.cmds[0].sas.size() == 2);
  CHECK(p.cmds[0].sas[0].sa.src.to_string() == "192.0.2.1");
  CHECK(p.cmds[0].sas[1].sa.src.to_string() == "2001:db8::1");
  CHECK(p.cmds[0].sas[1].sa.family == model::Family::inet6);
  auto multi = parse("add esp spi 0x2 src twov4 dst 192.0.2.2 encr_alg 3des encrkey 000102030405060708090a0b0c0d0e0f1011121314151617\n");
  REQUIRE(multi.cmds.size() == 1);
  CHECK(multi.cmds[0].sas[0].sa.src.is_zero());  // several sources of the family: unspecified, as ipseckey.c does
}

TEST_CASE("tunnel mode: inner addresses make the selector, and the tunnel's if_id is picked up") {
  auto p = parse("add esp spi 0x3 src 192.0.2.1 dst 192.0.2.2 proto 4 isrc 10.1.0.0/24 idst 10.2.0.0/24 "
                 "encr_alg aes encrkey 00112233445566778899aabbccddeeff auth_alg sha1 authkey 0001020304050607080910111213141516171819\n");
  REQUIRE(p.cmds.size() == 1);
  const auto& sa = p.cmds[0].sas[0].sa;
  CHECK(sa.mode == model::Mode::tunnel);
  CHECK(sa.sel.src.addr.to_string() == "10.1.0.0");
  CHECK(sa.sel.src.len == 24);
  CHECK(sa.sel.dst.len == 24);
  CHECK(sa.if_id == std::optional<uint32_t>(7));
}

TEST_CASE("ESP without encr_alg is NULL encryption; AH refuses encryption") {
  auto p = parse("add esp spi 4 dst 192.0.2.2 auth_alg sha1 authkey 0001020304050607080910111213141516171819\n");
  REQUIRE(p.cmds.size() == 1);
  CHECK(p.cmds[0].sas[0].sa.crypt->kernel_name == "ecb(cipher_null)");
  auto ah = parse("add ah spi 5 dst 192.0.2.2 encr_alg aes encrkey 00112233445566778899aabbccddeeff\n");
  CHECK(errors(ah).find("Cannot specify encryption with SA type ah.") != std::string::npos);
}

TEST_CASE("add and update are refused on the command line") {
  auto p = parse("add esp spi 1 dst 192.0.2.2 encr_alg aes encrkey 00112233445566778899aabbccddeeff", false);
  CHECK(p.cmds.empty());
  CHECK(errors(p).find("can't do ADD or UPDATE from the command line.") != std::string::npos);
  CHECK(errors(p).find("00112233") == std::string::npos);
  CHECK(parse("delete esp spi 1 dst 192.0.2.2", false).cmds.size() == 1);
}

TEST_CASE("not on Linux: pair-spi, state, idle lifetimes, identities, update-pair") {
  for (const char* cmd : {"add esp spi 1 dst 192.0.2.2 auth_alg md5 authkey 00112233445566778899aabbccddeeff pair-spi 2\n",
                          "add esp spi 1 dst 192.0.2.2 auth_alg md5 authkey 00112233445566778899aabbccddeeff state mature\n",
                          "add esp spi 1 dst 192.0.2.2 auth_alg md5 authkey 00112233445566778899aabbccddeeff idle_usetime 5\n",
                          "add esp spi 1 dst 192.0.2.2 auth_alg md5 authkey 00112233445566778899aabbccddeeff dstidtype fqdn a.b\n",
                          "update-pair esp spi 1 dst 192.0.2.2 hard_bytes 5\n"}) {
    CAPTURE(cmd);
    auto p = parse(cmd);
    CHECK(p.cmds.empty());
    CHECK(errors(p).find("not supported on Linux") != std::string::npos);
  }
}

TEST_CASE("save output parses back to the same SAs") {
  auto p = parse(
      "add esp spi 0x1000 src 192.0.2.1 dst 192.0.2.2 encr_alg aes encrkey 00112233445566778899aabbccddeeff auth_alg sha256 "
      "authkey 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff soft_bytes 100 hard_bytes 200 soft_addtime 30 "
      "hard_addtime 60 soft_usetime 10 hard_usetime 20 soft_alloc 5 hard_alloc 9 replay 16 replay_value 77\n"
      "add esp spi 0x1001 src 192.0.2.1 dst 192.0.2.2 proto 6 sport 1234 dport 80 encr_alg aes-gcm "
      "encrkey 00112233445566778899aabbccddeeff00112233\n"
      "add esp spi 0x1002 src 192.0.2.1 dst 192.0.2.2 proto 41 isrc6 2001:db8:1::/48 idst6 2001:db8:2::/48 iproto 17 idport 53 "
      "encr_alg blowfish encrkey 00112233445566778899aabbccddeeff auth_alg md5 authkey 00112233445566778899aabbccddeeff\n"
      "add esp spi 0x1003 src 192.0.2.1 dst 198.51.100.7 encap udp nat_lport 4500 nat_rport 4501 nat_rem 10.0.0.9 "
      "encr_alg 3des encrkey 000102030405060708090a0b0c0d0e0f1011121314151617 auth_alg sha384 "
      "authkey 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n"
      "add ah spi 0x1004 dst 2001:db8::2 auth_alg sha512 "
      "authkey 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
      "add esp spi 0x1005 dst 192.0.2.2 auth_alg sha1 authkey 0001020304050607080910111213141516171819\n");
  INFO(errors(p));
  REQUIRE(errors(p).empty());
  REQUIRE(p.cmds.size() == 6);
  std::string saved = ik::save_header();
  for (const auto& c : p.cmds) saved += ik::format_save(c.sas[0].sa, {});
  CAPTURE(saved);
  auto q = parse(saved);
  REQUIRE(errors(q).empty());
  REQUIRE(q.cmds.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CAPTURE(i);
    check_same(p.cmds[i].sas[0].sa, q.cmds[i].sas[0].sa);
  }
  // -p: no key digits at all.
  std::string paranoid = ik::format_save(p.cmds[0].sas[0].sa, {true, true});
  CHECK(paranoid.find("00112233") == std::string::npos);
  CHECK(paranoid.find("encrkey XXXXXXXX") != std::string::npos);
}

TEST_CASE("get/dump print in ipseckey's PF_KEY style") {
  auto p = parse("add esp spi 0x1000 src 192.0.2.1 dst 192.0.2.2 encr_alg aes-gcm "
                 "encrkey 00112233445566778899aabbccddeeff00112233\n");
  REQUIRE(p.cmds.size() == 1);
  std::string s = ik::format_sa(p.cmds[0].sas[0].sa, "GET", {});
  CHECK(s.starts_with("Base message (version 2) type GET, SA type ESP.\nSA: SADB_ASSOC spi=0x1000, replay window size=0, state=MATURE\n"));
  CHECK(s.find("SA: Encryption algorithm = aes-gcm\n") != std::string::npos);
  CHECK(s.find("SRC: AF_INET: port 0, 192.0.2.1.\n") != std::string::npos);
  CHECK(s.find("EKY: 00112233445566778899aabbccddeeff[00112233]/128+32\n") != std::string::npos);
  CHECK(ik::format_sa(p.cmds[0].sas[0].sa, "GET", {true, true}).find("EKY: XXXX") != std::string::npos);
}

TEST_CASE("key pre-scan: missing or misspelled keywords, unknown commands, continuation lines") {
  std::string text =
      "add esp spi 1 dst 10.0.0.1 encr_alg aes 00112233445566778899aabbccddeeff\n"
      "add esp spi 2 dst 10.0.0.1 encr_alg aes encrkye 0x11112233445566778899aabbccddeeff/128\n"
      "ad esp spi 3 dst 10.0.0.1 \\\n encr_alg aes encrkey 1234 \"quoted key\"\n"
      "delete esp spi 0x00000000000000000004 dst 10.0.0.1\n"  // no keys, but 16+ hex digits look like one
      "get esp spi 5 dst 10.0.0.1 \"not a key\"\n";          // quoted words are keys only where keys go
  auto ranges = ik::key_material(text);
  std::vector<std::string_view> got;
  for (auto r : ranges) got.push_back(std::string_view(text).substr(r.begin, r.end - r.begin));
  CHECK(got == std::vector<std::string_view>{"00112233445566778899aabbccddeeff", "0x11112233445566778899aabbccddeeff", "1234",
                                             "\"quoted key\"", "0x00000000000000000004"});
}

TEST_CASE("a key after a missing keyword is in neither the message nor the echoed line") {
  auto p = parse("add esp spi 0x1000 dst 192.0.2.1 encr_alg aes 00112233445566778899aabbccddeeff\n");
  std::string e = errors(p);
  CHECK(e.find("Unknown extension field \"<key>\"") != std::string::npos);
  CHECK(e.find("2233445566778899") == std::string::npos);
}
