// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The per-SA cryptography of ESP (RFC 4303): encrypt and integrity-protect a framed packet in place.
// The packet path frames, pads and counts; this only transforms bytes.
#include <cstdint>
#include <memory>
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::engine::crypto {

/// block: what the payload+padding+padlen+nexthdr must be a multiple of (4 for stream, AEAD and null
/// ciphers, the cipher block for CBC). iv and icv in bytes.
struct EspSizes {
  uint32_t block = 4;
  uint32_t iv = 0;
  uint32_t icv = 0;
};

/// One per SA, for both directions: cipher and MAC contexts are keyed at make() and only restarted per
/// packet (no allocation, no fetch). Not safe for concurrent use; one per thread if need be.
class EspTransform {
 public:
  /// Where the IV comes from.
  enum class IvSource : uint8_t { none, random, sequence };

  virtual ~EspTransform() = default;
  EspTransform(const EspTransform&) = delete;
  EspTransform& operator=(const EspTransform&) = delete;

  /// From the SA's crypt+auth or aead setting (keys with their salt appended, as the kernel gets them).
  /// ENOSYS naming the algorithm for what OpenSSL lacks; EINVAL for a bad key or ICV length.
  static Result<std::unique_ptr<EspTransform>> make(const model::SaConfig& sa);

  EspSizes sizes() const { return sizes_; }
  IvSource iv_source() const { return iv_source_; }

  /// The IV for the packet with 64-bit sequence number seq: random for CBC, the big-endian seq for
  /// CTR/GCM/CCM/GMAC/ChaCha20 (unique per SA, as the kernel's seqiv). iv.size() == sizes().iv.
  void fill_iv(std::span<uint8_t> iv, uint64_t seq);

  /// esp = SPI(4) | seq low(4) | IV | payload+padding+padlen+nexthdr (a multiple of sizes().block) |
  /// ICV (sizes().icv, written here). Encrypts in place. With esn, seq_hi enters the ICV (appended
  /// after the ciphertext for HMAC/XCBC/CMAC) or the AAD (SPI | seq_hi | seq_lo) as RFC 4303 says.
  /// EINVAL for a malformed layout; EIO when OpenSSL fails (or the IV could not be drawn).
  virtual Result<void> seal(std::span<uint8_t> esp, uint32_t seq_hi, bool esn) = 0;

  /// Same layout, in place: checks the ICV first (constant time), then decrypts. False on a mismatch
  /// or a malformed layout; the packet is left as it came then.
  virtual bool open(std::span<uint8_t> esp, uint32_t seq_hi, bool esn) = 0;

 protected:
  EspTransform(EspSizes sizes, IvSource iv) : sizes_(sizes), iv_source_(iv) {}

  static constexpr size_t kHeader = 8;  // SPI and low sequence number
  /// The payload (between IV and ICV) when esp has room for the header, IV and ICV and the payload is
  /// a whole number of blocks; empty otherwise (a real payload is never empty: padlen and nexthdr).
  std::span<uint8_t> body(std::span<uint8_t> esp) const;
  /// True once, after fill_iv could not draw a random IV: the next seal() must fail.
  bool take_iv_failure();

 private:
  EspSizes sizes_;
  IvSource iv_source_;
  bool iv_failed_ = false;
};

}  // namespace xfrmpp::engine::crypto
