// SPDX-License-Identifier: BSD-3-Clause
// ipsecconf rules -> XFRM policies. The Solaris-to-Linux mapping decisions live here (ipsecconf.8, LINUX):
// priorities inverted, one policy per direction (plus fwd for tunnel rules), per family for rules
// without addresses and per aligned block for ICMP type/code ranges; `or` merged into one template set.
#include <algorithm>

#include "parser.hpp"

namespace xfrmpp::parsers::ipsecconf {

namespace {

constexpr uint32_t kBypassBoost = 0x00800000, kEspBoost = 0x00400000, kAhBoost = 0x00200000;
constexpr uint32_t kPriorityCeiling = 0x01000000;  // above every Solaris priority (0x00ffffff at most)
constexpr uint16_t kIkePorts[] = {500, 4500};

model::Prefix any_of(model::Family f) {
  model::Prefix p;
  p.addr.family = f;
  p.len = 0;
  return p;
}

model::Prefix prefix_of(const Endpoint& e) {
  const auto& a = e.addrs.front();
  return model::Prefix{a, e.prefix.value_or(a.max_prefix())};
}

// An ICMP range as aligned power-of-two blocks, each one selector value and mask (CIDR-style).
struct Block {
  uint16_t value, mask;
};
std::vector<Block> blocks(IcmpRange r) {
  std::vector<Block> out;
  uint32_t lo = r.first, hi = r.last;
  while (lo <= hi) {
    uint32_t size = 1;
    while (size < 256 && lo % (size * 2) == 0 && lo + size * 2 - 1 <= hi) size *= 2;
    out.push_back({static_cast<uint16_t>(lo), static_cast<uint16_t>(0xffff & ~(size - 1))});
    lo += size;
  }
  return out;
}

// One bit per SADB algorithm id, as xfrm_user_tmpl masks hold them; ids past 31 cannot be expressed,
// so such a set means "any".
uint32_t mask_of(const std::vector<const model::AlgorithmInfo*>& algs) {
  uint32_t m = 0;
  for (const auto* a : algs) {
    if (a->sadb_id == 0 || a->sadb_id >= 32) return ~0u;
    m |= 1u << a->sadb_id;
  }
  return m;
}

bool wildcard(const std::optional<AlgorithmChoice>& c) { return c && !c->info && !c->bits.given; }

// What the rule's alternatives come to as one XFRM policy: action, protocols and algorithm masks.
struct Protection {
  model::PolicyKind kind = model::PolicyKind::ipsec;
  bool esp = false, ah = false, optional = false;
  uint32_t ealgos = ~0u, esp_aalgos = ~0u, ah_aalgos = ~0u;
};

Protection protection(const Rule& r) {
  Protection p;
  const Alternative& first = r.alternatives.front();
  if (first.action == Action::drop) {
    p.kind = model::PolicyKind::discard;
    return p;
  }
  if (first.action == Action::bypass) {
    p.kind = model::PolicyKind::none;
    return p;
  }
  p.esp = first.uses_esp();
  p.ah = first.uses_ah();
  std::vector<const model::AlgorithmInfo*> enc, esp_auth, ah_auth;
  bool enc_any = false, esp_auth_any = false, ah_any = false, some_without_esp_auth = false;
  for (const auto& a : r.alternatives) {
    if (a.action == Action::bypass) {
      p.optional = true;  // "or pass": use IPsec when an SA exists, accept clear text
      continue;
    }
    if (a.action == Action::drop || a.uses_esp() != p.esp || a.uses_ah() != p.ah) continue;  // warned about in the parser
    if (a.esp_encr) {
      enc_any |= wildcard(a.esp_encr);
      for (const auto* x : admitted(*a.esp_encr, PropertyKey::encr_algs)) enc.push_back(x);
    }
    if (a.esp_auth) {
      esp_auth_any |= wildcard(a.esp_auth);
      for (const auto* x : admitted(*a.esp_auth, PropertyKey::encr_auth_algs)) esp_auth.push_back(x);
    } else if (a.esp_encr) {
      some_without_esp_auth = true;  // "encr_algs only: an ESP SA with or without authentication"
    }
    if (a.ah_auth) {
      ah_any |= wildcard(a.ah_auth);
      for (const auto* x : admitted(*a.ah_auth, PropertyKey::auth_algs)) ah_auth.push_back(x);
    }
  }
  if (p.esp) {
    p.ealgos = enc_any ? ~0u : mask_of(enc);
    if (some_without_esp_auth || esp_auth_any) {
      p.esp_aalgos = ~0u;
    } else {
      p.esp_aalgos = mask_of(esp_auth);
      // Combined-mode SAs carry no separate MAC: the kernel sees SADB auth id 0 for them.
      bool aead = std::any_of(enc.begin(), enc.end(), [](const auto* x) { return x->kind == model::AlgKind::aead; });
      if (aead && p.esp_aalgos != ~0u) p.esp_aalgos |= 1u;
    }
  }
  if (p.ah) p.ah_aalgos = ah_any ? ~0u : mask_of(ah_auth);
  return p;
}

std::vector<model::Template> templates(const Rule& r, const Protection& prot, model::Direction dir, model::Family family) {
  std::vector<model::Template> out;
  auto base = [&](model::Protocol proto) {
    model::Template t;
    t.proto = proto;
    t.level = prot.optional ? model::Level::use : model::Level::require;
    t.family = family;
    if (r.tunnel && r.tunnel->negotiate_tunnel) {
      t.mode = model::Mode::tunnel;
      t.family = r.tunnel->info.local.family;
      bool outbound = dir == model::Direction::out;
      t.src = outbound ? r.tunnel->info.local : r.tunnel->info.remote;
      t.dst = outbound ? r.tunnel->info.remote : r.tunnel->info.local;
    }
    return t;
  };
  // ESP inside, AH outside (the setkey and Solaris order).
  if (prot.esp) {
    model::Template t = base(model::Protocol::esp);
    t.ealgos = prot.ealgos;
    t.aalgos = prot.esp_aalgos;
    out.push_back(t);
  }
  if (prot.ah) {
    model::Template t = base(model::Protocol::ah);
    t.aalgos = prot.ah_aalgos;
    out.push_back(t);
  }
  return out;
}

}  // namespace

std::vector<Rule> expand(const Rule& r) {
  if (!r.local && !r.remote) return {r};
  auto single = [](const Endpoint& e, const model::Address& a) {
    Endpoint out = e;
    out.addrs = {a};
    out.text = a.to_string();
    out.prefix = e.prefix.value_or(a.max_prefix());
    return out;
  };
  std::vector<Rule> out;
  if (r.local && r.remote) {
    for (const auto& l : r.local->addrs)
      for (const auto& m : r.remote->addrs) {
        if (l.family != m.family) continue;  // a v4/v6 mismatch pair is skipped
        Rule x = r;
        x.local = single(*r.local, l);
        x.remote = single(*r.remote, m);
        out.push_back(std::move(x));
      }
  } else {
    const Endpoint& e = r.local ? *r.local : *r.remote;
    for (const auto& a : e.addrs) {
      Rule x = r;
      (r.local ? x.local : x.remote) = single(e, a);
      out.push_back(std::move(x));
    }
  }
  return out;
}

uint32_t solaris_priority(const Rule& r, uint32_t base) {
  uint32_t prio = base;
  for (const auto& a : r.alternatives) {
    if (a.action == Action::bypass) prio |= kBypassBoost;
    if (a.action == Action::drop || a.action == Action::bypass) continue;
    if (a.uses_esp()) prio |= kEspBoost;
    if (a.uses_ah()) prio |= kAhBoost;
  }
  return prio;
}

uint32_t xfrm_priority(uint32_t solaris) { return kPriorityCeiling - std::min(solaris, kPriorityCeiling - 1); }

std::vector<model::Policy> policies(const Rule& r, uint32_t base) {
  std::vector<model::Policy> out;
  // A tunnel missing where the file was checked (-c): nothing to say about its endpoints or if_id.
  if (r.alternatives.empty() || (r.tunnel && !r.tunnel->resolved)) return out;
  Protection prot = protection(r);
  uint32_t prio = xfrm_priority(solaris_priority(r, base));
  bool outer = r.tunnel && !r.tunnel->negotiate_tunnel;  // negotiate transport: the IP-in-IP packets themselves
  std::vector<model::Family> families;
  if (outer) families = {r.tunnel->info.local.family};
  else if (r.local) families = {r.local->addrs.front().family};
  else if (r.remote) families = {r.remote->addrs.front().family};
  else families = {model::Family::inet, model::Family::inet6};  // port-only: both tables, as Solaris adds it
  std::vector<uint8_t> protos = outer ? std::vector<uint8_t>{4, 41} : std::vector<uint8_t>{r.ulp};
  std::vector<model::Direction> dirs;
  if (r.dirs & kDirOut) dirs.push_back(model::Direction::out);
  if (r.dirs & kDirIn) dirs.push_back(model::Direction::in);
  if ((r.dirs & kDirIn) && r.tunnel && r.tunnel->negotiate_tunnel) dirs.push_back(model::Direction::fwd);
  std::vector<Block> types = r.type ? blocks(*r.type) : std::vector<Block>{{0, 0}};
  std::vector<Block> codes = r.code ? blocks(*r.code) : std::vector<Block>{{0, 0}};
  for (auto fam : families)
    for (uint8_t proto : protos)
      for (auto dir : dirs)
        for (const auto& tb : types)
          for (const auto& cb : codes) {
            model::Policy p;
            model::Prefix local = outer ? model::Prefix{r.tunnel->info.local, r.tunnel->info.local.max_prefix()}
                                  : r.local ? prefix_of(*r.local) : any_of(fam);
            model::Prefix remote = outer ? model::Prefix{r.tunnel->info.remote, r.tunnel->info.remote.max_prefix()}
                                   : r.remote ? prefix_of(*r.remote) : any_of(fam);
            bool outbound = dir == model::Direction::out;
            p.sel.family = fam;
            p.sel.src = outbound ? local : remote;
            p.sel.dst = outbound ? remote : local;
            uint16_t sport = outbound ? r.lport : r.rport, dport = outbound ? r.rport : r.lport;
            if (sport) {
              p.sel.sport = sport;
              p.sel.sport_mask = 0xffff;
            }
            if (dport) {
              p.sel.dport = dport;
              p.sel.dport_mask = 0xffff;
            }
            p.sel.proto = proto;
            if (r.type) {
              // The ICMP type and code ride in the port fields whatever the direction.
              p.sel.sport = tb.value;
              p.sel.sport_mask = tb.mask;
              if (r.code) {
                p.sel.dport = cb.value;
                p.sel.dport_mask = cb.mask;
              }
            }
            p.dir = dir;
            p.kind = prot.kind;
            p.priority = prio;
            if (prot.kind == model::PolicyKind::ipsec) p.templates = templates(r, prot, dir, fam);
            if (r.tunnel && r.tunnel->negotiate_tunnel && r.tunnel->info.if_id) p.if_id = r.tunnel->info.if_id;
            out.push_back(std::move(p));
          }
  return out;
}

std::vector<model::Policy> ike_bypass_policies() {
  std::vector<model::Policy> out;
  for (auto fam : {model::Family::inet, model::Family::inet6})
    for (uint16_t port : kIkePorts)
      for (auto dir : {model::Direction::out, model::Direction::in}) {
        model::Policy p;
        p.sel.family = fam;
        p.sel.src = any_of(fam);
        p.sel.dst = any_of(fam);
        p.sel.proto = 17;
        if (dir == model::Direction::out) {
          p.sel.sport = port;
          p.sel.sport_mask = 0xffff;
        } else {
          p.sel.dport = port;
          p.sel.dport_mask = 0xffff;
        }
        p.dir = dir;
        p.kind = model::PolicyKind::none;
        p.priority = 0;
        out.push_back(std::move(p));
      }
  return out;
}

bool is_ike_bypass(const model::Policy& p) {
  for (const auto& b : ike_bypass_policies())
    if (p.key() == b.key() && p.priority == 0 && p.kind == model::PolicyKind::none && p.templates.empty()) return true;
  return false;
}

}  // namespace xfrmpp::parsers::ipsecconf
