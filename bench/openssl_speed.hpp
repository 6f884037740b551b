// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// `openssl speed` as the benchmark's yardstick: run it and read its one result.
#include <optional>
#include <string>

namespace esp_bench {

/// Bytes per second of `openssl speed -evp CIPHER -bytes N -seconds S`; nullopt when it cannot run.
std::optional<double> openssl_cipher_speed(const std::string& cipher, size_t bytes, int seconds);
/// The same for `openssl speed -hmac DIGEST`.
std::optional<double> openssl_hmac_speed(const std::string& digest, size_t bytes, int seconds);

}  // namespace esp_bench
