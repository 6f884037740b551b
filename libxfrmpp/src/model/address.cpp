// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/model/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace xfrmpp::model {

namespace {

// Strict dotted quad (four decimal parts 0..255, no leading zeros beyond "0"), as inet_pton(AF_INET)
// accepts; written out because address parsing dominates validating large policy files.
bool parse_v4(std::string_view s, uint8_t* out) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    unsigned v = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (v > 255 || i - start >= 3) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

std::optional<Address> Address::parse(std::string_view text) {
  Address a;
  // v4 first: it takes only digits and dots, so a v6 text fails at its first ':' and no pre-scan of the
  // text is needed for the common case (a million-line input parses two addresses a line).
  if (parse_v4(text, a.bytes.data())) {
    a.family = Family::inet;
    return a;
  }
  if (text.find(':') == std::string_view::npos) return std::nullopt;
  // inet_pton needs a terminated string; addresses are short, so a stack copy is enough.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  a.family = Family::inet6;
  return a;
}

Address Address::v4(uint32_t host_order) {
  Address a;
  a.family = Family::inet;
  uint32_t n = htonl(host_order);
  std::memcpy(a.bytes.data(), &n, 4);
  return a;
}

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  switch (family) {
    case Family::inet: return inet_ntop(AF_INET, bytes.data(), buf, sizeof buf) ? buf : "?";
    case Family::inet6: return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) ? buf : "?";
    case Family::unspec: break;
  }
  return "";
}

bool Address::is_zero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::string_view family_name(Family f) {
  switch (f) {
    case Family::inet: return "inet";
    case Family::inet6: return "inet6";
    case Family::unspec: break;
  }
  return "unspec";
}

Prefix masked(Prefix p) {
  size_t bits = p.addr.max_prefix();
  if (p.len > bits) p.len = static_cast<uint8_t>(bits);
  for (size_t i = 0; i < bits / 8; ++i) {
    size_t keep = p.len > i * 8 ? p.len - i * 8 : 0;
    if (keep < 8) p.addr.bytes[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  return p;
}

bool contains(const Prefix& p, const Address& a) {
  // On the engine's SPD lookup path: compare in place, no masked copies.
  uint8_t full = p.len / 8, rest = p.len % 8;
  for (uint8_t i = 0; i < full && i < 16; ++i)
    if (p.addr.bytes[i] != a.bytes[i]) return false;
  if (rest == 0 || full >= 16) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (p.addr.bytes[full] & mask) == (a.bytes[full] & mask);
}

}  // namespace xfrmpp::model
