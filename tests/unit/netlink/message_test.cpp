// SPDX-License-Identifier: BSD-3-Clause
// Message plumbing: the bounds-checked writer, the validated walk and attribute table, ACK/extack parsing.
#include <doctest/doctest.h>

#include <linux/netlink.h>

#include <cerrno>
#include <cstring>

#include "wire.hpp"
#include "xfrmpp/netlink/attrs.hpp"
#include "xfrmpp/netlink/message.hpp"
#include "xfrmpp/netlink/policy.hpp"
#include "xfrmpp/netlink/sa.hpp"
#include "xfrmpp/netlink/uapi.hpp"

using namespace xfrmpp;
using namespace xfrmpp::nl;

namespace {

// Appends one attribute by hand, independently of MessageWriter, to build malformed input.
void raw_attr(std::vector<uint8_t>& buf, uint16_t len_field, uint16_t type, std::span<const uint8_t> payload) {
  size_t off = buf.size();
  buf.resize(off + NLA_ALIGN(4 + payload.size()));
  std::memcpy(buf.data() + off, &len_field, 2);
  std::memcpy(buf.data() + off + 2, &type, 2);
  if (!payload.empty()) std::memcpy(buf.data() + off + 4, payload.data(), payload.size());
}

std::vector<uint8_t> raw_message(uint16_t type, uint16_t flags, uint32_t seq, std::span<const uint8_t> body) {
  std::vector<uint8_t> buf(NLMSG_ALIGN(NLMSG_HDRLEN + body.size()));
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  std::memcpy(buf.data(), &h, sizeof h);
  if (!body.empty()) std::memcpy(buf.data() + NLMSG_HDRLEN, body.data(), body.size());
  return buf;
}

void finish_len(std::vector<uint8_t>& buf) {
  auto len = static_cast<uint32_t>(buf.size());
  std::memcpy(buf.data(), &len, 4);
}

}  // namespace

TEST_CASE("MessageWriter writes the header, the fixed struct and attributes") {
  auto buf = wire::buffer(256);
  MessageWriter w(buf, XFRM_MSG_FLUSHSA, Request{99, NLM_F_REQUEST | NLM_F_ACK});
  w.put_fixed(uint8_t{50});
  w.put_u32(XFRMA_IF_ID, 0x01020304);
  auto n = w.finish();
  REQUIRE(n.ok());
  CHECK(*n == NLMSG_HDRLEN + 4 + 8);
  CHECK(wire::load<uint32_t>(buf, 0) == *n);
  CHECK(wire::load<uint16_t>(buf, 4) == XFRM_MSG_FLUSHSA);
  CHECK(wire::load<uint16_t>(buf, 6) == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(wire::load<uint32_t>(buf, 8) == 99);
  CHECK(buf[NLMSG_HDRLEN] == 50);
  CHECK(wire::load<uint16_t>(buf, NLMSG_HDRLEN + 4) == 8);  // nla_len
  CHECK(wire::load<uint16_t>(buf, NLMSG_HDRLEN + 6) == XFRMA_IF_ID);
  CHECK(wire::load<uint32_t>(buf, NLMSG_HDRLEN + 8) == 0x01020304);
}

TEST_CASE("MessageWriter fails with EMSGSIZE instead of overrunning, and fits exactly") {
  auto buf = wire::buffer(NLMSG_HDRLEN + 8 + 4);
  {
    MessageWriter w(std::span<uint8_t>(buf).first(NLMSG_HDRLEN + 8), XFRM_MSG_GETSA, Request{});
    w.put_u32(XFRMA_IF_ID, 1);
    w.put_u32(XFRMA_TFCPAD, 2);
    auto n = w.finish();
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().code == EMSGSIZE);
  }
  {
    MessageWriter w(std::span<uint8_t>(buf).first(NLMSG_HDRLEN + 8), XFRM_MSG_GETSA, Request{});
    w.put_u32(XFRMA_IF_ID, 1);
    CHECK(w.finish().ok());
  }
  {
    MessageWriter w(std::span<uint8_t>(buf).first(NLMSG_HDRLEN - 1), XFRM_MSG_GETSA, Request{});
    CHECK_FALSE(w.finish().ok());
  }
}

TEST_CASE("put_attr2 joins head and tail into one attribute, zero-filling a null tail") {
  auto buf = wire::buffer(256);
  std::fill(buf.begin(), buf.end(), 0x55);  // the writer must zero the tail and the padding
  uint32_t head = 0xdeadbeef;
  MessageWriter w(buf, XFRM_MSG_NEWSA, Request{});
  w.put_attr2(XFRMA_REPLAY_ESN_VAL, &head, 4, nullptr, 6);
  auto n = w.finish();
  REQUIRE(n.ok());
  CHECK(*n == NLMSG_HDRLEN + 4 + 12);
  CHECK(wire::load<uint16_t>(buf, NLMSG_HDRLEN) == 4 + 10);
  CHECK(wire::load<uint32_t>(buf, NLMSG_HDRLEN + 4) == 0xdeadbeef);
  for (size_t i = NLMSG_HDRLEN + 8; i < *n; ++i) CHECK(buf[i] == 0);
}

TEST_CASE("MessageWalker yields each message and flags a bad length") {
  auto a = raw_message(XFRM_MSG_NEWPOLICY, NLM_F_MULTI, 1, std::vector<uint8_t>(6, 1));
  finish_len(a);
  auto b = raw_message(NLMSG_DONE, NLM_F_MULTI, 1, std::vector<uint8_t>(4, 0));
  finish_len(b);
  std::vector<uint8_t> datagram = a;
  datagram.insert(datagram.end(), b.begin(), b.end());
  MessageWalker walk(datagram);
  auto m1 = walk.next();
  REQUIRE(m1);
  CHECK(m1->size() == a.size());
  CHECK(header_of(*m1).nlmsg_type == XFRM_MSG_NEWPOLICY);
  auto m2 = walk.next();
  REQUIRE(m2);
  CHECK(header_of(*m2).nlmsg_type == NLMSG_DONE);
  CHECK_FALSE(walk.next());
  CHECK_FALSE(walk.malformed());

  uint32_t lie = 4096;  // claims more bytes than the datagram holds
  std::memcpy(datagram.data() + a.size(), &lie, 4);
  MessageWalker bad(datagram);
  CHECK(bad.next());
  CHECK_FALSE(bad.next());
  CHECK(bad.malformed());
}

TEST_CASE("AttrTable skips unknown types and rejects short or overrunning attributes") {
  uint32_t if_id = 5;
  uint8_t junk[3] = {1, 2, 3};
  auto msg = raw_message(XFRM_MSG_GETSA, 0, 0, {});
  raw_attr(msg, 4 + 4, XFRMA_IF_ID, {reinterpret_cast<uint8_t*>(&if_id), 4});
  raw_attr(msg, 4 + 3, 40, junk);   // past the table: unknown, skipped
  raw_attr(msg, 4 + 3, 200, junk);  // far past: skipped
  finish_len(msg);
  auto t = AttrTable::parse(msg, 0, xfrma_rules());
  REQUIRE(t.ok());
  CHECK(t->get<uint32_t>(XFRMA_IF_ID) == 5u);
  CHECK_FALSE(t->has(40));

  auto short_msg = raw_message(XFRM_MSG_GETSA, 0, 0, {});
  raw_attr(short_msg, 4 + 3, XFRMA_IF_ID, junk);  // IF_ID needs 4 bytes
  finish_len(short_msg);
  auto s = AttrTable::parse(short_msg, 0, xfrma_rules());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == EBADMSG);

  auto over = raw_message(XFRM_MSG_GETSA, 0, 0, {});
  raw_attr(over, 4 + 40, XFRMA_IF_ID, {reinterpret_cast<uint8_t*>(&if_id), 4});  // nla_len past the end
  finish_len(over);
  auto o = AttrTable::parse(over, 0, xfrma_rules());
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().code == EBADMSG);

  auto tiny = raw_message(XFRM_MSG_NEWPOLICY, 0, 0, std::vector<uint8_t>(8, 0));
  finish_len(tiny);
  auto f = AttrTable::parse(tiny, sizeof(xfrm_userpolicy_info), xfrma_rules());
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().code == EBADMSG);
}

TEST_CASE("parse_ack reads errno, seq and the extended ACK of a capped NLMSG_ERROR") {
  nlmsgerr err{};
  err.error = -EEXIST;
  err.msg.nlmsg_len = 184;
  err.msg.nlmsg_type = XFRM_MSG_NEWPOLICY;
  err.msg.nlmsg_seq = 77;
  auto msg = raw_message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 77,
                         {reinterpret_cast<const uint8_t*>(&err), sizeof err});
  const char text[] = "Policy already exists";
  raw_attr(msg, static_cast<uint16_t>(4 + sizeof text), NLMSGERR_ATTR_MSG,
           {reinterpret_cast<const uint8_t*>(text), sizeof text});
  uint32_t offs = 20;
  raw_attr(msg, 8, NLMSGERR_ATTR_OFFS, {reinterpret_cast<uint8_t*>(&offs), 4});
  finish_len(msg);

  auto ack = parse_ack(msg);
  REQUIRE(ack.ok());
  CHECK(ack->code == EEXIST);
  CHECK(ack->seq == 77);
  CHECK(ack->extack == "Policy already exists");
  REQUIRE(ack->bad_offset);
  CHECK(*ack->bad_offset == 20);

  Error e = kernel_error(ack->code, ack->extack);
  CHECK(e.code == EEXIST);
  CHECK(e.message == std::string(std::strerror(EEXIST)) + " (kernel: Policy already exists)");
  CHECK(kernel_error(ENOENT, "").message == std::strerror(ENOENT));
}

TEST_CASE("parse_ack finds the TLVs after an uncapped echo of the request") {
  std::vector<uint8_t> body(sizeof(nlmsgerr) + 8, 0);  // nlmsgerr + 8 more bytes of the echoed request
  nlmsgerr err{};
  err.error = -EINVAL;
  err.msg.nlmsg_len = NLMSG_HDRLEN + 8;
  std::memcpy(body.data(), &err, sizeof err);
  auto msg = raw_message(NLMSG_ERROR, NLM_F_ACK_TLVS, 5, body);
  const char text[] = "Invalid family";
  raw_attr(msg, static_cast<uint16_t>(4 + sizeof text), NLMSGERR_ATTR_MSG,
           {reinterpret_cast<const uint8_t*>(text), sizeof text});
  finish_len(msg);
  auto ack = parse_ack(msg);
  REQUIRE(ack.ok());
  CHECK(ack->code == EINVAL);
  CHECK(ack->extack == "Invalid family");
  CHECK_FALSE(ack->bad_offset);
}

TEST_CASE("parse_ack: a plain ACK is code 0; other or short messages are EBADMSG") {
  nlmsgerr ok{};
  auto msg = raw_message(NLMSG_ERROR, NLM_F_CAPPED, 3, {reinterpret_cast<const uint8_t*>(&ok), sizeof ok});
  finish_len(msg);
  auto ack = parse_ack(msg);
  REQUIRE(ack.ok());
  CHECK(ack->code == 0);
  CHECK(ack->extack.empty());

  auto truncated = raw_message(NLMSG_ERROR, 0, 3, std::vector<uint8_t>(4, 0));
  finish_len(truncated);
  CHECK(parse_ack(truncated).error().code == EBADMSG);
  auto other = raw_message(NLMSG_DONE, 0, 3, std::vector<uint8_t>(sizeof ok, 0));
  finish_len(other);
  CHECK_FALSE(parse_ack(other).ok());
}

TEST_CASE("dump_interrupted sees NLM_F_DUMP_INTR and nothing else") {
  auto intr = raw_message(XFRM_MSG_NEWPOLICY, NLM_F_MULTI | NLM_F_DUMP_INTR, 1, {});
  finish_len(intr);
  auto plain = raw_message(XFRM_MSG_NEWPOLICY, NLM_F_MULTI, 1, {});
  finish_len(plain);
  auto done = raw_message(NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, 1, std::vector<uint8_t>(4, 0));
  finish_len(done);
  CHECK(dump_interrupted(intr));
  CHECK_FALSE(dump_interrupted(plain));
  CHECK(dump_interrupted(done));
  CHECK_FALSE(dump_interrupted({}));
}

// Found by tests/fuzz (nl_sa, nl_policy): an empty span has a null data(), and copying the header from it
// was undefined behaviour that UBSan reports. Every decoder must refuse it with an error value.
TEST_CASE("an empty message (null data) reads as a zero header and no decoder accepts it") {
  std::span<const uint8_t> empty;
  REQUIRE(empty.data() == nullptr);
  nlmsghdr h = header_of(empty);
  CHECK(h.nlmsg_len == 0);
  CHECK(h.nlmsg_type == 0);
  CHECK_FALSE(decode_policy(empty).ok());
  CHECK_FALSE(decode_policy_id(empty).ok());
  CHECK_FALSE(decode_sa(empty).ok());
  CHECK_FALSE(decode_sa_id(empty).ok());
  CHECK_FALSE(decode_sa_flush(empty).ok());
  CHECK_FALSE(decode_alloc_spi(empty).ok());
}
