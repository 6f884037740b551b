// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Reading inputs and printing diagnostics: the only place tools touch files and stderr for them.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/address.hpp"

namespace xfrmpp::tools {
class JsonErrors;
}

namespace xfrmpp::tools {

/// Defaults of --max-input (bytes) and --max-errors (0 = no limit), the same in every tool.
inline constexpr uint64_t kDefaultMaxInput = uint64_t{1} << 30;
inline constexpr size_t kDefaultMaxErrors = 50;

/// Reads a file, or standard input for "-", into a named SourceBuffer. An input longer than `max_input`
/// bytes is refused as soon as the read passes it (a FIFO or /dev/zero never ends): the error has code EFBIG
/// and reads "FILE: error: input larger than 1 GiB (--max-input)".
Result<diag::SourceBuffer> load_source(const std::string& path, uint64_t max_input = kDefaultMaxInput);

/// "1 GiB", "64 KiB", "1000 bytes": how limits are named in messages.
std::string size_text(uint64_t bytes);

/// Prints every diagnostic (errors and warnings) in file:line:col form with the source line and a caret.
void print_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::FILE* out);

/// Prints diagnostics with a compiler-style error limit, shared by a whole run: once `max_errors` errors
/// are shown (0 = no limit), later errors and warnings are only counted, and finish() says how many.
class DiagnosticPrinter {
 public:
  explicit DiagnosticPrinter(size_t max_errors = kDefaultMaxErrors, std::FILE* out = stderr)
      : max_errors_(max_errors), out_(out) {}
  void print(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink);
  void print(const diag::SourceBuffer& source, const diag::Diagnostic& d, const std::vector<diag::SourceRange>& secrets = {});
  /// "PROG: N more errors not shown (--max-errors=M)" when the limit held any back; then starts over.
  void finish(std::string_view prog);
  /// --json: every error shown is also added to `json` (so the same limit holds for both forms).
  void collect(JsonErrors* json) { json_ = json; }

 private:
  size_t max_errors_;
  std::FILE* out_;
  JsonErrors* json_ = nullptr;
  size_t shown_errors_ = 0, held_errors_ = 0, held_warnings_ = 0;
};

/// Warns on stderr when a file that holds keys can be read by its group or by others.
void warn_if_keys_exposed(const std::string& path);

/// False for what no DNS name can be (an all-digit last label as in "10.0.0.999", a ':', over 253 bytes):
/// those are malformed addresses, and asking the resolver about each would cost a round trip per statement.
bool could_be_hostname(std::string_view name);

/// getaddrinfo() for hostnames in scripts (numeric only for what could_be_hostname() refuses); hint unspec = both families.
std::vector<model::Address> resolve_host(std::string_view host, model::Family hint);

}  // namespace xfrmpp::tools
