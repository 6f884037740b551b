// SPDX-License-Identifier: BSD-3-Clause
// Reference SPD: a vector in insertion order and a scan. The fast lookup replaces `lookup`; the scan stays
// as `lookup_linear`, the oracle the fast one is tested against.
#include "xfrmpp/engine/spd.hpp"

#include <cerrno>

namespace xfrmpp::engine {

namespace {

bool prefix_matches(const model::Prefix& p, const model::Address& a) {
  if (p.len == 0) return true;
  if (p.addr.family != a.family) return false;
  uint8_t full = p.len / 8, rest = p.len % 8;
  for (uint8_t i = 0; i < full; ++i)
    if (p.addr.bytes[i] != a.bytes[i]) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (p.addr.bytes[full] & mask) == (a.bytes[full] & mask);
}

bool port_matches(uint16_t value, uint16_t mask, uint16_t port) { return ((value ^ port) & mask) == 0; }

}  // namespace

bool matches(const model::Policy& p, const Flow& f) {
  const auto& s = p.sel;
  if (s.family != model::Family::unspec && s.family != f.family) return false;
  if (!prefix_matches(s.src, f.src) || !prefix_matches(s.dst, f.dst)) return false;
  if (s.proto != model::kProtoAny && s.proto != f.proto) return false;
  if (!port_matches(s.sport, s.sport_mask, f.sport) || !port_matches(s.dport, s.dport_mask, f.dport)) return false;
  if (s.ifindex != 0 && s.ifindex != f.ifindex) return false;
  if (p.mark && ((f.mark & p.mark->mask) != p.mark->value)) return false;
  if (p.if_id.value_or(0) != f.if_id) return false;
  return true;
}

struct Spd::Impl {
  std::vector<model::Policy> policies;  // insertion order
  uint32_t idx_generator = 0;

  uint32_t allocate_index(model::Direction dir) {
    for (;;) {
      uint32_t idx = idx_generator | static_cast<uint32_t>(dir);
      idx_generator += 8;
      if (idx == 0) idx = 8;
      bool used = false;
      for (const auto& p : policies) used |= p.index == idx;
      if (!used) return idx;
    }
  }
};

Spd::Spd() : impl_(std::make_unique<Impl>()) {}
Spd::~Spd() = default;
Spd::Spd(Spd&&) noexcept = default;
Spd& Spd::operator=(Spd&&) noexcept = default;

Result<model::Policy> Spd::insert(model::Policy p, bool update) {
  auto& v = impl_->policies;
  auto key = p.key();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->key() != key) continue;
    if (!update) return make_error(EEXIST, "File exists");
    if (p.index == 0) p.index = it->index;
    *it = p;
    return p;
  }
  if (p.index == 0) p.index = impl_->allocate_index(p.dir);
  v.push_back(p);
  return p;
}

Result<model::Policy> Spd::remove(const model::PolicyId& id) {
  auto& v = impl_->policies;
  for (auto it = v.begin(); it != v.end(); ++it) {
    bool hit = id.index != 0 ? it->index == id.index : it->key() == id.key();
    if (!hit) continue;
    model::Policy p = std::move(*it);
    v.erase(it);
    return p;
  }
  return make_error(ENOENT, "No such file or directory");
}

Result<model::Policy> Spd::get(const model::PolicyId& id) const {
  for (const auto& p : impl_->policies)
    if (id.index != 0 ? p.index == id.index : p.key() == id.key()) return p;
  return make_error(ENOENT, "No such file or directory");
}

void Spd::clear() { impl_->policies.clear(); }
std::vector<model::Policy> Spd::dump() const { return impl_->policies; }
size_t Spd::size() const { return impl_->policies.size(); }

const model::Policy* Spd::lookup_linear(const Flow& f) const {
  const model::Policy* best = nullptr;
  for (const auto& p : impl_->policies) {
    if (p.dir != f.dir || p.type != model::PolicyType::main || !matches(p, f)) continue;
    if (!best || p.priority < best->priority) best = &p;  // strict: an equal priority keeps the older one
  }
  return best;
}

const model::Policy* Spd::lookup(const Flow& f) const { return lookup_linear(f); }

}  // namespace xfrmpp::engine
