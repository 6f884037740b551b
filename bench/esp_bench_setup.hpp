// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The two hosts of the ESP benchmark: sender A and receiver B, each an engine with its own state file
// in a scratch directory, sharing one transport-mode SA per algorithm (A's out policy, B's in policy).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "xfrmpp/engine/engine_backend.hpp"

namespace esp_bench {

struct Algorithm {
  std::string label;     ///< table row, e.g. "aes-128-gcm"
  std::string openssl;   ///< `openssl speed -evp` cipher
  std::string openssl_hmac;  ///< with a separate MAC: `openssl speed -hmac` digest; empty for AEADs
  xfrmpp::model::SecurityAssociation sa;  ///< addresses and SPI filled by Hosts
};

std::vector<Algorithm> algorithms();

/// A scratch directory removed with its contents on destruction.
struct ScratchDir {
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path path;
};

struct Hosts {
  ScratchDir dir;
  std::unique_ptr<xfrmpp::engine::EngineBackend> a, b;
  /// The flow of algorithm i: 10.0.i.1 -> 10.0.i.2.
  static std::string src(size_t i);
  static std::string dst(size_t i);
};

/// Both engines with every algorithm's SA and policies; the error says what was refused.
xfrmpp::Result<std::unique_ptr<Hosts>> make_hosts(std::vector<Algorithm>& algs);

/// An IPv4 UDP packet with `payload` bytes of payload.
std::vector<uint8_t> udp_packet(const std::string& src, const std::string& dst, size_t payload);

}  // namespace esp_bench
