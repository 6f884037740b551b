// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <array>
#include <set>
#include <string>

#include "xfrmpp/model/algorithm.hpp"

using namespace xfrmpp::model;

TEST_CASE("hmac-sha256 is sent with the RFC 4868 128-bit ICV, not the kernel's 96") {
  std::array kinds{AlgKind::auth};
  const auto* a = find_setkey_algorithm("hmac-sha256", kinds);
  REQUIRE(a);
  CHECK(a->kernel_name == "hmac(sha256)");
  CHECK(a->icv_bits == 128);
  CHECK(find_setkey_algorithm("hmac-sha2-256", kinds) == a);
  CHECK(find_solaris_algorithm("sha256", kinds) == a);
}

TEST_CASE("AEAD and CTR keys include their salt or nonce") {
  std::array kinds{AlgKind::crypt, AlgKind::aead};
  const auto* gcm = find_setkey_algorithm("aes-gcm-16", kinds);
  REQUIRE(gcm);
  CHECK(gcm->kind == AlgKind::aead);
  CHECK(key_length_ok(*gcm, 160));
  CHECK(key_length_ok(*gcm, 288));
  CHECK_FALSE(key_length_ok(*gcm, 128));
  const auto* ctr = find_setkey_algorithm("aes-ctr", kinds);
  REQUIRE(ctr);
  CHECK(key_length_ok(*ctr, 224));
  CHECK_FALSE(key_length_ok(*ctr, 152));  // NetBSD's table: 152 is rejected
  const auto* des3 = find_setkey_algorithm("3des-cbc", kinds);
  CHECK(key_length_ok(*des3, 192));
  CHECK_FALSE(key_length_ok(*des3, 184));
  CHECK_FALSE(key_length_ok(*des3, 200));
}

TEST_CASE("kernel names map back, with the ICV telling GCM variants apart") {
  CHECK(find_kernel_algorithm("rfc4106(gcm(aes))", AlgKind::aead, 96)->setkey_name == "aes-gcm-12");
  CHECK(find_kernel_algorithm("rfc4106(gcm(aes))", AlgKind::aead, 128)->setkey_name == "aes-gcm-16");
  CHECK(find_kernel_algorithm("hmac(sha1)", AlgKind::auth, 160)->setkey_name == "hmac-sha1");
  CHECK(find_kernel_algorithm("cbc(nonesuch)", AlgKind::crypt) == nullptr);
}

TEST_CASE("every unsupported algorithm says why, every supported one has a kernel name") {
  std::set<std::string> names;
  for (const auto& a : algorithms()) {
    CHECK_MESSAGE(a.kernel_name.empty() != a.unsupported_why.empty(), a.setkey_name);
    CHECK(a.min_key_bits <= a.max_key_bits);
    std::string key = std::to_string(static_cast<int>(a.kind)) + std::string(a.setkey_name);
    CHECK_MESSAGE(names.insert(key).second, "duplicate ", a.setkey_name);
  }
}

TEST_CASE("an HMAC key may be any whole number of bytes up to the block size; the RFC length draws no warning") {
  std::array kinds{AlgKind::auth};
  const auto* sha256 = find_setkey_algorithm("hmac-sha256", kinds);
  REQUIRE(sha256);
  CHECK(hmac_block_bits(*sha256) == 512);
  CHECK(key_length_ok(*sha256, 160));  // the FreeBSD manual's example
  CHECK(key_length_ok(*sha256, 8));
  CHECK(key_length_ok(*sha256, 256));
  CHECK(key_length_ok(*sha256, 512));
  CHECK_FALSE(key_length_ok(*sha256, 0));
  CHECK_FALSE(key_length_ok(*sha256, 520));
  CHECK_FALSE(key_length_ok(*sha256, 164));
  CHECK(key_length_warning(*sha256, 256).empty());
  CHECK(key_length_warning(*sha256, 520).empty());  // refused, not warned about
  CHECK(key_length_warning(*sha256, 160) ==
        "hmac-sha256 keys should be 256 bits, the hash's output length (RFC 4868); a 160-bit key works with the Linux "
        "kernel and FreeBSD, but a peer that follows the RFC may refuse it");
  const auto* sha512 = find_setkey_algorithm("hmac-sha512", kinds);
  CHECK(key_length_ok(*sha512, 1024));
  CHECK_FALSE(key_length_ok(*sha512, 1032));
  CHECK(accepted_min_key_bits(*sha512) == 8);
  CHECK(accepted_max_key_bits(*sha512) == 1024);
  const auto* md5 = find_setkey_algorithm("hmac-md5", kinds);
  CHECK(key_length_warning(*md5, 128).empty());
  CHECK(key_length_warning(*md5, 256).find("RFC 2403") != std::string::npos);
  CHECK(key_length_warning(*find_setkey_algorithm("hmac-sha1", kinds), 128).find("RFC 2404") != std::string::npos);
  // Not an HMAC: the fixed length stays.
  const auto* xcbc = find_setkey_algorithm("aes-xcbc-mac", kinds);
  CHECK(hmac_block_bits(*xcbc) == 0);
  CHECK(key_length_ok(*xcbc, 128));
  CHECK_FALSE(key_length_ok(*xcbc, 160));
  CHECK(key_length_warning(*xcbc, 128).empty());
}
