// SPDX-License-Identifier: BSD-3-Clause
#include "xcbc.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "ossl.hpp"

namespace xfrmpp::engine::crypto {
namespace {

constexpr size_t kBlock = 16;
using Block = std::array<uint8_t, kBlock>;

// The CBC-MAC chain runs through an AES-128-CBC context keyed with K1 and restarted with a zero IV per
// message: the last ciphertext block is the chain value, and many blocks go through one call.
class XcbcMac final : public Mac {
 public:
  XcbcMac(size_t icv, CipherCtxPtr chain, const Block& k2, const Block& k3)
      : Mac(icv), chain_(std::move(chain)), k2_(k2), k3_(k3) {}
  ~XcbcMac() override {
    OPENSSL_cleanse(k2_.data(), k2_.size());
    OPENSSL_cleanse(k3_.data(), k3_.size());
  }

  bool try_compute(std::span<const std::span<const uint8_t>> pieces, std::span<uint8_t> icv_out) override {
    static constexpr Block kZero{};
    if (EVP_CipherInit_ex(chain_.get(), nullptr, nullptr, nullptr, kZero.data(), 1) != 1) return false;
    // The last block (full or not) is held back: RFC 3566 treats it differently (K2 or K3).
    Block pending{};
    size_t held = 0;
    for (std::span<const uint8_t> piece : pieces) {
      size_t off = 0;
      while (off < piece.size()) {
        if (held == kBlock) {
          if (!chain(pending.data(), kBlock)) return false;
          held = 0;
        }
        size_t left = piece.size() - off;
        if (held == 0 && left > kBlock) {
          size_t bulk = (left - 1) / kBlock * kBlock;  // keeps 1..16 bytes back
          if (!chain(piece.data() + off, bulk)) return false;
          off += bulk;
          continue;
        }
        size_t take = std::min(kBlock - held, left);
        std::memcpy(pending.data() + held, piece.data() + off, take);
        held += take;
        off += take;
      }
    }
    const Block* mask = &k2_;
    if (held < kBlock) {
      pending[held] = 0x80;
      std::fill(pending.begin() + held + 1, pending.end(), 0);
      mask = &k3_;
    }
    for (size_t i = 0; i < kBlock; i++) pending[i] ^= (*mask)[i];
    Block mac;
    int n = 0;
    if (EVP_CipherUpdate(chain_.get(), mac.data(), &n, pending.data(), kBlock) != 1 || n != int(kBlock)) return false;
    std::memcpy(icv_out.data(), mac.data(), icv_out.size());
    OPENSSL_cleanse(pending.data(), pending.size());
    return true;
  }

 private:
  bool chain(const uint8_t* data, size_t len) {
    std::array<uint8_t, 512> sink;  // CBC output; only the chain value inside the context matters
    while (len > 0) {
      size_t now = std::min(len, sink.size());
      int n = 0;
      if (EVP_CipherUpdate(chain_.get(), sink.data(), &n, data, int(now)) != 1) return false;
      data += now;
      len -= now;
    }
    return true;
  }

  CipherCtxPtr chain_;
  Block k2_, k3_;
};

}  // namespace

Result<std::unique_ptr<Mac>> make_xcbc_mac(std::span<const uint8_t> key, size_t icv_bytes) {
  if (key.size() != kBlock)
    return make_error(EINVAL, "xcbc(aes) takes a 128-bit key, not " + std::to_string(key.size() * 8) + " bits");
  if (icv_bytes == 0 || icv_bytes > kBlock)
    return make_error(EINVAL, "xcbc(aes) truncation must be 8..128 bits, not " + std::to_string(icv_bytes * 8));
  auto ecb = fetch_cipher(nullptr, "AES-128-ECB", "xcbc(aes)");
  if (!ecb) return ecb.error();
  auto derive = keyed_cipher(ecb->get(), key, true);
  if (!derive) return derive.error();
  // RFC 3566 2.1: K1, K2, K3 = E(K, 0x01..), E(K, 0x02..), E(K, 0x03..), one call for the three.
  std::array<uint8_t, 3 * kBlock> in, out;
  for (size_t i = 0; i < 3; i++) std::fill_n(in.begin() + i * kBlock, kBlock, uint8_t(i + 1));
  int n = 0;
  if (EVP_CipherUpdate(derive->get(), out.data(), &n, in.data(), int(in.size())) != 1 || n != int(out.size()))
    return make_error(EINVAL, "xcbc(aes) key derivation failed: " + openssl_error());
  Block k2, k3;
  std::copy_n(out.begin() + kBlock, kBlock, k2.begin());
  std::copy_n(out.begin() + 2 * kBlock, kBlock, k3.begin());
  auto cbc = fetch_cipher(nullptr, "AES-128-CBC", "xcbc(aes)");
  if (!cbc) return cbc.error();
  auto chain = keyed_cipher(cbc->get(), std::span<const uint8_t>(out.data(), kBlock), true);
  OPENSSL_cleanse(out.data(), out.size());
  if (!chain) return chain.error();
  std::unique_ptr<Mac> mac = std::make_unique<XcbcMac>(icv_bytes, std::move(*chain), k2, k3);
  OPENSSL_cleanse(k2.data(), k2.size());
  OPENSSL_cleanse(k3.data(), k3.size());
  return mac;
}

}  // namespace xfrmpp::engine::crypto
