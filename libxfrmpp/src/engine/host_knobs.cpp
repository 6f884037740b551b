// SPDX-License-Identifier: BSD-3-Clause
// The host knobs of BSD ipsec(4) that Linux lacks, kept by the engine with their FreeBSD defaults so that
// part 2's packet path can honour them.
#include <array>
#include <cerrno>
#include <string>

#include "engine_impl.hpp"

namespace xfrmpp::engine {

namespace {

struct HostKnob {
  std::string_view name;
  uint32_t fallback;  ///< FreeBSD's boot value
  uint32_t max;
};

constexpr std::array kHostKnobs{
    HostKnob{"dfbit", 0, 2},               // 0 clear, 1 set, 2 copy the inner DF bit
    HostKnob{"ecn", 0, 1},                 // IPv4 tunnels: ECN-friendly (RFC 3168 6.1.1.1) or not
    HostKnob{"ecn6", 0, 1},                // the same for IPv6 (net.inet6.ipsec6.ecn)
    HostKnob{"ah_cleartos", 1, 1},         // clear TOS for the AH ICV (RFC 2402)
    HostKnob{"ah_offsetmask", 0, 0xffff},  // mask on ip_off for the AH ICV
    HostKnob{"debug", 0, ~uint32_t{0}},    // shared by net.inet and net.inet6, as in FreeBSD
};

const HostKnob* find(std::string_view name) {
  for (const auto& k : kHostKnobs)
    if (k.name == name) return &k;
  return nullptr;
}

Error unknown(std::string_view name) {
  return make_error(ENOENT, std::string(name) + ": the engine keeps no such host knob (it has dfbit, ecn, ecn6, "
                                                "ah_cleartos, ah_offsetmask and debug)");
}

}  // namespace

Result<uint32_t> host_knob_value(const EngineState& s, std::string_view name) {
  const HostKnob* k = find(name);
  if (!k) return unknown(name);
  auto it = s.knobs.find(name);
  return it == s.knobs.end() ? k->fallback : it->second;
}

Result<void> check_host_knob(std::string_view name, uint32_t value) {
  const HostKnob* k = find(name);
  if (!k) return unknown(name);
  if (value > k->max)
    return make_error(EINVAL, std::string(name) + ": " + std::to_string(value) + " is out of range (0 to " +
                                  std::to_string(k->max) + ")");
  return {};
}

uint32_t hash_mask_for(size_t n) {
  uint64_t mask = 7;
  while (n > mask && mask < (1u << 20) - 1) mask = mask * 2 + 1;
  return static_cast<uint32_t>(mask);
}

}  // namespace xfrmpp::engine
