// SPDX-License-Identifier: BSD-3-Clause
#include "esp_aead.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "ossl.hpp"

namespace xfrmpp::engine::crypto {
namespace {

enum class Kind : uint8_t { gcm, ccm, gmac, chacha };
constexpr size_t kIv = 8;

class AeadTransform final : public EspTransform {
 public:
  AeadTransform(EspSizes sizes, Kind kind, CipherCtxPtr enc, CipherCtxPtr dec, std::span<const uint8_t> salt)
      : EspTransform(sizes, IvSource::sequence), kind_(kind), enc_(std::move(enc)), dec_(std::move(dec)),
        salt_len_(salt.size()) {
    std::memcpy(nonce_.data(), salt.data(), salt.size());
  }

  Result<void> seal(std::span<uint8_t> esp, uint32_t seq_hi, bool esn) override {
    std::span<uint8_t> payload = body(esp);
    if (payload.empty())
      return make_error(EINVAL, "ESP packet of " + std::to_string(esp.size()) + " bytes does not fit this SA's layout");
    EVP_CIPHER_CTX* ctx = enc_.get();
    if (!start(ctx, esp, payload, seq_hi, esn)) return failed();
    int n = 0;
    if (kind_ == Kind::gmac) {
      // RFC 4543 3.3: nothing is encrypted; IV and payload join the AAD after SPI and sequence number.
      if (EVP_CipherUpdate(ctx, nullptr, &n, esp.data() + kHeader, int(kIv + payload.size())) != 1) return failed();
    } else if (EVP_CipherUpdate(ctx, payload.data(), &n, payload.data(), int(payload.size())) != 1) {
      return failed();
    }
    std::array<uint8_t, 16> none;
    if (EVP_CipherFinal_ex(ctx, none.data(), &n) != 1) return failed();
    std::span<uint8_t> icv = esp.last(sizes().icv);
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, int(icv.size()), icv.data()) != 1) return failed();
    return {};
  }

  bool open(std::span<uint8_t> esp, uint32_t seq_hi, bool esn) override {
    std::span<uint8_t> payload = body(esp);
    if (payload.empty()) return false;
    EVP_CIPHER_CTX* ctx = dec_.get();
    std::span<uint8_t> icv = esp.last(sizes().icv);
    // Set before the data: CCM checks the tag inside its one update call.
    auto set_tag = [&] { return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, int(icv.size()), icv.data()) == 1; };
    int n = 0;
    switch (kind_) {
      case Kind::gmac: {
        if (!start(ctx, esp, payload, seq_hi, esn, set_tag)) return false;
        std::array<uint8_t, 16> none;
        return EVP_CipherUpdate(ctx, nullptr, &n, esp.data() + kHeader, int(kIv + payload.size())) == 1 &&
               EVP_CipherFinal_ex(ctx, none.data(), &n) == 1;
      }
      case Kind::ccm: {
        // OpenSSL zeroes CCM output whose tag fails, so decrypt aside and copy back only what verified.
        if (scratch_.size() < payload.size()) scratch_.resize(payload.size());
        if (!start(ctx, esp, payload, seq_hi, esn, set_tag)) return false;
        if (EVP_CipherUpdate(ctx, scratch_.data(), &n, payload.data(), int(payload.size())) != 1) return false;
        std::memcpy(payload.data(), scratch_.data(), payload.size());
        return true;
      }
      case Kind::gcm:
      case Kind::chacha: {
        if (!start(ctx, esp, payload, seq_hi, esn, set_tag)) return false;
        std::array<uint8_t, 16> none;
        if (EVP_CipherUpdate(ctx, payload.data(), &n, payload.data(), int(payload.size())) == 1 &&
            EVP_CipherFinal_ex(ctx, none.data(), &n) == 1)
          return true;
        // The tag is checked only at the end, after the in-place decryption: a stream cipher's
        // keystream under the same nonce gives the ciphertext back, so a forged packet stays as it came.
        restore(esp, payload);
        return false;
      }
    }
    return false;
  }

 private:
  static Result<void> failed() { return make_error(EIO, "OpenSSL AEAD encryption failed: " + openssl_error()); }

  // Restarts ctx with salt | IV and feeds the AAD: SPI | seq, or SPI | seq_hi | seq_lo with ESN (RFC 4303
  // 2.2.1, RFC 4106 5). CCM takes the payload length first and the AAD in one piece.
  template <typename BeforeData = bool (*)()>
  bool start(EVP_CIPHER_CTX* ctx, std::span<uint8_t> esp, std::span<uint8_t> payload, uint32_t seq_hi, bool esn,
             BeforeData before_data = [] { return true; }) {
    std::memcpy(nonce_.data() + salt_len_, esp.data() + kHeader, kIv);
    if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce_.data(), -1) != 1) return false;
    if (!before_data()) return false;
    std::array<uint8_t, 12> aad;
    size_t aad_len = 8;
    std::memcpy(aad.data(), esp.data(), 4);
    if (esn) {
      store_be32(aad.data() + 4, seq_hi);
      std::memcpy(aad.data() + 8, esp.data() + 4, 4);
      aad_len = 12;
    } else {
      std::memcpy(aad.data() + 4, esp.data() + 4, 4);
    }
    int n = 0;
    if (kind_ == Kind::ccm && EVP_CipherUpdate(ctx, nullptr, &n, nullptr, int(payload.size())) != 1) return false;
    return EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), int(aad_len)) == 1;
  }

  void restore(std::span<uint8_t> esp, std::span<uint8_t> payload) {
    std::memcpy(nonce_.data() + salt_len_, esp.data() + kHeader, kIv);
    int n = 0;
    if (EVP_CipherInit_ex(enc_.get(), nullptr, nullptr, nullptr, nonce_.data(), -1) != 1 ||
        EVP_CipherUpdate(enc_.get(), payload.data(), &n, payload.data(), int(payload.size())) != 1)
      OPENSSL_cleanse(payload.data(), payload.size());  // never leave unverified plaintext behind
  }

  Kind kind_;
  CipherCtxPtr enc_, dec_;
  size_t salt_len_;
  std::array<uint8_t, 12> nonce_{};  // salt | IV (CCM: 3 + 8 bytes)
  std::vector<uint8_t> scratch_;     // CCM only; grows to the largest packet seen, then stays
};

struct AeadSpec {
  std::string_view kernel_name;
  Kind kind;
  size_t salt;
};
constexpr std::array kAeads = {AeadSpec{"rfc4106(gcm(aes))", Kind::gcm, 4}, AeadSpec{"rfc4309(ccm(aes))", Kind::ccm, 3},
                               AeadSpec{"rfc4543(gcm(aes))", Kind::gmac, 4},
                               AeadSpec{"rfc7539esp(chacha20,poly1305)", Kind::chacha, 4}};

// CCM fixes its nonce length (L = 4, RFC 4309 4) and tag length before the key.
Result<CipherCtxPtr> keyed_ccm(const EVP_CIPHER* cipher, std::span<const uint8_t> key, size_t icv, bool encrypt) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int enc = encrypt ? 1 : 0;
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, enc) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, 11, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, int(icv), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr, enc) != 1)
    return make_error(EINVAL, "OpenSSL CCM setup failed: " + openssl_error());
  return ctx;
}

}  // namespace

Result<std::unique_ptr<EspTransform>> make_aead_transform(const model::AlgorithmSetting& aead) {
  const std::string& name = aead.kernel_name;
  const AeadSpec* spec = nullptr;
  for (const AeadSpec& s : kAeads)
    if (s.kernel_name == name) spec = &s;
  if (!spec) return make_error(ENOSYS, "the software engine has no AEAD algorithm " + name);

  uint32_t icv_bits = aead.icv_bits ? aead.icv_bits : 128;
  bool icv_ok = icv_bits == 128 ||
                ((spec->kind == Kind::gcm || spec->kind == Kind::ccm) && (icv_bits == 64 || icv_bits == 96));
  if (!icv_ok) return make_error(EINVAL, name + " does not take a " + std::to_string(icv_bits) + "-bit ICV");
  if (aead.key.size() <= spec->salt) return make_error(EINVAL, name + " needs a key followed by its salt");
  std::span<const uint8_t> all = aead.key;
  std::span<const uint8_t> key = all.first(all.size() - spec->salt);
  std::span<const uint8_t> salt = all.last(spec->salt);
  bool key_ok = spec->kind == Kind::chacha ? key.size() == 32 : (key.size() == 16 || key.size() == 24 || key.size() == 32);
  if (!key_ok)
    return make_error(EINVAL, name + " does not take a " + std::to_string(key.size() * 8) + "-bit key (plus " +
                                  std::to_string(spec->salt * 8) + "-bit salt)");

  std::string ossl_name = spec->kind == Kind::chacha ? "ChaCha20-Poly1305"
                          : "AES-" + std::to_string(key.size() * 8) + (spec->kind == Kind::ccm ? "-CCM" : "-GCM");
  auto cipher = fetch_cipher(nullptr, ossl_name.c_str(), name);
  if (!cipher) return cipher.error();
  size_t icv = icv_bits / 8;
  auto enc = spec->kind == Kind::ccm ? keyed_ccm(cipher->get(), key, icv, true) : keyed_cipher(cipher->get(), key, true);
  if (!enc) return enc.error();
  auto dec = spec->kind == Kind::ccm ? keyed_ccm(cipher->get(), key, icv, false) : keyed_cipher(cipher->get(), key, false);
  if (!dec) return dec.error();
  EspSizes sizes{4, uint32_t(kIv), uint32_t(icv)};
  return std::unique_ptr<EspTransform>(
      std::make_unique<AeadTransform>(sizes, spec->kind, std::move(*enc), std::move(*dec), salt));
}

}  // namespace xfrmpp::engine::crypto
