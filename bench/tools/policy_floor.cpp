// SPDX-License-Identifier: BSD-3-Clause
// The kernel floor for a bulk policy load: N NEWPOLICY messages, encoded before the clock starts, sent
// BATCH per sendmsg, each with NLM_F_ACK, every ACK read and checked. Nothing of xfrmpp is used, so the
// figure is what any loader would pay the kernel. The policies are bench/gen.sh's: 10.a.b.c -> 11.a.b.c,
// dir out, priority 2147483648, one ESP transport template, level require.
//
//   ip netns exec NS policy_floor N [BATCH]     prints "floor N BATCH SECONDS" (the send phase only)
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

constexpr size_t kMessageBytes =
    NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(xfrm_userpolicy_info)) + NLA_ALIGN(NLA_HDRLEN + sizeof(xfrm_user_tmpl));

// Policy i of bench/gen.sh, with sequence number seq, at `out` (kMessageBytes, zeroed).
void encode(uint8_t* out, uint32_t i, uint32_t seq) {
  auto* h = reinterpret_cast<nlmsghdr*>(out);
  h->nlmsg_len = kMessageBytes;
  h->nlmsg_type = XFRM_MSG_NEWPOLICY;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  h->nlmsg_seq = seq;
  auto* info = reinterpret_cast<xfrm_userpolicy_info*>(out + NLMSG_HDRLEN);
  uint32_t low = i & 0xffffff;
  info->sel.saddr.a4 = htonl((10u << 24) | low);
  info->sel.daddr.a4 = htonl((11u << 24) | low);
  info->sel.family = AF_INET;
  info->sel.prefixlen_s = 32;
  info->sel.prefixlen_d = 32;
  info->lft.soft_byte_limit = info->lft.hard_byte_limit = XFRM_INF;
  info->lft.soft_packet_limit = info->lft.hard_packet_limit = XFRM_INF;
  info->priority = 2147483648u;
  info->dir = XFRM_POLICY_OUT;
  info->action = XFRM_POLICY_ALLOW;
  info->share = XFRM_SHARE_ANY;
  auto* attr = reinterpret_cast<nlattr*>(out + NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(xfrm_userpolicy_info)));
  attr->nla_len = NLA_HDRLEN + sizeof(xfrm_user_tmpl);
  attr->nla_type = XFRMA_TMPL;
  auto* t = reinterpret_cast<xfrm_user_tmpl*>(reinterpret_cast<uint8_t*>(attr) + NLA_HDRLEN);
  t->id.proto = IPPROTO_ESP;
  t->family = AF_INET;
  t->mode = XFRM_MODE_TRANSPORT;
  t->aalgos = t->ealgos = t->calgos = ~0u;
}

int fail(const char* what) {
  std::fprintf(stderr, "policy_floor: %s: %s\n", what, std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: policy_floor N [BATCH]\n");
    return 2;
  }
  const unsigned long n = std::strtoul(argv[1], nullptr, 10);
  const unsigned long batch = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 240;
  if (n == 0 || n > (1ul << 24) || batch == 0 || batch > 4096) {
    std::fprintf(stderr, "policy_floor: N must be 1..2^24 and BATCH 1..4096\n");
    return 2;
  }
  Fd sock(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM));
  if (sock.fd < 0) return fail("socket");
  // Room for the datagram of a whole batch and for every ACK of it (each ACK costs about 2 KiB of rcvbuf).
  int sndbuf = static_cast<int>(batch * kMessageBytes + 65536), rcvbuf = static_cast<int>(batch * 2048 + 65536);
  setsockopt(sock.fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  setsockopt(sock.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  int one = 1;
  setsockopt(sock.fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(sock.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return fail("bind");

  std::vector<uint8_t> wire(n * kMessageBytes, 0);
  for (uint32_t i = 0; i < n; ++i) encode(wire.data() + i * kMessageBytes, i, i + 1);
  // ACKs are read up to 64 per call (recvmmsg): netlink queues each as its own datagram, and a recv per
  // ACK would make the floor pay 100k system calls that setkey does not (it measured 8% slower).
  constexpr unsigned kAcksPerCall = 64;
  std::vector<uint8_t> rx(kAcksPerCall * 4096);
  std::vector<mmsghdr> msgs(kAcksPerCall);
  std::vector<iovec> iovs(kAcksPerCall);
  for (unsigned i = 0; i < kAcksPerCall; ++i) {
    iovs[i] = {rx.data() + i * 4096, 4096};
    msgs[i].msg_hdr = {};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  auto t0 = std::chrono::steady_clock::now();
  for (unsigned long first = 0; first < n; first += batch) {
    unsigned long count = std::min(batch, n - first);
    if (send(sock.fd, wire.data() + first * kMessageBytes, count * kMessageBytes, 0) < 0) return fail("send");
    unsigned long acked = 0;
    while (acked < count) {
      // Blocks for the first ACK, then takes what else is queued.
      int got = recvmmsg(sock.fd, msgs.data(), kAcksPerCall, MSG_WAITFORONE, nullptr);
      if (got < 0) return fail("recvmmsg");
      for (size_t m = 0; m < static_cast<size_t>(got); ++m) {
        auto len = msgs[m].msg_len;
        for (auto* h = static_cast<nlmsghdr*>(iovs[m].iov_base); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
          if (h->nlmsg_type != NLMSG_ERROR) continue;
          int code = reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
          if (code != 0) {
            std::fprintf(stderr, "policy_floor: message %u refused: %s\n", h->nlmsg_seq, std::strerror(-code));
            return 1;
          }
          ++acked;
        }
      }
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("floor %lu %lu %.3f\n", n, batch, secs);
  return 0;
}
