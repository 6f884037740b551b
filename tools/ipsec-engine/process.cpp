// SPDX-License-Identifier: BSD-3-Clause
#include "process.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "backend_cli.hpp"
#include "link_layer.hpp"
#include "pcap_io.hpp"
#include "process_report.hpp"
#include "xfrmpp/engine/engine_backend.hpp"

namespace xfrmpp::tools::engine_cli {

namespace {

int fail(const std::string& what) {
  fmt::print(stderr, "ipsec-engine: {}\n", what);
  return 1;
}

std::vector<CounterDelta> counter_deltas(const std::vector<engine::PacketCounter>& before,
                                         const std::vector<engine::PacketCounter>& after) {
  std::vector<CounterDelta> out;
  for (size_t i = 0; i < after.size(); ++i) {
    uint64_t was = i < before.size() && before[i].name == after[i].name ? before[i].value : 0;
    if (after[i].value == 0 && was == 0) continue;
    out.push_back({std::string(after[i].name), after[i].value - was, after[i].value});
  }
  return out;
}

}  // namespace

int process(const ProcessFlags& f) {
  auto reader = PcapReader::open(f.read_path);
  if (!reader) return fail(f.read_path + ": " + reader.error().message);
  int dlt = reader->link_type();
  if (!link_type_supported(dlt))
    return fail(fmt::format("{}: unsupported link type {}; supported: RAW, IPV4, IPV6, EN10MB (Ethernet)",
                            f.read_path, link_type_name(dlt)));

  BackendOptions bo;
  bo.kind = BackendKind::engine;
  if (!f.state.empty()) bo.state = f.state;
  std::filesystem::path state = engine_state_path(bo);
  // Opening a missing state would create an empty one, and an empty SPD passes every packet in clear:
  // a mistyped --state must not look like a policy that protects nothing.
  std::error_code ec;
  if (!std::filesystem::exists(state, ec)) return fail(state.string() + ": no such state file");
  engine::EngineOptions eo;
  eo.state = state;
  eo.read_only = false;
  auto be = engine::EngineBackend::open(eo);
  if (!be) return fail(state.string() + ": " + be.error().message);
  engine::EngineBackend& engine = **be;
  // A capture is many lookups in an SPD that packets do not change: the compiled form pays off.
  engine.prepare_lookups();

  auto writer = PcapWriter::create(f.write_path, dlt, reader->precision());
  if (!writer) return fail(f.write_path + ": " + writer.error().message);

  ProcessSummary s;
  s.outbound = f.outbound;
  s.link_type = link_type_name(dlt);
  std::vector<engine::PacketCounter> before = engine.packet_counters();
  std::vector<uint8_t> result, frame;
  for (;;) {
    auto rec = reader->next();
    if (!rec) return fail(f.read_path + ": " + rec.error().message);
    if (!*rec) break;
    const PcapRecord& r = **rec;
    ++s.read;
    if (r.data.size() < r.wire_length) {
      ++s.cut_short;
      ++s.dropped;
      continue;
    }
    LinkFrame lf = split_frame(dlt, r.data);
    if (!lf.is_ip) {
      ++s.non_ip;
      ++s.passed;
      writer->write(r.ts, r.data);
      continue;
    }
    engine::PacketOutcome o = f.outbound ? engine.output(lf.ip, result) : engine.input(lf.ip, result);
    if (o.verdict == engine::PacketOutcome::Verdict::consumed) {
      ++s.consumed;
      continue;
    }
    if (o.verdict == engine::PacketOutcome::Verdict::drop) {
      ++s.dropped;
      ++s.drops[{std::string(o.counter), std::string(o.reason)}];
      continue;
    }
    if (!join_frame(dlt, lf.link_header, result, frame)) {
      ++s.unwritable;
      ++s.dropped;
      continue;
    }
    ++s.passed;
    if (o.transformed) ++s.transformed;
    writer->write(r.ts, frame);
  }
  s.counters = counter_deltas(before, engine.packet_counters());
  s.events = engine.packet_events();
  // The state first: output written without it would let the next run reuse sequence numbers, and
  // with them AES-GCM nonces. A state saved without the output only leaves a gap in the numbers.
  if (auto c = engine.commit_packets(); !c) return fail(state.string() + ": " + c.error().message);
  if (auto c = writer->commit(); !c) return fail(c.error().message);
  std::string text = f.json ? summary_json_text(s) : summary_table(s);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace xfrmpp::tools::engine_cli
