// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// AES-XCBC-MAC (RFC 3566): OpenSSL 3.0 has no XCBC, so it is built here from AES block operations.
#include <cstdint>
#include <memory>
#include <span>

#include "mac.hpp"

namespace xfrmpp::engine::crypto {

/// A 128-bit key (RFC 3566 allows no other); icv_bytes <= 16 (IPsec uses 12, AES-XCBC-MAC-96).
Result<std::unique_ptr<Mac>> make_xcbc_mac(std::span<const uint8_t> key, size_t icv_bytes);

}  // namespace xfrmpp::engine::crypto
