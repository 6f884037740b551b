// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Sender A and receiver B with one flow per kind of protected packet the inbound path parses: ESP with
// AES-GCM (transport), ESP with AES-CBC+HMAC-SHA-256 (tunnel), AH, IPComp inside ESP, ESP in UDP
// (NAT-T) and ESP with ChaCha20-Poly1305 over IPv6. No doctest: the fuzz target uses it too.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "xfrmpp/engine/engine_backend.hpp"

namespace pmix {

using Bytes = std::vector<uint8_t>;

inline constexpr size_t kFlows = 6;

struct Mix {
  Mix(const Mix&) = delete;
  Mix& operator=(const Mix&) = delete;
  Mix() = default;
  ~Mix();
  std::filesystem::path dir;  ///< removed with the Mix
  std::unique_ptr<xfrmpp::engine::EngineBackend> a, b;
};

/// Both engines in a new directory under `parent`, with every flow's SAs and policies.
xfrmpp::Result<std::unique_ptr<Mix>> make_mix(const std::filesystem::path& parent);

/// A UDP packet of flow `flow` (< kFlows) with `payload` bytes of `fill` (0 compresses, for IPComp).
Bytes plain_packet(size_t flow, size_t payload, uint8_t fill);

}  // namespace pmix
