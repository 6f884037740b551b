// SPDX-License-Identifier: BSD-3-Clause
// Seeds of engine_packet_fuzz: what the sender of tests/engine/packet_mix puts on the wire for each flow
// (ESP transport and tunnel, AH, IPComp in ESP, ESP in UDP, IPv6), at a few payload sizes.
#include "make_packet_seeds.hpp"

#include <cstdio>
#include <fstream>

#include "packet_mix.hpp"

namespace fs = std::filesystem;

int write_packet_seeds(const fs::path& corpus) {
  auto mix = pmix::make_mix(fs::temp_directory_path());
  if (!mix) {
    std::fprintf(stderr, "make_seeds: packet mix: %s\n", mix.error().message.c_str());
    return -1;
  }
  fs::create_directories(corpus);
  int n = 0;
  std::vector<uint8_t> wire;
  for (size_t flow = 0; flow < pmix::kFlows; ++flow)
    for (size_t len : {1, 60, 400}) {
      // IPComp only compresses what is long and compressible enough: flow 3 gets zeros over 100 bytes.
      auto plain = pmix::plain_packet(flow, flow == 3 ? len + 200 : len, flow == 3 ? 0 : 0x41);
      auto o = (*mix)->a->output(plain, wire);
      if (o.verdict != xfrmpp::engine::PacketOutcome::Verdict::pass) continue;
      std::ofstream f(corpus / ("flow" + std::to_string(flow) + "-" + std::to_string(len)), std::ios::binary);
      f.write(reinterpret_cast<const char*>(wire.data()), static_cast<std::streamsize>(wire.size()));
      ++n;
    }
  return n;
}
