// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/render/json_stream.hpp"

#include <utility>

#include "json_emit.hpp"

namespace xfrmpp::render {

namespace {

// Whole pieces go to the sink once this much is kept back: few calls, bounded memory.
constexpr size_t kFlushBytes = 64 * 1024;

// Appends `text` (json_text with indent 2 of a value nested `depth` levels deep) with its lines
// shifted right as nlohmann shifts them there. Strings in JSON text hold no raw newline, so every
// newline in it starts a line.
void append_nested(std::string& out, const std::string& text, size_t depth) {
  size_t pos = 0;
  for (size_t nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    out.append(text, pos, nl + 1 - pos);
    out.append(2 * depth, ' ');
  }
  out.append(text, pos, std::string::npos);
}

}  // namespace

JsonArrayWriter::JsonArrayWriter(Sink sink, std::string array_key, const nlohmann::json& members)
    : sink_(std::move(sink)), after_(nlohmann::json::object()) {
  buf_ = "{";
  for (const auto& [name, value] : members.items()) {
    if (name < array_key) put_member(name, value);
    else after_[name] = value;
  }
  put_member(array_key, nlohmann::json::array());
  buf_.pop_back();  // the "]" of the empty array: elements go before it
}

void JsonArrayWriter::put_member(const std::string& name, const nlohmann::json& value) {
  buf_ += first_member_ ? "\n  " : ",\n  ";
  first_member_ = false;
  buf_ += json_text(nlohmann::json(name));
  buf_ += ": ";
  append_nested(buf_, json_text(value, 2), 1);
}

void JsonArrayWriter::next_element() { buf_ += count_++ ? ",\n    " : "\n    "; }

void JsonArrayWriter::add(const nlohmann::json& element) {
  next_element();
  append_nested(buf_, json_text(element, 2), 2);
  flush_if_full();
}

void JsonArrayWriter::add(const model::Policy& p) {
  next_element();
  emit::policy(buf_, p, 2);
  flush_if_full();
}

void JsonArrayWriter::add(const model::SecurityAssociation& sa, const JsonOptions& options) {
  next_element();
  emit::sa(buf_, sa, options, 2);
  flush_if_full();
}

void JsonArrayWriter::finish() {
  buf_ += count_ ? "\n  ]" : "]";
  for (const auto& [name, value] : after_.items()) put_member(name, value);
  buf_ += "\n}";
  sink_(buf_);
  buf_.clear();
}

void JsonArrayWriter::flush_if_full() {
  if (buf_.size() < kFlushBytes) return;
  sink_(buf_);
  buf_.clear();
}

JsonArrayWriter spd_writer(JsonArrayWriter::Sink sink) {
  return JsonArrayWriter(std::move(sink), "policies", nlohmann::json{{"schema", kJsonSchema}});
}

JsonArrayWriter sad_writer(JsonArrayWriter::Sink sink) {
  return JsonArrayWriter(std::move(sink), "sas", nlohmann::json{{"schema", kJsonSchema}});
}

JsonArrayWriter statements_writer(JsonArrayWriter::Sink sink) {
  return JsonArrayWriter(std::move(sink), "statements", nlohmann::json{{"schema", kJsonSchema}});
}

}  // namespace xfrmpp::render
