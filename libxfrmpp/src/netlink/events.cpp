// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/events.hpp"

#include <arpa/inet.h>

#include <cerrno>

#include "xfrmpp/netlink/attrs.hpp"
#include "xfrmpp/netlink/default_policy.hpp"
#include "xfrmpp/netlink/policy.hpp"
#include "xfrmpp/netlink/sa.hpp"

namespace xfrmpp::nl {

namespace {

using Kind = Event::Kind;

// Parses the attributes after a fixed struct of type T and hands both to `fill`.
template <typename T, typename Fill>
Result<Event> with_fixed(std::span<const uint8_t> msg, Event ev, Fill&& fill) {
  auto attrs = AttrTable::parse(msg, sizeof(T), xfrma_rules());
  if (!attrs) return attrs.error();
  if (auto r = fill(*read_fixed<T>(msg), *attrs, ev); !r) return r.error();
  return ev;
}

model::SecurityAssociation sa_from_id(const xfrm_usersa_id& id) {
  model::SecurityAssociation sa;
  sa.family = static_cast<model::Family>(id.family);
  sa.dst = decode_address(id.daddr, sa.family, false);
  sa.spi = ntohl(id.spi);
  sa.proto = static_cast<model::Protocol>(id.proto);
  return sa;
}

Result<void> fill_sa(const xfrm_usersa_info& info, const AttrTable& attrs, Event& ev) {
  auto sa = sa_from_parts(info, attrs);
  if (!sa) return sa.error();
  ev.sa = std::move(sa.value());
  return {};
}

Result<Event> decode_delete_sa(std::span<const uint8_t> msg, Event ev) {
  return with_fixed<xfrm_usersa_id>(msg, std::move(ev), [](const xfrm_usersa_id& id, const AttrTable& attrs, Event& e) {
    if (auto info = attrs.get<xfrm_usersa_info>(XFRMA_SA)) return fill_sa(*info, attrs, e);
    e.sa = sa_from_id(id);
    return Result<void>{};
  });
}

Result<Event> decode_delete_policy(std::span<const uint8_t> msg, Event ev) {
  return with_fixed<xfrm_userpolicy_id>(msg, std::move(ev),
                                        [](const xfrm_userpolicy_id& id, const AttrTable& attrs, Event& e) -> Result<void> {
    xfrm_userpolicy_info info{};
    if (auto full = attrs.get<xfrm_userpolicy_info>(XFRMA_POLICY)) {
      info = *full;
    } else {
      info.sel = id.sel;
      info.index = id.index;
      info.dir = id.dir;
    }
    auto p = policy_from_parts(info, attrs);
    if (!p) return p.error();
    e.policy = std::move(p.value());
    return {};
  });
}

Result<Event> decode_acquire(std::span<const uint8_t> msg, Event ev) {
  return with_fixed<xfrm_user_acquire>(msg, std::move(ev),
                                       [](const xfrm_user_acquire& acq, const AttrTable& attrs, Event& e) -> Result<void> {
    auto p = policy_from_parts(acq.policy, attrs);
    if (!p) return p.error();
    model::SecurityAssociation sa;
    sa.sel = decode_selector(acq.sel);
    sa.family = sa.sel.family;
    sa.proto = static_cast<model::Protocol>(acq.id.proto);
    // The larval SA is for the template being resolved; its family and mode are the template's.
    for (const auto& t : p->templates) {
      if (t.proto != sa.proto) continue;
      if (t.family != model::Family::unspec) sa.family = t.family;
      sa.mode = t.mode;
      sa.reqid = t.reqid;
      break;
    }
    sa.dst = decode_address(acq.id.daddr, sa.family, false);
    sa.src = decode_address(acq.saddr, sa.family, false);
    sa.spi = ntohl(acq.id.spi);
    sa.seq = acq.seq;
    sa.mark = p->mark;
    sa.if_id = p->if_id;
    e.policy = std::move(p.value());
    e.sa = std::move(sa);
    return {};
  });
}

Result<Event> decode_new_ae(std::span<const uint8_t> msg, Event ev) {
  return with_fixed<xfrm_aevent_id>(msg, std::move(ev),
                                    [](const xfrm_aevent_id& ae, const AttrTable& attrs, Event& e) -> Result<void> {
    model::SecurityAssociation sa = sa_from_id(ae.sa_id);
    sa.src = decode_address(ae.saddr, sa.family, false);
    sa.reqid = ae.reqid;
    xfrm_replay_state_esn esn{};
    if (attrs.read(XFRMA_REPLAY_ESN_VAL, esn)) {
      sa.replay = model::Replay{esn.replay_window, true};
      sa.replay_counters = model::ReplayCounters{esn.oseq, esn.seq, esn.oseq_hi, esn.seq_hi};
    } else if (auto r = attrs.get<xfrm_replay_state>(XFRMA_REPLAY_VAL)) {
      sa.replay_counters.oseq = r->oseq;
      sa.replay_counters.seq = r->seq;
    }
    if (auto cur = attrs.get<xfrm_lifetime_cur>(XFRMA_LTIME_VAL)) sa.current = decode_lifetime_current(*cur);
    if (auto m = attrs.get<xfrm_mark>(XFRMA_MARK)) sa.mark = decode_mark(*m);
    if (auto v = attrs.get<uint32_t>(XFRMA_IF_ID)) sa.if_id = *v;
    e.sa = std::move(sa);
    return {};
  });
}

Result<Event> decode_mapping(std::span<const uint8_t> msg, Event ev) {
  return with_fixed<xfrm_user_mapping>(msg, std::move(ev),
                                       [](const xfrm_user_mapping& m, const AttrTable&, Event& e) -> Result<void> {
    model::SecurityAssociation sa = sa_from_id(m.id);
    sa.reqid = m.reqid;
    sa.src = decode_address(m.new_saddr, sa.family, false);
    model::Encapsulation encap;
    encap.sport = ntohs(m.new_sport);
    sa.encap = encap;
    e.sa = std::move(sa);
    return {};
  });
}

Result<Event> decode_report(std::span<const uint8_t> msg, Event ev) {
  return with_fixed<xfrm_user_report>(msg, std::move(ev),
                                      [](const xfrm_user_report& r, const AttrTable& attrs, Event& e) -> Result<void> {
    model::SecurityAssociation sa;
    sa.proto = static_cast<model::Protocol>(r.proto);
    sa.sel = decode_selector(r.sel);
    sa.family = sa.sel.family;
    if (auto a = attrs.get<xfrm_address_t>(XFRMA_COADDR)) sa.coaddr = decode_address(*a, sa.family, false);
    e.sa = std::move(sa);
    return {};
  });
}

}  // namespace

Result<Event> decode_event(std::span<const uint8_t> msg) {
  if (msg.size() < sizeof(nlmsghdr)) return make_error(EBADMSG, "event shorter than a netlink header");
  Event ev;
  ev.raw_type = header_of(msg).nlmsg_type;
  switch (ev.raw_type) {
    case XFRM_MSG_NEWSA:
    case XFRM_MSG_UPDSA: {
      ev.kind = ev.raw_type == XFRM_MSG_NEWSA ? Kind::new_sa : Kind::update_sa;
      auto sa = decode_sa(msg);
      if (!sa) return sa.error();
      ev.sa = std::move(sa.value());
      return ev;
    }
    case XFRM_MSG_DELSA:
      ev.kind = Kind::delete_sa;
      return decode_delete_sa(msg, std::move(ev));
    case XFRM_MSG_FLUSHSA: {
      ev.kind = Kind::flush_sa;
      auto proto = decode_sa_flush(msg);
      if (!proto) return proto.error();
      if (*proto) {
        ev.sa.emplace();
        ev.sa->proto = **proto;
      }
      return ev;
    }
    case XFRM_MSG_NEWPOLICY:
    case XFRM_MSG_UPDPOLICY: {
      ev.kind = ev.raw_type == XFRM_MSG_NEWPOLICY ? Kind::new_policy : Kind::update_policy;
      auto p = decode_policy(msg);
      if (!p) return p.error();
      ev.policy = std::move(p.value());
      return ev;
    }
    case XFRM_MSG_DELPOLICY:
      ev.kind = Kind::delete_policy;
      return decode_delete_policy(msg, std::move(ev));
    case XFRM_MSG_FLUSHPOLICY:
      ev.kind = Kind::flush_policy;
      return ev;
    case XFRM_MSG_ACQUIRE:
      ev.kind = Kind::acquire;
      return decode_acquire(msg, std::move(ev));
    case XFRM_MSG_EXPIRE:
      ev.kind = Kind::expire;
      return with_fixed<xfrm_user_expire>(msg, std::move(ev), [](const xfrm_user_expire& x, const AttrTable& a, Event& e) {
        e.hard = x.hard != 0;
        return fill_sa(x.state, a, e);
      });
    case XFRM_MSG_POLEXPIRE:
      ev.kind = Kind::policy_expire;
      return with_fixed<xfrm_user_polexpire>(msg, std::move(ev),
                                             [](const xfrm_user_polexpire& x, const AttrTable& a, Event& e) -> Result<void> {
        e.hard = x.hard != 0;
        auto p = policy_from_parts(x.pol, a);
        if (!p) return p.error();
        e.policy = std::move(p.value());
        return {};
      });
    case XFRM_MSG_NEWAE:
      ev.kind = Kind::new_ae;
      return decode_new_ae(msg, std::move(ev));
    case XFRM_MSG_MAPPING:
      ev.kind = Kind::mapping;
      return decode_mapping(msg, std::move(ev));
    case XFRM_MSG_REPORT:
      ev.kind = Kind::report;
      return decode_report(msg, std::move(ev));
    case XFRM_MSG_GETDEFAULT: {
      ev.kind = Kind::default_policy;
      auto d = decode_default_policy(msg);
      if (!d) return d.error();
      ev.defaults = *d;
      return ev;
    }
    default:
      ev.kind = Kind::other;
      return ev;
  }
}

}  // namespace xfrmpp::nl
