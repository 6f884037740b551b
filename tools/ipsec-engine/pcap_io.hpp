// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// libpcap files as owned objects: a reader over pcap_open_offline and a writer that only replaces its
// destination when told to, so a failed `ipsec-engine process` leaves no partial output behind.
#include <pcap/pcap.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "xfrmpp/diag/result.hpp"

namespace xfrmpp::tools::engine_cli {

/// One record of a capture: its timestamp and the bytes captured.
struct PcapRecord {
  timeval ts{};
  uint32_t wire_length = 0;  ///< the length on the wire (the header's len); above data.size() when cut short
  std::span<const uint8_t> data;  ///< valid until the next read
};

class PcapReader {
 public:
  /// Opens `path` keeping the file's timestamp precision (micro- or nanoseconds).
  static Result<PcapReader> open(const std::filesystem::path& path);
  /// The next record; nullopt at the end; an error for a damaged or truncated file.
  Result<std::optional<PcapRecord>> next();
  int link_type() const { return pcap_datalink(handle_.get()); }
  int precision() const { return pcap_get_tstamp_precision(handle_.get()); }

 private:
  struct Close {
    void operator()(pcap_t* p) const { pcap_close(p); }
  };
  explicit PcapReader(pcap_t* p) : handle_(p) {}
  std::unique_ptr<pcap_t, Close> handle_;
};

/// Writes records to a temporary file beside the destination; commit() renames it over the destination.
/// Destroyed without commit() (an error, an exception), it removes the temporary file.
class PcapWriter {
 public:
  static Result<PcapWriter> create(const std::filesystem::path& path, int link_type, int precision);
  PcapWriter(PcapWriter&& o) noexcept;
  PcapWriter& operator=(PcapWriter&&) = delete;
  PcapWriter(const PcapWriter&) = delete;
  ~PcapWriter();

  void write(const timeval& ts, std::span<const uint8_t> data);
  /// Flushes, syncs and renames the file into place.
  Result<void> commit();

 private:
  PcapWriter(pcap_t* dead, pcap_dumper_t* dumper, std::filesystem::path temp, std::filesystem::path dest);
  void discard();
  pcap_t* dead_;
  pcap_dumper_t* dumper_;
  std::filesystem::path temp_, dest_;
};

}  // namespace xfrmpp::tools::engine_cli
