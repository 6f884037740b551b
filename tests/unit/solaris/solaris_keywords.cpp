// SPDX-License-Identifier: BSD-3-Clause
// Prints the vocabulary of ipsecconf and ipseckey from their keyword tables and the algorithm registry,
// one "category word status" line each, for check_solaris_docs.sh. Whether an ipseckey extension is
// usable on Linux is asked of the parser itself, so the man pages and completions cannot drift from it.
#include <cstdio>
#include <string>
#include <string_view>

#include "parsers/ipsecconf.hpp"
#include "parsers/ipseckey.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/model/algorithm.hpp"

namespace {

namespace model = xfrmpp::model;
namespace diag = xfrmpp::diag;
namespace ik = xfrmpp::parsers::ipseckey;
namespace ic = xfrmpp::parsers::ipsecconf;

void line(std::string_view category, std::string_view word, std::string_view status) {
  std::printf("%.*s %.*s %.*s\n", int(category.size()), category.data(), int(word.size()), word.data(),
              int(status.size()), status.data());
}

// An extension is "linux" unless the parser refuses it as having no XFRM equivalent.
std::string_view extension_status(std::string_view ext) {
  std::string text = "add esp spi 0x100 dst 192.0.2.1 " + std::string(ext) + " 1\n";
  diag::SourceBuffer source("<probe>", text);
  diag::DiagnosticSink sink;
  ik::ParseOptions options;
  options.from_file = true;
  options.interactive = true;  // add is refused on the command line only
  ik::parse(source, sink, options);
  for (const auto& d : sink.all())
    if (d.message.find("not supported on Linux") != std::string::npos) return "unsupported";
  return "linux";
}

bool command_allowed_on_command_line(ik::Cmd c) {
  return c != ik::Cmd::add && c != ik::Cmd::update && c != ik::Cmd::update_pair && c != ik::Cmd::delete_pair &&
         c != ik::Cmd::quit;
}

void algorithm_words() {
  for (const auto& a : model::algorithms()) {
    if (a.solaris_names.empty()) continue;
    std::string_view category = a.kind == model::AlgKind::auth ? "ipseckey-aalg" : "ipseckey-ealg";
    if (a.kind == model::AlgKind::comp) continue;
    std::string_view status = a.unsupported_why.empty() ? "linux" : "unsupported";
    std::string_view names = a.solaris_names;
    while (!names.empty()) {
      size_t sp = names.find(' ');
      if (sp != 0) line(category, names.substr(0, sp), status);
      if (sp == std::string_view::npos) break;
      names.remove_prefix(sp + 1);
    }
  }
}

}  // namespace

int main() {
  for (const auto& k : ic::pattern_names()) line("ipsecconf-pattern", k.name, "linux");
  for (const auto& k : ic::action_names()) line("ipsecconf-action", k.name, "linux");
  for (const auto& k : ic::property_names()) line("ipsecconf-property", k.name, "linux");
  for (const auto& k : ic::icmp_type_names()) line("ipsecconf-icmp-type", k.name, "linux");
  for (const auto& k : ic::icmp_code_names()) line("ipsecconf-icmp-code", k.name, "linux");
  for (const auto& k : ik::command_names())
    line("ipseckey-command", k.name, command_allowed_on_command_line(k.value) ? "cmdline" : "file");
  for (const auto& k : ik::sa_type_names()) line("ipseckey-satype", k.name, "linux");
  for (const auto& k : ik::extension_names()) line("ipseckey-ext", k.name, extension_status(k.name));
  algorithm_words();
  return 0;
}
