// SPDX-License-Identifier: BSD-3-Clause
#include "json_errors.hpp"

#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::tools {

void JsonErrors::add(const diag::SourceBuffer& source, const diag::Diagnostic& d) {
  if (d.severity != diag::Severity::error) return;
  auto lc = source.line_col(d.range.begin);
  nlohmann::json e{{"file", source.name()}, {"line", lc.line}, {"column", lc.column}, {"message", d.message}};
  if (!d.notes.empty()) e["notes"] = d.notes;
  errors_.push_back(std::move(e));
}

void JsonErrors::add(const std::string& file, const std::string& message) {
  errors_.push_back(nlohmann::json{{"file", file}, {"line", 0}, {"column", 0}, {"message", message}});
}

std::string JsonErrors::text() const {
  return render::json_text(nlohmann::json{{"schema", render::kJsonSchema}, {"errors", errors_}}, 2);
}

void JsonErrors::print_if_any(std::FILE* out) const {
  if (empty()) return;
  std::fputs(text().c_str(), out);
  std::fputc('\n', out);
}

}  // namespace xfrmpp::tools
