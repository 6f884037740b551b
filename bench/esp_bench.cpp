// SPDX-License-Identifier: BSD-3-Clause
// ESP throughput of the engine's packet path: output() at sender A and input() at receiver B per
// packet, for AES-128-GCM, ChaCha20-Poly1305 and AES-128-CBC+HMAC-SHA-256 at 64, 512 and 1400 payload
// bytes, against `openssl speed` in the same run. A second table splits the per-packet cost at 64 bytes
// into the cipher (seal on a prepared context, the crypto layer's own call) and the rest of the path.
// Usage: esp_bench [--seconds S] [--no-openssl]; bench/esp.sh runs it on one core.
#include <algorithm>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/crypto/esp_transform.hpp"
#include "esp_bench_setup.hpp"
#include "openssl_speed.hpp"

using namespace xfrmpp;
using esp_bench::Algorithm;
using esp_bench::Hosts;

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kSizes[] = {64, 512, 1400};

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

[[noreturn]] void die(const std::string& what) {
  fmt::print(stderr, "esp_bench: {}\n", what);
  std::exit(1);
}

void check(const engine::PacketOutcome& o, const char* where) {
  if (o.verdict != engine::PacketOutcome::Verdict::pass || !o.transformed)
    die(fmt::format("{}: the packet was not transformed ({}: {})", where, o.counter, o.reason));
}

// Seconds per call of f, calling it in rounds of 1024 until `min_seconds` have passed.
template <typename F>
double per_call(double min_seconds, F&& f) {
  size_t n = 0;
  auto t0 = Clock::now();
  double t = 0;
  do {
    for (int i = 0; i < 1024; ++i) f();
    n += 1024;
    t = since(t0);
  } while (t < min_seconds);
  return t / static_cast<double>(n);
}

template <typename F>
double best_of_3(F&& measure) {
  double best = measure();
  for (int i = 0; i < 2; ++i) best = std::min(best, measure());
  return best;
}

struct Row {
  double out_s = 0, in_s = 0;  // seconds per packet
  double cipher_s = 0;         // seal alone
  std::optional<double> openssl;  // bytes per second
};

double output_cost(engine::EngineBackend& a, const std::vector<uint8_t>& pkt, double secs) {
  std::vector<uint8_t> out;
  check(a.output(pkt, out), "output");
  return per_call(secs, [&] { a.output(pkt, out); });
}

// B sees each packet once, in order (its replay window rejects a second copy), so A makes a batch of
// ESP packets first and only B's input() is timed.
double input_cost(engine::EngineBackend& a, engine::EngineBackend& b, const std::vector<uint8_t>& pkt, double secs) {
  constexpr size_t kBatch = 8192;
  std::vector<std::vector<uint8_t>> batch(kBatch);
  std::vector<uint8_t> plain;
  double spent = 0;
  size_t n = 0;
  do {
    for (auto& e : batch) check(a.output(pkt, e), "output for input");
    check(b.input(batch[0], plain), "input");
    auto t0 = Clock::now();
    for (size_t i = 1; i < kBatch; ++i) b.input(batch[i], plain);
    spent += since(t0);
    n += kBatch - 1;
  } while (spent < secs);
  return spent / static_cast<double>(n);
}

// The crypto layer's seal() on a context keyed once, over the ESP layout output() builds for `payload`
// bytes of UDP payload: SPI, sequence, IV, UDP header + payload + padding + pad length + next header, ICV.
double cipher_cost(const Algorithm& alg, size_t payload, double secs) {
  auto t = engine::crypto::EspTransform::make(alg.sa);
  if (!t) die(alg.label + ": " + t.error().message);
  auto sz = (*t)->sizes();
  size_t body = (8 + payload + 2 + sz.block - 1) / sz.block * sz.block;
  std::vector<uint8_t> esp(8 + sz.iv + body + sz.icv, 0x33);
  uint64_t seq = 0;
  return per_call(secs, [&] {
    ++seq;
    (*t)->fill_iv(std::span(esp).subspan(8, sz.iv), seq);
    if (!(*t)->seal(esp, 0, false)) die(alg.label + ": seal failed");
  });
}

std::optional<double> openssl_rate(const Algorithm& alg, size_t bytes) {
  auto c = esp_bench::openssl_cipher_speed(alg.openssl, bytes, 1);
  if (!c || alg.openssl_hmac.empty()) return c;
  // Encrypt-then-MAC passes every byte through both: their times add.
  auto h = esp_bench::openssl_hmac_speed(alg.openssl_hmac, bytes, 1);
  if (!h) return std::nullopt;
  return 1.0 / (1.0 / *c + 1.0 / *h);
}

std::string gbit(double bytes_per_s) { return fmt::format("{:.2f}", bytes_per_s * 8 / 1e9); }

}  // namespace

int main(int argc, char** argv) {
  double secs = 0.3;
  bool with_openssl = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) secs = std::atof(argv[++i]);
    else if (a == "--no-openssl") with_openssl = false;
    else die("usage: esp_bench [--seconds S] [--no-openssl]");
  }
  std::vector<Algorithm> algs = esp_bench::algorithms();
  auto hosts = esp_bench::make_hosts(algs);
  if (!hosts) die("setting up the engines: " + hosts.error().message);
  Hosts& h = **hosts;

  std::vector<std::vector<Row>> rows(algs.size(), std::vector<Row>(std::size(kSizes)));
  for (size_t ai = 0; ai < algs.size(); ++ai)
    for (size_t si = 0; si < std::size(kSizes); ++si) {
      auto pkt = esp_bench::udp_packet(Hosts::src(ai), Hosts::dst(ai), kSizes[si]);
      Row& r = rows[ai][si];
      // Best of three: noise on a shared machine only ever slows a round down.
      r.out_s = best_of_3([&] { return output_cost(*h.a, pkt, secs); });
      r.in_s = best_of_3([&] { return input_cost(*h.a, *h.b, pkt, secs); });
      r.cipher_s = best_of_3([&] { return cipher_cost(algs[ai], kSizes[si], secs); });
      if (with_openssl)
        for (int i = 0; i < 3; ++i)  // best of three as well, so that noise cannot flatter the ratio
          if (auto rate = openssl_rate(algs[ai], kSizes[si]); rate && (!r.openssl || *rate > *r.openssl)) r.openssl = rate;
    }

  fmt::print("ESP transport, IPv4/UDP, one core; Gbit/s count the UDP payload bytes; openssl = `openssl speed -evp`\n");
  fmt::print("(CBC+SHA-256: -evp aes-128-cbc and -hmac sha256 combined, 1/(1/a+1/b)); ratio = engine / openssl;\n");
  fmt::print("seal = the crypto layer's seal() alone on a context keyed once, Gbit/s of the same payload\n\n");
  fmt::print("{:<19} {:>5} | {:>9} {:>7} {:>6} | {:>9} {:>7} {:>6} | {:>8} {:>8}\n", "algorithm", "bytes", "out Mpps",
             "Gbit/s", "ratio", "in Mpps", "Gbit/s", "ratio", "seal", "openssl");
  fmt::print("{:-<19}-{:->5}-+-{:->9}-{:->7}-{:->6}-+-{:->9}-{:->7}-{:->6}-+-{:->8}-{:->8}\n", "", "", "", "", "", "", "", "",
             "", "");
  for (size_t ai = 0; ai < algs.size(); ++ai)
    for (size_t si = 0; si < std::size(kSizes); ++si) {
      const Row& r = rows[ai][si];
      double out_bps = kSizes[si] / r.out_s, in_bps = kSizes[si] / r.in_s;
      auto ratio = [&](double bps) { return r.openssl ? fmt::format("{:.0f}%", 100 * bps / *r.openssl) : "-"; };
      fmt::print("{:<19} {:>5} | {:>9.3f} {:>7} {:>6} | {:>9.3f} {:>7} {:>6} | {:>8} {:>8}\n", algs[ai].label, kSizes[si],
                 1e-6 / r.out_s, gbit(out_bps), ratio(out_bps), 1e-6 / r.in_s, gbit(in_bps), ratio(in_bps),
                 gbit(kSizes[si] / r.cipher_s), r.openssl ? gbit(*r.openssl) : "-");
    }

  // Where a small packet's time goes: the cipher, the SPD decision, one copy of the packet, the rest.
  fmt::print("\nPer packet at 64 bytes, nanoseconds (output path):\n");
  fmt::print("{:<19} {:>8} {:>8} {:>8} {:>8} {:>8}   {}\n", "algorithm", "output", "cipher", "SPD", "copy", "rest",
             "input");
  for (size_t ai = 0; ai < algs.size(); ++ai) {
    auto pkt = esp_bench::udp_packet(Hosts::src(ai), Hosts::dst(ai), 64);
    engine::Flow f;
    f.dir = model::Direction::out;
    f.src = *model::Address::parse(Hosts::src(ai));
    f.dst = *model::Address::parse(Hosts::dst(ai));
    f.proto = 17;
    f.sport = 40000, f.dport = 40001;
    size_t sink = 0;
    double spd = per_call(secs, [&] { sink += h.a->decide(f).policy != nullptr; });
    std::vector<uint8_t> copy(256);
    double cp = per_call(secs, [&] {
      std::memcpy(copy.data(), pkt.data(), pkt.size());
      sink += copy[7];
    });
    if (sink == 0) die("no policy matched");
    const Row& r = rows[ai][0];
    fmt::print("{:<19} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f}   {:.0f}\n", algs[ai].label, r.out_s * 1e9,
               r.cipher_s * 1e9, spd * 1e9, cp * 1e9, (r.out_s - r.cipher_s - spd - cp) * 1e9, r.in_s * 1e9);
  }
  fmt::print("rest = output - cipher - SPD - copy: SA lookup, headers, padding, sequence number, lifetime accounting\n");

  const Row& gcm = rows[0][2];
  if (gcm.openssl) {
    double ratio = 1400 / gcm.out_s / *gcm.openssl;
    fmt::print("\ntarget: aes-128-gcm output at 1400 bytes >= 70% of openssl speed: {:.0f}% {}\n", 100 * ratio,
               ratio >= 0.7 ? "met" : "NOT met");
  }
  return 0;
}
