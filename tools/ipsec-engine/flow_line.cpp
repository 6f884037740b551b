// SPDX-License-Identifier: BSD-3-Clause
#include "flow_line.hpp"

#include <charconv>
#include <optional>
#include <vector>

#include "xfrmpp/model/names.hpp"

namespace xfrmpp::tools::engine_cli {

namespace {

struct Word {
  std::string_view text;
  size_t column;
};

std::vector<Word> split(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size()) break;
    size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    words.push_back({line.substr(b, i - b), b + 1});
  }
  return words;
}

template <typename T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::variant<std::monostate, engine::Flow, LineError> parse_flow_line(std::string_view line) {
  auto w = split(line);
  if (w.empty() || w[0].text.starts_with('#')) return std::monostate{};
  if (w.size() < 6)
    return LineError{line.size() + 1, "expected 6 fields: DIR PROTO SRC SPORT DST DPORT, got " + std::to_string(w.size())};
  engine::Flow f;
  auto dir = model::lookup(model::direction_names(), w[0].text);
  if (!dir) return LineError{w[0].column, "unknown direction '" + std::string(w[0].text) + "' (in, out or fwd)"};
  f.dir = *dir;
  if (auto n = number<unsigned>(w[1].text)) {
    if (*n > 255) return LineError{w[1].column, "protocol number out of range 0-255"};
    f.proto = static_cast<uint8_t>(*n);
  } else if (auto p = model::lookup(model::upper_protocol_names(), w[1].text)) {
    f.proto = *p;
  } else {
    return LineError{w[1].column, "unknown protocol '" + std::string(w[1].text) + "'"};
  }
  auto src = model::Address::parse(w[2].text);
  if (!src) return LineError{w[2].column, "not a numeric IPv4 or IPv6 address: '" + std::string(w[2].text) + "'"};
  auto dst = model::Address::parse(w[4].text);
  if (!dst) return LineError{w[4].column, "not a numeric IPv4 or IPv6 address: '" + std::string(w[4].text) + "'"};
  if (src->family != dst->family) return LineError{w[4].column, "source and destination are of different families"};
  f.family = src->family;
  f.src = *src;
  f.dst = *dst;
  for (int i : {3, 5}) {
    auto n = number<unsigned>(w[i].text);
    if (!n || *n > 65535) return LineError{w[i].column, "port (or ICMP type/code) must be a number 0-65535"};
    (i == 3 ? f.sport : f.dport) = static_cast<uint16_t>(*n);
  }
  // Optional NAME=VALUE fields for what a socket sets and the six fields do not say (SO_MARK, an xfrm
  // interface's if_id, the output interface).
  for (size_t i = 6; i < w.size(); ++i) {
    auto eq = w[i].text.find('=');
    std::string_view name = w[i].text.substr(0, eq), value = eq == std::string_view::npos ? "" : w[i].text.substr(eq + 1);
    int base = value.starts_with("0x") || value.starts_with("0X") ? 16 : 10;
    if (base == 16) value.remove_prefix(2);
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v, base);
    bool ok = eq != std::string_view::npos && !value.empty() && ec == std::errc{} && p == value.data() + value.size();
    if (name == "mark" && ok) f.mark = v;
    else if (name == "if_id" && ok) f.if_id = v;
    else if (name == "ifindex" && ok && v <= 0x7fffffffu) f.ifindex = static_cast<int32_t>(v);
    else if (name == "mark" || name == "if_id" || name == "ifindex")
      return LineError{w[i].column, "'" + std::string(name) + "' needs a number: " + std::string(name) + "=N"};
    else
      return LineError{w[i].column, "unknown field '" + std::string(w[i].text) + "' (mark=N, if_id=N or ifindex=N)"};
  }
  return f;
}

}  // namespace xfrmpp::tools::engine_cli
