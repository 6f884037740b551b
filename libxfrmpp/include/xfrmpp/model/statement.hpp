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

namespace xfrmpp::model {

struct AddPolicy { Policy policy; bool update = false; };
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

using Operation = std::variant<AddPolicy, DeletePolicy, FlushPolicies, DumpPolicies, AddSa, DeleteSa,
                               DeleteAllSa, GetSa, FlushSas, DumpSas, AllocSpi>;

struct Statement {
  Operation op;
  diag::SourceRange range;  ///< the whole statement, for kernel errors
};

/// A parsed input: statements in source order.
struct Script {
  std::vector<Statement> statements;
};

}  // namespace xfrmpp::model
