// SPDX-License-Identifier: BSD-3-Clause
#include "replay_window.hpp"

namespace xfrmpp::engine::packet {

namespace {

size_t ring_bits(const ReplayWindow& w) { return w.bits.size() * 64; }

}  // namespace

uint64_t ReplayWindow::infer(uint32_t seq_lo) const {
  if (!esn) return seq_lo;
  uint32_t tl = static_cast<uint32_t>(top), th = static_cast<uint32_t>(top >> 32);
  uint32_t w = window ? window : 1;
  uint32_t bottom = tl - w + 1;  // modulo 2^32, as Appendix A computes it
  uint32_t hi;
  if (tl >= w - 1)
    hi = seq_lo >= bottom ? th : th + 1;  // the window lies within one epoch of 2^32
  else
    hi = seq_lo >= bottom ? th - 1 : th;  // it straddles the previous epoch
  return uint64_t{hi} << 32 | seq_lo;
}

ReplayWindow::Check ReplayWindow::check(uint64_t seq) const {
  if (window == 0) return Check::ok;
  if (seq == 0) return Check::zero;
  if (seq > top) return Check::ok;
  uint64_t diff = top - seq;
  if (diff >= window) return Check::too_old;
  size_t n = ring_bits(*this);
  size_t i = static_cast<size_t>(seq % n);
  return (bits[i / 64] >> (i % 64) & 1) ? Check::replayed : Check::ok;
}

void ReplayWindow::accept(uint64_t seq) {
  if (window == 0) {
    if (seq > top) top = seq;
    return;
  }
  if (bits.empty()) bits.assign((window + 63) / 64, 0);
  size_t n = ring_bits(*this);
  if (seq > top) {
    uint64_t advance = seq - top;
    if (advance >= n) {
      bits.assign(bits.size(), 0);
    } else {
      for (uint64_t s = top + 1; s < seq; ++s) {
        size_t i = static_cast<size_t>(s % n);
        bits[i / 64] &= ~(uint64_t{1} << (i % 64));
      }
    }
    top = seq;
  }
  size_t i = static_cast<size_t>(seq % n);
  bits[i / 64] |= uint64_t{1} << (i % 64);
}

}  // namespace xfrmpp::engine::packet
