// SPDX-License-Identifier: BSD-3-Clause
// Netlink policy messages (NEW/UPD/DEL/GET/FLUSH POLICY): no sanitizer report on any bytes; a decoded policy
// renders as JSON and as `setkey -DP` text, and encoding it again decodes to the same policy.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "parsers/setkey_printer.hpp"
#include "support/fuzz_check.hpp"
#include "xfrmpp/netlink/policy.hpp"
#include "xfrmpp/render/json.hpp"

using namespace xfrmpp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> msg(data, data + size);  // netlink buffers are aligned; fuzzer input need not be
  (void)nl::decode_policy_id(msg);
  (void)nl::decode_policy_flush(msg);
  auto p = nl::decode_policy(msg);
  if (!p) return 0;
  nlohmann::json j = render::to_json(*p);
  if (fuzz::enabled("json")) fuzz::json_text(j);
  (void)parsers::setkey::format_policy_dump(*p, {});
  (void)parsers::setkey::format_spdadd(*p);
  // A number no kernel sends (a direction past fwd) is kept as is and the encoder maps it somewhere:
  // nothing to compare then.
  if (!fuzz::enabled("roundtrip") || fuzz::has_unnamed_enum(j)) return 0;
  std::vector<uint8_t> out(size + 4096);
  auto n = nl::encode_policy(out, XFRM_MSG_NEWPOLICY, *p);
  if (!n) return 0;  // a policy the encoder refuses (documented EINVAL cases)
  auto back = nl::decode_policy(std::span<const uint8_t>(out.data(), *n));
  fuzz::require(back.ok(), "roundtrip", "re-encoded policy does not decode: " + (back ? std::string() : back.error().message));
  nlohmann::json k = render::to_json(*back);
  if (j != k) fuzz::fail("roundtrip", "policy changed through encode:\nbefore: " + j.dump() + "\nafter:  " + k.dump());
  return 0;
}
