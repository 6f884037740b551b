// SPDX-License-Identifier: BSD-3-Clause
// Netlink XFRM notifications (every multicast message setkey -x reads): no sanitizer report on any bytes,
// and what decodes renders as the monitor prints it (JSON and text).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "parsers/setkey_printer.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/netlink/events.hpp"
#include "xfrmpp/render/json.hpp"

using namespace xfrmpp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> msg(data, data + size);  // netlink buffers are aligned; fuzzer input need not be
  auto e = nl::decode_event(msg);
  if (!e) return 0;
  nlohmann::json j = nlohmann::json::object();
  if (e->sa) {
    j["sa"] = render::to_json(*e->sa, {true});
    (void)parsers::setkey::format_sa_dump(*e->sa, {});
  }
  if (e->policy) {
    j["policy"] = render::to_json(*e->policy);
    (void)parsers::setkey::format_policy_dump(*e->policy, {});
  }
  if (fuzz::enabled("json")) fuzz::json_text(j);
  return 0;
}
