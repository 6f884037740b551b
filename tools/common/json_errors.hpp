// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The --json form of a run's parse errors, for CI: {"schema": "xfrmpp/1", "errors": [{"file", "line",
// "column", "message", "notes"?}, ...]} on standard output, next to the usual text on standard error.
#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/source.hpp"

namespace xfrmpp::tools {

class JsonErrors {
 public:
  /// One error diagnostic. Its message and notes are the sink's, already scrubbed of keys, so they are
  /// masked exactly as the text form; the source line (where text masks key bytes with '*') is not copied.
  void add(const diag::SourceBuffer& source, const diag::Diagnostic& d);
  /// An error with no position (an input that cannot be read): line and column 0.
  void add(const std::string& file, const std::string& message);
  bool empty() const { return errors_.empty(); }
  /// The document, pretty-printed; invalid UTF-8 in names or messages becomes U+FFFD (render::json_text).
  std::string text() const;
  /// Prints the document on `out` when there are errors.
  void print_if_any(std::FILE* out = stdout) const;

 private:
  nlohmann::json errors_ = nlohmann::json::array();
};

}  // namespace xfrmpp::tools
