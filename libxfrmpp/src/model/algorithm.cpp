// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/model/algorithm.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace xfrmpp::model {
namespace {

using K = AlgKind;
constexpr std::string_view kNoKeyedMac =
    "KAME keyed hashes (RFC 1828) have no Linux implementation; use an HMAC such as hmac-sha256";
constexpr std::string_view kOldDes = "this RFC 1829-era DES form has no Linux implementation; use aes-cbc or aes-gcm-16";
constexpr std::string_view kNoLzs = "the Linux crypto API has no implementation of this compressor; use deflate";

// Sizes in bits, salt included (algorithms.md). icv_bits is what we send as trunc_len/icv_len:
// hmac-sha2 goes out with its RFC 4868 length, never the kernel's 96-bit default for hmac(sha256).
constexpr std::array kAlgorithms = {
    // kind, setkey, aliases, solaris, kernel, min, max, step, salt, icv, sadb, why-not
    AlgorithmInfo{K::auth, "hmac-md5", "", "hmac-md5 md5", "hmac(md5)", 128, 128, 0, 0, 96, 2, ""},
    AlgorithmInfo{K::auth, "hmac-sha1", "", "hmac-sha1 sha1 sha sha-1", "hmac(sha1)", 160, 160, 0, 0, 96, 3, ""},
    AlgorithmInfo{K::auth, "hmac-sha256", "hmac-sha2-256", "hmac-sha256 sha256 sha-256 hmac-sha-256", "hmac(sha256)", 256, 256, 0, 0, 128, 5, ""},
    AlgorithmInfo{K::auth, "hmac-sha384", "hmac-sha2-384", "hmac-sha384 sha384 sha-384 hmac-sha-384", "hmac(sha384)", 384, 384, 0, 0, 192, 6, ""},
    AlgorithmInfo{K::auth, "hmac-sha512", "hmac-sha2-512", "hmac-sha512 sha512 sha-512 hmac-sha-512", "hmac(sha512)", 512, 512, 0, 0, 256, 7, ""},
    AlgorithmInfo{K::auth, "aes-xcbc-mac", "", "", "xcbc(aes)", 128, 128, 0, 0, 96, 9, ""},
    AlgorithmInfo{K::auth, "aes-cmac", "", "", "cmac(aes)", 128, 128, 0, 0, 96, 0, ""},
    AlgorithmInfo{K::auth, "null", "", "", "digest_null", 0, 0, 0, 0, 0, 251, ""},
    AlgorithmInfo{K::auth, "hmac-ripemd160", "", "", "", 160, 160, 0, 0, 96, 8,
                  "current Linux kernels have no hmac(rmd160) IPsec algorithm; use hmac-sha256"},
    AlgorithmInfo{K::auth, "keyed-md5", "", "", "", 128, 128, 0, 0, 0, 249, kNoKeyedMac},
    AlgorithmInfo{K::auth, "keyed-sha1", "", "", "", 160, 160, 0, 0, 0, 250, kNoKeyedMac},
    AlgorithmInfo{K::auth, "tcp-md5", "", "", "", 8, 640, 8, 0, 0, 0,
                  "Linux sets TCP-MD5 (RFC 2385) per socket with setsockopt(TCP_MD5SIG), not in the SAD"},

    AlgorithmInfo{K::crypt, "des-cbc", "", "des-cbc des", "cbc(des)", 64, 64, 0, 0, 0, 2, ""},
    AlgorithmInfo{K::crypt, "3des-cbc", "", "3des-cbc 3des", "cbc(des3_ede)", 192, 192, 0, 0, 0, 3, ""},
    AlgorithmInfo{K::crypt, "null", "", "null", "ecb(cipher_null)", 0, 0, 0, 0, 0, 11, ""},
    AlgorithmInfo{K::crypt, "blowfish-cbc", "", "blowfish-cbc blowfish", "cbc(blowfish)", 40, 448, 8, 0, 0, 7, ""},
    AlgorithmInfo{K::crypt, "cast128-cbc", "", "", "cbc(cast5)", 40, 128, 8, 0, 0, 6, ""},
    AlgorithmInfo{K::crypt, "aes-cbc", "rijndael-cbc", "aes-cbc aes", "cbc(aes)", 128, 256, 64, 0, 0, 12, ""},
    AlgorithmInfo{K::crypt, "aes-ctr", "", "", "rfc3686(ctr(aes))", 160, 288, 64, 32, 0, 13, ""},
    AlgorithmInfo{K::crypt, "camellia-cbc", "", "", "cbc(camellia)", 128, 256, 64, 0, 0, 22, ""},
    AlgorithmInfo{K::crypt, "twofish-cbc", "", "", "cbc(twofish)", 128, 256, 64, 0, 0, 253, ""},
    AlgorithmInfo{K::crypt, "serpent-cbc", "", "", "cbc(serpent)", 128, 256, 64, 0, 0, 252, ""},
    AlgorithmInfo{K::crypt, "simple", "", "", "", 0, 0, 0, 0, 0, 0, kOldDes},
    AlgorithmInfo{K::crypt, "des-deriv", "", "", "", 64, 64, 0, 0, 0, 0, kOldDes},
    AlgorithmInfo{K::crypt, "des-32iv", "", "", "", 64, 64, 0, 0, 0, 0, kOldDes},

    AlgorithmInfo{K::aead, "aes-gcm-16", "", "aes-gcm aes-gcm16", "rfc4106(gcm(aes))", 160, 288, 64, 32, 128, 20, ""},
    AlgorithmInfo{K::aead, "aes-gcm-12", "", "aes-gcm12", "rfc4106(gcm(aes))", 160, 288, 64, 32, 96, 19, ""},
    AlgorithmInfo{K::aead, "aes-gcm-8", "", "aes-gcm8", "rfc4106(gcm(aes))", 160, 288, 64, 32, 64, 18, ""},
    AlgorithmInfo{K::aead, "aes-ccm-16", "", "aes-ccm aes-ccm16", "rfc4309(ccm(aes))", 152, 280, 64, 24, 128, 16, ""},
    AlgorithmInfo{K::aead, "aes-ccm-12", "", "aes-ccm12", "rfc4309(ccm(aes))", 152, 280, 64, 24, 96, 15, ""},
    AlgorithmInfo{K::aead, "aes-ccm-8", "", "aes-ccm8", "rfc4309(ccm(aes))", 152, 280, 64, 24, 64, 14, ""},
    AlgorithmInfo{K::aead, "aes-gmac", "null-aes-gmac", "aes-none-gmac", "rfc4543(gcm(aes))", 160, 288, 64, 32, 128, 23, ""},
    AlgorithmInfo{K::aead, "chacha20-poly1305", "", "", "rfc7539esp(chacha20,poly1305)", 288, 288, 0, 32, 128, 0, ""},

    AlgorithmInfo{K::comp, "deflate", "", "deflate", "deflate", 0, 0, 0, 0, 0, 2, ""},
    AlgorithmInfo{K::comp, "oui", "", "", "", 0, 0, 0, 0, 0, 1, "the OUI compressor is a placeholder id with no implementation anywhere"},
    AlgorithmInfo{K::comp, "lzs", "", "", "", 0, 0, 0, 0, 0, 3, kNoLzs},
    AlgorithmInfo{K::comp, "lzjh", "", "", "", 0, 0, 0, 0, 0, 4, kNoLzs},
};

bool word_in(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    size_t sp = list.find(' ');
    if (list.substr(0, sp) == word) return true;
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
  return false;
}

bool kind_in(AlgKind k, std::span<const AlgKind> kinds) { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); }

}  // namespace

std::span<const AlgorithmInfo> algorithms() { return kAlgorithms; }

const AlgorithmInfo* find_setkey_algorithm(std::string_view name, std::span<const AlgKind> kinds) {
  for (const auto& a : kAlgorithms)
    if (kind_in(a.kind, kinds) && (a.setkey_name == name || word_in(a.setkey_aliases, name))) return &a;
  return nullptr;
}

const AlgorithmInfo* find_solaris_algorithm(std::string_view name, std::span<const AlgKind> kinds) {
  for (const auto& a : kAlgorithms)
    if (kind_in(a.kind, kinds) && word_in(a.solaris_names, name)) return &a;
  return nullptr;
}

const AlgorithmInfo* find_kernel_algorithm(std::string_view kernel_name, AlgKind kind, uint32_t icv_bits) {
  const AlgorithmInfo* first = nullptr;
  for (const auto& a : kAlgorithms) {
    if (a.kind != kind || a.kernel_name != kernel_name) continue;
    if (icv_bits == 0 || a.icv_bits == icv_bits) return &a;
    if (!first) first = &a;
  }
  // Auth with a non-standard truncation still names a known algorithm.
  return kind == AlgKind::auth ? first : nullptr;
}

uint16_t hmac_block_bits(const AlgorithmInfo& alg) {
  // The table's key size for an HMAC is the RFC's (the hash's output length); the block size is what
  // bounds the key the kernel's hmac() and FreeBSD's ah/esp take.
  struct Block {
    std::string_view kernel_name;
    uint16_t bits;
  };
  constexpr std::array kBlocks = {Block{"hmac(md5)", 512}, Block{"hmac(sha1)", 512}, Block{"hmac(sha256)", 512},
                                  Block{"hmac(sha384)", 1024}, Block{"hmac(sha512)", 1024}};
  if (alg.kind != AlgKind::auth) return 0;
  for (const auto& b : kBlocks)
    if (b.kernel_name == alg.kernel_name) return b.bits;
  return 0;
}

uint32_t accepted_min_key_bits(const AlgorithmInfo& alg) { return hmac_block_bits(alg) ? 8 : alg.min_key_bits; }
uint32_t accepted_max_key_bits(const AlgorithmInfo& alg) {
  uint16_t block = hmac_block_bits(alg);
  return block ? block : alg.max_key_bits;
}

std::string key_length_warning(const AlgorithmInfo& alg, uint32_t key_bits) {
  if (!hmac_block_bits(alg) || key_bits == alg.min_key_bits || !key_length_ok(alg, key_bits)) return {};
  // RFC 4868 2.1.1 for SHA-2; RFC 2403 and 2404 fix the MD5 and SHA-1 keys the same way.
  std::string_view rfc = alg.kernel_name == "hmac(md5)" ? "RFC 2403" : alg.kernel_name == "hmac(sha1)" ? "RFC 2404" : "RFC 4868";
  return std::string(alg.setkey_name) + " keys should be " + std::to_string(alg.min_key_bits) + " bits, the hash's output length (" +
         std::string(rfc) + "); a " + std::to_string(key_bits) +
         "-bit key works with the Linux kernel and FreeBSD, but a peer that follows the RFC may refuse it";
}

bool key_length_ok(const AlgorithmInfo& alg, uint32_t key_bits) {
  if (uint16_t block = hmac_block_bits(alg)) return key_bits >= 8 && key_bits <= block && key_bits % 8 == 0;
  if (key_bits < alg.min_key_bits || key_bits > alg.max_key_bits) return false;
  if (alg.key_step_bits == 0) return key_bits == alg.min_key_bits || key_bits == alg.max_key_bits;
  return (key_bits - alg.min_key_bits) % alg.key_step_bits == 0;
}

}  // namespace xfrmpp::model
