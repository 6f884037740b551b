// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// XFRM SA messages: NEW/UPD/DEL/GET/FLUSH SA, ALLOCSPI and the SA dump request. Pure codecs:
// encoders write one message into caller memory and return its length; decoders take one whole message.
#include <cstdint>
#include <optional>
#include <span>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/sa.hpp"
#include "xfrmpp/netlink/message.hpp"
#include "xfrmpp/netlink/uapi.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// XFRM_MSG_NEWSA or UPDSA (`type`). Auth always goes as XFRMA_ALG_AUTH_TRUNC with icv_bits (0 = kernel
/// default), AEAD as XFRMA_ALG_AEAD; key lengths are bytes * 8. A window over 32 or ESN goes as
/// XFRMA_REPLAY_ESN_VAL (legacy replay_window 0), else in the legacy u8. The ESN flag comes from replay.esn.
/// EINVAL for another type, an algorithm name over 63 bytes, or a window over 4096.
Result<size_t> encode_sa(std::span<uint8_t> out, uint16_t type, const model::SecurityAssociation& sa,
                         const Request& req = {});
/// A NEWSA/UPDSA message (request, GETSA/ALLOCSPI reply or dump entry) back to the model. AUTH_TRUNC wins
/// over ALG_AUTH (dumps carry both); replay.esn carries the ESN flag, which `flags` then omits.
Result<model::SecurityAssociation> decode_sa(std::span<const uint8_t> msg);

/// XFRM_MSG_DELSA or GETSA (`type`): xfrm_usersa_id + MARK, SRCADDR (when src is set), IF_ID.
Result<size_t> encode_sa_id(std::span<uint8_t> out, uint16_t type, const model::SaId& id, const Request& req = {});
Result<model::SaId> decode_sa_id(std::span<const uint8_t> msg);

/// XFRM_MSG_FLUSHSA: xfrm_usersa_flush; nullopt flushes every protocol.
Result<size_t> encode_sa_flush(std::span<uint8_t> out, std::optional<model::Protocol> proto, const Request& req = {});
Result<std::optional<model::Protocol>> decode_sa_flush(std::span<const uint8_t> msg);

/// Address filter of an SA dump (xfrm_address_filter).
struct SaAddressFilter {
  model::Family family = model::Family::unspec;
  model::Prefix src, dst;
  auto operator<=>(const SaAddressFilter&) const = default;
};

/// What an SA dump returns; both parts optional.
struct SaDumpFilter {
  std::optional<model::Protocol> proto;
  std::optional<SaAddressFilter> addresses;
  auto operator<=>(const SaDumpFilter&) const = default;
};

/// GETSA with NLM_F_DUMP. The body is only the optional XFRMA_PROTO and XFRMA_ADDRESS_FILTER attributes:
/// a leading xfrm_usersa_id would make the kernel complain about leftover bytes.
Result<size_t> encode_sa_dump(std::span<uint8_t> out, uint32_t seq, const SaDumpFilter& filter = {});
Result<SaDumpFilter> decode_sa_dump(std::span<const uint8_t> msg);

/// An ALLOCSPI request: the larval SA (addresses, proto, mode, reqid, seq, mark, if_id, dir) and the SPI range.
struct AllocSpiRequest {
  model::SecurityAssociation sa;
  uint32_t min = 0, max = 0;
};

/// XFRM_MSG_ALLOCSPI: xfrm_userspi_info + MARK, IF_ID, SA_DIR. The kernel answers with a NEWSA (decode_sa).
Result<size_t> encode_alloc_spi(std::span<uint8_t> out, const model::SecurityAssociation& sa, uint32_t min,
                                uint32_t max, const Request& req = {});
Result<AllocSpiRequest> decode_alloc_spi(std::span<const uint8_t> msg);

/// The model of an SA from its fixed struct and the message's attributes (dumps, DELSA, EXPIRE...).
Result<model::SecurityAssociation> sa_from_parts(const xfrm_usersa_info& info, const AttrTable& attrs);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
