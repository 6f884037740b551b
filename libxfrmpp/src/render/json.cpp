// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/render/json.hpp"

#include <fmt/format.h>

#include "xfrmpp/model/names.hpp"
#include "xfrmpp/model/visit.hpp"

namespace xfrmpp::render {

using nlohmann::json;

namespace {

std::string prefix_text(const model::Prefix& p) { return fmt::format("{}/{}", p.addr.to_string(), p.len); }

json limits_json(const model::LifetimeLimits& l) {
  auto lim = [](uint64_t v) { return v == model::kInfinite ? json(nullptr) : json(v); };
  return json{{"soft", {{"bytes", lim(l.soft_bytes)}, {"packets", lim(l.soft_packets)}, {"add_seconds", l.soft_add_seconds},
                        {"use_seconds", l.soft_use_seconds}}},
              {"hard", {{"bytes", lim(l.hard_bytes)}, {"packets", lim(l.hard_packets)}, {"add_seconds", l.hard_add_seconds},
                        {"use_seconds", l.hard_use_seconds}}}};
}

json mark_json(const model::Mark& m) { return json{{"value", m.value}, {"mask", m.mask}}; }

json ctx_json(const model::SecurityContext& c) { return json{{"doi", c.doi}, {"alg", c.alg}, {"label", c.label}}; }

std::string hex(const std::vector<uint8_t>& key) {
  std::string s = "0x";
  for (uint8_t b : key) s += fmt::format("{:02x}", b);
  return s;
}

json alg_json(const model::AlgorithmSetting& a, const JsonOptions& o) {
  json j{{"name", a.kernel_name}, {"key_bits", a.key.size() * 8}};
  if (a.icv_bits) j["icv_bits"] = a.icv_bits;
  if (o.show_keys) j["key"] = hex(a.key);
  return j;
}

}  // namespace

json to_json(const model::Selector& s) {
  json j{{"family", model::family_name(s.family)}, {"src", prefix_text(s.src)}, {"dst", prefix_text(s.dst)},
         {"proto", s.proto}};
  if (model::proto_has_type_code(s.proto)) {
    if (s.sport_mask) j["icmp_type"] = s.sport;
    if (s.dport_mask) j["icmp_code"] = s.dport;
  } else {
    if (s.sport_mask) j["sport"] = s.sport;
    if (s.dport_mask) j["dport"] = s.dport;
  }
  if (s.ifindex) j["ifindex"] = s.ifindex;
  return j;
}

json to_json(const model::Template& t) {
  json j{{"proto", model::name_of(model::protocol_names(), t.proto)},
         {"mode", model::name_of(model::mode_names(), t.mode)},
         {"level", model::name_of(model::level_names(), t.level)},
         {"reqid", t.reqid},
         {"family", model::family_name(t.family)}};
  if (!t.dst.is_unspec() && !(t.src.is_zero() && t.dst.is_zero())) {
    j["src"] = t.src.to_string();
    j["dst"] = t.dst.to_string();
  }
  if (t.src_port) j["src_port"] = t.src_port;
  if (t.dst_port) j["dst_port"] = t.dst_port;
  return j;
}

json to_json(const model::Policy& p) {
  json j{{"selector", to_json(p.sel)},
         {"dir", model::name_of(model::direction_names(), p.dir)},
         {"action", model::name_of(model::policy_kind_names(), p.kind)},
         {"priority", p.priority},
         {"index", p.index},
         {"socket", p.is_socket_policy()},
         {"templates", json::array()}};
  for (const auto& t : p.templates) j["templates"].push_back(to_json(t));
  if (p.mark) j["mark"] = mark_json(*p.mark);
  if (p.if_id) j["if_id"] = *p.if_id;
  if (p.ctx) j["security_context"] = ctx_json(*p.ctx);
  if (p.type == model::PolicyType::sub) j["type"] = "sub";
  if (p.limits != model::LifetimeLimits{}) j["limits"] = limits_json(p.limits);
  if (p.current.add_time) j["created"] = p.current.add_time;
  if (p.current.use_time) j["last_used"] = p.current.use_time;
  return j;
}

json to_json(const model::SecurityAssociation& sa, const JsonOptions& o) {
  json j{{"family", model::family_name(sa.family)},
         {"src", sa.src.to_string()},
         {"dst", sa.dst.to_string()},
         {"proto", model::name_of(model::protocol_names(), sa.proto)},
         {"spi", sa.spi},
         {"mode", model::name_of(model::mode_names(), sa.mode)},
         {"reqid", sa.reqid},
         {"flags", sa.flags},
         {"replay_window", sa.replay.window},
         {"esn", sa.replay.esn}};
  if (sa.auth) j["auth"] = alg_json(*sa.auth, o);
  if (sa.crypt) j["enc"] = alg_json(*sa.crypt, o);
  if (sa.aead) j["aead"] = alg_json(*sa.aead, o);
  if (sa.comp) j["comp"] = alg_json(*sa.comp, o);
  if (sa.encap) {
    j["encap"] = {{"type", sa.encap->type}, {"sport", sa.encap->sport}, {"dport", sa.encap->dport}};
    if (!sa.encap->original_address.is_unspec()) j["encap"]["oa"] = sa.encap->original_address.to_string();
  }
  if (sa.sel != model::Selector{}) j["selector"] = to_json(sa.sel);
  if (sa.limits != model::LifetimeLimits{}) j["limits"] = limits_json(sa.limits);
  if (sa.mark) j["mark"] = mark_json(*sa.mark);
  if (sa.if_id) j["if_id"] = *sa.if_id;
  if (sa.output_mark) j["output_mark"] = mark_json(*sa.output_mark);
  if (sa.tfcpad) j["tfcpad"] = *sa.tfcpad;
  if (sa.dir) j["sa_dir"] = *sa.dir == model::SaDirection::in ? "in" : "out";
  if (sa.nat_keepalive_interval) j["nat_keepalive_interval"] = *sa.nat_keepalive_interval;
  if (sa.ctx) j["security_context"] = ctx_json(*sa.ctx);
  j["current"] = {{"bytes", sa.current.bytes}, {"packets", sa.current.packets}, {"add_time", sa.current.add_time},
                  {"use_time", sa.current.use_time}};
  return j;
}

json spd_document(std::span<const model::Policy> policies) {
  json j{{"schema", kJsonSchema}, {"policies", json::array()}};
  for (const auto& p : policies) j["policies"].push_back(to_json(p));
  return j;
}

json sad_document(std::span<const model::SecurityAssociation> sas, const JsonOptions& o) {
  json j{{"schema", kJsonSchema}, {"sas", json::array()}};
  for (const auto& sa : sas) j["sas"].push_back(to_json(sa, o));
  return j;
}

json to_json(const model::Statement& st, uint64_t line, const JsonOptions& o) {
  json j{{"line", line}};
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, model::AddPolicy>) {
          j["op"] = op.update ? "update-policy" : "add-policy";
          j["policy"] = to_json(op.policy);
        } else if constexpr (std::is_same_v<T, model::DeletePolicy>) {
          j["op"] = "delete-policy";
          j["selector"] = to_json(op.id.sel);
          j["dir"] = model::name_of(model::direction_names(), op.id.dir);
        } else if constexpr (std::is_same_v<T, model::FlushPolicies>) {
          j["op"] = "flush-policies";
        } else if constexpr (std::is_same_v<T, model::DumpPolicies>) {
          j["op"] = "dump-policies";
        } else if constexpr (std::is_same_v<T, model::AddSa>) {
          j["op"] = op.update ? "update-sa" : "add-sa";
          j["sa"] = to_json(*op.sa, o);
        } else if constexpr (std::is_same_v<T, model::AllocSpi>) {
          j["op"] = "getspi";
          j["sa"] = to_json(*op.sa, o);
          j["min"] = op.min;
          j["max"] = op.max;
        } else if constexpr (std::is_same_v<T, model::DeleteSa> || std::is_same_v<T, model::GetSa>) {
          j["op"] = std::is_same_v<T, model::DeleteSa> ? "delete-sa" : "get-sa";
          j["dst"] = op.id.dst.to_string();
          j["src"] = op.id.src.to_string();
          j["proto"] = model::name_of(model::protocol_names(), op.id.proto);
          j["spi"] = op.id.spi;
        } else if constexpr (std::is_same_v<T, model::DeleteAllSa>) {
          j["op"] = "deleteall-sa";
          j["src"] = op.src.to_string();
          j["dst"] = op.dst.to_string();
          j["proto"] = model::name_of(model::protocol_names(), op.proto);
        } else if constexpr (std::is_same_v<T, model::FlushSas> || std::is_same_v<T, model::DumpSas>) {
          j["op"] = std::is_same_v<T, model::FlushSas> ? "flush-sas" : "dump-sas";
          if (op.proto) j["proto"] = model::name_of(model::protocol_names(), *op.proto);
        } else if constexpr (std::is_same_v<T, model::SetDefaultPolicy>) {
          j["op"] = "set-default-policy";
          auto put = [&](const char* k, const std::optional<model::PolicyAction>& a) {
            if (a) j[k] = *a == model::PolicyAction::block ? "block" : "accept";
          };
          put("in", op.defaults.in);
          put("fwd", op.defaults.fwd);
          put("out", op.defaults.out);
        } else if constexpr (std::is_same_v<T, model::SetSpdHashThresholds>) {
          j["op"] = "set-spd-hash-thresholds";
          if (op.v4) j["hthresh4"] = {op.v4_lbits, op.v4_rbits};
          if (op.v6) j["hthresh6"] = {op.v6_lbits, op.v6_rbits};
        } else if constexpr (std::is_same_v<T, model::GetDefaultPolicy>) {
          j["op"] = "get-default-policy";
        } else if constexpr (std::is_same_v<T, model::GetSpdInfo>) {
          j["op"] = "spd-info";
        } else if constexpr (std::is_same_v<T, model::GetSadInfo>) {
          j["op"] = "sad-info";
        } else {
          static_assert(model::kUnhandled<T>, "to_json(Statement): a model::Operation alternative has no JSON form");
        }
      },
      st.op);
  return j;
}

}  // namespace xfrmpp::render
