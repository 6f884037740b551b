// SPDX-License-Identifier: BSD-3-Clause
#include "deflate.hpp"

#include <zlib.h>

#include <algorithm>

namespace xfrmpp::engine::crypto {
namespace {

// Linux crypto/deflate.c: windowBits -11 (raw, 2 KiB) and MAX_MEM_LEVEL. The kernel inflates with the
// same 2 KiB window, so a larger window here could make packets it cannot decompress.
constexpr int kCompressWindowBits = -11;
// Inflating with the largest window accepts any raw deflate stream, the kernel's included.
constexpr int kInflateWindowBits = -15;

class Deflater {
 public:
  Deflater() { ok_ = deflateInit2(&zs_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kCompressWindowBits, MAX_MEM_LEVEL,
                                  Z_DEFAULT_STRATEGY) == Z_OK; }
  ~Deflater() {
    if (ok_) deflateEnd(&zs_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  bool ok() const { return ok_; }
  z_stream* get() { return &zs_; }

 private:
  z_stream zs_{};
  bool ok_;
};

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&zs_, kInflateWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream* get() { return &zs_; }

 private:
  z_stream zs_{};
  bool ok_;
};

}  // namespace

std::optional<std::vector<uint8_t>> deflate_compress(std::span<const uint8_t> in) {
  if (in.size() < 2 || in.size() > UINT32_MAX) return std::nullopt;
  Deflater d;
  if (!d.ok()) return std::nullopt;
  // Room for one byte less than the input: a stream that does not end in it is not worth sending.
  std::vector<uint8_t> out(in.size() - 1);
  z_stream* zs = d.get();
  zs->next_in = const_cast<Bytef*>(in.data());
  zs->avail_in = uInt(in.size());
  zs->next_out = out.data();
  zs->avail_out = uInt(out.size());
  if (deflate(zs, Z_FINISH) != Z_STREAM_END) return std::nullopt;
  out.resize(out.size() - zs->avail_out);
  return out;
}

std::optional<std::vector<uint8_t>> deflate_decompress(std::span<const uint8_t> in, size_t max_out) {
  if (in.empty() || in.size() > UINT32_MAX) return std::nullopt;
  Inflater inf;
  if (!inf.ok()) return std::nullopt;
  z_stream* zs = inf.get();
  zs->next_in = const_cast<Bytef*>(in.data());
  zs->avail_in = uInt(in.size());
  // One byte over the limit tells a stream that fits exactly from one that goes on.
  size_t cap = std::min<size_t>(max_out, UINT32_MAX - 1) + 1;
  std::vector<uint8_t> out(std::min(cap, std::max<size_t>(in.size() * 4, 4096)));
  size_t produced = 0;
  for (;;) {
    zs->next_out = out.data() + produced;
    zs->avail_out = uInt(out.size() - produced);
    int ret = inflate(zs, Z_NO_FLUSH);
    produced = out.size() - zs->avail_out;
    if (produced > max_out) return std::nullopt;
    if (ret == Z_STREAM_END) {
      if (zs->avail_in != 0) return std::nullopt;  // bytes after the final block: not one clean stream
      out.resize(produced);
      return out;
    }
    if (ret != Z_OK) return std::nullopt;  // damaged (Z_DATA_ERROR), or truncated (Z_BUF_ERROR)
    if (zs->avail_out == 0) {
      if (out.size() >= cap) return std::nullopt;
      out.resize(std::min(cap, out.size() * 2));
    } else if (zs->avail_in == 0) {
      // All input taken, output room left, and no end of stream: the next call would say Z_BUF_ERROR.
      return std::nullopt;
    }
  }
}

}  // namespace xfrmpp::engine::crypto
