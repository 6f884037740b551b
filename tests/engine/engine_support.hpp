// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Shared by the engine tests: a private state directory per test, sample policies and SAs with every
// optional field set, and field-by-field comparisons.
#include <filesystem>
#include <memory>
#include <string>

#include "xfrmpp/engine/engine_backend.hpp"

namespace etest {

/// A fresh directory under $TMPDIR, removed on destruction.
struct TempDir {
  TempDir();
  ~TempDir();
  std::filesystem::path path;
  std::filesystem::path state() const { return path / "sub" / "engine.state"; }
};

std::unique_ptr<xfrmpp::engine::EngineBackend> open(const std::filesystem::path& state, bool read_only = false,
                                                    std::function<uint64_t()> clock = {});

xfrmpp::model::Address addr(const char* text);
/// out, 10.0.<n/256>.<n%256>/32 -> 192.0.2.1/32, ESP transport require.
xfrmpp::model::Policy host_policy(uint32_t n);
/// Every optional field of a policy set.
xfrmpp::model::Policy full_policy();
/// ESP with hmac(sha256) and cbc(aes), valid.
xfrmpp::model::SecurityAssociation esp_sa(uint32_t spi);
/// Every optional field of an SA set (and still valid).
xfrmpp::model::SecurityAssociation full_sa();

/// Empty when equal, else the name of the first differing field.
std::string diff(const xfrmpp::model::Policy& a, const xfrmpp::model::Policy& b);
std::string diff(const xfrmpp::model::SecurityAssociation& a, const xfrmpp::model::SecurityAssociation& b);

std::vector<xfrmpp::Change> adds(const std::vector<xfrmpp::model::Policy>& ps);

}  // namespace etest
