// SPDX-License-Identifier: BSD-3-Clause
#include "pcap_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace xfrmpp::tools::engine_cli {

Result<PcapReader> PcapReader::open(const std::filesystem::path& path) {
  char err[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  // Asking for nanoseconds makes libpcap scale a microsecond file up; keep what the file has instead.
  if (p && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO) {
    pcap_close(p);
    p = pcap_open_offline(path.c_str(), err);
  }
  if (!p) return make_error(EINVAL, err);
  return PcapReader(p);
}

Result<std::optional<PcapRecord>> PcapReader::next() {
  pcap_pkthdr* h = nullptr;
  const u_char* bytes = nullptr;
  int rc = pcap_next_ex(handle_.get(), &h, &bytes);
  if (rc == PCAP_ERROR_BREAK) return std::optional<PcapRecord>();
  if (rc != 1) return make_error(EIO, pcap_geterr(handle_.get()));
  return std::optional<PcapRecord>(PcapRecord{h->ts, h->len, {bytes, h->caplen}});
}

Result<PcapWriter> PcapWriter::create(const std::filesystem::path& path, int link_type, int precision) {
  std::filesystem::path dest = std::filesystem::absolute(path);
  std::string tmpl = (dest.parent_path() / ("." + dest.filename().string() + ".XXXXXX")).string();
  int fd = mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return make_error(e, "cannot create " + tmpl + ": " + std::strerror(e));
  }
  // mkostemp makes the file 0600; an output capture gets the mode any new file would get.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  FILE* f = fdopen(fd, "wb");
  if (!f) {
    int e = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    return make_error(e, std::strerror(e));
  }
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(link_type, 262144, static_cast<u_int>(precision));
  pcap_dumper_t* d = dead ? pcap_dump_fopen(dead, f) : nullptr;
  if (!d) {
    std::string msg = dead ? pcap_geterr(dead) : "pcap_open_dead failed";
    if (dead) pcap_close(dead);
    std::fclose(f);
    ::unlink(tmpl.c_str());
    return make_error(EIO, msg);
  }
  return PcapWriter(dead, d, tmpl, dest);
}

PcapWriter::PcapWriter(pcap_t* dead, pcap_dumper_t* dumper, std::filesystem::path temp, std::filesystem::path dest)
    : dead_(dead), dumper_(dumper), temp_(std::move(temp)), dest_(std::move(dest)) {}

PcapWriter::PcapWriter(PcapWriter&& o) noexcept
    : dead_(std::exchange(o.dead_, nullptr)), dumper_(std::exchange(o.dumper_, nullptr)),
      temp_(std::move(o.temp_)), dest_(std::move(o.dest_)) {}

PcapWriter::~PcapWriter() { discard(); }

void PcapWriter::discard() {
  if (dumper_) {
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
    ::unlink(temp_.c_str());
  }
  if (dead_) pcap_close(std::exchange(dead_, nullptr));
}

void PcapWriter::write(const timeval& ts, std::span<const uint8_t> data) {
  pcap_pkthdr h{};
  h.ts = ts;
  h.caplen = h.len = static_cast<bpf_u_int32>(data.size());
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data.data());
}

Result<void> PcapWriter::commit() {
  FILE* f = pcap_dump_file(dumper_);
  // A full disk shows up at the flush (stdio buffers), not at pcap_dump().
  if (pcap_dump_flush(dumper_) != 0 || std::ferror(f) || fsync(fileno(f)) != 0) {
    int e = errno ? errno : EIO;
    discard();
    return make_error(e, "cannot write " + dest_.string() + ": " + std::strerror(e));
  }
  pcap_dump_close(std::exchange(dumper_, nullptr));
  if (std::rename(temp_.c_str(), dest_.c_str()) != 0) {
    int e = errno;
    ::unlink(temp_.c_str());
    return make_error(e, "cannot rename to " + dest_.string() + ": " + std::strerror(e));
  }
  return {};
}

}  // namespace xfrmpp::tools::engine_cli
