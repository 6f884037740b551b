// SPDX-License-Identifier: BSD-3-Clause
#include "esp_cipher.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "mac.hpp"
#include "ossl.hpp"

namespace xfrmpp::engine::crypto {
namespace {

enum class Mode : uint8_t { cbc, ctr, null };

struct CipherSpec {
  std::string_view kernel_name;
  Mode mode;
  const char* prefix;  // OpenSSL name before the key size ("AES-" → "AES-128-CBC"), or the whole name
  bool sized_name;     // the OpenSSL name carries the key size
  bool legacy;         // only in the legacy provider
  uint32_t block, iv;
  uint32_t min_key, max_key;  // bytes, without the CTR nonce
  bool aes_sizes;             // only 16, 24 or 32 bytes
};

constexpr std::array kCiphers = {
    CipherSpec{"cbc(aes)", Mode::cbc, "AES-", true, false, 16, 16, 16, 32, true},
    CipherSpec{"cbc(camellia)", Mode::cbc, "CAMELLIA-", true, false, 16, 16, 16, 32, true},
    CipherSpec{"cbc(des3_ede)", Mode::cbc, "DES-EDE3-CBC", false, false, 8, 8, 24, 24, false},
    CipherSpec{"cbc(des)", Mode::cbc, "DES-CBC", false, true, 8, 8, 8, 8, false},
    // Variable key lengths as the kernel's blowfish (32..448 bits) and cast5 (40..128 bits) take them.
    CipherSpec{"cbc(blowfish)", Mode::cbc, "BF-CBC", false, true, 8, 8, 4, 56, false},
    CipherSpec{"cbc(cast5)", Mode::cbc, "CAST5-CBC", false, true, 8, 8, 5, 16, false},
    CipherSpec{"rfc3686(ctr(aes))", Mode::ctr, "AES-", true, false, 4, 8, 16, 32, true},
    CipherSpec{"ecb(cipher_null)", Mode::null, "", false, false, 4, 0, 0, 0, false},
};
constexpr size_t kCtrNonce = 4;

class CipherMacTransform final : public EspTransform {
 public:
  CipherMacTransform(EspSizes sizes, IvSource iv, Mode mode, CipherCtxPtr enc, CipherCtxPtr dec,
                     std::unique_ptr<Mac> mac, std::span<const uint8_t> nonce, LegacyLibraryRef keep)
      : EspTransform(sizes, iv), mode_(mode), enc_(std::move(enc)), dec_(std::move(dec)), mac_(std::move(mac)),
        keep_(std::move(keep)) {
    if (!nonce.empty()) std::memcpy(nonce_.data(), nonce.data(), nonce.size());  // CTR only
  }

  Result<void> seal(std::span<uint8_t> esp, uint32_t seq_hi, bool esn) override {
    std::span<uint8_t> payload = body(esp);
    if (payload.empty())
      return make_error(EINVAL, "ESP packet of " + std::to_string(esp.size()) + " bytes does not fit this SA's layout");
    if (take_iv_failure()) return make_error(EIO, "no random IV could be drawn (RAND_bytes failed)");
    if (!crypt(enc_.get(), esp, payload)) return make_error(EIO, "OpenSSL encryption failed: " + openssl_error());
    if (!mac_->try_compute(pieces(esp, seq_hi, esn, hi_buf_), icv(esp)))
      return make_error(EIO, "OpenSSL MAC failed: " + openssl_error());
    return {};
  }

  bool open(std::span<uint8_t> esp, uint32_t seq_hi, bool esn) override {
    std::span<uint8_t> payload = body(esp);
    if (payload.empty()) return false;
    if (!mac_->verify(pieces(esp, seq_hi, esn, hi_buf_), icv(esp))) return false;
    return crypt(dec_.get(), esp, payload);
  }

 private:
  std::span<uint8_t> icv(std::span<uint8_t> esp) const { return esp.last(sizes().icv); }

  // What the ICV covers: SPI through the ciphertext, then (ESN) the high sequence bits that are never sent.
  std::span<const std::span<const uint8_t>> pieces(std::span<uint8_t> esp, uint32_t seq_hi, bool esn,
                                                   std::array<uint8_t, 4>& hi) {
    covered_[0] = esp.first(esp.size() - sizes().icv);
    if (!esn) return std::span(covered_.data(), 1);
    store_be32(hi.data(), seq_hi);
    covered_[1] = hi;
    return covered_;
  }

  // Each context keeps the direction it was keyed for (-1); only the IV is new per packet.
  bool crypt(EVP_CIPHER_CTX* ctx, std::span<uint8_t> esp, std::span<uint8_t> payload) {
    if (mode_ == Mode::null) return true;
    const uint8_t* iv = esp.data() + kHeader;
    std::array<uint8_t, 16> counter;
    if (mode_ == Mode::ctr) {
      // RFC 3686 4: nonce | IV | block counter starting at 1.
      std::memcpy(counter.data(), nonce_.data(), kCtrNonce);
      std::memcpy(counter.data() + kCtrNonce, iv, 8);
      store_be32(counter.data() + 12, 1);
      iv = counter.data();
    }
    int n = 0;
    return EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv, -1) == 1 &&
           EVP_CipherUpdate(ctx, payload.data(), &n, payload.data(), int(payload.size())) == 1 &&
           size_t(n) == payload.size();
  }

  Mode mode_;
  CipherCtxPtr enc_, dec_;
  std::unique_ptr<Mac> mac_;
  std::array<uint8_t, kCtrNonce> nonce_{};
  std::array<std::span<const uint8_t>, 2> covered_;
  std::array<uint8_t, 4> hi_buf_{};
  LegacyLibraryRef keep_;  // the legacy provider outlives the contexts fetched from it
};

std::string openssl_name(const CipherSpec& spec, size_t key_bytes) {
  if (!spec.sized_name) return spec.prefix;
  return std::string(spec.prefix) + std::to_string(key_bytes * 8) + (spec.mode == Mode::ctr ? "-CTR" : "-CBC");
}

}  // namespace

Result<std::unique_ptr<EspTransform>> make_cipher_transform(const model::AlgorithmSetting& crypt,
                                                            const model::AlgorithmSetting* auth) {
  const std::string& name = crypt.kernel_name;
  if (name == "cbc(twofish)" || name == "cbc(serpent)") {
    std::string_view what = name == "cbc(twofish)" ? "twofish" : "serpent";
    return make_error(ENOSYS, "OpenSSL has no " + std::string(what) + "; the engine cannot process this SA (the kernel can)");
  }
  const CipherSpec* spec = nullptr;
  for (const CipherSpec& s : kCiphers)
    if (s.kernel_name == name) spec = &s;
  if (!spec) return make_error(ENOSYS, "the software engine has no encryption algorithm " + name);

  std::span<const uint8_t> key = crypt.key;
  std::span<const uint8_t> nonce;
  if (spec->mode == Mode::ctr) {
    if (key.size() < kCtrNonce) return make_error(EINVAL, name + " needs its 32-bit nonce after the key");
    nonce = key.last(kCtrNonce);
    key = key.first(key.size() - kCtrNonce);
  }
  bool size_ok = spec->aes_sizes ? (key.size() == 16 || key.size() == 24 || key.size() == 32)
                                 : (key.size() >= spec->min_key && key.size() <= spec->max_key);
  if (!size_ok)
    return make_error(EINVAL, name + " does not take a " + std::to_string(crypt.key.size() * 8) + "-bit key");

  std::unique_ptr<Mac> mac;
  if (auth) {
    auto m = Mac::make(*auth);
    if (!m) return m.error();
    mac = std::move(*m);
  } else {
    auto m = Mac::make(model::AlgorithmSetting{"digest_null", {}, 0});
    if (!m) return m.error();
    mac = std::move(*m);
  }
  EspSizes sizes{spec->block, spec->iv, uint32_t(mac->icv_size())};
  EspTransform::IvSource iv = spec->mode == Mode::cbc ? EspTransform::IvSource::random
                                : spec->mode == Mode::ctr ? EspTransform::IvSource::sequence
                                                          : EspTransform::IvSource::none;

  CipherCtxPtr enc, dec;
  LegacyLibraryRef keep;
  if (spec->mode != Mode::null) {
    OSSL_LIB_CTX* libctx = nullptr;
    if (spec->legacy) {
      auto lib = legacy_library();
      if (!lib) return make_error(ENOSYS, name + ": " + lib.error().message);
      keep = *lib;
      libctx = library_context(*keep);
    }
    auto cipher = fetch_cipher(libctx, openssl_name(*spec, key.size()).c_str(), name);
    if (!cipher) return cipher.error();
    auto e = keyed_cipher(cipher->get(), key, true);
    if (!e) return e.error();
    auto d = keyed_cipher(cipher->get(), key, spec->mode == Mode::ctr);  // CTR decrypts by encrypting
    if (!d) return d.error();
    enc = std::move(*e);
    dec = std::move(*d);
  }
  return std::unique_ptr<EspTransform>(std::make_unique<CipherMacTransform>(
      sizes, iv, spec->mode, std::move(enc), std::move(dec), std::move(mac), nonce, std::move(keep)));
}

}  // namespace xfrmpp::engine::crypto
