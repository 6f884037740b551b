// SPDX-License-Identifier: BSD-3-Clause
#include "crypto_support.hpp"

#include <doctest/doctest.h>
#include <openssl/rand.h>

#include <cctype>
#include <cstring>
#include <stdexcept>
#include <string>

namespace xfrmpp::test {

Bytes hex(std::string_view text) {
  Bytes out;
  int hi = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (v < 0 || v > 15) throw std::invalid_argument("not hex: " + std::string(text));
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(uint8_t(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd hex digits: " + std::string(text));
  return out;
}

Bytes concat(std::initializer_list<std::span<const uint8_t>> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes repeat(uint8_t byte, size_t n) { return Bytes(n, byte); }

Bytes random_bytes(size_t n) {
  Bytes out(n);
  REQUIRE(RAND_bytes(out.data(), int(n)) == 1);
  return out;
}

bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

model::SaConfig cipher_sa(std::string_view crypt, Bytes crypt_key, std::string_view auth, Bytes auth_key,
                          uint32_t trunc_bits) {
  model::SaConfig sa;
  sa.crypt = model::AlgorithmSetting{std::string(crypt), std::move(crypt_key), 0};
  if (!auth.empty()) sa.auth = model::AlgorithmSetting{std::string(auth), std::move(auth_key), trunc_bits};
  return sa;
}

model::SaConfig aead_sa(std::string_view name, Bytes key_and_salt, uint32_t icv_bits) {
  model::SaConfig sa;
  sa.aead = model::AlgorithmSetting{std::string(name), std::move(key_and_salt), icv_bits};
  return sa;
}

std::unique_ptr<engine::crypto::EspTransform> must_make(const model::SaConfig& sa) {
  auto t = engine::crypto::EspTransform::make(sa);
  if (!t) FAIL("EspTransform::make: " << t.error().message);
  return std::move(*t);
}

void flip(Bytes& b, size_t at, uint8_t mask, bool from_end) {
  REQUIRE(at < b.size());
  b[from_end ? b.size() - 1 - at : at] ^= mask;
}

Bytes pad_payload(std::span<const uint8_t> payload, uint8_t next_header, uint32_t block) {
  Bytes out(payload.begin(), payload.end());
  size_t pad = (block - (payload.size() + 2) % block) % block;
  for (size_t i = 1; i <= pad; i++) out.push_back(uint8_t(i));
  out.push_back(uint8_t(pad));
  out.push_back(next_header);
  return out;
}

Bytes frame(uint32_t spi, uint32_t seq_lo, std::span<const uint8_t> iv, std::span<const uint8_t> body, size_t icv) {
  Bytes out(8 + iv.size() + body.size() + icv, 0);
  for (int i = 0; i < 4; i++) {
    out[i] = uint8_t(spi >> (24 - 8 * i));
    out[4 + i] = uint8_t(seq_lo >> (24 - 8 * i));
  }
  if (!iv.empty()) std::memcpy(out.data() + 8, iv.data(), iv.size());
  if (!body.empty()) std::memcpy(out.data() + 8 + iv.size(), body.data(), body.size());
  return out;
}

}  // namespace xfrmpp::test
