// SPDX-License-Identifier: BSD-3-Clause
#include "validate.hpp"

#include <cerrno>

#include "xfrmpp/model/algorithm.hpp"

namespace xfrmpp::engine {

namespace {

using model::Family;

constexpr size_t kMaxDepth = 6;              // XFRM_MAX_DEPTH
constexpr uint32_t kMaxReplayWindow = 4096;  // XFRMA_REPLAY_ESN_MAX bits
constexpr size_t kMaxAlgName = 63;           // alg_name[64] with its NUL
constexpr size_t kMaxCtxBytes = 4096;        // verify_sec_ctx_len: ctx_len against the attribute's u16 length

Rejection reject(int code, std::string why) { return Rejection{code, std::move(why)}; }

bool prefixes_fit(const model::Selector& s, uint8_t max) { return s.src.len <= max && s.dst.len <= max; }

Rejection check_selector(const model::Selector& s, bool unspec_ok) {
  switch (s.family) {
    case Family::unspec:
      if (!unspec_ok) return reject(EINVAL, "Invalid selector family");
      return {};
    case Family::inet:
      if (!prefixes_fit(s, 32)) return reject(EINVAL, "Invalid prefix length in selector (must be <= 32 for IPv4)");
      return {};
    case Family::inet6:
      if (!prefixes_fit(s, 128)) return reject(EINVAL, "Invalid prefix length in selector (must be <= 128 for IPv6)");
      return {};
  }
  return reject(EINVAL, "Invalid address family in selector");
}

bool mode_known(model::Mode m) { return static_cast<uint8_t>(m) <= static_cast<uint8_t>(model::Mode::iptfs); }

// Full ICV length of each keyed hash (xfrm_algo.c icv_fullbits): AUTH_TRUNC may not ask for more.
uint32_t icv_full_bits(std::string_view name) {
  if (name == "hmac(md5)" || name == "xcbc(aes)" || name == "cmac(aes)") return 128;
  if (name == "hmac(sha1)") return 160;
  if (name == "hmac(sha256)") return 256;
  if (name == "hmac(sha384)") return 384;
  if (name == "hmac(sha512)") return 512;
  return 0;
}

Rejection check_alg(const model::AlgorithmSetting& a, model::AlgKind kind, std::string_view what) {
  if (a.kernel_name.size() > kMaxAlgName) return reject(EINVAL, "algorithm name longer than 63 bytes");
  const model::AlgorithmInfo* info =
      model::find_kernel_algorithm(a.kernel_name, kind, kind == model::AlgKind::aead ? a.icv_bits : 0);
  // attach_one_algo / attach_aead / attach_auth_trunc: an unknown name (or AEAD ICV) is ENOSYS.
  if (!info) return reject(ENOSYS, "Requested " + std::string(what) + " algorithm not found");
  if (kind == model::AlgKind::auth && a.icv_bits > icv_full_bits(a.kernel_name))
    return reject(EINVAL, "Invalid length requested for truncated ICV");
  uint32_t bits = static_cast<uint32_t>(a.key.size()) * 8;
  // The crypto layer's setkey refuses a key of the wrong size when the state is initialised.
  if (kind != model::AlgKind::comp && !model::key_length_ok(*info, bits))
    return reject(EINVAL, "invalid key length " + std::to_string(bits) + " bits for " + a.kernel_name);
  // The kernel has these; OpenSSL, which runs the engine's packets, does not. Refused at the add, not at
  // the first packet, so a script learns it where it can act on it.
  for (std::string_view missing : {"twofish", "serpent"})
    if (a.kernel_name.find(missing) != std::string::npos)
      return reject(ENOSYS, a.kernel_name + ": the software engine cannot run it (OpenSSL has no " + std::string(missing) +
                                "); the kernel backend can");
  return {};
}

bool family_ok(Family f) { return f == Family::inet || f == Family::inet6; }

}  // namespace

model::Family sa_family(const model::SecurityAssociation& sa) {
  return sa.family != Family::unspec ? sa.family : sa.dst.family;
}

Rejection validate_policy(const model::Policy& p) {
  if (static_cast<uint8_t>(p.kind) > static_cast<uint8_t>(model::PolicyKind::bypass))
    return reject(EINVAL, "Invalid policy action");
  // An unset family is filled from the prefixes by the netlink encoder; the engine does the same check.
  model::Selector sel = p.sel;
  if (sel.family == Family::unspec) sel.family = p.sel.src.addr.family != Family::unspec ? p.sel.src.addr.family : p.sel.dst.addr.family;
  if (auto r = check_selector(sel, false)) return r;
  if (static_cast<uint8_t>(p.dir) > 2) return reject(EINVAL, "Invalid policy direction");
  if (p.index != 0 && p.index % 8 != static_cast<uint8_t>(p.dir))
    return reject(EINVAL, "Policy index doesn't match direction");
  if (static_cast<uint8_t>(p.type) > 1) return reject(EINVAL, "Invalid policy type");
  if (p.templates.size() > kMaxDepth) return reject(EINVAL, "Template count must be <= XFRM_MAX_DEPTH (6)");
  if (p.ctx && p.ctx->label.size() > kMaxCtxBytes) return reject(EINVAL, "Invalid security context length");
  Family prev = sel.family;
  for (const auto& t : p.templates) {
    Family f = t.family == Family::unspec ? sel.family : t.family;
    switch (t.mode) {
      case model::Mode::tunnel:
      case model::Mode::beet:
        if (t.level == model::Level::use && p.dir == model::Direction::out)
          return reject(EINVAL, "Mode in optional template not allowed in outbound policy");
        // No endpoint check: the kernel stores a tunnel template with 0.0.0.0 endpoints (measured with
        // `ip xfrm policy add ... tmpl proto esp mode tunnel` in a namespace), so the engine does too.
        break;
      case model::Mode::iptfs: break;
      default:
        if (f != prev) return reject(EINVAL, "Mode in template doesn't support a family change");
        break;
    }
    if (!mode_known(t.mode)) return reject(EINVAL, "Mode in template must be < XFRM_MODE_MAX");
    prev = f;
    if (!family_ok(f)) return reject(EINVAL, "Invalid family in template");
    auto proto = t.proto;
    if (proto != model::Protocol::esp && proto != model::Protocol::ah && proto != model::Protocol::ipcomp)
      return reject(EINVAL, "Invalid XFRM protocol in template");
  }
  return {};
}

Rejection validate_sa(const model::SecurityAssociation& sa) {
  Family fam = sa_family(sa);
  if (!family_ok(fam)) return reject(EINVAL, "Invalid address family");
  if ((!sa.dst.is_unspec() && sa.dst.family != fam) || (!sa.src.is_unspec() && sa.src.family != fam))
    return reject(EINVAL, "SA addresses are not of the SA's family");
  if (auto r = check_selector(sa.sel, true)) return r;
  bool auth = sa.auth.has_value(), crypt = sa.crypt.has_value(), aead = sa.aead.has_value(), comp = sa.comp.has_value();
  switch (sa.proto) {
    case model::Protocol::ah:
      if (!auth) return reject(EINVAL, "Missing required attribute for AH: AUTH_TRUNC or AUTH");
      if (aead || crypt || comp || sa.tfcpad) return reject(EINVAL, "Invalid attributes for AH: AEAD, CRYPT, COMP, TFCPAD");
      break;
    case model::Protocol::esp:
      if (comp) return reject(EINVAL, "Invalid attribute for ESP: COMP");
      if (!auth && !crypt && !aead)
        return reject(EINVAL, "Missing required attribute for ESP: at least one of AUTH, AUTH_TRUNC, CRYPT, AEAD");
      if ((auth || crypt) && aead)
        return reject(EINVAL, "Invalid attribute combination for ESP: AEAD can't be used with AUTH, AUTH_TRUNC, CRYPT");
      if (sa.tfcpad && sa.mode != model::Mode::tunnel) return reject(EINVAL, "TFC padding can only be used in tunnel mode");
      break;
    case model::Protocol::ipcomp:
      if (!comp) return reject(EINVAL, "Missing required attribute for COMP: COMP");
      if (aead || auth || crypt || sa.tfcpad)
        return reject(EINVAL, "Invalid attributes for COMP: AEAD, AUTH, AUTH_TRUNC, CRYPT, TFCPAD");
      if (sa.spi >= 0x10000) return reject(EINVAL, "SPI is too large for COMP (must be < 0x10000)");
      break;
    default: return reject(EINVAL, "Unsupported protocol");
  }
  if (sa.aead) { if (auto r = check_alg(*sa.aead, model::AlgKind::aead, "AEAD")) return r; }
  if (sa.auth) { if (auto r = check_alg(*sa.auth, model::AlgKind::auth, "AUTH")) return r; }
  if (sa.crypt) { if (auto r = check_alg(*sa.crypt, model::AlgKind::crypt, "CRYPT")) return r; }
  if (sa.comp) { if (auto r = check_alg(*sa.comp, model::AlgKind::comp, "COMP")) return r; }
  if (sa.ctx && sa.ctx->label.size() > kMaxCtxBytes) return reject(EINVAL, "Invalid security context length");
  // verify_replay: a window over 32 or ESN travels as XFRMA_REPLAY_ESN_VAL, which only ESP and AH take.
  if (sa.replay.window > kMaxReplayWindow) return reject(EINVAL, "ESN bitmap length must be <= 128");
  if ((sa.replay.esn || sa.replay.window > 32) && sa.proto == model::Protocol::ipcomp)
    return reject(EINVAL, "ESN only supported for ESP and AH");
  if (!mode_known(sa.mode) || sa.mode == model::Mode::in_trigger) return reject(EINVAL, "Unsupported mode");
  if (sa.mapping_threshold) {
    if (!sa.encap) return reject(EINVAL, "MTIMER_THRESH attribute should be sent together with ENCAP");
    if (sa.dir == model::SaDirection::out) return reject(EINVAL, "MTIMER_THRESH attribute should not be set on output SA");
  }
  if (sa.dir == model::SaDirection::out) {
    if (sa.flags & model::sa_flag::decap_dscp) return reject(EINVAL, "Flag DECAP_DSCP should not be set for output SA");
    // With XFRMA_REPLAY_ESN_VAL (ESN, or a window over 32) the kernel allows 1; without it, 0.
    bool esn_attr = sa.replay.esn || sa.replay.window > 32;
    if (esn_attr && sa.replay.window > 1) return reject(EINVAL, "Replay window should be 1 for output SA");
    if (!esn_attr && sa.replay.window != 0) return reject(EINVAL, "Replay window should be 0 for output SA");
  }
  if (sa.dir == model::SaDirection::in) {
    if (sa.flags & model::sa_flag::nopmtudisc) return reject(EINVAL, "Flag NOPMTUDISC should not be set for input SA");
    if (sa.extra_flags & 1) return reject(EINVAL, "Flag DONT_ENCAP_DSCP should not be set for input SA");
    if (sa.extra_flags & 2) return reject(EINVAL, "Flag OSEQ_MAY_WRAP should not be set for input SA");
    if (sa.nat_keepalive_interval) return reject(EINVAL, "NAT_KEEPALIVE_INTERVAL should not be set on input SA");
  }
  if (sa.nat_keepalive_interval && !sa.encap)
    return reject(EINVAL, "NAT_KEEPALIVE_INTERVAL should be set together with encap");
  if (sa.encap) {
    // esp_init_state: only the three encapsulations exist, and only ESP is encapsulated.
    if (sa.proto != model::Protocol::esp) return reject(EINVAL, "Encapsulation is only supported for ESP");
    if (sa.encap->type != 1 && sa.encap->type != 2 && sa.encap->type != 7) return reject(EINVAL, "Unsupported encapsulation type");
  }
  return {};
}

Rejection validate_spi_range(model::Protocol proto, uint32_t min, uint32_t max) {
  switch (proto) {
    case model::Protocol::ah:
    case model::Protocol::esp: break;
    case model::Protocol::ipcomp:
      if (max >= 0x10000) return reject(EINVAL, "IPcomp SPI range must be below 0x10000");
      break;
    default: return reject(EINVAL, "Invalid protocol");
  }
  if (min > max) return reject(EINVAL, "SPI range is empty (min > max)");
  return {};
}

}  // namespace xfrmpp::engine
