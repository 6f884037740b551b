// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <vector>

#include "xfrmpp/model/address.hpp"
#include "xfrmpp/model/ipsec.hpp"
#include "xfrmpp/model/lifetime.hpp"
#include "xfrmpp/model/mark.hpp"
#include "xfrmpp/model/selector.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// One transform a policy requires (an "ipsec request" in KAME terms; xfrm_user_tmpl in XFRM).
struct Template {
  Protocol proto = Protocol::esp;
  Mode mode = Mode::transport;
  Family family = Family::unspec;  ///< unspec: same as the selector
  Address src;                     ///< tunnel endpoints; unspec for transport
  Address dst;
  uint16_t src_port = 0, dst_port = 0;  ///< KAME NAT-T endpoint ports; informational on Linux
  Level level = Level::default_level;
  uint32_t reqid = 0;
  uint32_t spi = 0;
  uint32_t aalgos = ~0u, ealgos = ~0u, calgos = ~0u;
  auto operator<=>(const Template&) const = default;
};

/// The key the kernel uses to tell two policies apart (EEXIST on a duplicate).
struct PolicyKey {
  Selector sel;
  Direction dir = Direction::out;
  std::optional<Mark> mark;
  uint32_t if_id = 0;
  PolicyType type = PolicyType::main;
  auto operator<=>(const PolicyKey&) const = default;
};

struct PolicyId;

/// What a policy is: everything a user configures. The equality of what a snapshot restore puts back.
struct PolicyConfig {
  Selector sel;
  Direction dir = Direction::out;
  PolicyKind kind = PolicyKind::ipsec;
  uint32_t priority = 0;
  std::vector<Template> templates;
  std::optional<Mark> mark;
  std::optional<uint32_t> if_id;
  std::optional<SecurityContext> ctx;
  PolicyType type = PolicyType::main;
  uint8_t flags = 0;  ///< XFRM_POLICY_LOCALOK / ICMP
  LifetimeLimits limits;
  bool operator==(const PolicyConfig&) const = default;
};

/// A policy: its configuration and what the kernel assigns and counts (index, current lifetime),
/// which `config()` equality leaves out.
struct Policy : PolicyConfig {
  uint32_t index = 0;  ///< kernel-assigned unless set; index % 8 == dir
  LifetimeCurrent current;  ///< dump only

  const PolicyConfig& config() const { return *this; }
  /// Everything, index and counters included.
  bool operator==(const Policy&) const = default;
  PolicyAction action() const { return kind == PolicyKind::discard ? PolicyAction::block : PolicyAction::allow; }
  PolicyKey key() const { return PolicyKey{sel, dir, mark, if_id.value_or(0), type}; }
  /// Names this policy by its key (index 0), as a delete that must not depend on the index does.
  PolicyId id() const;
  /// True for a per-socket policy as the kernel reports it (index % 8 >= 3).
  bool is_socket_policy() const { return index % 8 >= 3; }
};

/// Identity of a policy for delete/get: by selector+dir(+mark,if_id) or by index.
struct PolicyId {
  Selector sel;
  Direction dir = Direction::out;
  uint32_t index = 0;
  std::optional<Mark> mark;
  std::optional<uint32_t> if_id;
  std::optional<SecurityContext> ctx;
  PolicyType type = PolicyType::main;

  /// The identity of the policy this names when it has no index: the same as Policy::key().
  PolicyKey key() const { return PolicyKey{sel, dir, mark, if_id.value_or(0), type}; }
  /// The id naming the policy with key `k` (an if_id of 0 is no if_id).
  static PolicyId of(const PolicyKey& k) {
    return PolicyId{k.sel, k.dir, 0, k.mark, k.if_id ? std::optional<uint32_t>(k.if_id) : std::nullopt, std::nullopt, k.type};
  }
};

inline PolicyId Policy::id() const { return PolicyId{sel, dir, 0, mark, if_id, ctx, type}; }

/// Host-wide default action per direction (XFRM_MSG_SETDEFAULT): nullopt = leave unchanged.
struct DefaultPolicy {
  std::optional<PolicyAction> in, fwd, out;
};

}  // namespace xfrmpp::model

#pragma GCC visibility pop
