// SPDX-License-Identifier: BSD-3-Clause
// IPComp deflate: round trip, incompressible data, decompression bombs, damaged and truncated input.
#include <doctest/doctest.h>

#include "crypto/deflate.hpp"
#include "crypto_support.hpp"

namespace xfrmpp::test {

using engine::crypto::deflate_compress;
using engine::crypto::deflate_decompress;

TEST_CASE("deflate round trip") {
  Bytes text;
  for (int i = 0; i < 200; i++) {
    std::string line = "GET /index.html HTTP/1.1 request " + std::to_string(i) + "\r\n";
    text.insert(text.end(), line.begin(), line.end());
  }
  auto packed = deflate_compress(text);
  REQUIRE(packed.has_value());
  CHECK(packed->size() < text.size());
  // Raw deflate: no zlib header (0x78 ..) in front.
  CHECK_FALSE(((*packed)[0] == 0x78 && ((*packed)[0] * 256 + (*packed)[1]) % 31 == 0));
  auto back = deflate_decompress(*packed, 65535);
  REQUIRE(back.has_value());
  CHECK(same_bytes(*back, text));
  // Exactly the output size is allowed; one byte less is not.
  CHECK(deflate_decompress(*packed, text.size()).has_value());
  CHECK_FALSE(deflate_decompress(*packed, text.size() - 1).has_value());
}

TEST_CASE("incompressible input is not compressed") {
  CHECK_FALSE(deflate_compress(random_bytes(1400)).has_value());
  CHECK_FALSE(deflate_compress(random_bytes(1)).has_value());
  CHECK_FALSE(deflate_compress({}).has_value());
}

TEST_CASE("a decompression bomb stops at max_out") {
  Bytes zeros(1 << 20, 0);
  auto bomb = deflate_compress(zeros);
  REQUIRE(bomb.has_value());
  CHECK(bomb->size() < 8192);
  CHECK_FALSE(deflate_decompress(*bomb, 64 * 1024).has_value());
  auto all = deflate_decompress(*bomb, zeros.size());
  REQUIRE(all.has_value());
  CHECK(all->size() == zeros.size());
}

TEST_CASE("truncated, damaged or trailing input is refused") {
  Bytes text(3000);
  for (size_t i = 0; i < text.size(); i++) text[i] = uint8_t("abcdefgh"[i % 8] + (i / 512));
  auto packed = deflate_compress(text);
  REQUIRE(packed.has_value());
  for (size_t cut : {size_t(1), packed->size() / 2, packed->size() - 1})
    CHECK_FALSE(deflate_decompress(std::span(*packed).first(cut), 65535).has_value());
  Bytes trailing = *packed;
  trailing.push_back(0);
  CHECK_FALSE(deflate_decompress(trailing, 65535).has_value());
  CHECK_FALSE(deflate_decompress(hex("ffffffffffffffff"), 65535).has_value());
  CHECK_FALSE(deflate_decompress({}, 65535).has_value());
  CHECK_FALSE(deflate_decompress(random_bytes(200), 65535).has_value());
}

}  // namespace xfrmpp::test
