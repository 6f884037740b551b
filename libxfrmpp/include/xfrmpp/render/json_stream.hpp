// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// A JSON document with one long array, written as it goes: a dump of a million policies needs memory
// for one of them, not for a document of all. The text is byte for byte what json_text(document, 2)
// gives for the whole document (tests/unit/parsers/json_stream_test.cpp checks it on the golden inputs).
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_text.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::render {

/// Writes {"<array_key>": [elements...], <members>} with indent 2, in nlohmann's member order (sorted).
class JsonArrayWriter {
 public:
  /// Gets the text in pieces, in order; the writer keeps back at most a small buffer between calls.
  using Sink = std::function<void(std::string_view)>;
  /// `members`: the document's other members (an object), written before or after the array by name.
  JsonArrayWriter(Sink sink, std::string array_key, const nlohmann::json& members);
  JsonArrayWriter(const JsonArrayWriter&) = delete;
  JsonArrayWriter& operator=(const JsonArrayWriter&) = delete;
  JsonArrayWriter(JsonArrayWriter&&) = default;
  ~JsonArrayWriter() = default;

  void add(const nlohmann::json& element);
  /// add(to_json(p)) and add(to_json(sa, options)), written without building the JSON value.
  void add(const model::Policy& p);
  void add(const model::SecurityAssociation& sa, const JsonOptions& options);
  /// Closes the array and the document (no newline after it) and hands over what is left.
  void finish();
  size_t size() const { return count_; }

 private:
  void put_member(const std::string& name, const nlohmann::json& value);
  void next_element();
  void flush_if_full();

  Sink sink_;
  nlohmann::json after_;  ///< the members whose names sort after the array's
  std::string buf_;
  size_t count_ = 0;
  bool first_member_ = true;
};

/// The streamed forms of spd_document() and sad_document(): add to_json() of each entry, then finish().
JsonArrayWriter spd_writer(JsonArrayWriter::Sink sink);
JsonArrayWriter sad_writer(JsonArrayWriter::Sink sink);
/// {"schema":..., "statements":[...]}, the document of `setkey -n --json`.
JsonArrayWriter statements_writer(JsonArrayWriter::Sink sink);

}  // namespace xfrmpp::render

#pragma GCC visibility pop
