// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The Backend that talks to the Linux kernel over NETLINK_XFRM.
#include <functional>
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
  ApplyReport apply_each(size_t count, const std::function<Change(size_t)>& make, const ApplyOptions& options) override;
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
  // One change of a batch: its tag, the seq it went out with and its fate.
  struct Pending {
    size_t tag = 0;
    uint32_t seq = 0;
    enum class State : uint8_t { in_flight, applied, failed } state = State::in_flight;
    int code = 0;
    std::string message, extack;
  };
  // One sendmsg's worth of encoded changes, changes [begin, end) of an apply; reused from batch to batch.
  struct Batch {
    std::vector<uint8_t> bytes;
    size_t used = 0;
    std::vector<Pending> pending;
    size_t end = 0;
    bool encode_failed = false;
  };
  explicit KernelBackend(Socket sock);
  using ChangeAt = std::function<const Change&(size_t)>;
  // Both applies: change i of `count` is at(i).
  ApplyReport apply_at(size_t count, const ChangeAt& at, const ApplyOptions& options);
  // Encodes changes from `first` into `b` up to `limit` bytes or max_batch_messages_; sets b.end.
  void fill_batch(Batch& b, size_t count, const ChangeAt& at, size_t first, size_t limit, bool stop_at_first_error);
  // Sends b.bytes and records every ACK in b.pending; false when a change failed or ACKs went missing.
  bool send_batch(Batch& b);
  // Marks the change with `seq` applied or failed; false when no in-flight change has that seq.
  static bool record_ack(std::vector<Pending>& pending, uint32_t seq, int code, std::string extack);
  // Moves the outcome of every change of `b` into `report`.
  static void collect(Batch& b, ApplyReport& report);
  // Single requests reuse tx_; `encode` writes the request with the seq it is given.
  template <typename Encode>
  Result<std::span<const uint8_t>> encode_request(Encode&& encode);

  Socket sock_;
  size_t max_batch_messages_ = 0;
  size_t max_batch_bytes_ = 0;
  std::vector<uint8_t> tx_;  // single requests
  std::vector<uint8_t> rx_;
  Batch batch_;  // kept between applies so bulk loads do not allocate
  std::vector<size_t> ack_lengths_;  // datagram lengths from the last recv_many
};

}  // namespace xfrmpp::nl

#pragma GCC visibility pop
