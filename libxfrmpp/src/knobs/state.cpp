// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/knobs/state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "xfrmpp/knobs/knobs.hpp"
#include "xfrmpp/render/json_text.hpp"
#include "xfrmpp/util/atomic_file.hpp"
#include "xfrmpp/util/unique_fd.hpp"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71  // Linux 5.14; older headers lack it
#endif

namespace xfrmpp::knobs {

namespace {

constexpr const char* kSchema = "xfrmpp-knobs/1";

Error sys_error(int code, const std::string& what) { return make_error(code, what + ": " + std::strerror(code)); }

Result<std::string> read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return sys_error(errno ? errno : EIO, "cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<KnobState> parse_state_checked(const std::string& text, const NetnsIdentity& ns, const std::filesystem::path& path);

// The parsed file, or an empty state when it belongs to another namespace (a reused inode). A member of the
// wrong type makes nlohmann's value() throw (found by tests/fuzz knobs_state): that is a corrupt file too.
Result<KnobState> parse_state(const std::string& text, const NetnsIdentity& ns, const std::filesystem::path& path) {
  try {
    return parse_state_checked(text, ns, path);
  } catch (const nlohmann::json::exception&) {
    return make_error(EBADMSG, path.string() + ": not an xfrmpp knob state file (" + kSchema + "): a member has the wrong type");
  }
}

Result<KnobState> parse_state_checked(const std::string& text, const NetnsIdentity& ns, const std::filesystem::path& path) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || render::json_member(j, "schema", std::string()) != kSchema ||
      !j.contains("values") || !j["values"].is_object())
    return make_error(EBADMSG, path.string() + ": not an xfrmpp knob state file (" + kSchema + ")");
  auto cookie = render::json_member(j, "netns_cookie", uint64_t{0});
  if (!cookie) return make_error(EBADMSG, path.string() + ": netns_cookie is not a number");
  if (ns.cookie != 0 && *cookie != 0 && *cookie != ns.cookie) return KnobState{};
  KnobState st;
  for (const auto& [name, v] : j["values"].items()) {
    auto n = render::json_member(j["values"], name, int64_t{0});
    if (!v.is_number_integer() || !n) return make_error(EBADMSG, path.string() + ": value of " + name + " is not an integer");
    st.values[name] = *n;
  }
  return st;
}

std::string render_state(const KnobState& st, const NetnsIdentity& ns) {
  nlohmann::json j;
  j["schema"] = kSchema;
  j["netns_inode"] = ns.inode;
  j["netns_cookie"] = ns.cookie;
  j["values"] = nlohmann::json::object();
  for (const auto& [name, v] : st.values) j["values"][name] = v;
  return render::json_text(j, 2) + "\n";
}

const Knob* level_knob(model::Family family, model::Protocol proto, model::Mode mode) {
  if (family == model::Family::unspec) family = model::Family::inet;
  bool tunnel = mode != model::Mode::transport;
  for (const auto& k : knob_table())
    if (k.mapping == Mapping::default_level && k.family == family && k.proto == proto && k.tunnel == tunnel) return &k;
  return nullptr;
}

}  // namespace

Result<NetnsIdentity> current_netns() {
  NetnsIdentity id;
  struct stat st {};
  if (::stat("/proc/self/ns/net", &st) != 0) return sys_error(errno, "cannot stat /proc/self/ns/net");
  id.inode = st.st_ino;
  // Any socket reports the cookie of the namespace it was created in, i.e. ours.
  int raw = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (raw < 0) raw = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  util::UniqueFd s(raw);
  uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  if (s.get() >= 0 && ::getsockopt(s.get(), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0 && len == sizeof cookie)
    id.cookie = cookie;
  return id;
}

std::filesystem::path state_file(const NetnsIdentity& ns, const StateOptions& options) {
  return options.dir / ("netns-" + std::to_string(ns.inode) + ".json");
}

Result<KnobState> load_state(const StateOptions& options) {
  auto ns = current_netns();
  if (!ns) return ns.error();
  std::filesystem::path path = state_file(*ns, options);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec && ec.value() != ENOENT) return sys_error(ec.value(), "cannot look at " + path.string());
    return KnobState{};
  }
  auto text = read_whole(path);
  if (!text) return text.error();
  return parse_state(*text, *ns, path);
}

Result<void> update_state(const StateOptions& options, const std::function<void(KnobState&)>& change) {
  auto ns = current_netns();
  if (!ns) return ns.error();
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return sys_error(ec.value(), "cannot create " + options.dir.string());
  std::filesystem::path path = state_file(*ns, options);
  std::filesystem::path lock_path = path;
  lock_path.replace_extension(".lock");
  util::UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (lock.get() < 0) return sys_error(errno, "cannot open " + lock_path.string());
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return sys_error(errno, "cannot lock " + lock_path.string());

  KnobState st;
  if (std::filesystem::exists(path, ec)) {
    auto text = read_whole(path);
    if (!text) return text.error();
    auto parsed = parse_state(*text, *ns, path);
    if (!parsed) return parsed.error();
    st = std::move(*parsed);
  }
  change(st);
  return util::replace_file_atomically(path, render_state(st, *ns));  // the lock goes with `lock`
}

model::Level DefaultLevels::level_for(model::Family family, model::Protocol proto, model::Mode mode) const {
  if (proto == model::Protocol::ipcomp) return model::Level::use;
  const Knob* k = level_knob(family, proto, mode);
  if (!k) return model::Level::require;
  auto it = state_.values.find(k->name);
  if (it == state_.values.end()) return model::Level::require;
  return it->second == 1 ? model::Level::use : model::Level::require;
}

void DefaultLevels::resolve(model::Policy& p, model::Family fallback) const {
  model::Family policy_family = p.sel.family;
  if (policy_family == model::Family::unspec) policy_family = p.sel.src.addr.family;
  if (policy_family == model::Family::unspec) policy_family = p.sel.dst.addr.family;
  if (policy_family == model::Family::unspec) policy_family = fallback;
  for (auto& t : p.templates) {
    if (t.level != model::Level::default_level) continue;
    t.level = level_for(t.family != model::Family::unspec ? t.family : policy_family, t.proto, t.mode);
  }
}

Result<DefaultLevels> load_default_levels(const StateOptions& options) {
  auto st = load_state(options);
  if (!st) return st.error();
  return DefaultLevels(*st);
}

Result<model::Level> effective_default_level(model::Family family, model::Protocol proto, model::Mode mode,
                                             const StateOptions& options) {
  auto levels = load_default_levels(options);
  if (!levels) return levels.error();
  return levels->level_for(family, proto, mode);
}

}  // namespace xfrmpp::knobs
