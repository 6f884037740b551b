// SPDX-License-Identifier: BSD-3-Clause
// Prints setkey's vocabulary from the keyword and algorithm tables, for the docs check
// (check_setkey_docs.sh). Whether the parser accepts a word is asked of the parser itself, so the
// "offer"/"reject" split cannot drift from the grammar either.
//
//   setkey_keywords words            one "category word status" line per keyword
//   setkey_keywords man-algorithms   the roff block of setkey.8 between the ALGORITHMS markers
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/setkey.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/algorithm.hpp"
#include "xfrmpp/model/names.hpp"

namespace {

namespace model = xfrmpp::model;
namespace diag = xfrmpp::diag;
namespace sk = xfrmpp::parsers::setkey;

bool parses(const std::string& text) {
  diag::SourceBuffer source("<probe>", text);
  diag::DiagnosticSink sink;
  sk::parse(source, sink);
  return !sink.has_errors();
}

std::string policy_with(std::string_view action_and_requests) {
  return "spdadd 192.0.2.1 192.0.2.2 any -P out " + std::string(action_and_requests) + ";";
}

std::string request(std::string_view proto, std::string_view mode, std::string_view level) {
  return policy_with("ipsec " + std::string(proto) + "/" + std::string(mode) + "/192.0.2.1-192.0.2.2/" + std::string(level));
}

void line(std::string_view category, std::string_view word, bool offered) {
  std::printf("%.*s %.*s %s\n", int(category.size()), category.data(), int(word.size()), word.data(),
              offered ? "offer" : "reject");
}

std::vector<std::string_view> split(std::string_view list) {
  std::vector<std::string_view> v;
  while (!list.empty()) {
    size_t sp = list.find(' ');
    if (sp != 0) v.push_back(list.substr(0, sp));
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
  return v;
}

std::string_view flag_of(model::AlgKind k) {
  return k == model::AlgKind::auth ? "aalg" : k == model::AlgKind::comp ? "calg" : "ealg";
}

int words() {
  for (auto c : sk::command_names()) line("command", c, true);
  for (const auto& a : model::algorithms()) {
    if (a.setkey_name.empty()) continue;
    bool usable = a.unsupported_why.empty();
    line(flag_of(a.kind), a.setkey_name, usable);
    for (auto alias : split(a.setkey_aliases)) line(flag_of(a.kind), alias, usable);
  }
  for (const auto& p : model::protocol_names()) line("protocol", p.name, parses(request(p.name, "transport", "require")));
  // Only the modes a policy request takes are setkey modes; the table also serves ip-xfrm-style front ends.
  for (const auto& m : model::mode_names())
    if (parses(request("esp", m.name, "require"))) line("mode", m.name, true);
  for (const auto& l : model::level_names()) line("level", l.name, parses(request("esp", "transport", l.name)));
  for (const auto& d : model::direction_names())
    line("direction", d.name, parses("spdadd 192.0.2.1 192.0.2.2 any -P " + std::string(d.name) + " discard;"));
  for (const auto& k : model::policy_kind_names()) {
    std::string a(k.name);
    line("action", k.name, parses(policy_with(a == "ipsec" ? a + " esp/transport//require" : a)));
  }
  std::set<std::string_view> seen;
  for (const auto& u : model::upper_protocol_names())
    if (seen.insert(u.name).second)
      line("upper", u.name, parses("spdadd 192.0.2.1 192.0.2.2 " + std::string(u.name) + " -P out discard;"));
  return 0;
}

// roff: a '-' written as \- stays an ASCII hyphen-minus in every output device, so names copy-paste.
std::string roff(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-') out += "\\-";
    else if (c == '\\') out += "\\e";
    else out += c;
  }
  return out;
}

std::string key_bits(const model::AlgorithmInfo& a) {
  if (a.max_key_bits == 0) return "none";
  // An HMAC: the RFC's length, then what is accepted (whole bytes up to the block size).
  if (model::hmac_block_bits(a))
    return std::to_string(a.min_key_bits) + " (" + std::to_string(model::accepted_min_key_bits(a)) + " to " +
           std::to_string(model::accepted_max_key_bits(a)) + ")";
  if (a.min_key_bits == a.max_key_bits) return std::to_string(a.min_key_bits);
  if (a.key_step_bits == 0) return std::to_string(a.min_key_bits) + ", " + std::to_string(a.max_key_bits);
  unsigned count = (a.max_key_bits - a.min_key_bits) / a.key_step_bits + 1;
  if (count <= 4) {
    std::string s;
    for (unsigned b = a.min_key_bits; b <= a.max_key_bits; b += a.key_step_bits) s += (s.empty() ? "" : ", ") + std::to_string(b);
    return s;
  }
  return std::to_string(a.min_key_bits) + " to " + std::to_string(a.max_key_bits) + " by " + std::to_string(a.key_step_bits);
}

std::string num_or_dash(unsigned v) { return v ? std::to_string(v) : "\\-"; }

// Kernel names longer than this wrap after a comma onto rows of their own (empty in the other columns),
// so the widest table still fits an 80-column terminal. Continuation rows rather than a T{ text block
// with .br: mandoc ignores requests inside tables, and its own layout ignores \: break points.
constexpr size_t kKernelNameWidth = 20;

std::vector<std::string> kernel_lines(std::string_view name) {
  std::vector<std::string> lines;
  while (name.size() > kKernelNameWidth) {
    size_t cut = name.rfind(',', kKernelNameWidth - 1);
    if (cut == std::string_view::npos) break;
    lines.push_back(roff(name.substr(0, cut + 1)));
    name.remove_prefix(cut + 1);
  }
  lines.push_back(roff(name));
  return lines;
}

void table(std::string_view title, std::string_view flag, model::AlgKind kind, bool with_key, bool with_icv) {
  std::printf(".PP\n%.*s, given with \\fB%s\\fP:\n", int(title.size()), title.data(), roff(flag).c_str());
  std::string head = "lb lb", body = "l l", names = "Name|Kernel name", empty;
  if (with_key) head += " lb lb", body += " l l", names += "|Key bits|Salt", empty += "||";
  if (with_icv) head += " lb", body += " l", names += "|ICV", empty += "|";
  std::printf(".TS\ntab(|);\n%s\n%s.\n%s\n", head.c_str(), body.c_str(), names.c_str());
  for (const auto& a : model::algorithms()) {
    if (a.setkey_name.empty() || !a.unsupported_why.empty() || a.kind != kind) continue;
    auto kernel = kernel_lines(a.kernel_name);
    std::printf("%s|%s", roff(a.setkey_name).c_str(), kernel[0].c_str());
    if (with_key) std::printf("|%s|%s", key_bits(a).c_str(), num_or_dash(a.salt_bits).c_str());
    if (with_icv) std::printf("|%s", num_or_dash(a.icv_bits).c_str());
    std::printf("\n");
    for (size_t i = 1; i < kernel.size(); ++i) std::printf("\\&|%s%s\n", kernel[i].c_str(), empty.c_str());
  }
  std::printf(".TE\n");
}

int man_algorithms() {
  std::printf(".\\\" Generated by tests/docs/setkey_keywords man-algorithms; do not edit by hand.\n");
  std::printf(".\\\" Regenerate with: ninja -C build setkey_man_algorithms (tests/docs/check_setkey_docs.sh algorithms ... --update).\n");
  table("Encryption algorithms", "-E", model::AlgKind::crypt, true, false);
  table("Combined-mode (AEAD) algorithms", "-E", model::AlgKind::aead, true, true);
  table("Authentication algorithms", "-A", model::AlgKind::auth, true, true);
  table("Compression algorithms", "-C", model::AlgKind::comp, false, false);
  std::string aliases;
  for (const auto& a : model::algorithms())
    for (auto alias : split(a.setkey_aliases))
      aliases += (aliases.empty() ? "" : ",\n") + std::string("\\fB") + roff(alias) + "\\fP for \\fB" + roff(a.setkey_name) + "\\fP";
  if (!aliases.empty()) std::printf(".PP\nAccepted aliases:\n%s.\n", aliases.c_str());
  std::printf(".PP\nNames that are recognised but refused, because Linux cannot provide them:\n");
  for (const auto& a : model::algorithms()) {
    if (a.setkey_name.empty() || a.unsupported_why.empty()) continue;
    std::printf(".TP\n\\fB%s\\fP \\fB%s\\fP", roff(flag_of(a.kind) == "aalg" ? "-A" : flag_of(a.kind) == "calg" ? "-C" : "-E").c_str(),
                roff(a.setkey_name).c_str());
    for (auto alias : split(a.setkey_aliases)) std::printf(", \\fB%s\\fP", roff(alias).c_str());
    std::printf("\n%s.\n", roff(a.unsupported_why).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view mode = argc > 1 ? argv[1] : "words";
  if (mode == "words") return words();
  if (mode == "man-algorithms") return man_algorithms();
  std::fprintf(stderr, "usage: setkey_keywords [words|man-algorithms]\n");
  return 2;
}
