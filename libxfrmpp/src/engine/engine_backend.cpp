// SPDX-License-Identifier: BSD-3-Clause
// PLACEHOLDER until the engine backend lands: every call fails with ENOSYS.
#include "xfrmpp/engine/engine_backend.hpp"

#include <cerrno>

namespace xfrmpp::engine {

struct EngineBackend::Impl {
  Spd spd;
};

namespace {
Error not_yet() { return make_error(ENOSYS, "the software engine is not built yet"); }
}  // namespace

Result<std::unique_ptr<EngineBackend>> EngineBackend::open(const EngineOptions&) { return not_yet(); }
EngineBackend::EngineBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EngineBackend::~EngineBackend() = default;
ApplyReport EngineBackend::apply(std::span<const Change>, const ApplyOptions&) { return {}; }
Result<std::vector<model::Policy>> EngineBackend::dump_policies() { return not_yet(); }
Result<std::vector<model::SecurityAssociation>> EngineBackend::dump_sas(std::optional<model::Protocol>) { return not_yet(); }
Result<model::Policy> EngineBackend::get_policy(const model::PolicyId&) { return not_yet(); }
Result<model::SecurityAssociation> EngineBackend::get_sa(const model::SaId&) { return not_yet(); }
Result<void> EngineBackend::flush_policies() { return not_yet(); }
Result<void> EngineBackend::flush_sas(std::optional<model::Protocol>) { return not_yet(); }
Result<model::SecurityAssociation> EngineBackend::alloc_spi(const model::SecurityAssociation&, uint32_t, uint32_t) { return not_yet(); }
Result<model::DefaultPolicy> EngineBackend::get_default_policy() { return not_yet(); }
Result<void> EngineBackend::set_default_policy(const model::DefaultPolicy&) { return not_yet(); }
Result<SpdInfo> EngineBackend::spd_info() { return not_yet(); }
Result<void> EngineBackend::set_spd_hash_thresholds(uint8_t, uint8_t, uint8_t, uint8_t) { return not_yet(); }
Result<SadInfo> EngineBackend::sad_info() { return not_yet(); }
Result<std::unique_ptr<EventStream>> EngineBackend::subscribe(std::span<const EventGroup>) { return not_yet(); }
Result<uint32_t> EngineBackend::get_host_knob(std::string_view) { return not_yet(); }
Result<void> EngineBackend::set_host_knob(std::string_view, uint32_t) { return not_yet(); }
Decision EngineBackend::decide(const Flow&) const { return {}; }
Result<void> EngineBackend::refresh() { return not_yet(); }
const Spd& EngineBackend::spd() const { return impl_->spd; }

}  // namespace xfrmpp::engine
