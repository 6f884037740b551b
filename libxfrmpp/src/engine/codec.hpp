// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's binary encoding of policies, SAs and events: little-endian fixed-width fields, a presence
// bitmap for optional parts, lengths before every variable part. The reader checks every bound and every
// enumeration value, so a damaged file is an error, never undefined behaviour.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"

namespace xfrmpp::engine {

class Writer {
 public:
  std::string& out() { return out_; }
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put(v); }
  void u32(uint32_t v) { put(v); }
  void u64(uint64_t v) { put(v); }
  void bytes(std::span<const uint8_t> b);  ///< u32 length, then the bytes
  void str(std::string_view s);            ///< u32 length, then the bytes

 private:
  template <typename T>
  void put(T v) {
    char b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out_.append(b, sizeof(T));
  }
  std::string out_;
};

/// A bounds-checked cursor. After the first failure every read returns 0 and ok() stays false.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t left() const { return ok_ ? in_.size() - pos_ : 0; }
  size_t pos() const { return pos_; }
  void fail() { ok_ = false; }
  uint8_t u8() { return get<uint8_t>(); }
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  std::vector<uint8_t> bytes(size_t max);
  std::string str(size_t max);
  /// A count of items each at least `min_item_bytes` long: fails when the rest cannot hold them.
  uint32_t count(size_t min_item_bytes);

 private:
  template <typename T>
  T get() {
    if (!ok_ || in_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return 0;
    }
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>(v | (static_cast<T>(in_[pos_ + i]) << (8 * i)));
    pos_ += sizeof(T);
    return v;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void put_policy(Writer& w, const model::Policy& p);
void put_sa(Writer& w, const model::SecurityAssociation& sa);
/// False (and r failed) on a malformed or out-of-range encoding.
bool get_policy(Reader& r, model::Policy& p);
bool get_sa(Reader& r, model::SecurityAssociation& sa);

void put_event(Writer& w, const Event& e);
bool get_event(Reader& r, Event& e);

/// FNV-1a, 64 bits: detects a damaged or truncated payload (not an adversary).
uint64_t checksum(std::span<const uint8_t> data);

}  // namespace xfrmpp::engine
