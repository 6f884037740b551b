// SPDX-License-Identifier: BSD-3-Clause
#include "fuzz_check.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "parsers/ipseckey.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::fuzz {

namespace {

// Shorter windows match fixed message text by chance; a 16-hex-digit window is 64 bits of a key.
constexpr size_t kHexWindow = 16;
constexpr size_t kTextWindow = 12;
constexpr size_t kLongHexRun = 32;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool varied(std::string_view w) { return std::set<char>(w.begin(), w.end()).size() >= 4; }

bool inside(size_t pos, size_t len, std::span<const diag::SourceRange> ranges) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const diag::SourceRange& r) { return r.begin <= pos && pos + len <= r.end; });
}

// True when `w` occurs in `haystack` somewhere not wholly inside `allowed`: then it is not only key text.
bool occurs_outside(std::string_view haystack, std::string_view w, std::span<const diag::SourceRange> allowed) {
  for (size_t p = haystack.find(w); p != std::string_view::npos; p = haystack.find(w, p + 1))
    if (!inside(p, w.size(), allowed)) return true;
  return false;
}

// Every window of `key` that is only key text in the source must be absent from the diagnostics.
void check_windows(std::string_view what, std::string_view key, size_t window, std::string_view source,
                   std::span<const diag::SourceRange> allowed, std::string_view diagnostics, std::string_view shown) {
  if (key.size() < window) return;
  for (size_t i = 0; i + window <= key.size(); ++i) {
    std::string_view w = key.substr(i, window);
    if (!varied(w) || occurs_outside(source, w, allowed)) continue;
    if (diagnostics.find(w) != std::string_view::npos)
      fail("keyleak", std::string(what) + " text '" + std::string(w) + "' appears in a diagnostic:\n" + std::string(shown));
  }
}

bool is_word(std::string_view text, size_t p, size_t n) {
  auto space = [&](size_t i) { return i >= text.size() || std::isspace(static_cast<unsigned char>(text[i])); };
  return (p == 0 || space(p - 1)) && space(p + n);
}

}  // namespace

void fail(std::string_view property, std::string_view detail) {
  std::fprintf(stderr, "\n==fuzz property '%.*s' failed: %.*s\n", static_cast<int>(property.size()), property.data(),
               static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  __builtin_trap();
}

bool enabled(std::string_view property) {
  static const std::string skip = [] {
    const char* s = std::getenv("XFRMPP_FUZZ_SKIP");
    return "," + std::string(s ? s : "") + ",";
  }();
  return skip.find("," + std::string(property) + ",") == std::string::npos;
}

std::string formatted_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink) {
  std::string out;
  for (const auto& d : sink.all()) out += diag::format(source, d, sink.secrets());
  return out;
}

std::string json_text(const nlohmann::json& j) {
  try {
    return render::json_text(j, 2);  // the tools' own policy: invalid UTF-8 must never throw
  } catch (const nlohmann::json::exception& e) {
    fail("json", e.what());
  }
}

bool only_secret_text(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::string_view text) {
  return !occurs_outside(lower(source.text()), lower(text), sink.secrets());
}

bool has_unnamed_enum(const nlohmann::json& j) {
  static const std::set<std::string> kEnums = {"dir", "family", "mode", "level", "proto", "action", "type", "op"};
  if (j.is_array())
    return std::any_of(j.begin(), j.end(), [](const nlohmann::json& e) { return has_unnamed_enum(e); });
  if (!j.is_object()) return false;
  for (const auto& [k, v] : j.items())
    if ((kEnums.count(k) && v.is_string() && v.get<std::string>().empty()) || has_unnamed_enum(v)) return true;
  return false;
}

std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::vector<diag::SourceRange> setkey_key_statements(std::string_view text) {
  std::vector<diag::SourceRange> out;
  size_t start = 0;
  bool quoted = false, comment = false;
  auto close = [&](size_t end) {
    std::string_view st = text.substr(start, end - start);
    for (std::string_view flag : {"-E", "-A"})
      for (size_t p = st.find(flag); p != std::string_view::npos; p = st.find(flag, p + 1))
        if (is_word(text, start + p, flag.size())) {
          out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
          return;
        }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (comment) {
      comment = c != '\n';
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '#') {
      comment = true;
    } else if (!quoted && c == ';') {
      close(i + 1);
      start = i + 1;
    }
  }
  close(text.size());
  return out;
}

std::vector<diag::SourceRange> ipseckey_key_statements(std::string_view text) {
  using parsers::ipseckey::Ext;
  std::vector<std::string_view> words;
  for (const auto& k : parsers::ipseckey::extension_names())
    if (k.value == Ext::auth_alg || k.value == Ext::encr_alg || k.value == Ext::authkey || k.value == Ext::encrkey)
      words.push_back(k.name);
  std::vector<diag::SourceRange> out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    bool end = i == text.size() || (text[i] == '\n' && !(i > 0 && text[i - 1] == '\\'));
    if (!end) continue;
    std::string_view cmd = text.substr(start, i - start);
    for (auto w : words) {
      bool hit = false;
      for (size_t p = cmd.find(w); p != std::string_view::npos && !hit; p = cmd.find(w, p + 1))
        hit = is_word(text, start + p, w.size());
      if (hit) {
        out.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(i)});
        break;
      }
    }
    start = i + 1;
  }
  return out;
}

void check_no_key_text(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink,
                       std::span<const std::vector<uint8_t>> keys, std::span<const diag::SourceRange> key_statements,
                       std::string_view diagnostics) {
  if (!enabled("keyleak") || diagnostics.empty()) return;
  std::string src = lower(source.text());
  std::string diags = lower(diagnostics);
  for (const auto& key : keys) {
    if (key.size() < 8) continue;
    check_windows("model key", hex(key), kHexWindow, src, sink.secrets(), diags, diagnostics);
    bool printable = std::all_of(key.begin(), key.end(), [](uint8_t b) { return b >= 0x20 && b < 0x7f; });
    if (printable) {
      std::string text(key.begin(), key.end());
      check_windows("model key", lower(text), kTextWindow, src, sink.secrets(), diags, diagnostics);
    }
  }
  for (const auto& r : key_statements) {
    size_t i = r.begin;
    while (i < r.end) {
      size_t j = i;
      while (j < r.end && std::isxdigit(static_cast<unsigned char>(src[j]))) ++j;
      if (j - i >= kLongHexRun)
        check_windows("hex key", std::string_view(src).substr(i, j - i), kHexWindow, src, key_statements, diags, diagnostics);
      i = j == i ? i + 1 : j;
    }
  }
}

}  // namespace xfrmpp::fuzz
