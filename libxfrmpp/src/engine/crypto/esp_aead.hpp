// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// ESP with a combined-mode algorithm: rfc4106(gcm(aes)), rfc4309(ccm(aes)), rfc4543(gcm(aes)) (GMAC,
// authentication only) and rfc7539esp(chacha20,poly1305) (RFC 7634).
#include <memory>

#include "esp_transform.hpp"

namespace xfrmpp::engine::crypto {

/// The key carries the salt at its end (4 bytes, CCM 3); icv_bits 0 means 128.
Result<std::unique_ptr<EspTransform>> make_aead_transform(const model::AlgorithmSetting& aead);

}  // namespace xfrmpp::engine::crypto
