// SPDX-License-Identifier: BSD-3-Clause
// Mac known answers: RFC 4231 (HMAC-SHA-256/384/512), their RFC 4868 truncations, RFC 3566
// (AES-XCBC-MAC), RFC 4493 (AES-CMAC), and that a MAC over pieces equals the MAC over their join.
#include <doctest/doctest.h>

#include <array>
#include <string_view>

#include "crypto/mac.hpp"
#include "crypto_support.hpp"

namespace xfrmpp::test {
namespace {

using engine::crypto::Mac;

std::unique_ptr<Mac> must_mac(std::string_view name, Bytes key, uint32_t icv_bits) {
  auto m = Mac::make(model::AlgorithmSetting{std::string(name), std::move(key), icv_bits});
  if (!m) FAIL("Mac::make(" << name << "): " << m.error().message);
  return std::move(*m);
}

Bytes mac_of(Mac& mac, std::span<const uint8_t> data) {
  Bytes out(mac.icv_size());
  std::array<std::span<const uint8_t>, 1> pieces{data};
  REQUIRE(mac.try_compute(pieces, out));
  return out;
}

struct Rfc4231 {
  Bytes key, data;
  const char *sha256, *sha384, *sha512;
};

std::vector<Rfc4231> rfc4231() {
  Bytes key131 = repeat(0xaa, 131);
  return {
      {repeat(0x0b, 20), hex("4869205468657265"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {hex("4a656665"), hex("7768617420646f2079612077616e7420666f72206e6f7468696e673f"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {repeat(0xaa, 20), repeat(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
       "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
      {hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
       "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
      {key131, hex("54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
      {key131,
       hex("5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b6579"
           "20616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
           "647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c"
           "676f726974686d2e"),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
       "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
  };
}

}  // namespace

TEST_CASE("RFC 4231 cases 1-4, 6, 7: HMAC-SHA-256/384/512, full and RFC 4868 truncated") {
  struct Hash {
    const char* name;
    uint32_t full_bits, trunc_bits;  // RFC 4868: the ICV is the first half
    const char* Rfc4231::*expected;
  };
  const Hash hashes[] = {{"hmac(sha256)", 256, 128, &Rfc4231::sha256},
                         {"hmac(sha384)", 384, 192, &Rfc4231::sha384},
                         {"hmac(sha512)", 512, 256, &Rfc4231::sha512}};
  int n = 0;
  for (const auto& tc : rfc4231()) {
    n++;
    for (const Hash& h : hashes) {
      CAPTURE(n);
      CAPTURE(h.name);
      Bytes want = hex(tc.*h.expected);
      auto full = must_mac(h.name, tc.key, h.full_bits);
      CHECK(same_bytes(mac_of(*full, tc.data), want));
      auto trunc = must_mac(h.name, tc.key, h.trunc_bits);
      Bytes got = mac_of(*trunc, tc.data);
      CHECK(same_bytes(got, std::span(want).first(h.trunc_bits / 8)));
      Bytes wrong = want;
      wrong.back() ^= 0x40;
      CHECK_FALSE(same_bytes(mac_of(*full, tc.data), wrong));
      std::array<std::span<const uint8_t>, 1> pieces{std::span<const uint8_t>(tc.data)};
      CHECK(trunc->verify(pieces, got));
      got[0] ^= 1;
      CHECK_FALSE(trunc->verify(pieces, got));
    }
  }
  // icv_bits 0 takes the registry's truncation (RFC 4868 for SHA-2, 96 for SHA-1).
  CHECK(must_mac("hmac(sha256)", repeat(1, 32), 0)->icv_size() == 16);
  CHECK(must_mac("hmac(sha1)", repeat(1, 20), 0)->icv_size() == 12);
}

TEST_CASE("RFC 3566 4: AES-XCBC-MAC, full and 96-bit") {
  Bytes key = hex("000102030405060708090a0b0c0d0e0f");
  auto counting = [](size_t n) {
    Bytes b(n);
    for (size_t i = 0; i < n; i++) b[i] = uint8_t(i);
    return b;
  };
  struct Case {
    Bytes msg;
    const char* mac;
  };
  const Case cases[] = {{{}, "75f0251d528ac01c4573dfd584d79f29"},
                        {counting(3), "5b376580ae2f19afe7219ceef172756f"},
                        {counting(16), "d2a246fa349b68a79998a4394ff7a263"},
                        {counting(20), "47f51b4564966215b8985c63055ed308"},
                        {counting(32), "f54f0ec8d2b9f3d36807734bd5283fd4"},
                        {counting(34), "becbb3bccdb518a30677d5481fb6b4d8"},
                        {repeat(0, 1000), "f0dafee895db30253761103b5d84528f"}};
  auto full = must_mac("xcbc(aes)", key, 128);
  auto mac96 = must_mac("xcbc(aes)", key, 96);
  for (const Case& c : cases) {
    CAPTURE(c.msg.size());
    Bytes want = hex(c.mac);
    CHECK(same_bytes(mac_of(*full, c.msg), want));
    CHECK(same_bytes(mac_of(*mac96, c.msg), std::span(want).first(12)));
  }
  // Pieces of every split give the MAC of the whole (the held-back last block crosses pieces).
  Bytes msg = counting(34);
  Bytes want = hex("becbb3bccdb518a30677d5481fb6b4d8");
  for (size_t a = 0; a <= msg.size(); a++) {
    for (size_t b = a; b <= msg.size(); b += 7) {
      std::array<std::span<const uint8_t>, 3> pieces{std::span(msg).first(a), std::span(msg).subspan(a, b - a),
                                                     std::span(msg).subspan(b)};
      Bytes got(16);
      REQUIRE(full->try_compute(pieces, got));
      CHECK(same_bytes(got, want));
    }
  }
  CHECK(must_mac("xcbc(aes)", key, 0)->icv_size() == 12);
}

TEST_CASE("RFC 4493 4: AES-CMAC, full and 96-bit") {
  Bytes key = hex("2b7e151628aed2a6abf7158809cf4f3c");
  Bytes m64 = hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
                  "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");
  struct Case {
    size_t len;
    const char* mac;
  };
  const Case cases[] = {{0, "bb1d6929e95937287fa37d129b756746"},
                        {16, "070a16b46b4d4144f79bdd9dd04a287c"},
                        {40, "dfa66747de9ae63030ca32611497c827"},
                        {64, "51f0bebf7e3b9d92fc49741779363cfe"}};
  auto full = must_mac("cmac(aes)", key, 128);
  auto mac96 = must_mac("cmac(aes)", key, 96);
  for (const Case& c : cases) {
    CAPTURE(c.len);
    Bytes want = hex(c.mac);
    CHECK(same_bytes(mac_of(*full, std::span(m64).first(c.len)), want));
    CHECK(same_bytes(mac_of(*mac96, std::span(m64).first(c.len)), std::span(want).first(12)));
  }
}

TEST_CASE("Mac::make refuses what it cannot do") {
  auto bad = [](std::string_view name, Bytes key, uint32_t bits) {
    return Mac::make(model::AlgorithmSetting{std::string(name), std::move(key), bits});
  };
  CHECK(bad("hmac(sha256)", repeat(1, 32), 264).error().code == EINVAL);  // longer than the hash
  CHECK(bad("hmac(sha256)", repeat(1, 32), 100).error().code == EINVAL);  // not whole bytes
  CHECK(bad("xcbc(aes)", repeat(1, 24), 96).error().code == EINVAL);
  CHECK(bad("cmac(aes)", repeat(1, 32), 96).error().code == EINVAL);
  CHECK(bad("hmac(rmd160)", repeat(1, 20), 96).error().code == ENOSYS);
  auto null = bad("digest_null", {}, 0);
  REQUIRE(null.ok());
  CHECK((*null)->icv_size() == 0);
}

}  // namespace xfrmpp::test
