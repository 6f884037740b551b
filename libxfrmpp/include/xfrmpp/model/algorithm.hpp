// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// One Algorithm registry: setkey, Solaris and kernel names, key sizes (salt included) and ICV sizes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// Which XFRMA_ALG_* attribute carries the algorithm.
enum class AlgKind : uint8_t { auth, crypt, aead, comp };

struct AlgorithmInfo {
  AlgKind kind;
  std::string_view setkey_name;       ///< canonical setkey spelling, "" when setkey has none
  std::string_view setkey_aliases;    ///< space separated, e.g. "hmac-sha2-256"
  std::string_view solaris_names;     ///< space separated ipseckey/ipsecconf names
  std::string_view kernel_name;       ///< crypto API name as the kernel stores it; "" = unsupported on Linux
  uint16_t min_key_bits;              ///< including salt/nonce
  uint16_t max_key_bits;
  uint16_t key_step_bits;             ///< 0 = only min and max; otherwise every step in between
  uint16_t salt_bits;                 ///< appended to the key (CTR nonce, GCM/CCM salt)
  uint16_t icv_bits;                  ///< AUTH_TRUNC trunc_len / AEAD icv_len; 0 for crypt/comp
  uint8_t sadb_id;                    ///< PF_KEY number (policy template masks, dumps); 0 = none
  std::string_view unsupported_why;   ///< non-empty: Linux cannot do it, and this is why
};

/// Every algorithm known to any front end, supported or not.
std::span<const AlgorithmInfo> algorithms();

/// Look up by setkey name or alias within a kind family (-E: crypt or aead; -A: auth; -C: comp).
const AlgorithmInfo* find_setkey_algorithm(std::string_view name, std::span<const AlgKind> kinds);
/// Look up by Solaris name.
const AlgorithmInfo* find_solaris_algorithm(std::string_view name, std::span<const AlgKind> kinds);
/// Look up by the kernel name and, for auth/aead, the ICV length in bits (0 = any).
const AlgorithmInfo* find_kernel_algorithm(std::string_view kernel_name, AlgKind kind, uint32_t icv_bits = 0);
/// The hash's block size in bits for an HMAC, 0 for every other algorithm. HMAC uses a key up to this
/// long as it is (RFC 2104).
uint16_t hmac_block_bits(const AlgorithmInfo& alg);
/// The shortest and longest key accepted, salt included: the table's sizes, except that an HMAC takes
/// any whole number of bytes up to its block size, as FreeBSD does and the kernel accepts.
uint32_t accepted_min_key_bits(const AlgorithmInfo& alg);
uint32_t accepted_max_key_bits(const AlgorithmInfo& alg);
/// True when key_bits is a length the algorithm accepts (salt included).
bool key_length_ok(const AlgorithmInfo& alg, uint32_t key_bits);
/// For an accepted length that is not the one the algorithm's RFC prescribes (an HMAC key that is not
/// the hash's output length): what to warn about. Empty when there is nothing to say.
std::string key_length_warning(const AlgorithmInfo& alg, uint32_t key_bits);

}  // namespace xfrmpp::model

#pragma GCC visibility pop
