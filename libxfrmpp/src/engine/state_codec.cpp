// SPDX-License-Identifier: BSD-3-Clause
#include <cerrno>
#include <cstring>

#include "codec.hpp"
#include "engine_state.hpp"

namespace xfrmpp::engine {

namespace {

void put_action(Writer& w, model::PolicyAction a) { w.u8(static_cast<uint8_t>(a)); }

bool get_action(Reader& r, model::PolicyAction& a) {
  uint8_t v = r.u8();
  if (v > 1) return false;
  a = static_cast<model::PolicyAction>(v);
  return r.ok();
}

// The smallest encodings, so a count cannot claim more items than the bytes left could hold.
constexpr size_t kMinPolicyBytes = 40;
constexpr size_t kMinSaBytes = 120;
constexpr size_t kMinKnobBytes = 8;

}  // namespace

std::string encode_state(const EngineState& s) {
  // The header goes first with its length and checksum left as zeros and filled in at the end, so the
  // file is built in one buffer (about 110 bytes a policy and 250 an SA: one allocation for 100k
  // policies) and never copied.
  Writer body;
  body.out().reserve(kStateHeaderBytes + 64 + s.spd.size() * 128 + s.sad.size() * 320);
  body.out().append(kStateMagic, sizeof kStateMagic);
  body.u32(kStateVersion);
  body.u32(0);  // flags, none defined
  constexpr size_t kLengthAt = sizeof kStateMagic + 8;
  body.u64(0);  // payload length
  body.u64(0);  // checksum
  put_action(body, s.default_in);
  put_action(body, s.default_fwd);
  put_action(body, s.default_out);
  for (uint8_t b : {s.v4_lbits, s.v4_rbits, s.v6_lbits, s.v6_rbits}) body.u8(b);
  body.u32(s.idx_generator);
  body.u64(s.generation);
  body.u64(s.next_event_seq);
  body.u32(static_cast<uint32_t>(s.knobs.size()));
  for (const auto& [name, value] : s.knobs) {
    body.str(name);
    body.u32(value);
  }
  body.u32(static_cast<uint32_t>(s.counters.size()));
  for (const auto& [name, value] : s.counters) {
    body.str(name);
    body.u64(value);
  }
  body.u32(static_cast<uint32_t>(s.spd.size()));
  s.spd.for_each([&](const model::Policy& p) { put_policy(body, p); });
  auto sas = s.sad.entries();
  body.u32(static_cast<uint32_t>(sas.size()));
  for (const SaEntry* e : sas) {
    body.u8(e->larval ? 1 : 0);
    body.u64(e->expires);
    put_sa(body, e->sa);
    body.u8(e->dying ? 1 : 0);
    body.u32(static_cast<uint32_t>(e->replay_bits.size()));
    for (uint64_t w : e->replay_bits) body.u64(w);
  }
  std::string& out = body.out();
  auto payload = std::span(reinterpret_cast<const uint8_t*>(out.data()), out.size()).subspan(kStateHeaderBytes);
  Writer tail;
  tail.u64(payload.size());
  tail.u64(checksum(payload));
  out.replace(kLengthAt, tail.out().size(), tail.out());
  return std::move(out);
}

Result<EngineState> decode_state(std::span<const uint8_t> data, std::string_view what) {
  std::string name(what);
  if (data.size() < sizeof kStateMagic || std::memcmp(data.data(), kStateMagic, sizeof kStateMagic) != 0)
    return make_error(EINVAL, name + ": not an xfrmpp engine state file (wrong magic)");
  Reader h(data.subspan(sizeof kStateMagic));
  uint32_t version = h.u32();
  uint32_t flags = h.u32();
  uint64_t length = h.u64();
  uint64_t sum = h.u64();
  if (!h.ok()) return make_error(EBADMSG, name + ": damaged engine state file (truncated header)");
  if (version > kStateVersion)
    return make_error(EPROTO, name + ": engine state file version " + std::to_string(version) +
                                  " is newer than this xfrmpp understands (" + std::to_string(kStateVersion) + ")");
  if (version == 0) return make_error(EBADMSG, name + ": damaged engine state file (version 0)");
  if (flags != 0) return make_error(EBADMSG, name + ": damaged engine state file (unknown flags)");
  auto payload = data.subspan(kStateHeaderBytes);
  if (length != payload.size())
    return make_error(EBADMSG, name + ": damaged engine state file (length " + std::to_string(payload.size()) +
                                   ", header says " + std::to_string(length) + ")");
  if (checksum(payload) != sum) return make_error(EBADMSG, name + ": damaged engine state file (checksum mismatch)");

  auto bad = [&name](std::string_view why) { return make_error(EBADMSG, name + ": damaged engine state file (" + std::string(why) + ")"); };
  EngineState s;
  Reader r(payload);
  if (!get_action(r, s.default_in) || !get_action(r, s.default_fwd) || !get_action(r, s.default_out))
    return bad("default policy");
  s.v4_lbits = r.u8();
  s.v4_rbits = r.u8();
  s.v6_lbits = r.u8();
  s.v6_rbits = r.u8();
  if (s.v4_lbits > 32 || s.v4_rbits > 32 || s.v6_lbits > 128 || s.v6_rbits > 128) return bad("hash thresholds");
  s.idx_generator = r.u32();
  s.generation = r.u64();
  s.next_event_seq = r.u64();
  uint32_t nknobs = r.count(kMinKnobBytes);
  for (uint32_t i = 0; i < nknobs && r.ok(); ++i) {
    std::string k = r.str(64);
    s.knobs[k] = r.u32();
  }
  if (!r.ok()) return bad("knobs");
  if (version >= 2) {
    uint32_t ncounters = r.count(kMinKnobBytes);
    for (uint32_t i = 0; i < ncounters && r.ok(); ++i) {
      std::string k = r.str(64);
      s.counters[k] = r.u64();
    }
    if (!r.ok()) return bad("counters");
  }
  uint32_t npol = r.count(kMinPolicyBytes);
  for (uint32_t i = 0; i < npol; ++i) {
    model::Policy p;
    if (!get_policy(r, p)) return bad("policy " + std::to_string(i));
    if (p.index == 0) return bad("policy " + std::to_string(i) + " has no index");
    model::PolicyId by_index;
    by_index.index = p.index;
    if (s.spd.get(by_index).ok()) return bad("policy " + std::to_string(i) + " repeats index " + std::to_string(p.index));
    auto in = s.spd.insert(std::move(p), false);
    if (!in) return bad("policy " + std::to_string(i) + ": " + in.error().message);
  }
  if (!r.ok()) return bad("policy count");
  uint32_t nsa = r.count(kMinSaBytes);
  for (uint32_t i = 0; i < nsa; ++i) {
    SaEntry e;
    uint8_t larval = r.u8();
    e.expires = r.u64();
    if (larval > 1 || !get_sa(r, e.sa)) return bad("SA " + std::to_string(i));
    if (version >= 2) {
      uint8_t dying = r.u8();
      // A window is at most 4096 packets: 64 words of its bits.
      uint32_t words = r.u32();
      if (dying > 1 || words > 64 || words > (e.sa.replay.window + 63) / 64) return bad("SA " + std::to_string(i) + " replay window");
      e.dying = dying == 1;
      e.replay_bits.resize(words);
      for (uint64_t& w : e.replay_bits) w = r.u64();
      if (!r.ok()) return bad("SA " + std::to_string(i));
    }
    e.larval = larval == 1;
    if (s.sad.find(e.sa.dst, e.sa.spi, e.sa.proto, mark_value(e.sa.mark))) return bad("duplicate SA " + std::to_string(i));
    s.sad.insert(std::move(e));
  }
  if (!r.ok()) return bad("SA count");
  if (r.left() != 0) return bad("trailing bytes");
  return s;
}

}  // namespace xfrmpp::engine
