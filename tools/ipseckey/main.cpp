// SPDX-License-Identifier: BSD-3-Clause
// ipseckey: Solaris/illumos manual keying on Linux XFRM. Files are parsed and validated whole before the
// first SA is sent; the interactive prompt runs each command as it is typed.
#include <fcntl.h>
#include <fmt/format.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "backend_cli.hpp"
#include "cli.hpp"
#include "guard.hpp"
#include "input.hpp"
#include "json_errors.hpp"
#include "json_stdout.hpp"
#include "parsers/ipseckey.hpp"
#include "privilege.hpp"
#include "solaris.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_stream.hpp"
#include "xfrmpp/render/json_text.hpp"
#include "xfrmpp/util/atomic_file.hpp"
#include "xfrmpp/util/number.hpp"
#include "xfrmpp/util/unique_fd.hpp"
#include "xfrmpp/plan/run.hpp"

namespace ik = xfrmpp::parsers::ipseckey;
using namespace xfrmpp;

namespace {

struct Options {
  bool numeric = false, verbose = false, paranoid = false, json = false;
  size_t count = 0;  // monitor: stop after this many events (0 = never)
  size_t max_errors = tools::kDefaultMaxErrors;
  uint64_t max_input = tools::kDefaultMaxInput;
  std::optional<tools::solaris::HostTable> hosts;
  std::optional<tools::solaris::TunnelTable> tunnels;
  BackendOptions backend;  ///< --backend, --state
};

// On stdout for --help (exit 0), on stderr before a usage error.
void usage(std::FILE* out = stderr) {
  std::fputs("Usage:\tipseckey [ -nvp ] | cmd [sa_type] [extfield value]*\n"
             "\tipseckey [ -nvp ] -f infile\n"
             "\tipseckey [ -nvp ] -s outfile\n"
             "\tipseckey -c infile\n"
             "Linux options: --hosts FILE, --tunnels FILE, --json (with -c, get, dump), --count N (monitor),\n"
             "\t--max-errors N (errors shown; default 50, 0 = all), --max-input BYTES (largest input; K, M, G; default 1G),\n"
             "\t--backend kernel|engine (default $XFRMPP_BACKEND, else kernel), --state FILE (engine state file),\n"
             "\t--help, --version\n",
             out);
}

ik::ParseOptions parse_options(const Options& o, bool from_file, bool interactive) {
  ik::ParseOptions po;
  po.numeric = o.numeric;
  po.from_file = from_file;
  po.interactive = interactive;
  po.resolve_host = [&o](std::string_view n) { return o.hosts ? o.hosts->resolve(n) : tools::solaris::resolve_system(n); };
  po.tunnel_if_id = [&o](const model::Address& a, const model::Address& b) {
    return tools::solaris::if_id_for_endpoints(o.tunnels ? &*o.tunnels : nullptr, a, b);
  };
  return po;
}

const char* satype_text(std::optional<model::Protocol> p) { return !p ? "all" : *p == model::Protocol::ah ? "ah" : "esp"; }
int satype_number(std::optional<model::Protocol> p) { return !p ? 0 : *p == model::Protocol::ah ? 2 : 3; }

std::string kernel_text(int code, const std::string& message, const std::string& extack) {
  std::string s = message.empty() ? std::string(std::strerror(code)) : message;
  if (!extack.empty()) s += " (kernel: " + extack + ")";
  return tools::with_privilege_hint(code, std::move(s));
}

// What an ipseckey command names: the SA's id() without mark or if_id (PF_KEY has neither). For a get or
// an update's lookup a source of 0.0.0.0 means "any", as an unspecified one does.
model::SaId pfkey_id(const model::SecurityAssociation& sa, bool zero_src_is_any = true) {
  model::SaId id = sa.id();
  id.mark.reset();
  id.if_id.reset();
  if (zero_src_is_any && id.src.is_zero()) id.src = model::Address{};
  return id;
}

class Runner {
 public:
  Runner(const Options& o, Backend* be) : o_(o), be_(be) {}
  /// Runs one parsed command; false when it failed (already reported).
  /// `secrets` are the key ranges of `src`, masked in every message quoting it.
  bool run(const diag::SourceBuffer& src, const ik::Command& c, const std::vector<diag::SourceRange>& secrets = {});
  bool quit() const { return quit_; }
  /// Deletes the SAs this runner added since the last forget(); says what it did. The undo of a run.
  std::string take_back();
  /// The adds so far are complete and stay.
  void forget() { added_ = {}; }

 private:
  void report(const diag::SourceBuffer& src, const ik::Command& c, const std::string& msg) {
    std::fputs(diag::format(src, diag::Diagnostic{diag::Severity::error, c.range, diag::scrub_message(msg), {}}, *secrets_).c_str(), stderr);
  }
  bool apply(const diag::SourceBuffer& src, const ik::Command& c, const std::vector<Change>& changes);
  bool dump(std::optional<model::Protocol> proto);
  bool save(std::optional<model::Protocol> proto, const std::string& file);
  bool monitor();

  const Options& o_;
  Backend* be_;
  bool quit_ = false;
  const std::vector<diag::SourceRange>* secrets_ = nullptr;
  plan::UndoLog added_;  // removals of the SAs the kernel confirmed adding
};

std::string association_text(const model::SecurityAssociation& sa, std::string_view what) {
  return fmt::format("Association (type = {}) with spi 0x{:x} and addr {} {}.", sa.proto == model::Protocol::ah ? "ah" : "esp", sa.spi,
                     sa.dst.to_string(), what);
}

bool Runner::apply(const diag::SourceBuffer& src, const ik::Command& c, const std::vector<Change>& changes) {
  if (o_.verbose)
    for (const auto& ch : changes)
      if (const auto* sa = std::get_if<model::SecurityAssociation>(&ch.target))
        std::printf("VERBOSE ON:  Message to kernel looks like:\n==========================================\n%s"
                    "==========================================\n",
                    ik::format_sa(*sa, c.cmd == ik::Cmd::add ? "ADD" : "UPDATE", {true, o_.numeric}).c_str());
  ApplyReport rep = be_->apply(changes, ApplyOptions{false});
  if (!changes.empty()) added_.record(changes, rep);
  bool ok = true;
  for (const auto& e : rep.errors) {
    const auto& target = changes[e.tag].target;
    model::SecurityAssociation sa;
    if (const auto* s = std::get_if<model::SecurityAssociation>(&target)) sa = *s;
    if (const auto* id = std::get_if<model::SaId>(&target)) {
      sa.proto = id->proto;
      sa.spi = id->spi;
      sa.dst = id->dst;
    }
    if (e.code == EEXIST) report(src, c, association_text(sa, "already exists"));
    else if (e.code == ESRCH || e.code == ENOENT) report(src, c, association_text(sa, "does not exist"));
    else report(src, c, "One of the entered values is incorrect: " + kernel_text(e.code, e.message, e.extack));
    ok = false;
  }
  return ok;
}

std::string Runner::take_back() {
  if (added_.removals.empty()) return "no SA was added, so none had to be taken back (deletes, updates and flushes stay)";
  plan::TakeBackReport rep = plan::take_back(*be_, added_);
  std::string s = rep.errors.empty() ? fmt::format("the {} SAs this run added were deleted", rep.attempted)
                                     : fmt::format("{} of the {} SAs this run added could not be deleted", rep.errors.size(), rep.attempted);
  added_ = {};
  return s;
}

// Streams: a dump's JSON document or lines go out as the SAs arrive. One that failed half way leaves its
// JSON document open, so that no reader takes it for the whole SAD.
bool Runner::dump(std::optional<model::Protocol> proto) {
  std::optional<render::JsonArrayWriter> json;
  if (o_.json) json.emplace(render::sad_writer(tools::stdout_sink()));
  auto r = be_->visit_sas(proto, DumpVisitor<model::SecurityAssociation>{[&](model::SecurityAssociation&& sa) -> Result<void> {
                                                                            if (json) json->add(sa, {!o_.paranoid});
                                                                            else std::printf("%s\n", ik::format_sa(sa, "DUMP", {o_.paranoid, o_.numeric}).c_str());
                                                                            return {};
                                                                          },
                                                                          {}});
  if (json && (r || r.error().code == EINTR)) tools::finish_to_stdout(*json);
  if (!r) {
    std::fprintf(stderr, "ipseckey: Dump failed: %s\n", kernel_text(r.error().code, r.error().message, {}).c_str());
    return false;
  }
  if (!json) std::printf("Dump succeeded for SA type %d.\n", satype_number(proto));
  return true;
}

// Keys on disk. A symlink is refused (it could point anywhere), and so is an existing file its group or
// others can read: Solaris' opensavefile() warned and wrote anyway. A regular file is replaced atomically
// with one readable by root only (0400, as opensavefile() creates it). A device or FIFO (/dev/null, a pipe
// to another program) is written as it is.
Result<void> write_key_file(const std::string& file, const std::string& text) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return make_error(ELOOP, file + ": is a symbolic link; refusing to write keys through it");
    if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)))
      return make_error(EPERM, fmt::format("{}: exists with permission {:o}, so others could read the keys; refusing to write "
                                           "them there (remove it or chmod 600 it)", file, st.st_mode & 0777));
    if (S_ISDIR(st.st_mode)) return make_error(EISDIR, file + ": is a directory");
    if (!S_ISREG(st.st_mode)) {
      util::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
      if (fd.get() < 0) return make_error(errno, file + " open error: " + std::strerror(errno));
      size_t off = 0;
      while (off < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      if (off != text.size()) return make_error(EIO, file + ": write error");
      return {};
    }
  } else if (errno != ENOENT) {
    return make_error(errno, file + " open error: " + std::strerror(errno));
  }
  return util::replace_file_atomically(file, text, S_IRUSR);
}

bool Runner::save(std::optional<model::Protocol> proto, const std::string& file) {
  auto r = be_->dump_sas(proto);
  if (!r) {
    std::fprintf(stderr, "ipseckey: Dump failed: %s\n", kernel_text(r.error().code, r.error().message, {}).c_str());
    return false;
  }
  std::string text = ik::save_header();
  // Oldest first: a dump lists the newest first (kernel and engine alike), and a save must reload in the
  // order the SAs were made, so that save -> reload -> save gives the same file.
  for (auto it = r->rbegin(); it != r->rend(); ++it) text += ik::format_save(*it, {o_.paranoid, true});
  if (file.empty() || file == "-") {
    std::fputs(text.c_str(), stdout);
    return true;
  }
  auto w = write_key_file(file, text);
  if (!w) std::fprintf(stderr, "ipseckey: %s\n", w.error().message.c_str());
  return w.ok();
}

bool Runner::monitor() {
  constexpr std::array groups{EventGroup::sa, EventGroup::expire, EventGroup::acquire};
  auto stream = be_->subscribe(groups);
  if (!stream) {
    std::fprintf(stderr, "ipseckey: cannot subscribe to XFRM events: %s\n", kernel_text(stream.error().code, stream.error().message, {}).c_str());
    return false;
  }
  std::puts("Passively monitoring the XFRM netlink socket (SA, expire and acquire events).");
  std::fflush(stdout);
  size_t seen = 0;
  for (;;) {
    auto batch = (*stream)->next(-1);
    if (!batch) {
      std::fprintf(stderr, "ipseckey: read (in domonitor): %s\n", batch.error().message.c_str());
      return false;
    }
    for (const auto& e : *batch) {
      std::string_view type;
      switch (e.kind) {
        case Event::Kind::new_sa: type = "ADD"; break;
        case Event::Kind::update_sa: type = "UPDATE"; break;
        case Event::Kind::delete_sa: type = "DELETE"; break;
        case Event::Kind::flush_sa: type = "FLUSH"; break;
        case Event::Kind::expire: type = "EXPIRE"; break;
        case Event::Kind::acquire: type = "ACQUIRE"; break;
        case Event::Kind::overrun: type = "OVERRUN"; break;
        default: continue;
      }
      time_t now = time(nullptr);
      char tbuf[64];
      struct tm tm;
      strftime(tbuf, sizeof tbuf, "%a %b %e %H:%M:%S %Y", localtime_r(&now, &tm));
      std::printf("Timestamp: %s\n", tbuf);
      if (e.sa) {
        std::string s = ik::format_sa(*e.sa, type, {o_.paranoid, o_.numeric});
        if (e.kind == Event::Kind::expire) s.insert(s.find('\n') + 1, e.hard ? "EXPIRE: hard lifetime reached\n" : "EXPIRE: soft lifetime reached\n");
        std::fputs(s.c_str(), stdout);
      } else {
        std::printf("Base message (version 2) type %.*s, SA type <unspecified/all>.\n", static_cast<int>(type.size()), type.data());
      }
      std::puts("");
      std::fflush(stdout);
      if (o_.count && ++seen >= o_.count) return true;
    }
  }
}

bool Runner::run(const diag::SourceBuffer& src, const ik::Command& c, const std::vector<diag::SourceRange>& secrets) {
  secrets_ = &secrets;
  switch (c.cmd) {
    case ik::Cmd::quit: quit_ = true; return true;
    case ik::Cmd::help: std::fputs(ik::help_text(c.help_topic).c_str(), stdout); return true;
    case ik::Cmd::monitor:
    case ik::Cmd::passive_monitor: return monitor();
    case ik::Cmd::flush:
      if (auto r = be_->flush_sas(c.satype); !r) {
        std::fprintf(stderr, "ipseckey: Cannot flush SA type %d: %s\n", satype_number(c.satype), kernel_text(r.error().code, r.error().message, {}).c_str());
        return false;
      }
      return true;
    case ik::Cmd::dump: return dump(c.satype);
    case ik::Cmd::save: return save(c.satype, c.save_file);
    case ik::Cmd::add: {
      std::vector<Change> changes;
      for (size_t i = 0; i < c.sas.size(); ++i) changes.push_back(Change{c.sas[i].sa, Change::Verb::add, i});
      return apply(src, c, changes);
    }
    case ik::Cmd::update: {
      std::vector<Change> changes;
      for (size_t i = 0; i < c.sas.size(); ++i) {
        const auto& r = c.sas[i];
        if (r.given.auth || r.given.crypt) {
          report(src, c, "update cannot change the algorithms or keys of an SA on Linux (XFRM keeps them once an SA is mature); delete and add it");
          return false;
        }
        auto cur = be_->get_sa(pfkey_id(r.sa));
        if (!cur) {
          report(src, c, cur.error().code == EPERM ? kernel_text(EPERM, cur.error().message, {}) : association_text(r.sa, "does not exist"));
          return false;
        }
        // ipseckey's update changes what it names and leaves the rest; XFRM's UPDSA wants the whole SA.
        model::SecurityAssociation sa = *cur;
        const auto& g = r.given;
        auto& l = sa.limits;
        const auto& n = r.sa.limits;
        if (g.soft_bytes) l.soft_bytes = n.soft_bytes;
        if (g.hard_bytes) l.hard_bytes = n.hard_bytes;
        if (g.soft_packets) l.soft_packets = n.soft_packets;
        if (g.hard_packets) l.hard_packets = n.hard_packets;
        if (g.soft_add) l.soft_add_seconds = n.soft_add_seconds;
        if (g.hard_add) l.hard_add_seconds = n.hard_add_seconds;
        if (g.soft_use) l.soft_use_seconds = n.soft_use_seconds;
        if (g.hard_use) l.hard_use_seconds = n.hard_use_seconds;
        if (g.encap) sa.encap = r.sa.encap;
        if (g.selector) sa.sel = r.sa.sel;
        sa.current = {};
        sa.stats = {};
        changes.push_back(Change{sa, Change::Verb::update, i});
      }
      return apply(src, c, changes);
    }
    case ik::Cmd::del: {
      std::vector<Change> changes;
      for (size_t i = 0; i < c.sas.size(); ++i) {
        const auto& sa = c.sas[i].sa;
        changes.push_back(Change{pfkey_id(sa, false), Change::Verb::remove, i});
      }
      return apply(src, c, changes);
    }
    case ik::Cmd::get: {
      bool ok = true;
      for (const auto& r : c.sas) {
        auto g = be_->get_sa(pfkey_id(r.sa));
        if (!g) {
          report(src, c, g.error().code == EPERM ? kernel_text(EPERM, g.error().message, {}) : association_text(r.sa, "does not exist"));
          ok = false;
          continue;
        }
        if (o_.json) std::puts(render::json_text(render::to_json(*g, {!o_.paranoid}), 2).c_str());
        else std::fputs(ik::format_sa(*g, "GET", {o_.paranoid, o_.numeric}).c_str(), stdout);
      }
      return ok;
    }
    case ik::Cmd::update_pair:
    case ik::Cmd::delete_pair: return false;  // refused by the parser
  }
  return false;
}

nlohmann::json check_json(const diag::SourceBuffer& src, const std::vector<ik::Command>& cmds, bool show_keys) {
  nlohmann::json j{{"schema", render::kJsonSchema}, {"commands", nlohmann::json::array()}};
  for (const auto& c : cmds) {
    nlohmann::json jc{{"line", src.line_col(c.range.begin).line}, {"satype", satype_text(c.satype)}, {"sas", nlohmann::json::array()}};
    for (const auto& k : ik::command_names())
      if (k.value == c.cmd) {
        jc["command"] = k.name;
        break;
      }
    if (!c.save_file.empty()) jc["file"] = c.save_file;
    for (const auto& r : c.sas) jc["sas"].push_back(render::to_json(r.sa, {show_keys}));
    j["commands"].push_back(std::move(jc));
  }
  return j;
}

// A key file others can read: ipseckey warns on the command line (and refuses under SMF).
void permission_warning(const std::string& path) {
  struct stat st {};
  // Only a regular file keeps keys around; /dev/null, a FIFO or standard input do not.
  if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)))
    std::fprintf(stderr, "ipseckey: Config file %s has insecure permissions (%o): others can read its keys.\n", path.c_str(),
                 st.st_mode & 0777);
}

Result<std::unique_ptr<Backend>> open_backend(const Options& o) { return tools::open_tool_backend(o.backend); }

// -f / -c / piped standard input: parse and validate everything, then run it in order.
int run_file(const Options& o, const std::string& path, bool check_only, bool from_file, tools::Rollback& rollback) {
  tools::JsonErrors json;
  auto src = tools::load_source(path, o.max_input);
  if (!src) {
    if (o.json) {
      json.add(path, src.error().message);
      json.print_if_any();
    }
    if (src.error().code == EFBIG) std::fprintf(stderr, "%s\n", src.error().message.c_str());  // "FILE: error: ..."
    else std::fprintf(stderr, "ipseckey: Unable to open configuration file: %s\n", src.error().message.c_str());
    return 1;
  }
  if (from_file) permission_warning(path);
  diag::DiagnosticSink sink;
  size_t parsed = 0;
  auto po = parse_options(o, from_file, true);
  auto cmds = ik::parse(*src, sink, po, &parsed);
  tools::DiagnosticPrinter printer(o.max_errors);
  if (o.json) printer.collect(&json);
  printer.print(*src, sink);
  printer.finish("ipseckey");
  if (sink.has_errors()) {
    json.print_if_any();
    std::fprintf(stderr, "ipseckey: %zu of %zu commands had errors; nothing was sent to the kernel.\n", parsed - cmds.size(), parsed);
    return 1;
  }
  if (check_only) {
    if (o.json) std::puts(render::json_text(check_json(*src, cmds, !o.paranoid), 2).c_str());
    return 0;
  }
  if (parsed != 0 && cmds.empty()) {
    std::fputs("ipseckey: Configuration file did not contain any valid SAs\n", stderr);
    return 1;
  }
  auto be = open_backend(o);
  if (!be) {
    std::fprintf(stderr, "ipseckey: %s\n", be.error().message.c_str());
    return 1;
  }
  Runner runner(o, be->get());
  tools::UndoOnUnwind undo(rollback, [&] { return runner.take_back(); });
  size_t failed = 0;
  for (const auto& c : cmds) {
    if (!runner.run(*src, c, sink.secrets())) ++failed;
    if (runner.quit()) break;
  }
  tools::fault_point("ipseckey-after-apply");
  undo.dismiss();
  if (failed) {
    std::fprintf(stderr, "ipseckey: %zu of %zu commands failed in the kernel%s\n", failed, cmds.size(),
                 failed < cmds.size() ? "; the other ones were carried out." : ".");
    return 1;
  }
  return 0;
}

// The ipseckey> prompt: each command runs as soon as it is complete.
int interactive(const Options& o, tools::Rollback& rollback) {
  auto be = open_backend(o);
  if (!be) {
    std::fprintf(stderr, "ipseckey: %s\n", be.error().message.c_str());
    return 1;
  }
  Runner runner(o, be->get());
  // Each command is complete once it has run; an internal error takes back the one that was running.
  tools::UndoOnUnwind undo(rollback, [&] { return runner.take_back(); });
  auto po = parse_options(o, false, true);
  std::string pending;
  for (;;) {
    std::fputs(pending.empty() ? "ipseckey> " : "> ", stdout);
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) {
      std::putchar('\n');
      return 0;
    }
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    diag::SourceBuffer src("<stdin>", pending + line);
    pending.clear();
    diag::DiagnosticSink sink;
    auto cmds = ik::parse(src, sink, po);
    tools::print_diagnostics(src, sink, stderr);
    for (const auto& c : cmds) {
      runner.run(src, c, sink.secrets());
      runner.forget();
      if (runner.quit()) return 0;
    }
  }
}

}  // namespace

int run(int argc, char** argv, tools::Rollback& rollback) {
  Options o;
  std::string file, save_file, hosts_file, tunnels_file;
  bool check = false, do_save = false;
  tools::BackendArgs backend_args;
  enum { kJson = 1000, kHosts, kTunnels, kCount, kHelp, kVersion, kMaxErrors, kMaxInput, kBackend, kState };
  static const option longopts[] = {{"json", no_argument, nullptr, kJson},       {"hosts", required_argument, nullptr, kHosts},
                                    {"tunnels", required_argument, nullptr, kTunnels}, {"count", required_argument, nullptr, kCount},
                                    {"help", no_argument, nullptr, kHelp},       {"version", no_argument, nullptr, kVersion},
                                    {"max-errors", required_argument, nullptr, kMaxErrors},
                                    {"max-input", required_argument, nullptr, kMaxInput},
                                    {"backend", required_argument, nullptr, kBackend},
                                    {"state", required_argument, nullptr, kState},
                                    {nullptr, 0, nullptr, 0}};
  int ch;
  // getopt names the program by argv[0] in its messages; every other message says "ipseckey: ".
  argv[0] = const_cast<char*>("ipseckey");
  // '+': stop at the first non-option, so "ipseckey delete esp spi ..." keeps its words.
  while ((ch = getopt_long(argc, argv, "+pnvf:s:c:", longopts, nullptr)) != -1) {
    switch (ch) {
      case 'p': o.paranoid = true; break;
      case 'n': o.numeric = true; break;
      case 'v': o.verbose = true; break;
      case 'c':
        check = true;
        [[fallthrough]];
      case 'f':
        if (do_save || !file.empty()) {
          usage();
          return 1;
        }
        file = optarg;
        break;
      case 's':
        if (!file.empty()) {
          usage();
          return 1;
        }
        do_save = true;
        save_file = optarg;
        break;
      case kJson: o.json = true; break;
      case kHosts: hosts_file = optarg; break;
      case kTunnels: tunnels_file = optarg; break;
      case kCount: {
        auto n = util::parse_unsigned(optarg);
        if (!n) {
          std::fprintf(stderr, "ipseckey: --count %s: %s\n", optarg, n.error().message.c_str());
          return 1;
        }
        o.count = *n;
        break;
      }
      case kMaxErrors:
        if (auto v = tools::parse_count(optarg)) {
          o.max_errors = *v;
          break;
        }
        std::fputs("ipseckey: --max-errors takes a count (0 shows all errors)\n", stderr);
        return 1;
      case kMaxInput:
        if (auto v = tools::parse_size(optarg); v && *v > 0) {
          o.max_input = *v;
          break;
        }
        std::fputs("ipseckey: --max-input takes a size of at least 1 byte (e.g. 4096, 64K, 2G)\n", stderr);
        return 1;
      case kBackend: backend_args.backend = optarg; break;
      case kState: backend_args.state = optarg; break;
      case kHelp: usage(stdout); return 0;
      case kVersion: std::printf("ipseckey (xfrmpp) %s\n", XFRMPP_VERSION); return 0;
      default: usage(); return 1;
    }
  }
  if (auto b = tools::backend_options(backend_args)) {
    o.backend = *b;
  } else {
    usage();
    std::fprintf(stderr, "ipseckey: %s\n", b.error().message.c_str());
    return 1;
  }
  if (!hosts_file.empty()) {
    auto h = tools::solaris::HostTable::load(hosts_file);
    if (!h) {
      std::fprintf(stderr, "ipseckey: %s\n", h.error().message.c_str());
      return 1;
    }
    o.hosts = std::move(*h);
  }
  if (!tunnels_file.empty()) {
    auto t = tools::solaris::TunnelTable::load(tunnels_file);
    if (!t) {
      std::fprintf(stderr, "ipseckey: %s\n", t.error().message.c_str());
      return 1;
    }
    o.tunnels = std::move(*t);
  }
  if (do_save) {
    auto be = open_backend(o);
    if (!be) {
      std::fprintf(stderr, "ipseckey: %s\n", be.error().message.c_str());
      return 1;
    }
    Runner r(o, be->get());
    return r.run(diag::SourceBuffer("<command line>", ""), ik::Command{ik::Cmd::save, std::nullopt, {}, save_file, {}, {}}) ? 0 : 1;
  }
  if (!file.empty()) {
    if (optind < argc) {
      usage();
      return 1;
    }
    return run_file(o, file, check, true, rollback);
  }
  if (optind == argc) {
    if (isatty(STDIN_FILENO)) return interactive(o, rollback);
    return run_file(o, "-", false, false, rollback);  // commands piped in: the keys never reach argv
  }
  std::string line;
  for (int i = optind; i < argc; ++i) {
    if (i > optind) line += ' ';
    line += argv[i];
  }
  diag::SourceBuffer src("<command line>", line);
  diag::DiagnosticSink sink;
  auto cmds = ik::parse(src, sink, parse_options(o, false, false));
  tools::print_diagnostics(src, sink, stderr);
  if (sink.has_errors()) {
    if (o.json) {
      tools::JsonErrors json;
      for (const auto& d : sink.all()) json.add(src, d);
      json.print_if_any();
    }
    return 1;
  }
  if (cmds.empty()) return 0;
  auto be = open_backend(o);
  if (!be) {
    std::fprintf(stderr, "ipseckey: %s\n", be.error().message.c_str());
    return 1;
  }
  Runner r(o, be->get());
  tools::UndoOnUnwind undo(rollback, [&] { return r.take_back(); });
  bool ok = r.run(src, cmds.front(), sink.secrets());
  undo.dismiss();
  return ok ? 0 : 1;
}

int main(int argc, char** argv) {
  return tools::run_guarded("ipseckey", [&](tools::Rollback& rb) { return run(argc, argv, rb); });
}
