// SPDX-License-Identifier: BSD-3-Clause
#include "ossl.hpp"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <cerrno>

namespace xfrmpp::engine::crypto {

class LegacyLibrary {
 public:
  LegacyLibrary() : ctx_(OSSL_LIB_CTX_new()) {
    if (!ctx_) {
      why_ = "OpenSSL could not create a library context: " + openssl_error();
      return;
    }
    // "default" as well: a context with only "legacy" would lack everything else a fetch may need.
    default_ = OSSL_PROVIDER_load(ctx_, "default");
    legacy_ = OSSL_PROVIDER_load(ctx_, "legacy");
    if (!default_ || !legacy_)
      why_ = "the OpenSSL legacy provider does not load (" + openssl_error() +
             "); DES, Blowfish and CAST5 need it (install it or set OPENSSL_MODULES)";
  }
  ~LegacyLibrary() {
    if (legacy_) OSSL_PROVIDER_unload(legacy_);
    if (default_) OSSL_PROVIDER_unload(default_);
    OSSL_LIB_CTX_free(ctx_);
  }
  LegacyLibrary(const LegacyLibrary&) = delete;
  LegacyLibrary& operator=(const LegacyLibrary&) = delete;

  bool usable() const { return legacy_ && default_; }
  const std::string& why() const { return why_; }
  OSSL_LIB_CTX* ctx() const { return ctx_; }

 private:
  OSSL_LIB_CTX* ctx_;
  OSSL_PROVIDER* default_ = nullptr;
  OSSL_PROVIDER* legacy_ = nullptr;
  std::string why_;
};

Result<LegacyLibraryRef> legacy_library() {
  // Loaded on first use only: most SAs never need it, and a missing legacy.so must not fail them.
  static const LegacyLibraryRef lib = std::make_shared<const LegacyLibrary>();
  if (!lib->usable()) return make_error(ENOSYS, lib->why());
  return lib;
}

OSSL_LIB_CTX* library_context(const LegacyLibrary& lib) { return lib.ctx(); }

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Result<CipherPtr> fetch_cipher(OSSL_LIB_CTX* libctx, const char* name, std::string_view kernel_name) {
  CipherPtr c(EVP_CIPHER_fetch(libctx, name, nullptr));
  if (!c) {
    std::string why = openssl_error();
    return make_error(ENOSYS, "OpenSSL has no " + std::string(name) + " for " + std::string(kernel_name) + " (" + why +
                                  "); the engine cannot process this SA");
  }
  return c;
}

Result<CipherCtxPtr> keyed_cipher(const EVP_CIPHER* cipher, std::span<const uint8_t> key, bool encrypt) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int enc = encrypt ? 1 : 0;
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, enc) != 1)
    return make_error(EINVAL, "OpenSSL cipher setup failed: " + openssl_error());
  if (size_t(EVP_CIPHER_CTX_get_key_length(ctx.get())) != key.size() &&
      EVP_CIPHER_CTX_set_key_length(ctx.get(), int(key.size())) != 1)
    return make_error(EINVAL, "OpenSSL refuses a " + std::to_string(key.size() * 8) + "-bit key for " +
                                  EVP_CIPHER_get0_name(cipher) + ": " + openssl_error());
  if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr, enc) != 1)
    return make_error(EINVAL, std::string("OpenSSL refuses the key for ") + EVP_CIPHER_get0_name(cipher) + ": " +
                                  openssl_error());
  // Only CBC pads; asking the other modes would only queue an error.
  if (EVP_CIPHER_get_mode(cipher) == EVP_CIPH_CBC_MODE) EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  return ctx;
}

}  // namespace xfrmpp::engine::crypto
