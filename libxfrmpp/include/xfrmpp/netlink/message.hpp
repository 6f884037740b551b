// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Netlink message plumbing shared by every XFRM codec: a bounds-checked writer over caller memory,
// a validated message walk, a validated attribute table and NLMSG_ERROR / extended-ACK parsing.
#include <linux/netlink.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "xfrmpp/diag/result.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// Header fields the caller chooses for a request; the encoder picks the message type.
struct Request {
  uint32_t seq = 0;
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
};

/// Writes one netlink message into caller-owned memory (4-byte aligned, as netlink requires). Every put
/// is bounds-checked; after the first one that does not fit the writer stays failed and finish()
/// returns EMSGSIZE, so encoders need not test each put. Never allocates.
class MessageWriter {
 public:
  MessageWriter(std::span<uint8_t> out, uint16_t type, const Request& req);

  /// Appends the fixed struct that follows the header. Copied bytewise, so `out` needs no 8-byte alignment.
  void put_fixed(const void* data, size_t len);
  template <typename T>
  void put_fixed(const T& v) { put_fixed(&v, sizeof v); }

  void put_attr(uint16_t type, const void* data, size_t len);
  template <typename T>
  void put_attr(uint16_t type, const T& v) { put_attr(type, &v, sizeof v); }
  void put_u8(uint16_t type, uint8_t v);
  void put_u32(uint16_t type, uint32_t v);
  /// One attribute made of a fixed head and a variable tail (algorithm + key, ESN state + bitmap, ...).
  /// A null `tail` writes `tail_len` zero bytes.
  void put_attr2(uint16_t type, const void* head, size_t head_len, const void* tail, size_t tail_len);

  /// Marks the message as unencodable (a length its fields cannot express); finish() then fails.
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  /// The message length (nlmsg_len), or EMSGSIZE when something did not fit.
  Result<size_t> finish() const;

 private:
  uint8_t* reserve_attr(uint16_t type, size_t len);

  nlmsghdr* nlh_ = nullptr;
  size_t cap_ = 0;
  bool ok_ = true;
};

/// Copy of a message's header; `msg` must hold at least sizeof(nlmsghdr) bytes.
nlmsghdr header_of(std::span<const uint8_t> msg);

/// Iterates the messages of one received datagram, validating every length (libmnl's nlmsg_ok/next).
class MessageWalker {
 public:
  explicit MessageWalker(std::span<const uint8_t> datagram) : rest_(datagram) {}
  /// The next complete message, or nullopt at the end or on a malformed length (then malformed()).
  std::optional<std::span<const uint8_t>> next();
  bool malformed() const { return malformed_; }

 private:
  std::span<const uint8_t> rest_;
  bool malformed_ = false;
};

/// Minimum payload length per attribute type; `known == false` (or a type past the table) is skipped.
struct AttrRule {
  bool known = false;
  uint16_t min_len = 0;
};

/// The attributes of one message, indexed by type after length validation. Unknown types are skipped;
/// a repeated type keeps the last occurrence, as the kernel does.
class AttrTable {
 public:
  static constexpr size_t kSlots = 64;

  /// Parses the attributes that follow `fixed_len` payload bytes of `msg` (a whole, 4-byte aligned message).
  /// EBADMSG when the message is shorter than its fixed part, an attribute overruns, or one is too short.
  static Result<AttrTable> parse(std::span<const uint8_t> msg, size_t fixed_len, std::span<const AttrRule> rules);

  bool has(uint16_t type) const { return type < kSlots && present_[type]; }
  std::span<const uint8_t> payload(uint16_t type) const { return has(type) ? attrs_[type] : std::span<const uint8_t>{}; }
  /// The payload copied into T; nullopt when absent. Rules guarantee the minimum length, shorter tails are zeroed.
  template <typename T>
  std::optional<T> get(uint16_t type) const {
    if (!has(type)) return std::nullopt;
    T v{};
    std::memcpy(&v, attrs_[type].data(), std::min(sizeof v, attrs_[type].size()));
    return v;
  }
  /// As get(), for structs std::optional cannot hold (those ending in a flexible array). False when absent.
  template <typename T>
  bool read(uint16_t type, T& out) const {
    if (!has(type)) return false;
    out = T{};
    std::memcpy(&out, attrs_[type].data(), std::min(sizeof out, attrs_[type].size()));
    return true;
  }

 private:
  std::array<std::span<const uint8_t>, kSlots> attrs_{};
  std::array<bool, kSlots> present_{};
};

/// Copies the fixed struct that starts a message's payload; nullopt when the message is too short.
template <typename T>
std::optional<T> read_fixed(std::span<const uint8_t> msg) {
  if (msg.size() < NLMSG_HDRLEN + sizeof(T)) return std::nullopt;
  T v{};
  std::memcpy(&v, msg.data() + NLMSG_HDRLEN, sizeof v);
  return v;
}

/// What an NLMSG_ERROR says: errno (0 for a plain ACK), the seq it answers and the extended ACK.
struct KernelAck {
  uint32_t seq = 0;
  int code = 0;                         ///< positive errno; 0 = success
  std::string extack;                   ///< NLMSGERR_ATTR_MSG, empty when the kernel sent none
  std::optional<uint32_t> bad_offset;   ///< NLMSGERR_ATTR_OFFS: byte offset of the offending attribute
};

/// Parses an NLMSG_ERROR message (capped or not, with or without TLVs). EBADMSG when it is not one.
Result<KernelAck> parse_ack(std::span<const uint8_t> msg);

/// The error value for a failed kernel request: the errno and "strerror (kernel: extack)".
Error kernel_error(int code, std::string_view extack);

/// True when the kernel flagged a dump part as inconsistent (the table changed while dumping).
bool dump_interrupted(std::span<const uint8_t> msg);

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
