// SPDX-License-Identifier: BSD-3-Clause
// Every algorithm the engine supports, with random keys of the registry's sizes: seal then open gives
// the payload back, with and without ESN; and the faults open() must catch, each shown to be caught.
#include <doctest/doctest.h>

#include <string>

#include "crypto/ossl.hpp"
#include "crypto_support.hpp"

namespace xfrmpp::test {
namespace {

using engine::crypto::EspTransform;

struct Setup {
  std::string name;
  model::SaConfig sa;
  bool authenticated;
  bool encrypts;
};

std::vector<Setup> setups() {
  std::vector<Setup> out;
  auto crypt = [&](const char* c, size_t key, const char* a, size_t akey, uint32_t bits) {
    out.push_back({std::string(c) + "/" + (a ? a : "none") + "/" + std::to_string(key * 8),
                   cipher_sa(c, random_bytes(key), a ? a : "", a ? random_bytes(akey) : Bytes{}, bits),
                   a != nullptr && std::string(a) != "digest_null",
                   std::string(c) != "ecb(cipher_null)"});
  };
  for (size_t k : {16, 24, 32}) crypt("cbc(aes)", k, "hmac(sha256)", 32, 128);
  for (size_t k : {16, 24, 32}) crypt("cbc(camellia)", k, "hmac(sha1)", 20, 96);
  for (size_t k : {20, 28, 36}) crypt("rfc3686(ctr(aes))", k, "hmac(sha512)", 64, 256);
  crypt("cbc(des3_ede)", 24, "hmac(md5)", 16, 96);
  crypt("cbc(aes)", 16, "hmac(sha384)", 48, 192);
  crypt("cbc(aes)", 16, "xcbc(aes)", 16, 96);
  crypt("cbc(aes)", 16, "cmac(aes)", 16, 96);
  crypt("cbc(aes)", 16, nullptr, 0, 0);
  crypt("ecb(cipher_null)", 0, "hmac(sha256)", 32, 128);
  crypt("cbc(aes)", 16, "digest_null", 0, 0);
  if (engine::crypto::legacy_library().ok()) {
    crypt("cbc(des)", 8, "hmac(sha1)", 20, 96);
    crypt("cbc(blowfish)", 16, "hmac(sha1)", 20, 96);
    crypt("cbc(blowfish)", 56, "hmac(sha1)", 20, 96);
    crypt("cbc(cast5)", 16, "hmac(sha1)", 20, 96);
    crypt("cbc(cast5)", 5, "hmac(sha1)", 20, 96);
  }
  auto aead = [&](const char* n, size_t key, uint32_t icv, bool enc) {
    out.push_back({std::string(n) + "/" + std::to_string(key * 8) + "/" + std::to_string(icv), aead_sa(n, random_bytes(key), icv),
                   true, enc});
  };
  for (size_t k : {20, 28, 36})
    for (uint32_t icv : {64, 96, 128}) aead("rfc4106(gcm(aes))", k, icv, true);
  for (size_t k : {19, 27, 35})
    for (uint32_t icv : {64, 96, 128}) aead("rfc4309(ccm(aes))", k, icv, true);
  for (size_t k : {20, 28, 36}) aead("rfc4543(gcm(aes))", k, 128, false);
  aead("rfc7539esp(chacha20,poly1305)", 36, 128, true);
  return out;
}

// A framed packet with a fresh IV for sequence number seq, ready for seal().
Bytes packet_for(EspTransform& t, uint64_t seq, const Bytes& payload) {
  auto s = t.sizes();
  Bytes body = pad_payload(payload, 4, s.block);
  Bytes iv(s.iv);
  t.fill_iv(iv, seq);
  return frame(0x11223344, uint32_t(seq), iv, body, s.icv);
}

}  // namespace

TEST_CASE("seal then open gives the payload back, for every algorithm, with and without ESN") {
  for (const Setup& s : setups()) {
    CAPTURE(s.name);
    auto t = must_make(s.sa);
    for (bool esn : {false, true}) {
      for (size_t len : {0, 1, 15, 64, 1400}) {
        CAPTURE(esn);
        CAPTURE(len);
        Bytes payload = random_bytes(len);
        uint64_t seq = 0x1234567800000000ull + len + 1;
        Bytes esp = packet_for(*t, seq, payload);
        Bytes clear = esp;
        REQUIRE(t->seal(esp, uint32_t(seq >> 32), esn).ok());
        auto sz = t->sizes();
        auto body = [&](const Bytes& p) { return std::span(p).subspan(8 + sz.iv, p.size() - 8 - sz.iv - sz.icv); };
        if (s.encrypts) CHECK_FALSE(same_bytes(body(esp), body(clear)));
        Bytes in = esp;
        REQUIRE(t->open(in, uint32_t(seq >> 32), esn));
        CHECK(same_bytes(body(in), body(clear)));
      }
    }
  }
}

TEST_CASE("IVs: the sequence number for counter and AEAD modes, random for CBC, none for null") {
  auto gcm = must_make(aead_sa("rfc4106(gcm(aes))", random_bytes(20), 128));
  Bytes iv(8);
  gcm->fill_iv(iv, 0x0102030405060708ull);
  CHECK(same_bytes(iv, hex("0102030405060708")));
  auto cbc = must_make(cipher_sa("cbc(aes)", random_bytes(16)));
  REQUIRE(cbc->sizes().iv == 16);
  Bytes a(16), b(16);
  cbc->fill_iv(a, 1);
  cbc->fill_iv(b, 1);
  CHECK_FALSE(same_bytes(a, b));
  auto null = must_make(cipher_sa("ecb(cipher_null)", {}, "hmac(sha1)", random_bytes(20), 96));
  CHECK(null->sizes().iv == 0);
  CHECK(null->sizes().block == 4);
  CHECK(null->sizes().icv == 12);
  CHECK(cbc->sizes().block == 16);
  CHECK(gcm->sizes().block == 4);
}

TEST_CASE("negative controls: every injected fault makes open() fail and leaves the packet as it came") {
  for (const Setup& s : setups()) {
    if (!s.authenticated) continue;
    CAPTURE(s.name);
    auto t = must_make(s.sa);
    auto sz = t->sizes();
    Bytes payload = random_bytes(100);
    Bytes sealed = packet_for(*t, 0x700000009ull, payload);
    REQUIRE(t->seal(sealed, 7, true).ok());
    // Unmodified, it opens: the faults below are what makes each one fail.
    Bytes good = sealed;
    REQUIRE(t->open(good, 7, true));

    Bytes body_flip = sealed;
    flip(body_flip, 8 + sz.iv + 3, 0x01);
    Bytes copy = body_flip;
    CHECK_FALSE(t->open(copy, 7, true));
    CHECK(same_bytes(copy, body_flip));

    Bytes icv_flip = sealed;
    flip(icv_flip, 0, 0x80, true);
    copy = icv_flip;
    CHECK_FALSE(t->open(copy, 7, true));
    CHECK(same_bytes(copy, icv_flip));

    Bytes seq_flip = sealed;
    flip(seq_flip, 7, 0x01);
    copy = seq_flip;
    CHECK_FALSE(t->open(copy, 7, true));

    copy = sealed;
    CHECK_FALSE(t->open(copy, 8, true));  // wrong high sequence bits
    CHECK(same_bytes(copy, sealed));
    copy = sealed;
    CHECK_FALSE(t->open(copy, 7, false));  // ESN left out

    // Wrong key: the same SA with every key byte changed.
    model::SaConfig other = s.sa;
    for (auto* alg : {&other.aead, &other.auth})
      if (*alg)
        for (auto& b : (*alg)->key) b ^= 0x5a;
    auto wrong = must_make(other);
    copy = sealed;
    CHECK_FALSE(wrong->open(copy, 7, true));
    CHECK(same_bytes(copy, sealed));

    // Malformed layouts are refused, not read past.
    Bytes short_packet(8 + sz.iv + sz.icv);
    CHECK_FALSE(t->open(short_packet, 0, false));
    CHECK(t->seal(short_packet, 0, false).error().code == EINVAL);
  }
}

TEST_CASE("make() refuses what the engine cannot do, naming the algorithm") {
  for (const char* name : {"twofish", "serpent"}) {
    auto t = EspTransform::make(cipher_sa(std::string("cbc(") + name + ")", random_bytes(16), "hmac(sha1)", random_bytes(20), 96));
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ENOSYS);
    CHECK(t.error().message == std::string("OpenSSL has no ") + name + "; the engine cannot process this SA (the kernel can)");
  }
  auto code = [](const model::SaConfig& sa) { return EspTransform::make(sa).error().code; };
  CHECK(code(cipher_sa("cbc(aes)", random_bytes(20))) == EINVAL);
  CHECK(code(cipher_sa("cbc(des3_ede)", random_bytes(16))) == EINVAL);
  CHECK(code(cipher_sa("rfc3686(ctr(aes))", random_bytes(16))) == EINVAL);  // no nonce
  CHECK(code(aead_sa("rfc4106(gcm(aes))", random_bytes(16), 128)) == EINVAL);  // no salt
  CHECK(code(aead_sa("rfc4106(gcm(aes))", random_bytes(20), 32)) == EINVAL);
  CHECK(code(aead_sa("rfc4543(gcm(aes))", random_bytes(20), 96)) == EINVAL);
  CHECK(code(aead_sa("rfc7539esp(chacha20,poly1305)", random_bytes(20), 128)) == EINVAL);
  CHECK(code(aead_sa("rfc4309(ccm(aes))", random_bytes(20), 128)) == EINVAL);  // 17 + 3 bytes
  CHECK(code(cipher_sa("cbc(sm4)", random_bytes(16))) == ENOSYS);
  model::SaConfig none;
  CHECK(code(none) == EINVAL);
  if (!engine::crypto::legacy_library().ok()) {
    auto t = EspTransform::make(cipher_sa("cbc(des)", random_bytes(8)));
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ENOSYS);
    CHECK(t.error().message.find("legacy provider") != std::string::npos);
    CHECK(t.error().message.find("cbc(des)") != std::string::npos);
  }
}

}  // namespace xfrmpp::test
