// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// What every parser produces: a list of operations on the SPD/SAD, each tied to its source range.
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "xfrmpp/diag/source.hpp"
#include "xfrmpp/model/policy.hpp"
#include "xfrmpp/model/sa.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::model {

/// A request written unique:N with N above kManualReqidMax. PF_KEY kernels (KAME key.c, Linux af_key)
/// replaced such an N by a generated reqid; so does setkey, and this says which request it was.
struct ReplacedReqid {
  size_t request = 0;   ///< index into policy.templates
  uint32_t written = 0;  ///< the N as written
  diag::SourceRange range;
};
struct AddPolicy {
  Policy policy;
  bool update = false;
  std::vector<ReplacedReqid> replaced_reqids;  ///< those requests have reqid 0 (generated at plan time)
};
struct DeletePolicy { PolicyId id; };
struct FlushPolicies {};
struct DumpPolicies {};
/// SA statements carry the SA by pointer: an SA is large and policies dominate big inputs.
struct AddSa { std::shared_ptr<const SecurityAssociation> sa; bool update = false; };
struct DeleteSa { SaId id; };
struct DeleteAllSa { Address src, dst; Protocol proto = Protocol::esp; };
struct GetSa { SaId id; };
struct FlushSas { std::optional<Protocol> proto; };
struct DumpSas { std::optional<Protocol> proto; };
struct AllocSpi { std::shared_ptr<const SecurityAssociation> sa; uint32_t min = 0x100, max = 0x0fffffff; };
/// Host default action per direction (XFRM SETDEFAULT; BSD's def_policy sysctl).
struct SetDefaultPolicy { DefaultPolicy defaults; };
struct GetDefaultPolicy {};
/// SPD hash thresholds: policies with prefixes at least this long go into the exact-match hash.
struct SetSpdHashThresholds { uint8_t v4_lbits = 32, v4_rbits = 32, v6_lbits = 128, v6_rbits = 128; bool v4 = false, v6 = false; };
struct GetSpdInfo {};
struct GetSadInfo {};

#ifdef XFRMPP_TEST_EXTRA_OPERATION
// Only for the compile test that shows every visitor over Operation must handle a new alternative.
struct TestExtraOperation {};
#endif

/// Visit it with model::Overloaded (model/visit.hpp) and one handler per alternative, never a catch-all.
using Operation = std::variant<AddPolicy, DeletePolicy, FlushPolicies, DumpPolicies, AddSa, DeleteSa,
                               DeleteAllSa, GetSa, FlushSas, DumpSas, AllocSpi, SetDefaultPolicy, GetDefaultPolicy,
                               SetSpdHashThresholds, GetSpdInfo, GetSadInfo
#ifdef XFRMPP_TEST_EXTRA_OPERATION
                               , TestExtraOperation
#endif
                               >;

struct Statement {
  Operation op;
  diag::SourceRange range;  ///< the whole statement, for kernel errors
};

/// A parsed input: statements in source order.
struct Script {
  std::vector<Statement> statements;
};

}  // namespace xfrmpp::model

#pragma GCC visibility pop
