// SPDX-License-Identifier: BSD-3-Clause
// `setkey -D --save`: the SAD as add statements that load back to the same SAD.
#include <fmt/format.h>

#include "parsers/setkey_printer.hpp"
#include "xfrmpp/model/algorithm.hpp"
#include "xfrmpp/model/names.hpp"

namespace xfrmpp::parsers::setkey {
namespace {

std::string hex(const std::vector<uint8_t>& key) {
  std::string s = "0x";
  for (uint8_t b : key) s += fmt::format("{:02x}", b);
  return s;
}

// The setkey spelling of a kernel algorithm, or empty when setkey has none for that ICV length.
std::string_view setkey_name(const model::AlgorithmSetting& a, model::AlgKind kind) {
  const auto* info = model::find_kernel_algorithm(a.kernel_name, kind, a.icv_bits);
  if (!info || info->setkey_name.empty()) return {};
  if ((kind == model::AlgKind::auth || kind == model::AlgKind::aead) && a.icv_bits && a.icv_bits != info->icv_bits) return {};
  return info->setkey_name;
}

}  // namespace

std::string format_sa_add(const model::SecurityAssociation& sa, std::string& why_not) {
  why_not.clear();
  std::string s = "add ";
  if (sa.encap) {
    if (sa.encap->type != 2) {
      why_not = "only UDP encapsulation (esp-udp) has setkey syntax";
      return {};
    }
    s += fmt::format("{}[{}] {}[{}] esp-udp ", sa.src.to_string(), sa.encap->sport, sa.dst.to_string(), sa.encap->dport);
    if (!sa.encap->original_address.is_unspec()) s += fmt::format("{} ", sa.encap->original_address.to_string());
  } else {
    s += fmt::format("{} {} {} ", sa.src.to_string(), sa.dst.to_string(), model::name_of(model::protocol_names(), sa.proto));
  }
  s += fmt::format("{:#x} -m {}", sa.spi, model::name_of(model::mode_names(), sa.mode));
  if (sa.reqid) s += fmt::format(" -u {}", sa.reqid);
  if (sa.replay.window) s += fmt::format(" -r {}", sa.replay.window);
  if (sa.replay.esn) s += " -esn";
  if (sa.extra_flags & 2u) s += " -f cyclic-seq";
  const auto& l = sa.limits;
  if (l.hard_add_seconds) s += fmt::format(" -lh {}", l.hard_add_seconds);
  if (l.soft_add_seconds) s += fmt::format(" -ls {}", l.soft_add_seconds);
  if (l.hard_bytes != model::kInfinite && l.hard_bytes) s += fmt::format(" -bh {}", l.hard_bytes);
  if (l.soft_bytes != model::kInfinite && l.soft_bytes) s += fmt::format(" -bs {}", l.soft_bytes);
  if (sa.mark) s += fmt::format(" -mark {:#x}/{:#x}", sa.mark->value, sa.mark->mask);
  if (sa.if_id) s += fmt::format(" -if_id {}", *sa.if_id);
  if (sa.ctx) s += fmt::format(" -ctx {} {} \"{}\"", sa.ctx->doi, sa.ctx->alg, sa.ctx->label);
  if (sa.output_mark) s += fmt::format(" -output-mark {:#x}/{:#x}", sa.output_mark->value, sa.output_mark->mask);
  if (sa.dir) s += fmt::format(" -dir {}", *sa.dir == model::SaDirection::in ? "in" : "out");
  if (sa.tfcpad) s += fmt::format(" -tfcpad {}", *sa.tfcpad);
  if (sa.nat_keepalive_interval) s += fmt::format(" -natt-keepalive {}", *sa.nat_keepalive_interval);
  auto alg = [&](const char* flag, const std::optional<model::AlgorithmSetting>& a, model::AlgKind kind, bool keyed) {
    if (!a) return true;
    auto name = setkey_name(*a, kind);
    if (name.empty()) {
      why_not = fmt::format("{} with a {}-bit ICV has no setkey name", a->kernel_name, a->icv_bits);
      return false;
    }
    s += fmt::format(" {} {}", flag, name);
    if (keyed && !a->key.empty()) s += fmt::format(" {}", hex(a->key));
    return true;
  };
  if (!alg("-E", sa.aead, model::AlgKind::aead, true) || !alg("-E", sa.crypt, model::AlgKind::crypt, true) ||
      !alg("-A", sa.auth, model::AlgKind::auth, true) || !alg("-C", sa.comp, model::AlgKind::comp, false))
    return {};
  if (!sa.aead && !sa.crypt && !sa.auth && !sa.comp) {
    why_not = "it has no algorithms yet (a larval SA from getspi)";
    return {};
  }
  // The kernel stamps the SA's family on an "any" selector, so only a real selector counts.
  model::Selector any_sel;
  any_sel.family = sa.sel.family;
  if (sa.mapping_threshold || !(sa.sel == any_sel) || sa.flags & ~(model::sa_flag::esn | model::sa_flag::af_unspec)) {
    // Saved all the same, but the reload will not carry these: say so on the line before.
    why_not = "note: the SA selector, state flags and mapping threshold have no setkey syntax and are left out";
  }
  s += ';';
  return s;
}

std::string format_sa_save(std::span<const model::SecurityAssociation> dump) {
  std::string out = "# setkey -D --save: load with setkey -f (this file holds keys: keep it mode 600)\n";
  for (auto it = dump.rbegin(); it != dump.rend(); ++it) {  // oldest first, like the SPD
    std::string why;
    std::string line = format_sa_add(*it, why);
    if (line.empty()) {
      out += fmt::format("# not saved: {} spi {:#x} {} -> {}: {}\n", model::name_of(model::protocol_names(), it->proto), it->spi,
                         it->src.to_string(), it->dst.to_string(), why);
      continue;
    }
    if (!why.empty()) out += fmt::format("# {}\n", why);
    out += fmt::format("{}\n", line);
  }
  return out;
}

}  // namespace xfrmpp::parsers::setkey
