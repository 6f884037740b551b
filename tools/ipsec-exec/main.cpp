// SPDX-License-Identifier: BSD-3-Clause
// ipsec-exec: puts KAME per-socket policies ("in bypass", "out ipsec esp/transport//require") on the
// sockets a daemon inherits from inetd (fd 0 and 1) or from systemd (LISTEN_FDS), then execs the daemon.
// The inetd.conf "#@" lines of KAME inetd, for Linux: ipsec-inetd-convert(8) writes the lines that use it.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli.hpp"
#include "privilege.hpp"
#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/policy_string.hpp"
#include "xfrmpp/socket/socket_policy.hpp"
#include "xfrmpp/util/number.hpp"

namespace {

constexpr const char* kProg = "ipsec-exec";

struct Flags {
  std::vector<int> fds;
  bool listen_fds = false;
  std::vector<std::string> policies;
  std::vector<std::string> command;
  std::string argv0;  // --argv0: the program's argv[0], when it is not PROGRAM (inetd.conf names both)
};

int fail(const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", kProg, msg.c_str());
  return 1;
}

// A policy as written on the command line: a comma stands for a space, because inetd.conf(5) splits a
// server's arguments at white space and has no quoting ("-p in,bypass"). KAME policy strings hold no
// commas, and one byte for one byte keeps the columns of a diagnostic right.
std::string policy_words(std::string text) {
  for (auto& c : text)
    if (c == ',') c = ' ';
  return text;
}

// Each -p parsed, or every diagnostic printed (the source named "-p N", N counting from 1) and nullopt.
std::optional<std::vector<xfrmpp::model::Policy>> parse_policies(const std::vector<std::string>& texts) {
  std::vector<xfrmpp::model::Policy> out;
  bool bad = false;
  for (size_t i = 0; i < texts.size(); ++i) {
    xfrmpp::diag::SourceBuffer source(fmt::format("-p {}", i + 1), policy_words(texts[i]));
    xfrmpp::diag::DiagnosticSink sink;
    auto p = xfrmpp::policy_string::parse(source, sink);
    for (const auto& d : sink.all()) std::fputs(xfrmpp::diag::format(source, d).c_str(), stderr);
    if (!p || sink.has_errors()) {
      if (!sink.has_errors()) std::fprintf(stderr, "-p %zu: error: invalid policy '%s'\n", i + 1, texts[i].c_str());
      bad = true;
    } else if (p->dir != xfrmpp::model::Direction::in && p->dir != xfrmpp::model::Direction::out) {
      std::fprintf(stderr, "-p %zu: error: a socket has no fwd direction (use in or out): '%s'\n", i + 1, texts[i].c_str());
      bad = true;
    } else {
      out.push_back(std::move(*p));
    }
  }
  if (bad) return std::nullopt;
  return out;
}

// The systemd sockets: fd 3 .. 3+LISTEN_FDS-1, when LISTEN_PID names this process (exec keeps the pid,
// so the daemon started below sees the same, still valid, LISTEN_PID).
std::optional<std::vector<int>> listen_fds(std::string& why) {
  const char* pid = std::getenv("LISTEN_PID");
  const char* n = std::getenv("LISTEN_FDS");
  if (!pid || !n) {
    why = "--listen-fds: LISTEN_PID and LISTEN_FDS are not set (not started by systemd socket activation?)";
    return std::nullopt;
  }
  auto p = xfrmpp::util::parse_unsigned(pid);
  if (!p || *p != static_cast<uint64_t>(getpid())) {
    why = fmt::format("--listen-fds: LISTEN_PID={} is not this process ({}): the sockets are not meant for it", pid, getpid());
    return std::nullopt;
  }
  auto count = xfrmpp::util::parse_unsigned(n, 1024);
  if (!count || *count == 0) {
    why = fmt::format("--listen-fds: LISTEN_FDS={} is not a count of sockets (1 or more)", n);
    return std::nullopt;
  }
  std::vector<int> fds;
  for (uint64_t i = 0; i < *count; ++i) fds.push_back(3 + static_cast<int>(i));
  return fds;
}

struct Target {
  int fd;
  ino_t inode;
};

// A socket of family inet or inet6 on fd, or why not.
std::optional<std::string> check_socket(int fd, ino_t& inode) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return fmt::format("fd {}: {}", fd, std::strerror(errno));
  if (!S_ISSOCK(st.st_mode)) return fmt::format("fd {} is not a socket", fd);
  int domain = 0;
  socklen_t len = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) return fmt::format("fd {}: SO_DOMAIN: {}", fd, std::strerror(errno));
  if (domain != AF_INET && domain != AF_INET6)
    return fmt::format("fd {} is a {} socket, not inet or inet6: it takes no IPsec policy", fd,
                       domain == AF_UNIX ? std::string("unix") : fmt::format("family {}", domain));
  inode = st.st_ino;
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"ipsec-exec: apply KAME per-socket IPsec policies to inherited sockets, then exec a program", kProg};
  app.set_version_flag("-V,--version", std::string("ipsec-exec (xfrmpp) ") + XFRMPP_VERSION);
  app.add_option("-p,--policy", f.policies, "a KAME policy string, e.g. 'in bypass' (may repeat; at least one)")->required();
  app.add_option("--fd", f.fds, "apply to socket fd N (may repeat; default: fd 0 and 1 when they are sockets)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--listen-fds", f.listen_fds, "apply to the systemd sockets LISTEN_FDS passes (fd 3 and up)");
  app.add_option("--argv0", f.argv0, "run PROGRAM with this argv[0] (inetd.conf's first server argument)");
  app.add_option("command", f.command, "PROGRAM and its ARGS, after --");
  app.footer("Example (a systemd unit): ipsec-exec --listen-fds -p 'in bypass' -p 'out bypass' -- /usr/sbin/mydaemon\n"
             "See ipsec-exec(8).");
  // Everything after the first "--" is the program's, untouched by CLI11 (its own options included).
  int split = 1;
  while (split < argc && std::strcmp(argv[split], "--") != 0) ++split;
  for (int i = split + 1; i < argc; ++i) f.command.emplace_back(argv[i]);
  if (auto stop = xfrmpp::tools::parse_command_line(app, split, argv)) return *stop;
  if (f.command.empty()) return xfrmpp::tools::usage_error(kProg, "no program to run: give it after --");

  // Every policy is checked before any socket is touched.
  auto policies = parse_policies(f.policies);
  if (!policies) return fail("no socket was changed and the program was not started");

  std::vector<int> fds = f.fds;
  bool defaults = fds.empty() && !f.listen_fds;
  if (f.listen_fds) {
    std::string why;
    auto l = listen_fds(why);
    if (!l) return fail(why);
    fds.insert(fds.end(), l->begin(), l->end());
  }
  std::vector<Target> targets;
  std::set<ino_t> seen;  // inetd's fd 0 and 1 are one socket: set it once
  if (defaults) {
    for (int fd : {0, 1}) {
      ino_t inode = 0;
      if (!check_socket(fd, inode) && seen.insert(inode).second) targets.push_back({fd, inode});
    }
    if (targets.empty()) return fail("neither fd 0 nor fd 1 is an inet or inet6 socket (give --fd N or --listen-fds)");
  } else {
    for (int fd : fds) {
      ino_t inode = 0;
      if (auto why = check_socket(fd, inode)) return fail(*why + "; no socket was changed and the program was not started");
      if (seen.insert(inode).second) targets.push_back({fd, inode});
    }
  }

  xfrmpp::socket::SocketPolicyTable table;
  for (const auto& t : targets) {
    for (size_t i = 0; i < policies->size(); ++i) {
      auto r = table.set(t.fd, (*policies)[i]);
      if (!r)
        return fail(fmt::format("fd {}: cannot apply -p '{}': {}; the program was not started", t.fd, f.policies[i],
                                xfrmpp::tools::with_privilege_hint(r.error())));
    }
  }

  std::vector<char*> args;
  for (auto& a : f.command) args.push_back(a.data());
  if (!f.argv0.empty()) args[0] = f.argv0.data();
  args.push_back(nullptr);
  execvp(f.command[0].c_str(), args.data());
  int e = errno;
  std::fprintf(stderr, "%s: cannot run %s: %s\n", kProg, f.command[0].c_str(), std::strerror(e));
  return e == ENOENT ? 127 : 126;
}
