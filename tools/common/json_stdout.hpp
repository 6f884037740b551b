// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Streamed JSON documents go to standard output, where stdio buffers them.
#include <cstdio>
#include <string_view>

#include "xfrmpp/render/json_stream.hpp"

namespace xfrmpp::tools {

inline render::JsonArrayWriter::Sink file_sink(std::FILE* out) {
  return [out](std::string_view text) { std::fwrite(text.data(), 1, text.size(), out); };
}

inline render::JsonArrayWriter::Sink stdout_sink() { return file_sink(stdout); }

/// Ends a streamed document as std::puts ends a json_text one.
inline void finish_to_stdout(render::JsonArrayWriter& writer) {
  writer.finish();
  std::fputc('\n', stdout);
}

}  // namespace xfrmpp::tools
