// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Helpers for the engine crypto tests: hex vectors, SA settings, ESP framing as the packet path does it.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/esp_transform.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::test {

using Bytes = std::vector<uint8_t>;

/// Hex digits with any whitespace between them (vectors are typed as the RFCs print them).
Bytes hex(std::string_view text);
Bytes concat(std::initializer_list<std::span<const uint8_t>> parts);
Bytes repeat(uint8_t byte, size_t n);
Bytes random_bytes(size_t n);

/// The byte comparison every known-answer check uses; the tests show it notices one changed byte.
bool same_bytes(std::span<const uint8_t> a, std::span<const uint8_t> b);

/// An ESP SA with encryption (and optionally authentication), or with an AEAD algorithm.
model::SaConfig cipher_sa(std::string_view crypt, Bytes crypt_key, std::string_view auth = {}, Bytes auth_key = {},
                          uint32_t trunc_bits = 0);
model::SaConfig aead_sa(std::string_view name, Bytes key_and_salt, uint32_t icv_bits);
std::unique_ptr<engine::crypto::EspTransform> must_make(const model::SaConfig& sa);

/// XORs mask into b[at], counted from the end when from_end (the fault the negative controls inject).
void flip(Bytes& b, size_t at, uint8_t mask, bool from_end = false);

/// RFC 4303 2.4 padding (1, 2, 3, ...) then pad length and next header, to a multiple of block.
Bytes pad_payload(std::span<const uint8_t> payload, uint8_t next_header, uint32_t block);
/// SPI | seq low | iv | body | zeroed ICV of icv bytes: what the packet path hands to seal().
Bytes frame(uint32_t spi, uint32_t seq_lo, std::span<const uint8_t> iv, std::span<const uint8_t> body, size_t icv);

}  // namespace xfrmpp::test
