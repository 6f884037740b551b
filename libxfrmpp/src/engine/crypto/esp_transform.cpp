// SPDX-License-Identifier: BSD-3-Clause
#include "esp_transform.hpp"

#include <openssl/rand.h>

#include <cerrno>
#include <cstring>

#include "esp_aead.hpp"
#include "esp_cipher.hpp"

namespace xfrmpp::engine::crypto {

Result<std::unique_ptr<EspTransform>> EspTransform::make(const model::SaConfig& sa) {
  if (sa.aead) {
    if (sa.crypt || sa.auth) return make_error(EINVAL, "an ESP SA with an AEAD algorithm takes no separate enc or auth");
    return make_aead_transform(*sa.aead);
  }
  // As the kernel: ESP always has an encryption algorithm, ecb(cipher_null) when there is none.
  if (!sa.crypt) return make_error(EINVAL, "an ESP SA needs an encryption algorithm (ecb(cipher_null) for none)");
  return make_cipher_transform(*sa.crypt, sa.auth ? &*sa.auth : nullptr);
}

void EspTransform::fill_iv(std::span<uint8_t> iv, uint64_t seq) {
  switch (iv_source_) {
    case IvSource::none:
      return;
    case IvSource::random:
      if (RAND_bytes(iv.data(), int(iv.size())) != 1) {
        // No predictable CBC IV goes out: the packet's seal() fails instead.
        std::memset(iv.data(), 0, iv.size());
        iv_failed_ = true;
      }
      return;
    case IvSource::sequence:
      for (size_t i = 0; i < iv.size(); i++) iv[i] = uint8_t(seq >> (8 * (iv.size() - 1 - i)));
      return;
  }
}

std::span<uint8_t> EspTransform::body(std::span<uint8_t> esp) const {
  size_t fixed = kHeader + sizes_.iv + sizes_.icv;
  if (esp.size() <= fixed) return {};
  size_t len = esp.size() - fixed;
  // Whole blocks for CBC; stream and AEAD modes take any length on input, as the kernel does (their
  // block of 4 is what output pads to).
  if (sizes_.block > 4 && len % sizes_.block != 0) return {};
  return esp.subspan(kHeader + sizes_.iv, len);
}

bool EspTransform::take_iv_failure() {
  bool failed = iv_failed_;
  iv_failed_ = false;
  return failed;
}

}  // namespace xfrmpp::engine::crypto
