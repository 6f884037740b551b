// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// ESP with a cipher (CBC, RFC 3686 CTR, or null) and a separate MAC: encrypt, then MAC (RFC 4303 3.3.2).
#include <memory>

#include "esp_transform.hpp"

namespace xfrmpp::engine::crypto {

/// auth may be null (encryption only, as RFC 3602's test packets).
Result<std::unique_ptr<EspTransform>> make_cipher_transform(const model::AlgorithmSetting& crypt,
                                                            const model::AlgorithmSetting* auth);

}  // namespace xfrmpp::engine::crypto
