// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// IPComp's DEFLATE (RFC 3173, RFC 2394): raw deflate, no zlib header or checksum, as Linux's ipcomp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace xfrmpp::engine::crypto {

/// std::nullopt when the result would not be smaller than the input (RFC 3173 2.2: send it
/// uncompressed then). Uses the kernel's parameters (2 KiB window), so a Linux peer can inflate it.
std::optional<std::vector<uint8_t>> deflate_compress(std::span<const uint8_t> in);

/// std::nullopt when the output would exceed max_out (a decompression bomb), or the stream is damaged,
/// truncated or followed by other bytes.
std::optional<std::vector<uint8_t>> deflate_decompress(std::span<const uint8_t> in, size_t max_out);

}  // namespace xfrmpp::engine::crypto
