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

namespace xfrmpp::tools::ipsecconf {

namespace {

constexpr const char* kSchema = "xfrmpp-ipsecconf/1";
using nlohmann::json;

Error sys_error(int code, const std::string& what) { return make_error(code, what + ": " + std::strerror(code)); }

std::string prefix_text(const model::Prefix& p) { return p.addr.to_string() + "/" + std::to_string(p.len); }

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
  p.len = static_cast<uint8_t>(std::stoul(s.substr(slash + 1)));
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

std::optional<model::PolicyKey> key_from(const json& j) {
  model::PolicyKey k;
  auto dir = model::lookup(model::direction_names(), j.value("dir", ""));
  if (!dir) return std::nullopt;
  k.dir = *dir;
  std::string fam = j.value("family", "");
  k.sel.family = fam == "inet" ? model::Family::inet : fam == "inet6" ? model::Family::inet6 : model::Family::unspec;
  auto src = prefix_from(j.value("src", ""), k.sel.family), dst = prefix_from(j.value("dst", ""), k.sel.family);
  if (!src || !dst) return std::nullopt;
  k.sel.src = *src;
  k.sel.dst = *dst;
  k.sel.proto = j.value("proto", uint8_t{0});
  k.sel.sport = j.value("sport", uint16_t{0});
  k.sel.sport_mask = j.value("sport_mask", uint16_t{0});
  k.sel.dport = j.value("dport", uint16_t{0});
  k.sel.dport_mask = j.value("dport_mask", uint16_t{0});
  k.if_id = j.value("if_id", uint32_t{0});
  return k;
}

Result<State> parse_state(const std::string& text, uint64_t cookie, const std::filesystem::path& path) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("schema", "") != kSchema)
    return make_error(EBADMSG, path.string() + ": not an ipsecconf state file (" + kSchema + ")");
  uint64_t stored = j.value("netns_cookie", uint64_t{0});
  if (cookie != 0 && stored != 0 && stored != cookie) return State{};  // another namespace had this inode
  State st;
  st.next_index = j.value("next_index", uint32_t{1});
  st.next_base = j.value("next_base", uint32_t{0x000fffff});
  st.ike_bypass = j.value("ike_bypass", false);
  auto bad = [&] { return make_error(EBADMSG, path.string() + ": malformed rule record"); };
  for (const auto& r : j.value("rules", json::array())) {
    StateRule rule;
    rule.index = r.value("index", uint32_t{0});
    if (r.contains("tunnel") && r["tunnel"].is_string()) rule.tunnel = r["tunnel"].get<std::string>();
    rule.text = r.value("text", "");
    rule.origin = r.value("origin", "");
    for (const auto& e : r.value("entries", json::array())) {
      StateEntry entry;
      entry.text = e.value("text", "");
      entry.base = e.value("base", uint32_t{0});
      entry.priority = e.value("priority", uint32_t{0});
      for (const auto& k : e.value("policies", json::array())) {
        auto key = key_from(k);
        if (!key) return bad();
        entry.policies.push_back(*key);
      }
      rule.entries.push_back(std::move(entry));
    }
    if (rule.index == 0) return bad();
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
  return j.dump(1) + "\n";
}

}  // namespace

std::filesystem::path default_state_dir() {
  if (const char* d = std::getenv("XFRMPP_IPSECCONF_STATE_DIR"); d && *d) return d;
  return "/run/xfrmpp/ipsecconf";
}

Result<StateFile> StateFile::open(const std::filesystem::path& dir) {
  auto ns = knobs::current_netns();
  if (!ns) return ns.error();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ec.value(), "cannot create " + dir.string() + ": " + ec.message());
  StateFile f;
  f.inode_ = ns->inode;
  f.cookie_ = ns->cookie;
  f.path_ = dir / ("netns-" + std::to_string(ns->inode) + ".json");
  std::string lock = (dir / ("netns-" + std::to_string(ns->inode) + ".lock")).string();
  f.lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (f.lock_fd_ < 0) return sys_error(errno, "cannot open " + lock);
  while (::flock(f.lock_fd_, LOCK_EX) < 0)
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
    : path_(std::move(o.path_)), lock_fd_(o.lock_fd_), inode_(o.inode_), cookie_(o.cookie_), state_(std::move(o.state_)) {
  o.lock_fd_ = -1;
}

StateFile::~StateFile() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing drops the flock
}

Result<void> StateFile::save() { return util::replace_file_atomically(path_, render(state_, inode_, cookie_)); }

}  // namespace xfrmpp::tools::ipsecconf
