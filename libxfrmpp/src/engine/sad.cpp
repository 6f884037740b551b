// SPDX-License-Identifier: BSD-3-Clause
#include "sad.hpp"

#include <algorithm>

namespace xfrmpp::engine {

namespace {
bool mark_matches(const SaEntry& e, uint32_t mark) {
  // __xfrm_state_lookup: (mark & x->mark.m) == x->mark.v; an SA without a mark has m = v = 0.
  const auto& m = e.sa.mark;
  return m ? (mark & m->mask) == m->value : true;
}
}  // namespace

size_t Sad::KeyHash::operator()(const Key& k) const {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](uint64_t v) { h = (h ^ v) * 0x100000001b3ull; };
  for (uint8_t b : k.dst.bytes) mix(b);
  mix(static_cast<uint8_t>(k.dst.family));
  mix(k.spi);
  mix(static_cast<uint8_t>(k.proto));
  return static_cast<size_t>(h);
}

size_t Sad::AddressHash::operator()(const model::Address& a) const {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : a.bytes) h = (h ^ b) * 0x100000001b3ull;
  return static_cast<size_t>(h ^ static_cast<uint8_t>(a.family));
}

void Sad::index(uint64_t serial, const SaEntry& e) {
  index_[key_of(e.sa)].push_back(serial);
  by_dst_[e.sa.dst].push_back(serial);
}

SaEntry* Sad::find(const model::Address& dst, uint32_t spi, model::Protocol proto, uint32_t mark) {
  return const_cast<SaEntry*>(static_cast<const Sad*>(this)->find(dst, spi, proto, mark));
}

const SaEntry* Sad::find(const model::Address& dst, uint32_t spi, model::Protocol proto, uint32_t mark) const {
  auto it = index_.find(Key{dst, spi, proto});
  if (it == index_.end()) return nullptr;
  for (uint64_t s : it->second) {
    const SaEntry& e = by_serial_.at(s);
    if (mark_matches(e, mark)) return &e;
  }
  return nullptr;
}

const SaEntry* Sad::find_larval_by_seq(uint32_t seq) const {
  if (seq == 0) return nullptr;
  for (const auto& [s, e] : by_serial_)
    if (e.larval && e.sa.seq == seq) return &e;
  return nullptr;
}

void Sad::insert(SaEntry e) {
  uint64_t s = next_serial_++;
  index(s, e);
  by_serial_.emplace(s, std::move(e));
}

uint64_t Sad::serial_of(const SaEntry* at) const {
  auto it = index_.find(key_of(at->sa));
  if (it != index_.end())
    for (uint64_t s : it->second)
      if (&by_serial_.at(s) == at) return s;
  return 0;
}

void Sad::unindex(uint64_t serial, const SaEntry& e) {
  auto it = index_.find(key_of(e.sa));
  if (it == index_.end()) return;
  std::erase(it->second, serial);
  if (it->second.empty()) index_.erase(it);
  auto d = by_dst_.find(e.sa.dst);
  if (d == by_dst_.end()) return;
  std::erase(d->second, serial);
  if (d->second.empty()) by_dst_.erase(d);
}

void Sad::replace(const SaEntry* at, SaEntry e) {
  uint64_t s = serial_of(at);
  if (s == 0) return;
  unindex(s, by_serial_.at(s));
  index(s, e);
  by_serial_.at(s) = std::move(e);
}

void Sad::erase(const SaEntry* at) {
  uint64_t s = serial_of(at);
  if (s == 0) return;
  unindex(s, by_serial_.at(s));
  by_serial_.erase(s);
}

std::vector<const SaEntry*> Sad::entries() const {
  std::vector<const SaEntry*> out;
  out.reserve(by_serial_.size());
  for (const auto& [s, e] : by_serial_) out.push_back(&e);
  return out;
}

}  // namespace xfrmpp::engine
