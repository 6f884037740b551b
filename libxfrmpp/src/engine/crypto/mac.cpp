// SPDX-License-Identifier: BSD-3-Clause
#include "mac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "ossl.hpp"
#include "xcbc.hpp"
#include "xfrmpp/model/algorithm.hpp"

namespace xfrmpp::engine::crypto {
namespace {

// HMAC and CMAC: one context keyed at make(); EVP_MAC_init with no key restarts it from the saved
// keyed state, which costs less than EVP_MAC_CTX_dup (an allocation per packet).
class EvpMac final : public Mac {
 public:
  EvpMac(size_t icv, MacCtxPtr ctx) : Mac(icv), ctx_(std::move(ctx)) {}

  bool try_compute(std::span<const std::span<const uint8_t>> pieces, std::span<uint8_t> icv_out) override {
    if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) return false;
    for (std::span<const uint8_t> p : pieces)
      if (!p.empty() && EVP_MAC_update(ctx_.get(), p.data(), p.size()) != 1) return false;
    std::array<uint8_t, max_icv> full;
    size_t n = 0;
    if (EVP_MAC_final(ctx_.get(), full.data(), &n, full.size()) != 1 || n < icv_out.size()) return false;
    std::memcpy(icv_out.data(), full.data(), icv_out.size());
    return true;
  }

 private:
  MacCtxPtr ctx_;
};

// digest_null: ESP with encryption only, in the kernel's spelling.
class NullMac final : public Mac {
 public:
  NullMac() : Mac(0) {}
  bool try_compute(std::span<const std::span<const uint8_t>>, std::span<uint8_t>) override { return true; }
};

struct HmacDigest {
  std::string_view kernel_name;
  const char* digest;  // OpenSSL name
  size_t full;         // output bytes
};
constexpr std::array kHmacs = {HmacDigest{"hmac(md5)", "MD5", 16}, HmacDigest{"hmac(sha1)", "SHA1", 20},
                               HmacDigest{"hmac(sha256)", "SHA2-256", 32}, HmacDigest{"hmac(sha384)", "SHA2-384", 48},
                               HmacDigest{"hmac(sha512)", "SHA2-512", 64}};

Result<MacCtxPtr> keyed_evp_mac(const char* mac_name, const char* param, const char* value,
                                std::span<const uint8_t> key, std::string_view kernel_name) {
  MacPtr mac(EVP_MAC_fetch(nullptr, mac_name, nullptr));
  if (!mac) return make_error(ENOSYS, "OpenSSL has no " + std::string(mac_name) + " for " + std::string(kernel_name));
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return make_error(ENOMEM, "OpenSSL could not allocate a MAC context: " + openssl_error());
  std::array<OSSL_PARAM, 2> params = {OSSL_PARAM_construct_utf8_string(param, const_cast<char*>(value), 0),
                                      OSSL_PARAM_construct_end()};
  // An empty key still needs a non-null pointer, or OpenSSL takes it for "keep the old key".
  static constexpr uint8_t kNoKey = 0;
  const uint8_t* k = key.empty() ? &kNoKey : key.data();
  if (EVP_MAC_init(ctx.get(), k, key.size(), params.data()) != 1)
    return make_error(EINVAL, "OpenSSL refuses the " + std::to_string(key.size() * 8) + "-bit key for " +
                                  std::string(kernel_name) + ": " + openssl_error());
  return ctx;
}

size_t icv_bytes_for(const model::AlgorithmSetting& auth) {
  if (auth.icv_bits != 0) return auth.icv_bits / 8;
  const model::AlgorithmInfo* info = model::find_kernel_algorithm(auth.kernel_name, model::AlgKind::auth);
  return info ? info->icv_bits / 8 : 0;
}

}  // namespace

void Mac::compute(std::span<const std::span<const uint8_t>> pieces, std::span<uint8_t> icv_out) {
  if (!try_compute(pieces, icv_out)) std::fill(icv_out.begin(), icv_out.end(), 0);
}

bool Mac::verify(std::span<const std::span<const uint8_t>> pieces, std::span<const uint8_t> icv) {
  if (icv.size() != icv_size()) return false;
  if (icv.empty()) return try_compute(pieces, {});
  std::array<uint8_t, max_icv> mine;
  if (!try_compute(pieces, std::span<uint8_t>(mine.data(), icv.size()))) return false;
  return CRYPTO_memcmp(mine.data(), icv.data(), icv.size()) == 0;
}

Result<std::unique_ptr<Mac>> Mac::make(const model::AlgorithmSetting& auth) {
  const std::string& name = auth.kernel_name;
  if (auth.icv_bits % 8 != 0)
    return make_error(EINVAL, name + ": an ICV of " + std::to_string(auth.icv_bits) + " bits is not whole bytes");
  size_t icv = icv_bytes_for(auth);
  if (name == "digest_null") {
    if (!auth.key.empty() || auth.icv_bits != 0) return make_error(EINVAL, "digest_null takes no key and no ICV");
    return std::unique_ptr<Mac>(std::make_unique<NullMac>());
  }
  if (name == "xcbc(aes)") return make_xcbc_mac(auth.key, icv);
  if (name == "cmac(aes)") {
    if (auth.key.size() != 16)
      return make_error(EINVAL, "cmac(aes) takes a 128-bit key, not " + std::to_string(auth.key.size() * 8) + " bits");
    if (icv == 0 || icv > 16) return make_error(EINVAL, "cmac(aes) truncation must be 8..128 bits");
    auto ctx = keyed_evp_mac("CMAC", OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", auth.key, name);
    if (!ctx) return ctx.error();
    return std::unique_ptr<Mac>(std::make_unique<EvpMac>(icv, std::move(*ctx)));
  }
  for (const HmacDigest& h : kHmacs) {
    if (h.kernel_name != name) continue;
    // Any key length, as the kernel's hmac() takes: a key longer than the block is hashed (RFC 2104).
    if (icv == 0 || icv > h.full)
      return make_error(EINVAL, name + " truncation must be 8.." + std::to_string(h.full * 8) + " bits, not " +
                                    std::to_string(icv * 8));
    auto ctx = keyed_evp_mac("HMAC", OSSL_MAC_PARAM_DIGEST, h.digest, auth.key, name);
    if (!ctx) return ctx.error();
    return std::unique_ptr<Mac>(std::make_unique<EvpMac>(icv, std::move(*ctx)));
  }
  return make_error(ENOSYS, "the software engine has no authentication algorithm " + name);
}

}  // namespace xfrmpp::engine::crypto
