// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The Backend that talks to the Linux kernel over NETLINK_XFRM.
#include <memory>
#include <string>
#include <vector>

#include "xfrmpp/backend.hpp"
#include "xfrmpp/netlink/socket.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::nl {

/// Kernel SPD/SAD access through one request socket (events get their own). Not thread-safe; every
/// message needs CAP_NET_ADMIN in the socket's network namespace.
class KernelBackend final : public Backend {
 public:
  static Result<std::unique_ptr<KernelBackend>> open(const SocketOptions& options = {});

  /// Packs requests into sendmsg batches of up to options.batch_bytes (and as many ACKs as the receive
  /// buffer holds), each with its own seq and NLM_F_ACK, then reads every ACK of the batch.
  ApplyReport apply(std::span<const Change> changes, const ApplyOptions& options) override;
  Result<std::vector<model::Policy>> dump_policies() override;
  Result<std::vector<model::SecurityAssociation>> dump_sas(std::optional<model::Protocol> proto) override;
  Result<void> visit_policies(const DumpVisitor<model::Policy>& visitor) override;
  Result<void> visit_sas(std::optional<model::Protocol> proto, const DumpVisitor<model::SecurityAssociation>& visitor) override;
  Result<model::Policy> get_policy(const model::PolicyId& id) override;
  Result<model::SecurityAssociation> get_sa(const model::SaId& id) override;
  Result<void> flush_policies() override;
  Result<void> flush_sas(std::optional<model::Protocol> proto) override;
  Result<model::SecurityAssociation> alloc_spi(const model::SecurityAssociation& sa, uint32_t min, uint32_t max) override;
  Result<model::DefaultPolicy> get_default_policy() override;
  Result<void> set_default_policy(const model::DefaultPolicy& d) override;
  Result<SpdInfo> spd_info() override;
  Result<void> set_spd_hash_thresholds(uint8_t v4_lbits, uint8_t v4_rbits, uint8_t v6_lbits, uint8_t v6_rbits) override;
  Result<SadInfo> sad_info() override;
  /// A new socket joined to `groups`, with a large receive buffer; ENOBUFS arrives as Kind::overrun.
  Result<std::unique_ptr<EventStream>> subscribe(std::span<const EventGroup> groups) override;

  /// Most requests one batch carries, so that all their ACKs fit in the receive buffer at once.
  size_t max_batch_messages() const { return max_batch_messages_; }

 private:
  // One change of the batch being built: its tag, the seq it went out with (0 = not sent) and its fate.
  struct Pending {
    size_t tag = 0;
    uint32_t seq = 0;
    enum class State : uint8_t { in_flight, applied, failed } state = State::in_flight;
    int code = 0;
    std::string message, extack;
  };

  explicit KernelBackend(Socket sock);
  // Sends tx_[0, bytes) and records every ACK in pending_; false when a change failed or ACKs went missing.
  bool send_batch(size_t bytes);
  // Marks the change with `seq` applied or failed; false when no in-flight change has that seq.
  bool record_ack(uint32_t seq, int code, std::string extack);
  // Single requests reuse tx_; `encode` writes the request with the seq it is given.
  template <typename Encode>
  Result<std::span<const uint8_t>> encode_request(Encode&& encode);

  Socket sock_;
  size_t max_batch_messages_ = 0;
  size_t max_batch_bytes_ = 0;
  std::vector<uint8_t> tx_;  // the batch under construction; reused so bulk applies do not allocate
  std::vector<uint8_t> rx_;
  std::vector<Pending> pending_;
  std::vector<size_t> ack_lengths_;  // datagram lengths from the last recv_many
};

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
