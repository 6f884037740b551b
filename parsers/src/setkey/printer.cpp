// SPDX-License-Identifier: BSD-3-Clause
#include "parsers/setkey_printer.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>

#include "parsers/setkey.hpp"
#include "xfrmpp/model/names.hpp"

namespace xfrmpp::parsers::setkey {

using model::Direction;
using model::Level;

namespace {

constexpr uint32_t kPrioLow = 0xC0000000u, kPrioDefault = 0x80000000u, kPrioHigh = 0x40000000u;

std::string prefix_port(const model::Prefix& p, uint16_t port, uint16_t mask, uint8_t proto) {
  std::string s = p.addr.to_string();
  if (p.len != p.addr.max_prefix()) s += fmt::format("/{}", p.len);
  if (model::proto_has_type_code(proto) || proto == 47) return s;
  s += mask ? fmt::format("[{}]", port) : "[any]";
  return s;
}

std::string selector_text(const model::Selector& sel) {
  std::string s = fmt::format("{} {} {}", prefix_port(sel.src, sel.sport, sel.sport_mask, sel.proto),
                              prefix_port(sel.dst, sel.dport, sel.dport_mask, sel.proto), upper_protocol_text(sel.proto));
  if (model::proto_has_type_code(sel.proto) && sel.sport_mask) {
    s += fmt::format(" {}", sel.sport);
    if (sel.dport_mask) s += fmt::format(",{}", sel.dport);
  } else if (sel.proto == 47 && (sel.sport_mask || sel.dport_mask)) {
    s += fmt::format(" {}", (uint32_t{sel.sport} << 16) | sel.dport);
  }
  return s;
}

// libipsec's form: nearest of high/def/low, then the offset with the sign as a user would type it.
std::string priority_text(uint32_t prio) {
  uint32_t base;
  std::string_view name;
  if (prio < (kPrioDefault / 4) * 3) { base = kPrioHigh; name = "high"; }
  else if (prio < (kPrioDefault / 4) * 5) { base = kPrioDefault; name = "def"; }
  else { base = kPrioLow; name = "low"; }
  int64_t offset = int64_t{base} - int64_t{prio};
  if (offset == 0) return fmt::format("prio {}", name);
  return fmt::format("prio {} {} {}", name, offset > 0 ? '+' : '-', offset > 0 ? offset : -offset);
}

std::string endpoint(const model::Address& a, uint16_t port, bool with_ports) {
  return with_ports ? fmt::format("{}[{}]", a.to_string(), port) : a.to_string();
}

std::string request_text(const model::Template& t, bool with_ports, bool for_save) {
  std::string s = fmt::format("{}/{}/", model::name_of(model::protocol_names(), t.proto), model::name_of(model::mode_names(), t.mode));
  // Transport templates carry the kernel's zero addresses, which setkey never prints; a tunnel needs its
  // endpoints written even when they are all-zero, or `tunnel//level` would not load back.
  bool tunnel_like = t.mode == model::Mode::tunnel || t.mode == model::Mode::beet;
  if (!t.dst.is_unspec() && (tunnel_like || !(t.dst.is_zero() && t.src.is_zero())))
    s += fmt::format("{}-{}", endpoint(t.src, t.src_port, with_ports || (for_save && t.src_port)),
                     endpoint(t.dst, t.dst_port, with_ports || (for_save && t.dst_port)));
  s += '/';
  Level shown = t.level;
  if (shown == Level::default_level) shown = Level::require;
  if (shown == Level::unique && t.reqid == 0) shown = Level::require;
  s += model::name_of(model::level_names(), shown);
  if (shown == Level::unique) {
    if (for_save) {
      if (t.reqid <= model::kManualReqidMax) s += fmt::format(":{}", t.reqid);
    } else {
      s += fmt::format("{}{}", t.reqid > model::kManualReqidMax ? '#' : ':', t.reqid);
    }
  }
  return s;
}

std::string time_text(uint64_t t) {
  if (t == 0) return std::string(20, ' ');
  time_t tt = static_cast<time_t>(t);
  char buf[32];
  struct tm tm;
  if (!localtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%b %e %H:%M:%S %Y", &tm)) return std::string(20, '?');
  return buf;
}

std::string dir_name(Direction d) { return std::string(model::name_of(model::direction_names(), d)); }

std::string extensions_text(const model::Policy& p) {
  std::string s;
  if (p.mark) s += fmt::format(" -mark {:#x}/{:#x}", p.mark->value, p.mark->mask);
  if (p.if_id) s += fmt::format(" -if_id {}", *p.if_id);
  if (p.ctx) s += fmt::format(" -ctx {} {} \"{}\"", p.ctx->doi, p.ctx->alg, p.ctx->label);
  return s;
}

}  // namespace

std::string upper_protocol_text(uint8_t proto) {
  if (proto == model::kProtoAny) return "any";
  auto n = model::name_of(model::upper_protocol_names(), proto);
  return n.empty() ? std::to_string(proto) : std::string(n);
}

std::string format_policy_dump(const model::Policy& p, const PrintOptions& o) {
  std::string s;
  if (p.is_socket_policy())
    s = "(per-socket policy) ";
  else
    s = selector_text(p.sel);
  s += fmt::format("\n\t{}{}", dir_name(p.dir), p.is_socket_policy() ? "(socket)" : "");  // as ipsec-tools on Linux
  if (p.priority != 0) s += fmt::format(" {}", priority_text(p.priority));
  s += fmt::format(" {}\n", model::name_of(model::policy_kind_names(), p.kind));
  for (const auto& t : p.templates) s += fmt::format("\t{}\n", request_text(t, o.with_ports, false));
  if (p.mark) s += fmt::format("\tmark={:#x}/{:#x}\n", p.mark->value, p.mark->mask);
  if (p.if_id) s += fmt::format("\tif_id={}\n", *p.if_id);
  s += fmt::format("\tcreated: {}  lastused: {}\n", time_text(p.current.add_time), time_text(p.current.use_time));
  s += fmt::format("\tlifetime: {}(s) validtime: {}(s)\n", p.limits.hard_add_seconds, p.limits.hard_use_seconds);
  if (p.ctx) {
    s += fmt::format("\tsecurity context doi: {}\n\tsecurity context algorithm: {}\n", p.ctx->doi, p.ctx->alg);
    s += fmt::format("\tsecurity context length: {}\n\tsecurity context: {}\n", p.ctx->label.size() + 1, p.ctx->label);
  }
  s += fmt::format("\tspid={} seq=0 pid={}\n", p.index, o.pid);
  return s;
}

std::string format_spdadd(const model::Policy& p) {
  // Always spell the priority out: a kernel priority of 0 (ip xfrm's default) is not setkey's default.
  std::string prio = p.priority == 0 ? "prio high + 1073741824" : priority_text(p.priority);
  std::string s = fmt::format("spdadd {}{} -P {} {} {}", selector_text(p.sel), extensions_text(p), dir_name(p.dir), prio,
                              model::name_of(model::policy_kind_names(), p.kind));
  for (const auto& t : p.templates) s += fmt::format(" {}", request_text(t, false, true));
  s += ';';
  return s;
}

std::string format_policy_save(std::span<const model::Policy> dump, bool rfc_mode) {
  std::map<model::PolicyKey, const model::Policy*> in_policies;
  if (rfc_mode)
    for (const auto& p : dump)
      if (p.dir == Direction::in && !p.is_socket_policy()) in_policies.emplace(p.key(), &p);
  std::string out = fmt::format("# setkey -DP --save ({} mode): load with setkey{} -f\n", rfc_mode ? "RFC" : "kernel",
                                rfc_mode ? "" : " -k");
  size_t skipped_socket = 0;
  for (auto it = dump.rbegin(); it != dump.rend(); ++it) {  // the kernel dumps newest first
    const auto& p = *it;
    if (p.is_socket_policy()) {
      ++skipped_socket;
      continue;
    }
    if (rfc_mode && p.dir == Direction::fwd) {
      model::PolicyKey k = p.key();
      k.dir = Direction::in;
      if (auto in = in_policies.find(k); in != in_policies.end() && is_rfc_fwd_copy(p, *in->second)) continue;
    }
    out += fmt::format("{}\n", format_spdadd(p));
  }
  if (skipped_socket) out += fmt::format("# {} per-socket policies not saved: they belong to their sockets\n", skipped_socket);
  return out;
}

std::string format_sa_dump(const model::SecurityAssociation& sa, const PrintOptions& o) {
  auto hexkey = [&](const std::vector<uint8_t>& key) {
    if (!o.show_keys) return std::string(" (keys hidden)");
    std::string s;
    for (size_t i = 0; i < key.size(); ++i) {
      if (i % 4 == 0) s += ' ';
      s += fmt::format("{:02x}", key[i]);
    }
    return s;
  };
  std::string s;
  if (sa.encap)
    s += fmt::format("{}[{}] {}[{}]\n", sa.src.to_string(), sa.encap->sport, sa.dst.to_string(), sa.encap->dport);
  else
    s += fmt::format("{} {}\n", sa.src.to_string(), sa.dst.to_string());
  std::string proto(model::name_of(model::protocol_names(), sa.proto));
  // Kernel-internal states have protocols setkey has no word for (the IPIP helper of an IPComp tunnel
  // SA is 4 or 41): show the number rather than an empty field.
  if (proto.empty()) proto = std::to_string(static_cast<unsigned>(sa.proto));
  if (sa.encap) proto = "esp-udp";
  s += fmt::format("\t{} mode={} spi={}(0x{:08x}) reqid={}(0x{:08x})\n", proto, model::name_of(model::mode_names(), sa.mode),
                   sa.spi, sa.spi, sa.reqid, sa.reqid);
  if (sa.encap && !sa.encap->original_address.is_unspec()) s += fmt::format("\tNAT OA={}\n", sa.encap->original_address.to_string());
  if (sa.aead) s += fmt::format("\tE: {} {}\n", sa.aead->kernel_name, hexkey(sa.aead->key));
  if (sa.crypt) s += fmt::format("\tE: {} {}\n", sa.crypt->kernel_name, hexkey(sa.crypt->key));
  if (sa.auth) s += fmt::format("\tA: {} {}\n", sa.auth->kernel_name, hexkey(sa.auth->key));
  if (sa.comp) s += fmt::format("\tC: {}\n", sa.comp->kernel_name);
  // The model keeps ESN in replay.esn (decode strips it from flags); the kernel's flags word has it.
  uint32_t flags = sa.flags | (sa.replay.esn ? model::sa_flag::esn : 0);
  // XFRM does not report the SA state, but the kernel refuses an ESP, AH or IPComp SA without its
  // algorithm, so one without any is the larval SA a getspi (ALLOCSPI) or an acquire reserved.
  bool ipsec = sa.proto == model::Protocol::esp || sa.proto == model::Protocol::ah || sa.proto == model::Protocol::ipcomp;
  bool larval = ipsec && !sa.crypt && !sa.aead && !sa.auth && !sa.comp;
  s += fmt::format("\tseq=0x{:08x} replay={} flags=0x{:08x} state={}\n", sa.replay_counters.oseq, sa.replay.window, flags,
                   larval ? "larval" : "mature");
  s += fmt::format("\tcreated: {}\tcurrent: {}\n", time_text(sa.current.add_time), time_text(static_cast<uint64_t>(time(nullptr))));
  s += fmt::format("\tdiff: {}(s)\thard: {}(s)\tsoft: {}(s)\n",
                   sa.current.add_time ? static_cast<uint64_t>(time(nullptr)) - sa.current.add_time : 0,
                   sa.limits.hard_add_seconds, sa.limits.soft_add_seconds);
  s += fmt::format("\tlast: {}\thard: {}(s)\tsoft: {}(s)\n", time_text(sa.current.use_time), sa.limits.hard_use_seconds,
                   sa.limits.soft_use_seconds);
  auto bytes = [](uint64_t v) { return v == model::kInfinite ? uint64_t{0} : v; };
  s += fmt::format("\tcurrent: {}(bytes)\thard: {}(bytes)\tsoft: {}(bytes)\n", sa.current.bytes, bytes(sa.limits.hard_bytes),
                   bytes(sa.limits.soft_bytes));
  s += fmt::format("\tallocated: {}\thard: {}\tsoft: {}\n", sa.current.packets, bytes(sa.limits.hard_packets),
                   bytes(sa.limits.soft_packets));
  if (sa.mark) s += fmt::format("\tmark={:#x}/{:#x}\n", sa.mark->value, sa.mark->mask);
  if (sa.if_id) s += fmt::format("\tif_id={}\n", *sa.if_id);
  if (sa.output_mark) s += fmt::format("\toutput-mark={:#x}/{:#x}\n", sa.output_mark->value, sa.output_mark->mask);
  if (sa.dir) s += fmt::format("\tdir={}\n", *sa.dir == model::SaDirection::in ? "in" : "out");
  if (sa.tfcpad) s += fmt::format("\ttfcpad={}\n", *sa.tfcpad);
  if (sa.nat_keepalive_interval) s += fmt::format("\tnatt-keepalive={}(s)\n", *sa.nat_keepalive_interval);
  s += fmt::format("\tsadb_seq=0 pid={}\n", o.pid);
  return s;
}

}  // namespace xfrmpp::parsers::setkey
