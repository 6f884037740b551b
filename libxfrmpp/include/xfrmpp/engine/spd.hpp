// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's security policy database: the policies in the order they were inserted, the kernel's
// errnos for the same mistakes, and a lookup with the kernel's semantics (lowest priority value wins,
// an equal-priority tie goes to the older policy, socket policies first, nothing = the host default).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/policy.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::engine {

/// One packet's flow as the SPD sees it. Ports are host order; for ICMP/ICMPv6/MH sport holds the type
/// and dport the code, as in model::Selector.
struct Flow {
  model::Direction dir = model::Direction::out;
  model::Family family = model::Family::inet;
  model::Address src, dst;
  uint8_t proto = 0;
  uint16_t sport = 0, dport = 0;
  int32_t ifindex = 0;
  uint32_t mark = 0;
  uint32_t if_id = 0;
};

/// True when `p`'s selector, mark and if_id match `f` (direction and policy type not considered).
bool matches(const model::Policy& p, const Flow& f);

class Spd {
 public:
  Spd();
  ~Spd();
  Spd(Spd&&) noexcept;
  Spd& operator=(Spd&&) noexcept;

  /// NEWPOLICY (update=false: EEXIST when a policy with the same key exists) or UPDPOLICY (update=true:
  /// replaces, or inserts when there is none), with the kernel's index rules (an unset index is allocated
  /// as the kernel allocates it). Returns the policy as stored.
  Result<model::Policy> insert(model::Policy p, bool update);
  /// Removes by key or, when id.index != 0, by index. ENOENT when nothing matches.
  Result<model::Policy> remove(const model::PolicyId& id);
  Result<model::Policy> get(const model::PolicyId& id) const;
  void clear();
  /// Every policy, older first.
  std::vector<model::Policy> dump() const;
  size_t size() const;
  /// The policy the kernel would pick for `f` among policies of direction f.dir (type main), or null.
  const model::Policy* lookup(const Flow& f) const;
  /// The same answer by scanning every policy: the reference the fast lookup is tested and benched against.
  const model::Policy* lookup_linear(const Flow& f) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xfrmpp::engine

#pragma GCC visibility pop
