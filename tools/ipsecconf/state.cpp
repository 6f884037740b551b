// SPDX-License-Identifier: BSD-3-Clause
#include "state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "xfrmpp/util/atomic_file.hpp"
#include "xfrmpp/knobs/state.hpp"
#include "xfrmpp/model/names.hpp"
#include "xfrmpp/render/json_text.hpp"
#include "xfrmpp/util/number.hpp"

namespace xfrmpp::tools::ipsecconf {

namespace {

constexpr const char* kSchema = "xfrmpp-ipsecconf/1";
using nlohmann::json;

Error sys_error(int code, const std::string& what) { return make_error(code, what + ": " + std::strerror(code)); }

std::string prefix_text(const model::Prefix& p) { return p.addr.to_string() + "/" + std::to_string(p.len); }

// "addr/len" as key_json() writes it; an empty address is the family's any.
std::optional<model::Prefix> prefix_from(const std::string& s, model::Family f) {
  auto slash = s.rfind('/');
  if (slash == std::string::npos) return std::nullopt;
  model::Prefix p;
  std::string a = s.substr(0, slash);
  if (a.empty()) {
    p.addr.family = f;
  } else {
    auto addr = model::Address::parse(a);
    if (!addr) return std::nullopt;
    p.addr = *addr;
  }
  auto len = util::parse_unsigned(std::string_view(s).substr(slash + 1), p.addr.family == model::Family::inet ? 32 : 128);
  if (!len) return std::nullopt;
  p.len = static_cast<uint8_t>(*len);
  return p;
}

json key_json(const model::PolicyKey& k) {
  const auto& s = k.sel;
  json j{{"dir", model::name_of(model::direction_names(), k.dir)},
         {"family", model::family_name(s.family)},
         {"src", prefix_text(s.src)},
         {"dst", prefix_text(s.dst)},
         {"proto", s.proto},
         {"sport", s.sport},
         {"sport_mask", s.sport_mask},
         {"dport", s.dport},
         {"dport_mask", s.dport_mask}};
  if (k.if_id) j["if_id"] = k.if_id;
  return j;
}

// Reads what the record holds, member by member, checked: the file is on disk and anyone with root may
// have edited it, so a wrong type or an out-of-range number is a malformed record, never an exception.
class RecordReader {
 public:
  explicit RecordReader(const std::filesystem::path& path) : path_(path) {}

  template <typename T>
  bool get(const json& obj, std::string_view name, T& out, T fallback) {
    auto v = render::json_member(obj, name, fallback);
    if (!v) return fail(std::string(name) + " has the wrong type or is out of range");
    out = std::move(*v);
    return true;
  }
  // An array member; an absent one is empty.
  const json* array(const json& obj, std::string_view name) {
    static const json empty = json::array();
    auto it = obj.find(name);
    if (it == obj.end()) return &empty;
    if (!it->is_array()) {
      fail(std::string(name) + " is not an array");
      return nullptr;
    }
    return &*it;
  }
  bool object(const json& j, std::string_view what) { return j.is_object() || fail(std::string(what) + " is not an object"); }
  bool fail(const std::string& why) {
    if (why_.empty()) why_ = why;
    return false;
  }
  Error error() const { return make_error(EBADMSG, path_.string() + ": malformed rule record: " + why_); }

 private:
  const std::filesystem::path& path_;
  std::string why_;
};

std::optional<model::PolicyKey> key_from(const json& j, RecordReader& rd) {
  model::PolicyKey k;
  std::string dir_name, fam, src_text, dst_text;
  if (!rd.object(j, "a policy") || !rd.get(j, "dir", dir_name, std::string()) || !rd.get(j, "family", fam, std::string()) ||
      !rd.get(j, "src", src_text, std::string()) || !rd.get(j, "dst", dst_text, std::string()))
    return std::nullopt;
  auto dir = model::lookup(model::direction_names(), dir_name);
  if (!dir) return rd.fail("unknown direction '" + dir_name + "'"), std::nullopt;
  k.dir = *dir;
  k.sel.family = fam == "inet" ? model::Family::inet : fam == "inet6" ? model::Family::inet6 : model::Family::unspec;
  auto src = prefix_from(src_text, k.sel.family), dst = prefix_from(dst_text, k.sel.family);
  if (!src) return rd.fail("bad prefix '" + src_text + "'"), std::nullopt;
  if (!dst) return rd.fail("bad prefix '" + dst_text + "'"), std::nullopt;
  k.sel.src = *src;
  k.sel.dst = *dst;
  if (!rd.get(j, "proto", k.sel.proto, uint8_t{0}) || !rd.get(j, "sport", k.sel.sport, uint16_t{0}) ||
      !rd.get(j, "sport_mask", k.sel.sport_mask, uint16_t{0}) || !rd.get(j, "dport", k.sel.dport, uint16_t{0}) ||
      !rd.get(j, "dport_mask", k.sel.dport_mask, uint16_t{0}) || !rd.get(j, "if_id", k.if_id, uint32_t{0}))
    return std::nullopt;
  return k;
}

Result<State> parse_state(const std::string& text, uint64_t cookie, const std::filesystem::path& path) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || render::json_member(j, "schema", std::string()) != kSchema)
    return make_error(EBADMSG, path.string() + ": not an ipsecconf state file (" + kSchema + ")");
  RecordReader rd(path);
  uint64_t stored = 0;
  if (!rd.get(j, "netns_cookie", stored, uint64_t{0})) return rd.error();
  if (cookie != 0 && stored != 0 && stored != cookie) return State{};  // another namespace had this inode
  State st;
  const json* rules = nullptr;
  if (!rd.get(j, "next_index", st.next_index, uint32_t{1}) || !rd.get(j, "next_base", st.next_base, uint32_t{0x000fffff}) ||
      !rd.get(j, "ike_bypass", st.ike_bypass, false) || !(rules = rd.array(j, "rules")))
    return rd.error();
  for (const auto& r : *rules) {
    StateRule rule;
    const json* entries = nullptr;
    if (!rd.object(r, "a rule") || !rd.get(r, "index", rule.index, uint32_t{0}) || !rd.get(r, "text", rule.text, std::string()) ||
        !rd.get(r, "origin", rule.origin, std::string()) || !(entries = rd.array(r, "entries")))
      return rd.error();
    if (auto t = r.find("tunnel"); t != r.end() && !t->is_null()) {
      std::string name;
      if (!rd.get(r, "tunnel", name, std::string())) return rd.error();
      rule.tunnel = std::move(name);
    }
    for (const auto& e : *entries) {
      StateEntry entry;
      const json* policies = nullptr;
      if (!rd.object(e, "an entry") || !rd.get(e, "text", entry.text, std::string()) || !rd.get(e, "base", entry.base, uint32_t{0}) ||
          !rd.get(e, "priority", entry.priority, uint32_t{0}) || !(policies = rd.array(e, "policies")))
        return rd.error();
      for (const auto& k : *policies) {
        auto key = key_from(k, rd);
        if (!key) return rd.error();
        entry.policies.push_back(*key);
      }
      rule.entries.push_back(std::move(entry));
    }
    if (rule.index == 0) return rd.fail("a rule has no index"), rd.error();
    st.rules.push_back(std::move(rule));
  }
  return st;
}

std::string render(const State& st, uint64_t inode, uint64_t cookie) {
  json j{{"schema", kSchema},       {"netns_inode", inode},        {"netns_cookie", cookie},
         {"next_index", st.next_index}, {"next_base", st.next_base}, {"ike_bypass", st.ike_bypass},
         {"rules", json::array()}};
  for (const auto& r : st.rules) {
    json jr{{"index", r.index}, {"text", r.text}, {"origin", r.origin}, {"entries", json::array()}};
    jr["tunnel"] = r.tunnel ? json(*r.tunnel) : json(nullptr);
    for (const auto& e : r.entries) {
      json je{{"text", e.text}, {"base", e.base}, {"priority", e.priority}, {"policies", json::array()}};
      for (const auto& k : e.policies) je["policies"].push_back(key_json(k));
      jr["entries"].push_back(std::move(je));
    }
    j["rules"].push_back(std::move(jr));
  }
  return render::json_text(j, 1) + "\n";
}

}  // namespace

std::filesystem::path default_state_dir() {
  if (const char* d = std::getenv("XFRMPP_IPSECCONF_STATE_DIR"); d && *d) return d;
  return "/run/xfrmpp/ipsecconf";
}

std::filesystem::path engine_state_dir(const std::filesystem::path& engine_state) {
  std::filesystem::path dir = engine_state;
  dir += ".ipsecconf";
  return dir;
}

Result<StateFile> StateFile::open(const std::filesystem::path& dir) { return open_in(dir, false); }

Result<StateFile> StateFile::open_read_only(const std::filesystem::path& dir) { return open_in(dir, true); }

Result<StateFile> StateFile::open_in(const std::filesystem::path& dir, bool read_only) {
  auto ns = knobs::current_netns();
  if (!ns) return ns.error();
  std::error_code ec;
  if (!read_only) std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ec.value(), "cannot create " + dir.string() + ": " + ec.message());
  StateFile f;
  f.read_only_ = read_only;
  f.inode_ = ns->inode;
  f.cookie_ = ns->cookie;
  f.path_ = dir / ("netns-" + std::to_string(ns->inode) + ".json");
  std::string lock = (dir / ("netns-" + std::to_string(ns->inode) + ".lock")).string();
  f.lock_fd_ = read_only ? ::open(lock.c_str(), O_RDONLY | O_CLOEXEC) : ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  // A reader does without the lock when there is none to open (no writer ran, or it may not read it).
  bool unlocked = read_only && f.lock_fd_ < 0 && (errno == ENOENT || errno == EACCES || errno == ENOTDIR);
  if (f.lock_fd_ < 0 && !unlocked) return sys_error(errno, "cannot open " + lock);
  while (f.lock_fd_ >= 0 && ::flock(f.lock_fd_, read_only ? LOCK_SH : LOCK_EX) < 0)
    if (errno != EINTR) return sys_error(errno, "cannot lock " + lock);
  std::ifstream in(f.path_, std::ios::binary);
  if (in) {
    std::ostringstream s;
    s << in.rdbuf();
    auto st = parse_state(s.str(), f.cookie_, f.path_);
    if (!st) return st.error();
    f.state_ = std::move(*st);
  }
  return f;
}

StateFile::StateFile(StateFile&& o) noexcept
    : path_(std::move(o.path_)), lock_fd_(o.lock_fd_), read_only_(o.read_only_), inode_(o.inode_), cookie_(o.cookie_), state_(std::move(o.state_)) {
  o.lock_fd_ = -1;
}

StateFile::~StateFile() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing drops the flock
}

Result<void> StateFile::save() {
  if (read_only_) return make_error(EROFS, path_.string() + ": opened for reading only");
  return util::replace_file_atomically(path_, render(state_, inode_, cookie_));
}

}  // namespace xfrmpp::tools::ipsecconf
