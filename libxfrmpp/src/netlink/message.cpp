// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/netlink/message.hpp"

#include <libmnl/libmnl.h>

#include <cerrno>
#include <cstring>

namespace xfrmpp::nl {

namespace {

bool aligned4(const void* p) { return reinterpret_cast<uintptr_t>(p) % NLMSG_ALIGNTO == 0; }

}  // namespace

MessageWriter::MessageWriter(std::span<uint8_t> out, uint16_t type, const Request& req) : cap_(out.size()) {
  if (out.size() < MNL_NLMSG_HDRLEN || !aligned4(out.data())) {
    ok_ = false;
    return;
  }
  nlh_ = mnl_nlmsg_put_header(out.data());
  nlh_->nlmsg_type = type;
  nlh_->nlmsg_flags = req.flags;
  nlh_->nlmsg_seq = req.seq;
}

void MessageWriter::put_fixed(const void* data, size_t len) {
  // Fixed structs only come first; the kernel finds attributes at NLMSG_ALIGN(sizeof struct).
  if (!ok_ || nlh_->nlmsg_len + MNL_ALIGN(len) > cap_) {
    ok_ = false;
    return;
  }
  auto* dst = static_cast<uint8_t*>(mnl_nlmsg_put_extra_header(nlh_, len));
  std::memcpy(dst, data, len);
}

uint8_t* MessageWriter::reserve_attr(uint16_t type, size_t len) {
  if (!ok_ || len > UINT16_MAX - MNL_ATTR_HDRLEN || nlh_->nlmsg_len + MNL_ALIGN(MNL_ATTR_HDRLEN + len) > cap_) {
    ok_ = false;
    return nullptr;
  }
  // libmnl has no reserve; mnl_attr_put with a zero source would need a temporary copy of every key.
  auto* attr = static_cast<nlattr*>(mnl_nlmsg_get_payload_tail(nlh_));
  attr->nla_type = type;
  attr->nla_len = static_cast<uint16_t>(MNL_ATTR_HDRLEN + len);
  auto* payload = static_cast<uint8_t*>(mnl_attr_get_payload(attr));
  std::memset(payload, 0, MNL_ALIGN(len));
  nlh_->nlmsg_len += MNL_ALIGN(attr->nla_len);
  return payload;
}

void MessageWriter::put_attr(uint16_t type, const void* data, size_t len) {
  if (ok_ && !mnl_attr_put_check(nlh_, cap_, type, len, data)) ok_ = false;
}

void MessageWriter::put_u8(uint16_t type, uint8_t v) {
  if (ok_ && !mnl_attr_put_u8_check(nlh_, cap_, type, v)) ok_ = false;
}

void MessageWriter::put_u32(uint16_t type, uint32_t v) {
  if (ok_ && !mnl_attr_put_u32_check(nlh_, cap_, type, v)) ok_ = false;
}

void MessageWriter::put_attr2(uint16_t type, const void* head, size_t head_len, const void* tail, size_t tail_len) {
  uint8_t* p = reserve_attr(type, head_len + tail_len);
  if (!p) return;
  if (head_len) std::memcpy(p, head, head_len);
  if (tail && tail_len) std::memcpy(p + head_len, tail, tail_len);
}

Result<size_t> MessageWriter::finish() const {
  if (!ok_) return make_error(EMSGSIZE, "netlink message does not fit in the buffer");
  return size_t{nlh_->nlmsg_len};
}

nlmsghdr header_of(std::span<const uint8_t> msg) {
  nlmsghdr h{};
  // An empty span may have a null data(): memcpy from null is undefined even for 0 bytes.
  if (!msg.empty()) std::memcpy(&h, msg.data(), std::min(msg.size(), sizeof h));
  return h;
}

std::optional<std::span<const uint8_t>> MessageWalker::next() {
  if (rest_.empty() || malformed_) return std::nullopt;
  if (!aligned4(rest_.data())) {
    malformed_ = true;
    return std::nullopt;
  }
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(rest_.data());
  int len = static_cast<int>(std::min<size_t>(rest_.size(), INT32_MAX));
  if (!mnl_nlmsg_ok(nlh, len)) {
    malformed_ = true;
    return std::nullopt;
  }
  std::span<const uint8_t> msg = rest_.first(nlh->nlmsg_len);
  mnl_nlmsg_next(nlh, &len);
  // The last message may lack its alignment padding; len then drops to zero or below.
  rest_ = len > 0 ? rest_.last(static_cast<size_t>(len)) : std::span<const uint8_t>{};
  return msg;
}

namespace {

struct ParseState {
  std::span<const AttrRule> rules;
  std::array<std::span<const uint8_t>, AttrTable::kSlots>* attrs;
  std::array<bool, AttrTable::kSlots>* present;
  const uint8_t* end = nullptr;  // where the last accepted attribute ends, to catch silent overruns
  bool too_short = false;
};

int collect_attr(const nlattr* attr, void* data) {
  auto* st = static_cast<ParseState*>(data);
  st->end = reinterpret_cast<const uint8_t*>(attr) + MNL_ALIGN(attr->nla_len);
  uint16_t type = mnl_attr_get_type(attr);
  if (type >= st->rules.size() || type >= AttrTable::kSlots || !st->rules[type].known) return MNL_CB_OK;
  uint16_t len = mnl_attr_get_payload_len(attr);
  if (len < st->rules[type].min_len) {
    st->too_short = true;
    return MNL_CB_ERROR;
  }
  (*st->attrs)[type] = {static_cast<const uint8_t*>(mnl_attr_get_payload(attr)), len};
  (*st->present)[type] = true;
  return MNL_CB_OK;
}

}  // namespace

Result<AttrTable> AttrTable::parse(std::span<const uint8_t> msg, size_t fixed_len, std::span<const AttrRule> rules) {
  if (!aligned4(msg.data())) return make_error(EINVAL, "netlink message is not 4-byte aligned");
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(msg.data());
  if (msg.size() < MNL_NLMSG_HDRLEN || nlh->nlmsg_len > msg.size() || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + fixed_len)
    return make_error(EBADMSG, "netlink message shorter than its fixed header");
  // libmnl walks attributes up to the aligned end of the message: an unaligned length at the very end of the
  // buffer would let it read up to 3 bytes past it (fuzz finding). Kernel and xfrmpp messages are aligned.
  if (MNL_ALIGN(nlh->nlmsg_len) > msg.size())
    return make_error(EBADMSG, "netlink message length is not a multiple of 4 and its padding is missing");
  AttrTable table;
  ParseState st{rules, &table.attrs_, &table.present_};
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(fixed_len)) return table;  // no room for attributes
  const auto* first = static_cast<const uint8_t*>(mnl_nlmsg_get_payload_offset(nlh, MNL_ALIGN(fixed_len)));
  const auto* tail = static_cast<const uint8_t*>(mnl_nlmsg_get_payload_tail(nlh));
  st.end = first;
  if (mnl_attr_parse(nlh, static_cast<unsigned>(MNL_ALIGN(fixed_len)), collect_attr, &st) < MNL_CB_STOP)
    return make_error(EBADMSG, st.too_short ? "netlink attribute shorter than its type requires"
                                            : "netlink attribute walk failed");
  // mnl_attr_parse stops quietly at a malformed attribute; a header's worth of bytes left over means one.
  if (st.end < tail && static_cast<size_t>(tail - st.end) >= MNL_ATTR_HDRLEN)
    return make_error(EBADMSG, "netlink attribute overruns its message");
  return table;
}

Result<KernelAck> parse_ack(std::span<const uint8_t> msg) {
  nlmsghdr h = header_of(msg);
  if (msg.size() < MNL_NLMSG_HDRLEN || h.nlmsg_type != NLMSG_ERROR || h.nlmsg_len > msg.size() ||
      h.nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(nlmsgerr))
    return make_error(EBADMSG, "not an NLMSG_ERROR message");
  nlmsgerr err{};
  std::memcpy(&err, msg.data() + MNL_NLMSG_HDRLEN, sizeof err);
  KernelAck ack;
  ack.seq = h.nlmsg_seq;
  ack.code = -err.error;
  if (!(h.nlmsg_flags & NLM_F_ACK_TLVS)) return ack;
  // Without NLM_F_CAPPED the kernel echoes the whole request, so the TLVs start after it.
  size_t tlv_offset = sizeof err;
  if (!(h.nlmsg_flags & NLM_F_CAPPED)) tlv_offset += MNL_ALIGN(err.msg.nlmsg_len) - sizeof(nlmsghdr);
  if (MNL_NLMSG_HDRLEN + tlv_offset > h.nlmsg_len) return make_error(EBADMSG, "NLMSG_ERROR echo overruns the message");
  static constexpr AttrRule kRules[] = {{}, {true, 1}, {true, 4}};
  auto table = AttrTable::parse(msg.first(h.nlmsg_len), tlv_offset, kRules);
  if (!table) return table.error();
  if (table->has(NLMSGERR_ATTR_MSG)) {
    auto text = table->payload(NLMSGERR_ATTR_MSG);
    size_t n = 0;
    while (n < text.size() && text[n] != 0) ++n;
    ack.extack.assign(reinterpret_cast<const char*>(text.data()), n);
  }
  if (auto off = table->get<uint32_t>(NLMSGERR_ATTR_OFFS)) ack.bad_offset = *off;
  return ack;
}

Error kernel_error(int code, std::string_view extack) {
  std::string text = std::strerror(code);
  if (!extack.empty()) {
    text += " (kernel: ";
    text += extack;
    text += ')';
  }
  return Error{code, std::move(text)};
}

bool dump_interrupted(std::span<const uint8_t> msg) {
  return msg.size() >= sizeof(nlmsghdr) && (header_of(msg).nlmsg_flags & NLM_F_DUMP_INTR) != 0;
}

}  // namespace xfrmpp::nl
