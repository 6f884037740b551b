// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// An in-memory Backend with just enough SPD and default-policy behaviour for the knob tests: NEWPOLICY
// refuses a duplicate key (EEXIST) as the kernel does, DELPOLICY a missing one (ENOENT).
#include <cerrno>
#include <vector>

#include "xfrmpp/backend.hpp"

namespace fake {

class Backend final : public xfrmpp::Backend {
 public:
  std::vector<xfrmpp::model::Policy> spd;
  xfrmpp::model::DefaultPolicy defaults{xfrmpp::model::PolicyAction::allow, xfrmpp::model::PolicyAction::allow,
                                        xfrmpp::model::PolicyAction::allow};
  size_t applies = 0;

  xfrmpp::ApplyReport apply(std::span<const xfrmpp::Change> changes, const xfrmpp::ApplyOptions&) override {
    ++applies;
    xfrmpp::ApplyReport rep;
    for (const auto& c : changes) {
      int err = 0;
      if (const auto* p = std::get_if<xfrmpp::model::Policy>(&c.target)) {
        for (const auto& q : spd)
          if (q.key() == p->key()) err = EEXIST;
        if (!err) {
          spd.push_back(*p);
          spd.back().index = next_index_ += 8;
          spd.back().index |= static_cast<uint32_t>(p->dir);
        }
      } else if (const auto* id = std::get_if<xfrmpp::model::PolicyId>(&c.target)) {
        err = ENOENT;
        for (auto it = spd.begin(); it != spd.end(); ++it)
          if (it->sel == id->sel && it->dir == id->dir) {
            spd.erase(it);
            err = 0;
            break;
          }
      } else {
        err = EOPNOTSUPP;
      }
      if (err) {
        rep.errors.push_back({c.tag, err, "fake error", ""});
        rep.stopped_early = true;
        return rep;
      }
      ++rep.applied;
      rep.applied_tags.push_back(c.tag);
    }
    return rep;
  }
  xfrmpp::Result<std::vector<xfrmpp::model::Policy>> dump_policies() override { return spd; }
  xfrmpp::Result<xfrmpp::model::DefaultPolicy> get_default_policy() override { return defaults; }
  xfrmpp::Result<void> set_default_policy(const xfrmpp::model::DefaultPolicy& d) override {
    if (d.in) defaults.in = d.in;
    if (d.fwd) defaults.fwd = d.fwd;
    if (d.out) defaults.out = d.out;
    return {};
  }

  xfrmpp::Result<std::vector<xfrmpp::model::SecurityAssociation>> dump_sas(std::optional<xfrmpp::model::Protocol>) override {
    return unsupported();
  }
  xfrmpp::Result<xfrmpp::model::Policy> get_policy(const xfrmpp::model::PolicyId&) override { return unsupported(); }
  xfrmpp::Result<xfrmpp::model::SecurityAssociation> get_sa(const xfrmpp::model::SaId&) override { return unsupported(); }
  xfrmpp::Result<void> flush_policies() override {
    spd.clear();
    return {};
  }
  xfrmpp::Result<void> flush_sas(std::optional<xfrmpp::model::Protocol>) override { return unsupported(); }
  xfrmpp::Result<xfrmpp::model::SecurityAssociation> alloc_spi(const xfrmpp::model::SecurityAssociation&, uint32_t,
                                                               uint32_t) override {
    return unsupported();
  }
  xfrmpp::Result<xfrmpp::SpdInfo> spd_info() override { return unsupported(); }
  xfrmpp::Result<void> set_spd_hash_thresholds(uint8_t, uint8_t, uint8_t, uint8_t) override { return unsupported(); }
  xfrmpp::Result<xfrmpp::SadInfo> sad_info() override { return unsupported(); }
  xfrmpp::Result<std::unique_ptr<xfrmpp::EventStream>> subscribe(std::span<const xfrmpp::EventGroup>) override {
    return unsupported();
  }

 private:
  static xfrmpp::Error unsupported() { return xfrmpp::make_error(EOPNOTSUPP, "not in the fake backend"); }
  uint32_t next_index_ = 0;
};

}  // namespace fake
