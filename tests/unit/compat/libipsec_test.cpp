// SPDX-License-Identifier: BSD-3-Clause
// ipsec_set_policy / ipsec_get_policylen / ipsec_dump_policy / ipsec_strerror of <netinet6/ipsec.h>:
//  (a) set then dump gives back every -P policy of tests/golden/setkey, up to the documented differences
//      of libipsec's Linux dump format;
//  (b) the PF_KEY bytes of a few policies, derived by hand from RFC 2367 and <linux/pfkeyv2.h>;
//  (c) bad strings and bad buffers: NULL, the EIPSEC_* code, and a message that says what is wrong.
#include <doctest/doctest.h>

#include <netinet6/ipsec.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Freed {
  void operator()(void* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<char, Freed>;

Buffer set_policy(const std::string& s) { return Buffer(ipsec_set_policy(s.c_str(), static_cast<int>(s.size()))); }

std::string dump(const void* buf, const char* delimiter = nullptr) {
  Buffer text(ipsec_dump_policy(buf, delimiter));
  REQUIRE_MESSAGE(text, ipsec_strerror());
  return text.get();
}

std::optional<std::string> round_trip(const std::string& s) {
  Buffer buf = set_policy(s);
  if (!buf) return std::nullopt;
  return dump(buf.get());
}

// Bytes as "08 00 12 00 ...", so a failed comparison shows where the buffers differ.
std::string hex(const std::vector<uint8_t>& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    if (i) out += i % 16 ? ' ' : '\n';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

std::vector<uint8_t> bytes_of(const std::string& s) {
  Buffer buf = set_policy(s);
  REQUIRE_MESSAGE(buf, s << ": " << ipsec_strerror());
  int len = ipsec_get_policylen(buf.get());
  REQUIRE(len >= 16);
  const auto* p = reinterpret_cast<const uint8_t*>(buf.get());
  return {p, p + len};
}

// The -P part of every statement of the setkey golden inputs, up to its ';' or the end of its line
// (setkey lets a policy run on over lines; none of these does, and error-many.conf has one without ';').
std::set<std::string> golden_policies() {
  std::set<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(XFRMPP_SETKEY_GOLDEN_DIR)) {
    if (entry.path().extension() != ".conf") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      line = line.substr(0, line.find('#'));
      for (size_t at = line.find("-P "); at != std::string::npos; at = line.find("-P ", at + 1)) {
        std::string p = line.substr(at + 3, line.find(';', at) - (at + 3));
        while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.pop_back();
        out.insert(p);
      }
    }
  }
  return out;
}

// What ipsec_dump_policy(ipsec_set_policy(s)) gives for each golden policy s. It is s itself except where
// libipsec's dump format (the Linux build, HAVE_PFKEY_POLICY_PRIORITY) writes the same policy otherwise:
//  [P] the priority is always named: a string without one has the default, 0x80000000, shown "prio def";
//  [N] a numeric priority is shown from its nearest base: "priority 100" (0x80000000 - 100) is
//      "prio def + 100" and "prio -100" is "prio def - 100";
//  [0] priority 0 ("prio high + 1073741824") is shown as no priority at all.
// nullopt: not a policy ipsec_set_policy() takes, with a word of the message ipsec_strerror() must give.
struct Expect {
  std::optional<std::string> dump;
  std::string error;
};
const std::map<std::string, Expect> kGolden = {
    {"fwd ipsec esp/transport//require", {"fwd prio def ipsec esp/transport//require", ""}},  // [P]
    {"fwd priority 100 ipsec esp/tunnel/192.0.2.1-192.0.2.2/require",
     {"fwd prio def + 100 ipsec esp/tunnel/192.0.2.1-192.0.2.2/require", ""}},  // [N]
    {"in ipsec esp/transport//unique:3", {"in prio def ipsec esp/transport//unique:3", ""}},  // [P]
    {"in ipsec esp/transport//unique:3 ah/transport//unique:4",
     {"in prio def ipsec esp/transport//unique:3 ah/transport//unique:4", ""}},  // [P]
    {"in prio low - 5 ipsec esp/transport//unique:42", {"in prio low - 5 ipsec esp/transport//unique:42", ""}},
    // setkey's "spddelete ... -P out" names only a direction; libipsec made that a type-0 (discard)
    // buffer, which setsockopt would take as "discard everything": refused here.
    {"out", {std::nullopt, "expected policy action"}},
    {"out discard", {"out prio def discard", ""}},  // [P]
    {"out ipsec esp/transport//requir", {std::nullopt, "unknown level 'requir'"}},
    {"out ipsec esp/transport//require", {"out prio def ipsec esp/transport//require", ""}},  // [P]
    {"out ipsec esp/tunnel//require", {std::nullopt, "a tunnel-mode request needs endpoints"}},
    {"out ipsec esp/tunnel/2001:db8::1-2001:db8::2/require",
     {"out prio def ipsec esp/tunnel/2001:db8::1-2001:db8::2/require", ""}},  // [P]
    {"out none", {"out prio def none", ""}},  // [P]
    {"out prio -100 ipsec ipcomp/tunnel/192.0.2.1-192.0.2.2/require esp/tunnel/192.0.2.1-192.0.2.2/unique",
     {"out prio def - 100 ipsec ipcomp/tunnel/192.0.2.1-192.0.2.2/require esp/tunnel/192.0.2.1-192.0.2.2/unique",
      ""}},  // [N]
    {"out prio def + 10 ipsec esp/transport//use ah/transport//require",
     {"out prio def + 10 ipsec esp/transport//use ah/transport//require", ""}},
    {"out prio high + 1073741824 none", {"out none", ""}},  // [0]
    {"out prio high none", {"out prio high none", ""}},
};

}  // namespace

TEST_CASE("(a) every setkey golden policy survives ipsec_set_policy + ipsec_dump_policy") {
  std::set<std::string> found = golden_policies();
  REQUIRE(found.size() >= 10);  // the extraction works at all
  for (const std::string& s : found) {
    CAPTURE(s);
    auto want = kGolden.find(s);
    // A new golden policy needs its expected dump here (and a reason, if it differs from the string).
    REQUIRE_MESSAGE(want != kGolden.end(), "golden policy '" << s << "' has no expectation in kGolden");
    std::optional<std::string> got = round_trip(s);
    if (want->second.dump) {
      REQUIRE_MESSAGE(got, ipsec_strerror());
      CHECK(*got == *want->second.dump);
      CHECK(__ipsec_errcode == EIPSEC_NO_ERROR);
      // And the dump is itself a policy string that comes back unchanged; except after [0], as a dump
      // without a priority reads back with the default one.
      if (got->find(" prio ") != std::string::npos) CHECK(round_trip(*got) == got);
    } else {
      CHECK_FALSE(got);
      CHECK(std::string(ipsec_strerror()).find(want->second.error) != std::string::npos);
    }
  }
  // Every expectation is used, so the table cannot keep a policy the golden files dropped.
  for (const auto& [s, e] : kGolden) CHECK_MESSAGE(found.count(s), "kGolden lists '" << s << "', no golden file has it");
}

TEST_CASE("(a) what else the dump writes its own way") {
  // Levels left out are "default"; the short forms of a request all mean the same request.
  CHECK(round_trip("out ipsec esp/transport") == "out prio def ipsec esp/transport//default");
  CHECK(round_trip("out ipsec esp/transport//") == "out prio def ipsec esp/transport//default");
  // me-any / any-me put no endpoints in the request.
  CHECK(round_trip("out ipsec esp/transport/me-any/require") == "out prio def ipsec esp/transport//require");
  CHECK(round_trip("in ipsec esp/transport/any-me/require") == "in prio def ipsec esp/transport//require");
  // NAT-T ports are in the sockaddrs but ipsec_dump_policy() does not print ports.
  CHECK(round_trip("out ipsec esp/tunnel/192.0.2.1[4500]-192.0.2.2[30000]/require") ==
        "out prio def ipsec esp/tunnel/192.0.2.1-192.0.2.2/require");
  // unique:N above IPSEC_MANUAL_REQID_MAX keeps N in the buffer (the kernel replaces it), shown with '#'.
  CHECK(round_trip("out ipsec esp/transport//unique:16384") == "out prio def ipsec esp/transport//unique#16384");
  CHECK(round_trip("out ipsec esp/transport//unique:16383") == "out prio def ipsec esp/transport//unique:16383");
  CHECK(round_trip("in bypass") == "in prio def bypass");
  CHECK(round_trip("out entrust;") == "out prio def entrust");
  CHECK(round_trip("out prio low ipsec ah/transport//require") == "out prio low ipsec ah/transport//require");
  // The delimiter goes before every request; setkey -DP uses "\n\t".
  Buffer b = set_policy("out ipsec esp/transport//require ah/transport//require");
  REQUIRE(b);
  CHECK(dump(b.get(), "\n\t") == "out prio def ipsec\n\tesp/transport//require\n\tah/transport//require");
}

// Bytes in the order a little-endian host stores them: PF_KEY fields are host order (RFC 2367 1.3),
// sockaddr ports and addresses network order.
TEST_CASE("(b) PF_KEY bytes, derived by hand") {
  if (std::endian::native != std::endian::little) {
    MESSAGE("the expected bytes are written for a little-endian host");
    return;
  }
  // sadb_x_policy (16 bytes): len u16 (in 8-byte units), exttype u16 = SADB_X_EXT_POLICY 18,
  // type u16 (IPSEC_POLICY_*), dir u8 (IPSEC_DIR_*), reserved u8, id u32 = 0, priority u32.
  // sadb_x_ipsecrequest (16 bytes): len u16 (bytes, with the sockaddrs), proto u16 (IPPROTO_*), mode u8
  // (IPSEC_MODE_*), level u8 (IPSEC_LEVEL_*), reserved1 u16, reqid u32, reserved2 u32.
  SUBCASE("out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require: one request with two sockaddr_in") {
    std::vector<uint8_t> want = {
        0x08, 0x00, 0x12, 0x00,  // len 64/8 = 8; exttype 18
        0x02, 0x00, 0x02, 0x00,  // type IPSEC_POLICY_IPSEC 2; dir IPSEC_DIR_OUTBOUND 2; reserved
        0x00, 0x00, 0x00, 0x00,  // id
        0x00, 0x00, 0x00, 0x80,  // priority 0x80000000 (libipsec's PRIORITY_DEFAULT)
        0x30, 0x00, 0x32, 0x00,  // request len 16 + 16 + 16 = 48; proto IPPROTO_ESP 50
        0x02, 0x02, 0x00, 0x00,  // mode IPSEC_MODE_TUNNEL 2; level IPSEC_LEVEL_REQUIRE 2; reserved1
        0x00, 0x00, 0x00, 0x00,  // reqid 0
        0x00, 0x00, 0x00, 0x00,  // reserved2
        0x02, 0x00, 0x00, 0x00,  // sockaddr_in: family AF_INET 2 (host order), port 0
        0x0a, 0x00, 0x00, 0x01,  // 10.0.0.1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sin_zero
        0x02, 0x00, 0x00, 0x00,  // sockaddr_in: AF_INET, port 0
        0x0a, 0x00, 0x00, 0x02,  // 10.0.0.2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    CHECK(hex(bytes_of("out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require")) == hex(want));
  }
  SUBCASE("in bypass: the header alone") {
    std::vector<uint8_t> want = {0x02, 0x00, 0x12, 0x00,   // len 16/8 = 2; exttype 18
                                 0x04, 0x00, 0x01, 0x00,   // type IPSEC_POLICY_BYPASS 4; dir IPSEC_DIR_INBOUND 1
                                 0x00, 0x00, 0x00, 0x00,   // id
                                 0x00, 0x00, 0x00, 0x80};  // priority 0x80000000
    CHECK(hex(bytes_of("in bypass")) == hex(want));
  }
  SUBCASE("out prio high + 10 ipsec esp/transport//require ah/transport//use: a bundle, no endpoints") {
    std::vector<uint8_t> want = {
        0x06, 0x00, 0x12, 0x00,  // len (16 + 16 + 16)/8 = 6
        0x02, 0x00, 0x02, 0x00,  // ipsec, out
        0x00, 0x00, 0x00, 0x00,  // id
        0xf6, 0xff, 0xff, 0x3f,  // priority 0x40000000 - 10 = 0x3ffffff6
        0x10, 0x00, 0x32, 0x00,  // request len 16; IPPROTO_ESP 50
        0x01, 0x02, 0x00, 0x00,  // IPSEC_MODE_TRANSPORT 1; IPSEC_LEVEL_REQUIRE 2
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // reqid, reserved2
        0x10, 0x00, 0x33, 0x00,  // request len 16; IPPROTO_AH 51
        0x01, 0x01, 0x00, 0x00,  // transport; IPSEC_LEVEL_USE 1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    CHECK(hex(bytes_of("out prio high + 10 ipsec esp/transport//require ah/transport//use")) == hex(want));
  }
  SUBCASE("fwd ipsec esp/tunnel/2001:db8::1[4500]-2001:db8::2[30000]/unique:7: sockaddr_in6 with ports") {
    std::vector<uint8_t> want = {
        0x0b, 0x00, 0x12, 0x00,  // len (16 + 16 + 28 + 28)/8 = 11
        0x02, 0x00, 0x03, 0x00,  // ipsec; IPSEC_DIR_FWD 3
        0x00, 0x00, 0x00, 0x00,  // id
        0x00, 0x00, 0x00, 0x80,  // priority default
        0x48, 0x00, 0x32, 0x00,  // request len 16 + 28 + 28 = 72; esp
        0x02, 0x03, 0x00, 0x00,  // tunnel; IPSEC_LEVEL_UNIQUE 3
        0x07, 0x00, 0x00, 0x00,  // reqid 7
        0x00, 0x00, 0x00, 0x00,  // reserved2
        0x0a, 0x00, 0x11, 0x94,  // sockaddr_in6: AF_INET6 10; port 4500 = 0x1194 (network order)
        0x00, 0x00, 0x00, 0x00,  // flowinfo
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // 2001:db8::1
        0x00, 0x00, 0x00, 0x00,  // scope id
        0x0a, 0x00, 0x75, 0x30,  // AF_INET6; port 30000 = 0x7530
        0x00, 0x00, 0x00, 0x00,  // flowinfo
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // 2001:db8::2
        0x00, 0x00, 0x00, 0x00};  // scope id
    CHECK(hex(bytes_of("fwd ipsec esp/tunnel/2001:db8::1[4500]-2001:db8::2[30000]/unique:7")) == hex(want));
  }
}

TEST_CASE("(b) ipsec_dump_policy reads buffers it did not make") {
  // A per-socket policy as Linux dumps it (dir 4 = in(socket)), mode any, reqid above the manual range,
  // priority 0.
  std::vector<uint8_t> buf = {0x04, 0x00, 0x12, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
                              0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x33, 0x00, 0x00, 0x03, 0x00, 0x00,
                              0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  if (std::endian::native == std::endian::little) CHECK(dump(buf.data()) == "in(socket) ipsec ah/any//unique#16384");
  CHECK(ipsec_get_policylen(buf.data()) == 32);
  CHECK(ipsec_get_policylen(nullptr) == -1);
}

TEST_CASE("(c) bad policy strings: NULL, EIPSEC_INVAL_POLICY and the parser's diagnostic") {
  const std::pair<const char*, const char*> cases[] = {
      {"", "expected"},
      {"sideways bypass", "policy direction"},
      {"out ipsek esp/transport//require", "policy action"},
      {"out ipsec", "'ipsec' needs at least one request"},
      {"out ipsec esp/transport//requir", "did you mean 'require'"},
      {"out ipsec esq/transport//require", "IPsec protocol"},
      {"out ipsec esp/beet//require", "mode"},
      {"out ipsec esp/tunnel/10.0.0.1/require", "invalid endpoints"},
      {"out ipsec esp/tunnel/10.0.0.1-2001:db8::1/require", "different address families"},
      {"out ipsec esp/tunnel/host.example-10.0.0.2/require", "not a numeric IPv4 or IPv6 address"},
      {"out bypass esp/transport//require", "takes no requests"},
      {"in ipsec esp/transport/me-any/require", "only valid in out policies"},
      {"out prio sideways none", "invalid priority"},
      {"out bypass; in bypass", "unexpected text after the policy"},
  };
  for (const auto& [policy, words] : cases) {
    std::string text = policy;
    CAPTURE(text);
    __ipsec_errcode = EIPSEC_NO_ERROR;
    CHECK_FALSE(set_policy(policy));
    CHECK(__ipsec_errcode == EIPSEC_INVAL_POLICY);
    std::string msg = ipsec_strerror();
    CAPTURE(msg);
    CHECK(msg.starts_with("Invalid security policy: policy:1:"));
    CHECK(msg.find(words) != std::string::npos);
  }
  // The length bounds the text: what follows is not read.
  const char text[] = "in bypass and then some";
  Buffer b(ipsec_set_policy(text, 9));
  REQUIRE(b);
  CHECK(dump(b.get()) == "in prio def bypass");
  CHECK(std::string(ipsec_strerror()) == "Success");
  CHECK_FALSE(ipsec_set_policy(nullptr, 3));
  CHECK(__ipsec_errcode == EIPSEC_INVAL_ARGUMENT);
  CHECK(std::string(ipsec_strerror()).find("null pointer") != std::string::npos);
  CHECK_FALSE(ipsec_set_policy("in bypass", -1));
  CHECK(__ipsec_errcode == EIPSEC_INVAL_ARGUMENT);
  // A code set by the program is explained with libipsec's text, not an older detail.
  __ipsec_errcode = EIPSEC_INVAL_LEVEL;
  CHECK(std::string(ipsec_strerror()) == "Invalid ipsec level");
  __ipsec_errcode = 1000;
  CHECK(std::string(ipsec_strerror()) == "Unknown error");
  CHECK(__ipsec_errcode == EIPSEC_MAX);
}

TEST_CASE("(c) bad buffers: ipsec_dump_policy returns NULL with the code libipsec uses") {
  auto fails = [](std::vector<uint8_t> buf, int code, const char* words) {
    CAPTURE(words);
    Buffer text(ipsec_dump_policy(buf.data(), nullptr));
    CHECK_FALSE(text);
    CHECK(__ipsec_errcode == code);
    CHECK(std::string(ipsec_strerror()).find(words) != std::string::npos);
  };
  std::vector<uint8_t> good = bytes_of("out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require");
  std::vector<uint8_t> b = good;
  b[2] = 17;  // exttype
  fails(b, EIPSEC_INVAL_EXTTYPE, "Invalid extension type: extension type 17");
  b = good, b[6] = 6;  // dir
  fails(b, EIPSEC_INVAL_DIR, "Invalid direction");
  b = good, b[4] = 5;  // type
  fails(b, EIPSEC_INVAL_POLICY, "unknown policy type 5");
  b = good, b[16] = 0, b[17] = 0;  // a request of length 0 (libipsec looped on it)
  fails(b, EIPSEC_INVAL_SADBMSG, "length 0");
  b = good, b[16] = 0x40;  // a request longer than the policy
  fails(b, EIPSEC_INVAL_SADBMSG, "outside the policy");
  b = good, b[18] = 6;  // proto TCP
  fails(b, EIPSEC_INVAL_PROTO, "protocol 6");
  b = good, b[20] = 9;  // mode
  fails(b, EIPSEC_INVAL_MODE, "mode 9");
  b = good, b[21] = 4;  // level
  fails(b, EIPSEC_INVAL_LEVEL, "level 4");
  b = good, b[32] = 1;  // the first sockaddr's family: AF_UNIX
  fails(b, EIPSEC_INVAL_ADDRESS, "sockaddrs");
  CHECK_FALSE(ipsec_dump_policy(nullptr, nullptr));
}

TEST_CASE("(c) the error code is per thread") {
  CHECK_FALSE(set_policy("out nonsense"));
  REQUIRE(__ipsec_errcode == EIPSEC_INVAL_POLICY);
  int other = -1;
  std::string other_msg;
  std::thread t([&] {
    Buffer ok = set_policy("in bypass");
    other = __ipsec_errcode;
    other_msg = ipsec_strerror();
  });
  t.join();
  CHECK(other == EIPSEC_NO_ERROR);
  CHECK(other_msg == "Success");
  CHECK(__ipsec_errcode == EIPSEC_INVAL_POLICY);  // this thread's error is still there
  CHECK(std::string(ipsec_strerror()).find("policy action") != std::string::npos);
}
