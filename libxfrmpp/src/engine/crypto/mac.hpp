// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A keyed, truncated MAC for ESP's ICV and for AH (RFC 4302), which MACs a header-zeroed copy in pieces.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::engine::crypto {

/// One per SA: keyed once at make(), only restarted per packet. Not safe for concurrent use.
class Mac {
 public:
  /// The longest ICV any MAC here produces (HMAC-SHA-512).
  static constexpr size_t max_icv = 64;

  virtual ~Mac() = default;
  Mac(const Mac&) = delete;
  Mac& operator=(const Mac&) = delete;

  /// hmac(md5|sha1|sha256|sha384|sha512), xcbc(aes), cmac(aes), digest_null. The ICV is icv_bits/8, or
  /// the registry's length when icv_bits is 0. ENOSYS for an unknown algorithm, EINVAL for a bad key
  /// or truncation.
  static Result<std::unique_ptr<Mac>> make(const model::AlgorithmSetting& auth);

  size_t icv_size() const { return icv_; }
  /// The MAC of the pieces' concatenation, truncated; icv_out.size() == icv_size(). Zero-filled in the
  /// (never seen) case that OpenSSL fails, so the packet cannot verify; try_compute() reports it.
  void compute(std::span<const std::span<const uint8_t>> pieces, std::span<uint8_t> icv_out);
  /// Constant time. False as well when icv.size() != icv_size().
  bool verify(std::span<const std::span<const uint8_t>> pieces, std::span<const uint8_t> icv);
  /// compute() that says whether OpenSSL did its part.
  virtual bool try_compute(std::span<const std::span<const uint8_t>> pieces, std::span<uint8_t> icv_out) = 0;

 protected:
  explicit Mac(size_t icv) : icv_(icv) {}

 private:
  size_t icv_;
};

}  // namespace xfrmpp::engine::crypto
