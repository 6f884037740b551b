#pragma once
// Reading inputs and printing diagnostics: the only place tools touch files and stderr for them.
#include <cstdio>
#include <string>
#include <vector>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/diag/result.hpp"
#include "xfrmpp/model/address.hpp"

namespace xfrmpp::tools {

/// Reads a file, or standard input for "-", into a named SourceBuffer.
Result<diag::SourceBuffer> load_source(const std::string& path);

/// Prints every diagnostic (errors and warnings) in file:line:col form with the source line and a caret.
void print_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::FILE* out);

/// Warns on stderr when a file that holds keys can be read by its group or by others.
void warn_if_keys_exposed(const std::string& path);

/// getaddrinfo() for hostnames in scripts; hint unspec = both families.
std::vector<model::Address> resolve_host(std::string_view host, model::Family hint);

}  // namespace xfrmpp::tools
