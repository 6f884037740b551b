// SPDX-License-Identifier: BSD-3-Clause
// SA codec: algorithm attributes (AUTH_TRUNC always), replay/ESN encoding, dump request bodies, ids, ALLOCSPI.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstddef>

#include "wire.hpp"
#include "xfrmpp/netlink/sa.hpp"

using namespace xfrmpp;
using namespace xfrmpp::nl;

namespace {

constexpr size_t kInfo = NLMSG_HDRLEN;

model::SecurityAssociation esp_sa() {
  model::SecurityAssociation sa;
  sa.family = model::Family::inet;
  sa.src = wire::addr("192.0.2.1");
  sa.dst = wire::addr("192.0.2.2");
  sa.proto = model::Protocol::esp;
  sa.spi = 0x12345678;
  sa.mode = model::Mode::transport;
  sa.reqid = 3;
  sa.auth = model::AlgorithmSetting{"hmac(sha256)", std::vector<uint8_t>(32, 0x11), 128};
  sa.crypt = model::AlgorithmSetting{"cbc(aes)", std::vector<uint8_t>(16, 0x22), 0};
  return sa;
}

struct Encoded {
  std::vector<uint8_t> buf;
  size_t len = 0;
  std::span<const uint8_t> msg() const { return std::span<const uint8_t>(buf).first(len); }
};

Encoded encode(const model::SecurityAssociation& sa, uint16_t type = XFRM_MSG_NEWSA) {
  Encoded e{wire::buffer(), 0};
  auto n = encode_sa(e.buf, type, sa, Request{8});
  REQUIRE(n.ok());
  e.len = *n;
  return e;
}

}  // namespace

TEST_CASE("NEWSA bytes follow xfrm_usersa_info; seq stays 0 unless set") {
  auto e = encode(esp_sa());
  auto msg = e.msg();
  CHECK(wire::load<uint16_t>(msg, 4) == XFRM_MSG_NEWSA);
  const uint8_t dst[4] = {192, 0, 2, 2}, src[4] = {192, 0, 2, 1};
  CHECK(std::memcmp(msg.data() + kInfo + offsetof(xfrm_usersa_info, id) + offsetof(xfrm_id, daddr), dst, 4) == 0);
  CHECK(std::memcmp(msg.data() + kInfo + offsetof(xfrm_usersa_info, saddr), src, 4) == 0);
  CHECK(wire::load<uint32_t>(msg, kInfo + offsetof(xfrm_usersa_info, id) + offsetof(xfrm_id, spi)) == htonl(0x12345678));
  CHECK(msg[kInfo + offsetof(xfrm_usersa_info, id) + offsetof(xfrm_id, proto)] == IPPROTO_ESP);
  CHECK(wire::load<uint16_t>(msg, kInfo + offsetof(xfrm_usersa_info, family)) == AF_INET);
  CHECK(wire::load<uint32_t>(msg, kInfo + offsetof(xfrm_usersa_info, reqid)) == 3);
  CHECK(wire::load<uint32_t>(msg, kInfo + offsetof(xfrm_usersa_info, seq)) == 0);
  CHECK(msg[kInfo + offsetof(xfrm_usersa_info, mode)] == XFRM_MODE_TRANSPORT);
  CHECK(wire::load<uint64_t>(msg, kInfo + offsetof(xfrm_usersa_info, lft) +
                                      offsetof(xfrm_lifetime_cfg, soft_packet_limit)) == XFRM_INF);
  CHECK(wire::load<uint64_t>(msg, kInfo + offsetof(xfrm_usersa_info, lft) +
                                      offsetof(xfrm_lifetime_cfg, hard_add_expires_seconds)) == 0);
}

TEST_CASE("hmac(sha256) goes as XFRMA_ALG_AUTH_TRUNC with trunc_len 128, never plain ALG_AUTH") {
  auto e = encode(esp_sa());
  auto msg = e.msg();
  CHECK_FALSE(wire::find_attr(msg, sizeof(xfrm_usersa_info), XFRMA_ALG_AUTH));
  auto a = wire::find_attr(msg, sizeof(xfrm_usersa_info), XFRMA_ALG_AUTH_TRUNC);
  REQUIRE(a);
  CHECK(a->len == sizeof(xfrm_algo_auth) + 32);
  CHECK(std::string(reinterpret_cast<const char*>(msg.data() + a->offset)) == "hmac(sha256)");
  CHECK(wire::load<uint32_t>(msg, a->offset + offsetof(xfrm_algo_auth, alg_key_len)) == 256);
  CHECK(wire::load<uint32_t>(msg, a->offset + offsetof(xfrm_algo_auth, alg_trunc_len)) == 128);
  CHECK(msg[a->offset + offsetof(xfrm_algo_auth, alg_key)] == 0x11);
  CHECK(msg[a->offset + offsetof(xfrm_algo_auth, alg_key) + 31] == 0x11);

  auto c = wire::find_attr(msg, sizeof(xfrm_usersa_info), XFRMA_ALG_CRYPT);
  REQUIRE(c);
  CHECK(c->len == sizeof(xfrm_algo) + 16);
  CHECK(wire::load<uint32_t>(msg, c->offset + offsetof(xfrm_algo, alg_key_len)) == 128);
  CHECK(msg[c->offset + offsetof(xfrm_algo, alg_key) + 15] == 0x22);
}

TEST_CASE("AEAD goes as XFRMA_ALG_AEAD with icv_len and the salt counted in the key") {
  auto sa = esp_sa();
  sa.auth.reset();
  sa.crypt.reset();
  sa.aead = model::AlgorithmSetting{"rfc4106(gcm(aes))", std::vector<uint8_t>(36, 0x33), 128};
  auto e = encode(sa);
  auto a = wire::find_attr(e.msg(), sizeof(xfrm_usersa_info), XFRMA_ALG_AEAD);
  REQUIRE(a);
  CHECK(a->len == sizeof(xfrm_algo_aead) + 36);
  CHECK(wire::load<uint32_t>(e.msg(), a->offset + offsetof(xfrm_algo_aead, alg_key_len)) == 288);
  CHECK(wire::load<uint32_t>(e.msg(), a->offset + offsetof(xfrm_algo_aead, alg_icv_len)) == 128);
  CHECK(wire::count_attrs(e.msg(), sizeof(xfrm_usersa_info)) == 1);
}

TEST_CASE("replay: window <= 32 uses the legacy byte, larger windows and ESN use REPLAY_ESN_VAL") {
  auto replay_byte = [](const Encoded& e) { return e.msg()[kInfo + offsetof(xfrm_usersa_info, replay_window)]; };
  auto flags_byte = [](const Encoded& e) { return e.msg()[kInfo + offsetof(xfrm_usersa_info, flags)]; };

  auto sa = esp_sa();
  sa.replay.window = 32;
  auto legacy = encode(sa);
  CHECK(replay_byte(legacy) == 32);
  CHECK_FALSE(wire::find_attr(legacy.msg(), sizeof(xfrm_usersa_info), XFRMA_REPLAY_ESN_VAL));
  CHECK((flags_byte(legacy) & XFRM_STATE_ESN) == 0);

  sa.replay.window = 33;
  auto wide = encode(sa);
  CHECK(replay_byte(wide) == 0);
  auto w = wire::find_attr(wide.msg(), sizeof(xfrm_usersa_info), XFRMA_REPLAY_ESN_VAL);
  REQUIRE(w);
  CHECK(wire::load<uint32_t>(wide.msg(), w->offset + offsetof(xfrm_replay_state_esn, bmp_len)) == 2);
  CHECK(wire::load<uint32_t>(wide.msg(), w->offset + offsetof(xfrm_replay_state_esn, replay_window)) == 33);
  CHECK(w->len == sizeof(xfrm_replay_state_esn) + 2 * 4);
  CHECK((flags_byte(wide) & XFRM_STATE_ESN) == 0);

  sa.replay.window = 128;
  sa.replay.esn = true;
  auto esn = encode(sa);
  CHECK(replay_byte(esn) == 0);
  CHECK((flags_byte(esn) & XFRM_STATE_ESN) != 0);
  auto r = wire::find_attr(esn.msg(), sizeof(xfrm_usersa_info), XFRMA_REPLAY_ESN_VAL);
  REQUIRE(r);
  CHECK(wire::load<uint32_t>(esn.msg(), r->offset + offsetof(xfrm_replay_state_esn, bmp_len)) == 4);
  CHECK(wire::load<uint32_t>(esn.msg(), r->offset + offsetof(xfrm_replay_state_esn, replay_window)) == 128);
  CHECK(r->len == sizeof(xfrm_replay_state_esn) + 4 * 4);

  sa.replay.window = 4097;
  auto buf = wire::buffer();
  CHECK(encode_sa(buf, XFRM_MSG_NEWSA, sa).error().code == EINVAL);
}

TEST_CASE("SA round trip keeps every field") {
  auto sa = wire::full_sa();
  auto e = encode(sa);
  auto back = decode_sa(e.msg());
  REQUIRE(back.ok());
  CHECK(wire::diff(*back, sa) == "");
  auto u = encode(sa, XFRM_MSG_UPDSA);
  CHECK(wire::diff(decode_sa(u.msg()).value(), sa) == "");

  auto legacy = esp_sa();
  legacy.replay = model::Replay{16, false};
  legacy.replay_counters = model::ReplayCounters{3, 4, 0, 0};
  auto l = encode(legacy);
  CHECK(wire::find_attr(l.msg(), sizeof(xfrm_usersa_info), XFRMA_REPLAY_VAL));
  CHECK(wire::diff(decode_sa(l.msg()).value(), legacy) == "");
}

TEST_CASE("decoding a dump prefers ALG_AUTH_TRUNC over ALG_AUTH, and reads LASTUSED") {
  // What the kernel dumps for an auth SA: both attributes, the plain one with the default truncation.
  auto buf = wire::buffer();
  MessageWriter w(buf, XFRM_MSG_NEWSA, Request{0, NLM_F_MULTI});
  xfrm_usersa_info info{};
  info.family = AF_INET;
  info.id.proto = IPPROTO_ESP;
  w.put_fixed(info);
  std::vector<uint8_t> key(32, 0x44);
  xfrm_algo plain{};
  std::strcpy(plain.alg_name, "hmac(sha256)");
  plain.alg_key_len = 256;
  w.put_attr2(XFRMA_ALG_AUTH, &plain, sizeof plain, key.data(), key.size());
  xfrm_algo_auth trunc{};
  std::strcpy(trunc.alg_name, "hmac(sha256)");
  trunc.alg_key_len = 256;
  trunc.alg_trunc_len = 128;
  w.put_attr2(XFRMA_ALG_AUTH_TRUNC, &trunc, sizeof trunc, key.data(), key.size());
  w.put_attr(XFRMA_LASTUSED, uint64_t{1700000123});
  auto n = w.finish();
  REQUIRE(n.ok());
  auto sa = decode_sa(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(sa.ok());
  REQUIRE(sa->auth);
  CHECK(sa->auth->icv_bits == 128);
  CHECK(sa->auth->key == key);
  CHECK(sa->last_used == 1700000123);

  // ALG_AUTH alone: icv_bits 0 stands for the kernel's default truncation.
  MessageWriter only(buf, XFRM_MSG_NEWSA, Request{});
  only.put_fixed(info);
  only.put_attr2(XFRMA_ALG_AUTH, &plain, sizeof plain, key.data(), key.size());
  auto m = only.finish();
  REQUIRE(m.ok());
  auto sa2 = decode_sa(std::span<const uint8_t>(buf).first(*m));
  REQUIRE(sa2.ok());
  REQUIRE(sa2->auth);
  CHECK(sa2->auth->kernel_name == "hmac(sha256)");
  CHECK(sa2->auth->icv_bits == 0);
}

TEST_CASE("an algorithm whose key_len overruns the attribute is rejected") {
  auto buf = wire::buffer();
  MessageWriter w(buf, XFRM_MSG_NEWSA, Request{});
  w.put_fixed(xfrm_usersa_info{});
  xfrm_algo a{};
  std::strcpy(a.alg_name, "cbc(aes)");
  a.alg_key_len = 256;  // claims 32 bytes, carries 16
  std::vector<uint8_t> key(16, 1);
  w.put_attr2(XFRMA_ALG_CRYPT, &a, sizeof a, key.data(), key.size());
  auto n = w.finish();
  REQUIRE(n.ok());
  CHECK(decode_sa(std::span<const uint8_t>(buf).first(*n)).error().code == EBADMSG);

  auto sa = esp_sa();
  sa.crypt->kernel_name = std::string(64, 'x');
  CHECK(encode_sa(buf, XFRM_MSG_NEWSA, sa).error().code == EINVAL);
}

TEST_CASE("the SA dump request body is only the optional filter attributes") {
  auto buf = wire::buffer();
  auto n = encode_sa_dump(buf, 21);
  REQUIRE(n.ok());
  CHECK(*n == NLMSG_HDRLEN);  // no xfrm_usersa_id in front
  CHECK(wire::load<uint16_t>(buf, 4) == XFRM_MSG_GETSA);
  CHECK(wire::load<uint16_t>(buf, 6) == (NLM_F_REQUEST | NLM_F_DUMP));

  auto p = encode_sa_dump(buf, 22, SaDumpFilter{model::Protocol::esp, std::nullopt});
  REQUIRE(p.ok());
  CHECK(*p == NLMSG_HDRLEN + 8);
  CHECK(wire::load<uint16_t>(buf, NLMSG_HDRLEN) == 5);  // nla_len of a u8
  CHECK(wire::load<uint16_t>(buf, NLMSG_HDRLEN + 2) == XFRMA_PROTO);
  CHECK(buf[NLMSG_HDRLEN + 4] == IPPROTO_ESP);

  SaDumpFilter both{model::Protocol::ah, SaAddressFilter{model::Family::inet, wire::prefix("10.0.0.0", 8),
                                                          wire::prefix("192.168.0.0", 16)}};
  auto b = encode_sa_dump(buf, 23, both);
  REQUIRE(b.ok());
  std::span<const uint8_t> msg(buf.data(), *b);
  CHECK(*b == NLMSG_HDRLEN + 8 + NLA_ALIGN(4 + sizeof(xfrm_address_filter)));
  auto f = wire::find_attr(msg, 0, XFRMA_ADDRESS_FILTER);
  REQUIRE(f);
  CHECK(msg[f->offset + offsetof(xfrm_address_filter, splen)] == 8);
  CHECK(msg[f->offset + offsetof(xfrm_address_filter, dplen)] == 16);
  CHECK(wire::load<uint16_t>(msg, f->offset + offsetof(xfrm_address_filter, family)) == AF_INET);
  CHECK(decode_sa_dump(msg).value() == both);
}

TEST_CASE("DELSA/GETSA ids, FLUSHSA and ALLOCSPI") {
  model::SaId id;
  id.dst = wire::addr("2001:db8::2");
  id.src = wire::addr("2001:db8::1");
  id.proto = model::Protocol::ah;
  id.spi = 0x200;
  id.mark = model::Mark{5, 0xff};
  auto buf = wire::buffer();
  auto n = encode_sa_id(buf, XFRM_MSG_DELSA, id, Request{1});
  REQUIRE(n.ok());
  std::span<const uint8_t> msg(buf.data(), *n);
  CHECK(wire::load<uint32_t>(msg, NLMSG_HDRLEN + offsetof(xfrm_usersa_id, spi)) == htonl(0x200));
  CHECK(wire::load<uint16_t>(msg, NLMSG_HDRLEN + offsetof(xfrm_usersa_id, family)) == AF_INET6);
  CHECK(msg[NLMSG_HDRLEN + offsetof(xfrm_usersa_id, proto)] == IPPROTO_AH);
  CHECK(wire::find_attr(msg, sizeof(xfrm_usersa_id), XFRMA_SRCADDR));
  auto back = decode_sa_id(msg);
  REQUIRE(back.ok());
  CHECK(back->dst == id.dst);
  CHECK(back->src == id.src);
  CHECK(back->spi == id.spi);
  CHECK(back->proto == id.proto);
  CHECK(back->mark == id.mark);
  CHECK_FALSE(back->if_id);

  auto f = encode_sa_flush(buf, std::nullopt, Request{2});
  REQUIRE(f.ok());
  CHECK(buf[NLMSG_HDRLEN + offsetof(xfrm_usersa_flush, proto)] == 0);
  CHECK(decode_sa_flush(std::span<const uint8_t>(buf).first(*f)).value() == std::nullopt);
  auto fe = encode_sa_flush(buf, model::Protocol::esp, Request{3});
  REQUIRE(fe.ok());
  CHECK(decode_sa_flush(std::span<const uint8_t>(buf).first(*fe)).value() == model::Protocol::esp);

  auto sa = esp_sa();
  sa.auth.reset();
  sa.crypt.reset();
  sa.spi = 0;
  sa.seq = 99;
  sa.mark = model::Mark{1, 1};
  sa.dir = model::SaDirection::in;
  auto a = encode_alloc_spi(buf, sa, 0x100, 0x1ff, Request{4, NLM_F_REQUEST});
  REQUIRE(a.ok());
  std::span<const uint8_t> amsg(buf.data(), *a);
  CHECK(wire::load<uint16_t>(amsg, 4) == XFRM_MSG_ALLOCSPI);
  CHECK(wire::load<uint32_t>(amsg, NLMSG_HDRLEN + offsetof(xfrm_userspi_info, min)) == 0x100);
  CHECK(wire::load<uint32_t>(amsg, NLMSG_HDRLEN + offsetof(xfrm_userspi_info, max)) == 0x1ff);
  CHECK(wire::load<uint32_t>(amsg, NLMSG_HDRLEN + offsetof(xfrm_userspi_info, info) + offsetof(xfrm_usersa_info, seq)) ==
        99);
  auto dir = wire::find_attr(amsg, sizeof(xfrm_userspi_info), XFRMA_SA_DIR);
  REQUIRE(dir);
  CHECK(amsg[dir->offset] == XFRM_SA_DIR_IN);
  auto req = decode_alloc_spi(amsg);
  REQUIRE(req.ok());
  CHECK(req->min == 0x100);
  CHECK(req->max == 0x1ff);
  CHECK(wire::diff(req->sa, sa) == "");
}
