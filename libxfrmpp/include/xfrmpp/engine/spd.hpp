// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The engine's security policy database: the policies in the order they were linked, the kernel's
// errnos for the same mistakes, and a lookup with the semantics of Linux >= 6.12 (lowest priority value
// wins; an equal-priority tie goes to the policy linked first, a replacement counting as new except
// inside the exact hash's chain; sub policies before main ones). Socket policies and the host default
// are the caller's (EngineBackend::decide). The rules, with the kernel functions they come from, are
// in src/engine/spd.cpp.
#include <cstdint>
#include <functional>
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
  /// Every policy in dump() order, without copying them (the state encoder walks 100k of them).
  void for_each(const std::function<void(const model::Policy&)>& fn) const;
  /// Every policy, older first (a replaced policy counts as new, as in the kernel's dump).
  std::vector<model::Policy> dump() const;
  size_t size() const;
  /// Whether any stored policy has this index, whatever its direction, mark or if_id (index allocation).
  bool has_index(uint32_t index) const;
  /// The policy the kernel would pick for `f` among policies of direction f.dir (sub, then main), or null.
  /// Not a scan: an exact hash plus a destination trie kept up to date on every change
  /// (src/engine/spd_index.hpp), or after prepare() decision trees over both addresses (spd_compiled.hpp).
  /// The pointer is valid until the next change (a remove may move the live policies).
  const model::Policy* lookup(const Flow& f) const;
  /// Compiles the SPD into a faster read-only form that lookup() uses until the next insert, remove or
  /// clear (then lookup() falls back to the form kept up to date, and prepare() may be called again).
  void prepare();
  /// The same answer by scanning every policy: the reference the fast lookup is tested and benched against.
  const model::Policy* lookup_linear(const Flow& f) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xfrmpp::engine

#pragma GCC visibility pop
