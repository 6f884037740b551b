// SPDX-License-Identifier: BSD-3-Clause
#include "json_emit.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <type_traits>

#include "xfrmpp/model/names.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::render::emit {

namespace {

// nlohmann's pretty printer (indent 2) as a stream of calls. Members must come in sorted order, as
// nlohmann's std::map keeps them: every function below writes them so.
class Pretty {
 public:
  Pretty(std::string& out, size_t depth) : out_(out), depth_(depth) {}

  void open_object() { open('{'); }
  void close_object() { close('}'); }
  void open_array() { open('['); }
  void close_array() { close(']'); }
  /// Starts a member; its value follows. Names are literals of plain ASCII, which need no escapes.
  Pretty& key(std::string_view name) {
    next();
    out_ += '"';
    out_ += name;
    out_ += "\": ";
    return *this;
  }
  /// Starts an array element.
  Pretty& item() {
    next();
    return *this;
  }
  template <typename T>
    requires std::is_integral_v<T>
  void number(T v) {
    if constexpr (std::is_same_v<T, bool>) {
      out_ += v ? "true" : "false";
    } else {
      fmt::format_int f(v);
      out_.append(f.data(), f.size());
    }
  }
  void null() { out_ += "null"; }
  void string(std::string_view s) {
    for (unsigned char c : s) {
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        out_ += json_text(nlohmann::json(std::string(s)));  // escapes and invalid UTF-8 as nlohmann does them
        return;
      }
    }
    out_ += '"';
    out_ += s;
    out_ += '"';
  }

 private:
  void open(char c) {
    out_ += c;
    empty_[open_++] = true;
  }
  void close(char c) {
    --open_;
    if (!empty_[open_]) newline();
    out_ += c;
  }
  void next() {
    out_ += empty_[open_ - 1] ? "\n" : ",\n";
    empty_[open_ - 1] = false;
    newline_indent();
  }
  void newline() {
    out_ += '\n';
    newline_indent();
  }
  void newline_indent() { out_.append(2 * (depth_ + open_), ' '); }

  std::string& out_;
  size_t depth_;
  std::array<bool, 8> empty_{};  ///< per open container: no member yet (the deepest nesting here is 4)
  size_t open_ = 0;
};

std::string prefix_text(const model::Prefix& p) { return fmt::format("{}/{}", p.addr.to_string(), p.len); }

void limits(Pretty& w, const model::LifetimeLimits& l) {
  auto half = [&w](uint64_t add, uint64_t bytes, uint64_t packets, uint64_t use) {
    auto lim = [&w](uint64_t v) { v == model::kInfinite ? w.null() : w.number(v); };
    w.open_object();
    w.key("add_seconds").number(add);
    w.key("bytes");
    lim(bytes);
    w.key("packets");
    lim(packets);
    w.key("use_seconds").number(use);
    w.close_object();
  };
  w.open_object();
  w.key("hard");
  half(l.hard_add_seconds, l.hard_bytes, l.hard_packets, l.hard_use_seconds);
  w.key("soft");
  half(l.soft_add_seconds, l.soft_bytes, l.soft_packets, l.soft_use_seconds);
  w.close_object();
}

void mark(Pretty& w, const model::Mark& m) {
  w.open_object();
  w.key("mask").number(m.mask);
  w.key("value").number(m.value);
  w.close_object();
}

void ctx(Pretty& w, const model::SecurityContext& c) {
  w.open_object();
  w.key("alg").number(c.alg);
  w.key("doi").number(c.doi);
  w.key("label").string(c.label);
  w.close_object();
}

void selector(Pretty& w, const model::Selector& s) {
  bool type_code = model::proto_has_type_code(s.proto);
  w.open_object();
  if (!type_code && s.dport_mask) w.key("dport").number(s.dport);
  w.key("dst").string(prefix_text(s.dst));
  w.key("family").string(model::family_name(s.family));
  if (type_code && s.dport_mask) w.key("icmp_code").number(s.dport);
  if (type_code && s.sport_mask) w.key("icmp_type").number(s.sport);
  if (s.ifindex) w.key("ifindex").number(s.ifindex);
  w.key("proto").number(s.proto);
  if (!type_code && s.sport_mask) w.key("sport").number(s.sport);
  w.key("src").string(prefix_text(s.src));
  w.close_object();
}

void tmpl(Pretty& w, const model::Template& t) {
  bool addresses = !t.dst.is_unspec() && !(t.src.is_zero() && t.dst.is_zero());
  w.open_object();
  if (addresses) w.key("dst").string(t.dst.to_string());
  if (t.dst_port) w.key("dst_port").number(t.dst_port);
  w.key("family").string(model::family_name(t.family));
  w.key("level").string(model::name_of(model::level_names(), t.level));
  w.key("mode").string(model::name_of(model::mode_names(), t.mode));
  w.key("proto").string(model::name_of(model::protocol_names(), t.proto));
  w.key("reqid").number(t.reqid);
  if (addresses) w.key("src").string(t.src.to_string());
  if (t.src_port) w.key("src_port").number(t.src_port);
  w.close_object();
}

void alg(Pretty& w, const model::AlgorithmSetting& a, const JsonOptions& o) {
  w.open_object();
  if (a.icv_bits) w.key("icv_bits").number(a.icv_bits);
  if (o.show_keys) {
    std::string hex = "0x";
    for (uint8_t b : a.key) fmt::format_to(std::back_inserter(hex), "{:02x}", b);
    w.key("key").string(hex);
  }
  w.key("key_bits").number(a.key.size() * 8);
  w.key("name").string(a.kernel_name);
  w.close_object();
}

}  // namespace

void policy(std::string& out, const model::Policy& p, size_t depth) {
  Pretty w(out, depth);
  w.open_object();
  w.key("action").string(model::name_of(model::policy_kind_names(), p.kind));
  if (p.current.add_time) w.key("created").number(p.current.add_time);
  w.key("dir").string(model::name_of(model::direction_names(), p.dir));
  if (p.if_id) w.key("if_id").number(*p.if_id);
  w.key("index").number(p.index);
  if (p.current.use_time) w.key("last_used").number(p.current.use_time);
  if (p.limits != model::LifetimeLimits{}) limits(w.key("limits"), p.limits);
  if (p.mark) mark(w.key("mark"), *p.mark);
  w.key("priority").number(p.priority);
  if (p.ctx) ctx(w.key("security_context"), *p.ctx);
  selector(w.key("selector"), p.sel);
  w.key("socket").number(p.is_socket_policy());
  w.key("templates").open_array();
  for (const auto& t : p.templates) tmpl(w.item(), t);
  w.close_array();
  if (p.type == model::PolicyType::sub) w.key("type").string("sub");
  w.close_object();
}

void sa(std::string& out, const model::SecurityAssociation& sa, const JsonOptions& o, size_t depth) {
  Pretty w(out, depth);
  w.open_object();
  if (sa.aead) alg(w.key("aead"), *sa.aead, o);
  if (sa.auth) alg(w.key("auth"), *sa.auth, o);
  if (sa.comp) alg(w.key("comp"), *sa.comp, o);
  w.key("current").open_object();
  w.key("add_time").number(sa.current.add_time);
  w.key("bytes").number(sa.current.bytes);
  w.key("packets").number(sa.current.packets);
  w.key("use_time").number(sa.current.use_time);
  w.close_object();
  w.key("dst").string(sa.dst.to_string());
  if (sa.crypt) alg(w.key("enc"), *sa.crypt, o);
  if (sa.encap) {
    w.key("encap").open_object();
    w.key("dport").number(sa.encap->dport);
    if (!sa.encap->original_address.is_unspec()) w.key("oa").string(sa.encap->original_address.to_string());
    w.key("sport").number(sa.encap->sport);
    w.key("type").number(sa.encap->type);
    w.close_object();
  }
  w.key("esn").number(sa.replay.esn);
  w.key("family").string(model::family_name(sa.family));
  w.key("flags").number(sa.flags);
  if (sa.if_id) w.key("if_id").number(*sa.if_id);
  if (sa.limits != model::LifetimeLimits{}) limits(w.key("limits"), sa.limits);
  if (sa.mark) mark(w.key("mark"), *sa.mark);
  w.key("mode").string(model::name_of(model::mode_names(), sa.mode));
  if (sa.nat_keepalive_interval) w.key("nat_keepalive_interval").number(*sa.nat_keepalive_interval);
  if (sa.output_mark) mark(w.key("output_mark"), *sa.output_mark);
  w.key("proto").string(model::name_of(model::protocol_names(), sa.proto));
  w.key("replay_window").number(sa.replay.window);
  w.key("reqid").number(sa.reqid);
  if (sa.dir) w.key("sa_dir").string(*sa.dir == model::SaDirection::in ? "in" : "out");
  if (sa.ctx) ctx(w.key("security_context"), *sa.ctx);
  if (sa.sel != model::Selector{}) selector(w.key("selector"), sa.sel);
  w.key("spi").number(sa.spi);
  w.key("src").string(sa.src.to_string());
  if (sa.tfcpad) w.key("tfcpad").number(*sa.tfcpad);
  w.close_object();
}

}  // namespace xfrmpp::render::emit
