// SPDX-License-Identifier: BSD-3-Clause
// The outbound path: the `out` SPD decision; for an ipsec policy the SA of each template as
// xfrm_tmpl_resolve finds it (an ACQUIRE and a larval SA for a missing one, which drops the packet
// unless the template is optional: level `use`); then the SAs applied in template order, innermost first.
#include <array>

#include "counters.hpp"
#include "ip_packet.hpp"
#include "mode.hpp"
#include "path.hpp"
#include "protocols.hpp"
#include "sa_runtime.hpp"

namespace xfrmpp::engine::packet {

namespace {

constexpr uint64_t kAcquireSeconds = 30;  // XFRM_ACQ_EXPIRES

PacketOutcome passed(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  out.assign(in.begin(), in.end());
  PacketOutcome o;
  o.verdict = PacketOutcome::Verdict::pass;
  return o;
}

// The selector a larval SA gets from the flow that made it (the kernel's __xfrm_init_tempsel): both
// hosts exactly, and the ports (0 included) and protocol the flow had.
model::Selector host_selector(const Flow& f) {
  model::Selector s;
  s.family = f.family;
  s.src = {f.src, f.src.max_prefix()};
  s.dst = {f.dst, f.dst.max_prefix()};
  s.proto = f.proto;
  s.sport = f.sport;
  s.sport_mask = 0xffff;
  s.dport = f.dport;
  s.dport_mask = 0xffff;
  return s;
}

void acquire(PathContext& c, const model::Policy& pol, const model::Template& t, const model::Address& src,
             const model::Address& dst, const Flow& flow) {
  SaEntry e;
  e.larval = true;
  e.expires = c.now + kAcquireSeconds;
  auto& sa = e.sa;
  sa.family = dst.family;
  sa.src = src;
  sa.dst = dst;
  sa.proto = t.proto;
  sa.mode = t.mode;
  sa.reqid = t.reqid;
  sa.sel = host_selector(flow);
  sa.current.add_time = c.now;
  Event ev;
  ev.kind = Event::Kind::acquire;
  ev.sa = sa;
  ev.policy = pol;
  c.log.events.push_back(std::move(ev));
  c.log.larvals.push_back(e);
  c.state.sad.insert(std::move(e));
}

bool tunnel_like(model::Mode m) { return m == model::Mode::tunnel || m == model::Mode::beet; }

}  // namespace

PacketOutcome run_output(PathContext& c, std::span<const uint8_t> in, std::vector<uint8_t>& out, Scratch& s) {
  auto h = parse_ip(in);
  if (!h) return dropped(c, {ctr::out_error, "not an IPv4 or IPv6 packet"});
  Flow flow = flow_of(in, *h, model::Direction::out);
  const model::Policy* pol = c.state.spd.lookup(flow);
  if (!pol) {
    if (c.state.default_out == model::PolicyAction::block) return dropped(c, {ctr::out_pol_block, "blocked by the default out policy"});
    return passed(in, out);
  }
  if (pol->kind == model::PolicyKind::discard) return dropped(c, {ctr::out_pol_block, "blocked by a discard policy"});
  if (pol->templates.empty()) return passed(in, out);

  std::array<SaEntry*, 6> chain{};
  size_t n = 0;
  bool missing = false;
  model::Address local = flow.src, remote = flow.dst;
  // xfrm_tmpl_resolve_one: the first required template without an SA ends the resolution with one
  // ACQUIRE (optional ones without an SA are skipped, though they still ask for one).
  for (const auto& t : pol->templates) {
    model::Address dst = tunnel_like(t.mode) ? t.dst : remote;
    model::Address src = tunnel_like(t.mode) ? t.src : local;
    SaChoice choice = find_outbound_sa(c.state, t, src, dst, flow, pol->if_id.value_or(0));
    if (choice.sa && choice.sa->sa.dir == model::SaDirection::in)
      return dropped(c, {ctr::out_dir_error, "the template's SA is marked for inbound traffic"});
    if (choice.sa && n < chain.size()) {
      chain[n++] = choice.sa;
      remote = dst;
      local = choice.sa->sa.src;
      continue;
    }
    if (!choice.larval) acquire(c, *pol, t, src, dst, flow);
    if (t.level != model::Level::use) {
      missing = true;
      break;
    }
  }
  if (missing) return dropped(c, {ctr::out_no_states, "no SA for the policy's template (ACQUIRE sent)"});

  if (n == 0) return passed(in, out);  // every template optional and without an SA
  PacketOutcome o;
  std::span<const uint8_t> cur = in;
  for (size_t i = 0; i < n; ++i) {
    SaEntry* e = chain[i];
    uint32_t spi = e->sa.spi;
    if (check_expired(c, e)) return dropped(c, {ctr::out_expired, "the SA's hard lifetime ran out"}, std::move(o));
    auto k = crypto_of(*e);
    if (!k) return dropped(c, {ctr::out_proto_error, "the engine cannot run this SA's algorithm"}, std::move(o));
    auto ch = parse_ip(cur);
    if (!ch) return dropped(c, {ctr::out_error, "malformed packet"}, std::move(o));
    Framing f;
    if (auto d = frame_output(c, e->sa, cur, *ch, s.step, f)) return dropped(c, *d, std::move(o));
    Step st;
    switch (e->sa.proto) {
      case model::Protocol::esp: st = esp_output(c, *e, **k, f, s.step); break;
      case model::Protocol::ah: st = ah_output(c, *e, **k, f, s.step); break;
      case model::Protocol::ipcomp: st = ipcomp_output(c, *e, f, s.step); break;
    }
    if (st) return dropped(c, *st, std::move(o));
    out.swap(s.step);
    cur = out;
    o.spis.insert(o.spis.begin(), spi);
  }
  o.verdict = PacketOutcome::Verdict::pass;
  o.transformed = n > 0;
  return o;
}

}  // namespace xfrmpp::engine::packet
