#include "xfrmpp/model/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace xfrmpp::model {

std::optional<Address> Address::parse(std::string_view text) {
  // inet_pton needs a terminated string; addresses are short, so a stack copy is enough.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
    a.family = Family::inet;
  } else {
    if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
    a.family = Family::inet6;
  }
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

}  // namespace xfrmpp::model
