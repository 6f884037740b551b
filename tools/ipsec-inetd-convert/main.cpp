// SPDX-License-Identifier: BSD-3-Clause
// ipsec-inetd-convert: a KAME inetd.conf with "#@ POLICY" lines, rewritten for a Linux inetd: each service
// under a "#@" line runs its server through ipsec-exec(8) with those policies. Dry run unless -o is given.
//
// KAME inetd(8): a "#@" comment holds an IPsec policy specifier, the text after "#@", and applies to every
// service line after it up to the next "#@" line; ';' separates several policies; an empty specifier
// resets (no policy). Everything that is not a service line under a policy is copied unchanged.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "input.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/policy_string.hpp"

namespace diag = xfrmpp::diag;

namespace {

constexpr const char* kProg = "ipsec-inetd-convert";

struct Flags {
  std::string input = "-";
  std::string output;
  std::string exec = "/usr/sbin/ipsec-exec";
  size_t max_errors = xfrmpp::tools::kDefaultMaxErrors;
};

struct Field {
  std::string_view text;
  diag::Offset begin;  // in the whole file
};

// The white-space separated fields of a line that starts at file offset `at`.
std::vector<Field> split_fields(std::string_view line, diag::Offset at) {
  std::vector<Field> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > b) out.push_back({line.substr(b, i - b), at + b});
  }
  return out;
}

// A policy as one inetd.conf word for ipsec-exec -p: its words joined by ',' (inetd has no quoting).
std::string policy_word(std::string_view text) {
  std::string out;
  for (const auto& f : split_fields(text, 0)) {
    if (!out.empty()) out += ',';
    out += f.text;
  }
  return out;
}

class Converter {
 public:
  Converter(const diag::SourceBuffer& source, const Flags& flags) : source_(source), flags_(flags) {}

  // The converted text; sink_ holds the diagnostics.
  std::string run() {
    std::string_view text = source_.text();
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      size_t end = nl == std::string_view::npos ? text.size() : nl;
      std::string_view line = text.substr(pos, end - pos);
      out += convert_line(line, pos);
      if (nl != std::string_view::npos) out += '\n';
      pos = end + 1;
    }
    return out;
  }

  const diag::DiagnosticSink& sink() const { return sink_; }

 private:
  std::string convert_line(std::string_view line, diag::Offset at) {
    size_t lead = line.find_first_not_of(" \t");
    if (lead == std::string_view::npos) return std::string(line);
    if (line.substr(lead).starts_with("#@")) {
      set_policies(line.substr(lead + 2), at + lead + 2);
      return std::string(line);
    }
    if (line[lead] == '#' || !active_) return std::string(line);
    auto fields = split_fields(line, at);
    // service socktype protocol wait user server [argv0 args...]; fewer fields are not a service entry
    // (a BSD "address:" line, say), and are copied as they are.
    if (fields.size() < 6) return std::string(line);
    const Field& server = fields[5];
    if (server.text == "internal") {
      sink_.error({server.begin, server.begin + server.text.size()},
                  "an inetd built-in service cannot run through ipsec-exec: its policy would be lost",
                  {"run a separate server program for this service, or move it before the #@ line"});
      return std::string(line);
    }
    std::string s(line.substr(0, server.begin - at));
    s += fmt::format("{} ipsec-exec", flags_.exec);
    for (const auto& p : policies_) s += " -p " + p;
    if (fields.size() > 6) s += fmt::format(" --argv0 {}", fields[6].text);
    s += fmt::format(" -- {}", server.text);
    for (size_t i = 7; i < fields.size(); ++i) s += fmt::format(" {}", fields[i].text);
    return s;
  }

  // The specifier of a "#@" line (text at file offset `at`): ';'-separated policies, or none (a reset).
  void set_policies(std::string_view spec, diag::Offset at) {
    policies_.clear();
    active_ = spec.find_first_not_of(" \t;") != std::string_view::npos;
    size_t b = 0;
    while (b <= spec.size()) {
      size_t semi = spec.find(';', b);
      size_t e = semi == std::string_view::npos ? spec.size() : semi;
      std::string_view part = spec.substr(b, e - b);
      if (part.find_first_not_of(" \t") != std::string_view::npos) add_policy(part, at + b);
      if (semi == std::string_view::npos) break;
      b = e + 1;
    }
  }

  void add_policy(std::string_view part, diag::Offset at) {
    diag::SourceBuffer one("policy", std::string(part));
    diag::DiagnosticSink local;
    auto p = xfrmpp::policy_string::parse(one, local);
    diag::SourceRange whole{at + part.find_first_not_of(" \t"), at + part.find_last_not_of(" \t") + 1};
    for (auto d : local.all()) {  // back to positions in the file
      d.range.begin += at;
      d.range.end += at;
      if (d.severity == diag::Severity::error) sink_.error(d.range, d.message, d.notes);
      else sink_.warning(d.range, d.message, d.notes);
    }
    if (!p || local.has_errors()) {
      if (!local.has_errors()) sink_.error(whole, "invalid policy");
      return;
    }
    if (p->dir != xfrmpp::model::Direction::in && p->dir != xfrmpp::model::Direction::out) {
      sink_.error(whole, "a socket has no fwd direction (use in or out)");
      return;
    }
    policies_.push_back(policy_word(part));
  }

  const diag::SourceBuffer& source_;
  const Flags& flags_;
  diag::DiagnosticSink sink_;
  std::vector<std::string> policies_;  // in force: each as one ipsec-exec -p word
  bool active_ = false;                // a "#@" line with policies (valid or not) is in force
};

// Writes `text` to `path` through a temporary file next to it, so a reader never sees half a file.
bool write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".ipsec-inetd-convert.tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "%s: %s: cannot write: %s\n", kProg, tmp.c_str(), std::strerror(errno));
    return false;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fflush(f) == 0 && ok;
  ok = fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::fprintf(stderr, "%s: %s: cannot write: %s\n", kProg, path.c_str(), ec ? ec.message().c_str() : std::strerror(errno));
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"ipsec-inetd-convert: a KAME inetd.conf with #@ policy lines, rewritten to run the services "
               "through ipsec-exec",
               kProg};
  app.set_version_flag("-V,--version", std::string("ipsec-inetd-convert (xfrmpp) ") + XFRMPP_VERSION);
  app.add_option("-o,--output", f.output, "write the converted file to FILE (default: print it; nothing is written)");
  app.add_option("--exec", f.exec, "the path of ipsec-exec in the written lines (default /usr/sbin/ipsec-exec)");
  app.add_option("--max-errors", f.max_errors, xfrmpp::tools::kMaxErrorsHelp);
  app.add_option("file", f.input, "the KAME inetd.conf to read (default -, standard input)");
  app.footer("See ipsec-inetd-convert(8) and ipsec-exec(8).");
  if (auto stop = xfrmpp::tools::parse_command_line(app, argc, argv)) return *stop;

  auto source = xfrmpp::tools::load_source(f.input);
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().message.c_str());
    return 1;
  }
  Converter c(source.value(), f);
  std::string out = c.run();
  xfrmpp::tools::DiagnosticPrinter printer(f.max_errors);
  printer.print(source.value(), c.sink());
  printer.finish(kProg);
  if (c.sink().has_errors()) {
    std::fprintf(stderr, "%s: %zu error%s; nothing was %s\n", kProg, c.sink().error_count(),
                 c.sink().error_count() == 1 ? "" : "s", f.output.empty() ? "printed" : "written");
    return 1;
  }
  if (f.output.empty() || f.output == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  return write_file(f.output, out) ? 0 : 1;
}
