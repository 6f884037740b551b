// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// An in-memory SPD and SAD with the kernel's answers for the cases the plan layer meets (EEXIST on a
// duplicate add, ENOENT for a missing policy, ESRCH for a missing SA), a record of every change it
// applied, and errors injected at chosen tags. Like the kernel with a sendmsg batch, it keeps going
// through a batch after a rejected change unless told to stop.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "xfrmpp/backend.hpp"

namespace plan_test {

namespace m = xfrmpp::model;

class FakeBackend final : public xfrmpp::Backend {
 public:
  std::vector<m::Policy> spd;  // insertion order
  std::vector<m::SecurityAssociation> sad;
  m::DefaultPolicy defaults;
  xfrmpp::SpdInfo info;
  /// Adds and updates with these tags fail with the errno (removes are not affected: an undo keeps the tag).
  std::map<size_t, int> fail_tag;
  /// Removes with these tags fail with the errno.
  std::map<size_t, int> fail_remove_tag;
  bool honour_stop = false;  ///< true: stop at the first error when asked to (the kernel does not within a batch)
  /// Every change applied, in order: verb and tag.
  std::vector<std::pair<xfrmpp::Change::Verb, size_t>> applied;
  size_t apply_calls = 0, policy_dumps = 0;

  xfrmpp::ApplyReport apply(std::span<const xfrmpp::Change> changes, const xfrmpp::ApplyOptions& o) override {
    ++apply_calls;
    xfrmpp::ApplyReport rep;
    for (const auto& c : changes) {
      int err = one(c);
      if (err) {
        rep.errors.push_back({c.tag, err, std::strerror(err), "injected"});
        if (honour_stop && o.stop_at_first_error) {
          rep.stopped_early = true;
          return rep;
        }
        continue;
      }
      ++rep.applied;
      rep.applied_tags.push_back(c.tag);
      applied.emplace_back(c.verb, c.tag);
    }
    return rep;
  }
  xfrmpp::Result<std::vector<m::Policy>> dump_policies() override {
    ++policy_dumps;
    return std::vector<m::Policy>(spd.rbegin(), spd.rend());
  }
  xfrmpp::Result<std::vector<m::SecurityAssociation>> dump_sas(std::optional<m::Protocol> proto) override {
    std::vector<m::SecurityAssociation> out;
    for (auto it = sad.rbegin(); it != sad.rend(); ++it)
      if (!proto || it->proto == *proto) out.push_back(*it);
    return out;
  }
  xfrmpp::Result<m::Policy> get_policy(const m::PolicyId& id) override {
    for (const auto& p : spd)
      if (p.key() == id.key()) return p;
    return xfrmpp::make_error(ENOENT, "no such policy");
  }
  xfrmpp::Result<m::SecurityAssociation> get_sa(const m::SaId& id) override {
    for (const auto& sa : sad)
      if (id.names(sa)) return sa;
    return xfrmpp::make_error(ESRCH, "no such SA");
  }
  xfrmpp::Result<void> flush_policies() override {
    std::erase_if(spd, [](const m::Policy& p) { return !p.is_socket_policy(); });
    return {};
  }
  xfrmpp::Result<void> flush_sas(std::optional<m::Protocol> proto) override {
    std::erase_if(sad, [&](const m::SecurityAssociation& sa) { return !proto || sa.proto == *proto; });
    return {};
  }
  xfrmpp::Result<m::SecurityAssociation> alloc_spi(const m::SecurityAssociation& sa, uint32_t min, uint32_t) override {
    m::SecurityAssociation larval = sa;
    larval.spi = min;
    sad.push_back(larval);
    return larval;
  }
  xfrmpp::Result<m::DefaultPolicy> get_default_policy() override { return defaults; }
  xfrmpp::Result<void> set_default_policy(const m::DefaultPolicy& d) override {
    if (d.in) defaults.in = d.in;
    if (d.fwd) defaults.fwd = d.fwd;
    if (d.out) defaults.out = d.out;
    return {};
  }
  xfrmpp::Result<xfrmpp::SpdInfo> spd_info() override { return info; }
  xfrmpp::Result<void> set_spd_hash_thresholds(uint8_t a, uint8_t b, uint8_t c, uint8_t d) override {
    info.v4_lbits = a, info.v4_rbits = b, info.v6_lbits = c, info.v6_rbits = d;
    return {};
  }
  xfrmpp::Result<xfrmpp::SadInfo> sad_info() override { return xfrmpp::SadInfo{static_cast<uint32_t>(sad.size()), 8, 1024}; }
  xfrmpp::Result<std::unique_ptr<xfrmpp::EventStream>> subscribe(std::span<const xfrmpp::EventGroup>) override {
    return xfrmpp::make_error(EOPNOTSUPP, "no events");
  }

 private:
  uint32_t next_index_ = 0;

  int one(const xfrmpp::Change& c) {
    using V = xfrmpp::Change::Verb;
    if (c.verb != V::remove)
      if (auto f = fail_tag.find(c.tag); f != fail_tag.end()) return f->second;
    if (c.verb == V::remove)
      if (auto f = fail_remove_tag.find(c.tag); f != fail_remove_tag.end()) return f->second;
    if (const auto* p = std::get_if<m::Policy>(&c.target)) {
      auto it = std::find_if(spd.begin(), spd.end(), [&](const m::Policy& q) { return q.key() == p->key(); });
      if (c.verb == V::remove) {
        if (it == spd.end()) return ENOENT;
        spd.erase(it);
        return 0;
      }
      if (it != spd.end() && c.verb == V::add) return EEXIST;
      m::Policy stored = *p;
      stored.index = it != spd.end() ? it->index : ((next_index_ += 8) | static_cast<uint32_t>(p->dir));
      if (it != spd.end()) *it = stored;  // UPDPOLICY adds when missing, as the kernel's does
      else spd.push_back(stored);
      return 0;
    }
    if (const auto* id = std::get_if<m::PolicyId>(&c.target)) {
      auto it = std::find_if(spd.begin(), spd.end(),
                             [&](const m::Policy& q) { return id->index ? q.index == id->index : q.key() == id->key(); });
      if (it == spd.end()) return ENOENT;
      spd.erase(it);
      return 0;
    }
    if (const auto* sa = std::get_if<m::SecurityAssociation>(&c.target)) {
      auto it = std::find_if(sad.begin(), sad.end(), [&](const m::SecurityAssociation& x) { return x.key() == sa->key(); });
      if (c.verb == V::remove) {
        if (it == sad.end()) return ESRCH;
        sad.erase(it);
        return 0;
      }
      if (c.verb == V::add && it != sad.end()) return EEXIST;
      if (c.verb == V::update && it == sad.end()) return ESRCH;
      if (it != sad.end()) *it = *sa;
      else sad.push_back(*sa);
      return 0;
    }
    const auto& id = std::get<m::SaId>(c.target);
    auto it = std::find_if(sad.begin(), sad.end(), [&](const m::SecurityAssociation& x) { return id.names(x); });
    if (it == sad.end()) return ESRCH;
    sad.erase(it);
    return 0;
  }
};

// Builders for the tests.
inline m::Address v4(const char* text) { return *m::Address::parse(text); }

inline m::Policy policy(const char* src, const char* dst, m::Direction dir = m::Direction::out) {
  m::Policy p;
  p.sel.family = m::Family::inet;
  p.sel.src = {v4(src), 32};
  p.sel.dst = {v4(dst), 32};
  p.dir = dir;
  p.kind = m::PolicyKind::ipsec;
  m::Template t;
  t.level = m::Level::require;
  p.templates.push_back(t);
  return p;
}

inline m::SecurityAssociation sa(const char* src, const char* dst, uint32_t spi) {
  m::SecurityAssociation s;
  s.family = m::Family::inet;
  s.src = v4(src);
  s.dst = v4(dst);
  s.spi = spi;
  s.crypt = m::AlgorithmSetting{"cbc(aes)", std::vector<uint8_t>(16, 0x11), 0};
  return s;
}

}  // namespace plan_test
