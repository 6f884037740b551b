// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The ipsecconf commands: parse -> validate the whole file -> plan -> apply, with the per-namespace
// rule record (state.hpp) kept in step with the kernel SPD.
#include <optional>
#include <string>

#include "guard.hpp"
#include "input.hpp"
#include "parsers/ipsecconf.hpp"
#include "xfrmpp/backend_factory.hpp"
#include "solaris.hpp"

namespace xfrmpp::tools::ipsecconf {

struct Env {
  std::string state_dir;
  bool quiet = false;    ///< -q
  bool numeric = false;  ///< -n
  bool json = false;     ///< --json
  size_t max_errors = kDefaultMaxErrors;  ///< --max-errors
  uint64_t max_input = kDefaultMaxInput;  ///< --max-input
  std::optional<solaris::HostTable> hosts;      ///< --hosts
  std::optional<solaris::TunnelTable> tunnels;  ///< --tunnels
  BackendOptions backend;                       ///< --backend, --state
  parsers::ipsecconf::ParseOptions parse_options() const;
};

/// -a file (replace=false), -a file -f (replace=true), -c file (check_only=true). Returns the exit status.
/// When the rule record cannot be written, or an exception unwinds it after the SPD was changed, the
/// change is taken back: an add removes the policies it added, a replace restores the SPD it replaced.
int add(const Env& env, const std::string& file, bool replace, bool check_only, Rollback& rollback);
/// -r file: remove the installed rules the file lists.
int remove(const Env& env, const std::string& file);
/// -d index, -d tunnel,index.
int remove_index(const Env& env, uint32_t index, const std::optional<std::string>& tunnel);
/// -f [-i tunnel] (all=false), -F (all=true).
int flush(const Env& env, const std::optional<std::string>& tunnel, bool all);
/// -l [-i tunnel] (all=false), -L (all=true).
int list(const Env& env, const std::optional<std::string>& tunnel, bool all);
/// No arguments: the rules as they were written, with their indexes.
int view(const Env& env);

}  // namespace xfrmpp::tools::ipsecconf
