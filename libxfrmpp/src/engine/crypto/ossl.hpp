// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Owning handles for the OpenSSL objects an SA keeps, and the library context that has the legacy ciphers.
#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "xfrmpp/diag/result.hpp"

namespace xfrmpp::engine::crypto {

struct CipherFree {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* m) const { EVP_MAC_CTX_free(m); }
};
using CipherPtr = std::unique_ptr<EVP_CIPHER, CipherFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MacPtr = std::unique_ptr<EVP_MAC, MacFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

/// A private OSSL_LIB_CTX with the "legacy" and "default" providers loaded, for DES, Blowfish and CAST5.
/// Private so that loading it changes nothing for the rest of the process (the default context, other
/// OpenSSL users). Shared: every context fetched from it keeps it alive.
class LegacyLibrary;
using LegacyLibraryRef = std::shared_ptr<const LegacyLibrary>;
/// Loaded once per process; ENOSYS saying why when the legacy provider does not load.
Result<LegacyLibraryRef> legacy_library();
OSSL_LIB_CTX* library_context(const LegacyLibrary& lib);

/// The oldest queued OpenSSL error as text (the queue is cleared), or "unknown OpenSSL error".
std::string openssl_error();

/// Fetches `name` (an OpenSSL cipher name) from `libctx` (nullptr: the default context). ENOSYS naming
/// `kernel_name` when OpenSSL has no such cipher.
Result<CipherPtr> fetch_cipher(OSSL_LIB_CTX* libctx, const char* name, std::string_view kernel_name);

/// A context for `cipher` keyed with `key` for one direction, CBC padding off (ESP pads itself). Sets
/// the key length first for the variable-length ciphers (Blowfish, CAST5).
Result<CipherCtxPtr> keyed_cipher(const EVP_CIPHER* cipher, std::span<const uint8_t> key, bool encrypt);

inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}

}  // namespace xfrmpp::engine::crypto
