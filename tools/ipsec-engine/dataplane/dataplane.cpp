// SPDX-License-Identifier: BSD-3-Clause
// The dataplane's loop: one thread, poll() over the TUN device, the wire sockets, a signalfd and a
// timer. Packets are never held: each goes through the engine and out at once. The state file is
// committed every tick when packets changed it, and at once when an event waits or an outbound
// sequence number nears its reservation; another process's change to it is picked up at the next tick.
#include "dataplane.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "parsers/setkey_printer.hpp"
#include "route_plan.hpp"
#include "rtnl.hpp"
#include "tun_device.hpp"
#include "wire.hpp"
#include "xfrmpp/engine/engine_backend.hpp"

namespace xfrmpp::tools::dataplane {

namespace {

template <typename... A>
void say(fmt::format_string<A...> f, A&&... a) {
  std::string line = fmt::format(f, std::forward<A>(a)...);
  fmt::print(stderr, "ipsec-engine: {}\n", line);
}

std::string route_text(const Route& r) {
  std::string s = r.dst.addr.to_string() + "/" + std::to_string(r.dst.len);
  if (r.prefsrc) s += " src " + r.prefsrc->to_string();
  return s;
}

std::string event_text(const Event& e) {
  uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  auto sa_line = [&] {
    if (!e.sa) return std::string("?");
    std::string l = parsers::setkey::format_sa_line(*e.sa, now);
    while (!l.empty() && l.back() == '\n') l.pop_back();
    return l;
  };
  switch (e.kind) {
    case Event::Kind::acquire:
      return "acquire: " + (e.policy ? parsers::setkey::format_spdadd(*e.policy) : sa_line());
    case Event::Kind::expire:
      return std::string("expire: ") + (e.hard ? "hard " : "soft ") + sa_line();
    default:
      return "event: " + sa_line();
  }
}

// Writes a /proc/sys value; the dataplane works without (it says so), so a failure is only reported.
void set_sysctl(const std::string& path, const char* value) {
  std::ofstream f(path);
  if (f) f << value << '\n';
  if (!f) say("warning: could not set {} to {}", path, value);
}

bool is_multicast(const model::Address& a) {
  if (a.family == model::Family::inet) return a.bytes[0] >= 224;
  return a.family == model::Family::inet6 && a.bytes[0] == 0xff;
}

model::Address broadcast_of(const model::Prefix& p) {
  model::Address b = p.addr;
  for (size_t bit = p.len; bit < 32; ++bit) b.bytes[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  return b;
}

// What makes ESP from a peer vanish before the raw socket sees it: strict reverse-path filtering
// checks the peer's address against the routes, and ours send it into the TUN device.
void warn_strict_rp_filter() {
  std::error_code ec;
  for (const auto& d : std::filesystem::directory_iterator("/proc/sys/net/ipv4/conf", ec)) {
    std::ifstream f(d.path() / "rp_filter");
    int v = 0;
    if (f >> v && v == 1 && d.path().filename() != "lo")
      say("warning: net.ipv4.conf.{}.rp_filter is 1 (strict): packets from peers routed into the TUN device are dropped "
          "before the engine sees them; set it to 2 (loose)", d.path().filename().string());
  }
}

bool device_own(std::span<const uint8_t> p) {
  if (p.size() >= 20 && p[0] >> 4 == 4) return p[16] >= 224;  // multicast, reserved, broadcast
  if (p.size() >= 40 && p[0] >> 4 == 6) return p[24] == 0xff || (p[24] == 0xfe && (p[25] & 0xc0) == 0x80);
  return true;  // not IP: nothing the engine could send
}

Result<Fd> make_signalfd() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGHUP}) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return make_error(errno, std::strerror(errno));
  ::signal(SIGPIPE, SIG_IGN);
  Fd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return make_error(errno, std::string("signalfd: ") + std::strerror(errno));
  return fd;
}

Result<Fd> make_timer(unsigned ms) {
  Fd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!fd) return make_error(errno, std::string("timerfd: ") + std::strerror(errno));
  itimerspec its{};
  its.it_interval.tv_sec = ms / 1000;
  its.it_interval.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
  its.it_value = its.it_interval;
  if (::timerfd_settime(fd.get(), 0, &its, nullptr) < 0) return make_error(errno, std::string("timerfd: ") + std::strerror(errno));
  return fd;
}

class Dataplane {
 public:
  Dataplane(const RunOptions& o, std::unique_ptr<engine::EngineBackend> e, Rtnl rtnl)
      : o_(o), engine_(std::move(e)), rtnl_(std::move(rtnl)) {}

  Result<void> start();
  int loop();
  void stop();

 private:
  void on_tun();
  void on_wire(WireSocket& s);
  bool on_signal();  // false: time to stop
  void on_tick();
  void commit();
  void after_load();
  void check_reload();  // after_load() when another process changed the state
  bool refresh_local();  // true when the host's addresses changed
  Result<void> sync_routes();
  size_t destinations() const { return routes_.size() / 2; }  // a TUN and a prohibit route each
  void report();
  void send_failed(const Error& e);

  RunOptions o_;
  std::unique_ptr<engine::EngineBackend> engine_;
  Rtnl rtnl_;
  TunDevice tun_;
  std::optional<Wire> wire_;
  Fd signals_, timer_;
  bool v6_ = true;
  std::vector<model::Prefix> local_;
  std::set<model::Address> local_set_;
  std::vector<Route> routes_;
  uint64_t seen_loads_ = 0;
  unsigned ticks_ = 0;
  bool commit_failing_ = false;
  std::set<int> send_errors_;  // errnos already reported
  size_t skipped_reported_ = 0;
  std::vector<uint8_t> in_, out_;
  std::vector<uint8_t> tun_buf_ = std::vector<uint8_t>(65535);  // one read's room, never cleared again
};

bool Dataplane::refresh_local() {
  auto a = rtnl_.addresses();
  if (!a) return false;
  if (*a == local_) return false;
  local_ = std::move(*a);
  local_set_.clear();
  for (const auto& p : local_) {
    local_set_.insert(p.addr);
    if (p.addr.family == model::Family::inet && p.len < 31) local_set_.insert(broadcast_of(p));
  }
  return true;
}

Result<void> Dataplane::start() {
  refresh_local();
  // What the kernel delivers rather than forwards: its addresses, their broadcasts, and multicast.
  engine_->set_local_address_test([this](const model::Address& a) { return is_multicast(a) || local_set_.count(a) > 0; });

  // The TUN device first: it fails while another instance holds the name, whose routing must stay.
  auto tun = open_tun(o_.tun);
  if (!tun) return tun.error();
  tun_ = std::move(*tun);
  // A predecessor killed with SIGKILL leaves its rules and routes (its TUN device went with it).
  for (auto f : {model::Family::inet, model::Family::inet6}) (void)rtnl_.delete_rules(f, o_.priority, o_.table);
  if (auto old = rtnl_.routes(o_.table))
    for (const auto& r : *old) (void)rtnl_.delete_route(r, o_.table, 0);
  // No IPv6 link-local address: the TUN's own router solicitations would come back in (ff02::2).
  set_sysctl("/proc/sys/net/ipv6/conf/" + tun_.name + "/addr_gen_mode", "1");
  // The TUN default of 500 packets dropped bursts of a TCP transfer while this process waited for
  // the CPU; the kernel's queue is the only buffer between the host's sockets and the engine.
  if (auto r = rtnl_.set_link(tun_.ifindex, true, o_.mtu, 4096); !r) return make_error(r.error().code, "bringing " + tun_.name + " up: " + r.error().message);
  // Decapsulated packets arrive on the TUN device from addresses routed elsewhere by the main table.
  set_sysctl("/proc/sys/net/ipv4/conf/" + tun_.name + "/rp_filter", "0");
  warn_strict_rp_filter();

  std::vector<std::string> warnings;
  auto wire = Wire::open(o_.mark, o_.natt_port, warnings);
  if (!wire) return wire.error();
  wire_ = std::move(*wire);
  for (const auto& w : warnings) {
    say("warning: {}", w);
    v6_ = false;
  }
  // IPv6 switched off by sysctl: sockets open, but routes into the device are refused.
  if (std::ifstream f("/proc/sys/net/ipv6/conf/" + tun_.name + "/disable_ipv6"); v6_) {
    int off = 0;
    if (!(f >> off) || off) {
      say("warning: IPv6 is disabled on {}: IPv4 only", tun_.name);
      v6_ = false;
    }
  }

  auto sig = make_signalfd();
  if (!sig) return sig.error();
  signals_ = std::move(*sig);
  auto timer = make_timer(o_.commit_ms);
  if (!timer) return timer.error();
  timer_ = std::move(*timer);

  engine_->set_sequence_reserve(o_.seq_reserve);
  if (auto r = engine_->commit_packets(); !r) return make_error(r.error().code, "writing the state: " + r.error().message);
  after_load();
  for (auto f : {model::Family::inet, model::Family::inet6}) {
    if (f == model::Family::inet6 && !v6_) continue;
    if (auto r = rtnl_.add_rule(f, o_.priority, o_.table, o_.mark); !r)
      return make_error(r.error().code, fmt::format("adding the {} rule: {}", model::family_name(f), r.error().message));
  }
  say("ready: tun {} (mtu {}), table {}, rule {} not fwmark {:#x}, {} routes, {} policies, state {}", tun_.name, o_.mtu,
      o_.table, o_.priority, o_.mark, destinations(), engine_->spd().size(), o_.state.string());
  return {};
}

// Each protected destination gets a route into the TUN device and, behind it, a prohibit route: when the
// process dies without cleaning up (SIGKILL, a crash), the kernel removes the device's routes with the
// device but the rule stays, so the prohibit route keeps that traffic from leaving in the clear until a
// restart or a clean stop (fail closed, as the kernel's SPD does while its policies remain).
constexpr uint32_t kTunMetric = 1, kProhibitMetric = 4096;

Result<void> Dataplane::sync_routes() {
  std::vector<Route> want;
  size_t skipped = 0;
  for (Route r : plan_routes(engine_->spd(), local_, skipped)) {
    if (!v6_ && r.dst.addr.family == model::Family::inet6) continue;
    r.metric = kTunMetric;
    want.push_back(r);
    want.push_back(Route{r.dst, std::nullopt, true, kProhibitMetric});
  }
  if (skipped && skipped != skipped_reported_)
    say("warning: {} out policies with a mark or if_id are not served: a packet from the TUN device has neither", skipped);
  skipped_reported_ = skipped;
  std::set<Route> have(routes_.begin(), routes_.end()), wanted(want.begin(), want.end());
  Result<void> result;
  for (const auto& r : have)
    if (!wanted.count(r)) (void)rtnl_.delete_route(r, o_.table, tun_.ifindex);
  std::vector<Route> now;
  for (const auto& r : want) {
    auto added = rtnl_.add_route(r, o_.table, tun_.ifindex);
    if (!added && r.prefsrc) {
      // The source address went away meanwhile: route without one rather than not at all.
      Route plain{r.dst, std::nullopt, false, r.metric};
      added = rtnl_.add_route(plain, o_.table, tun_.ifindex);
      if (added) now.push_back(plain);
    } else if (added) {
      now.push_back(r);
    }
    if (!added) {
      say("warning: route {} into {}: {}", route_text(r), tun_.name, added.error().message);
      result = added;
    }
  }
  routes_ = std::move(now);
  return result;
}

void Dataplane::after_load() {
  seen_loads_ = engine_->loads();
  engine_->prepare_lookups();
  (void)sync_routes();
}

void Dataplane::commit() {
  for (const auto& e : engine_->packet_events()) say("{}", event_text(e));
  auto r = engine_->commit_packets();
  if (!r && !commit_failing_) say("error: writing the state: {}", r.error().message);
  commit_failing_ = !r;
  check_reload();
}

void Dataplane::check_reload() {
  if (engine_->loads() == seen_loads_) return;
  after_load();
  say("reload: {} policies, {} routes", engine_->spd().size(), destinations());
}

void Dataplane::on_tun() {
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::read(tun_.fd.get(), tun_buf_.data(), tun_buf_.size());
    if (n <= 0) return;
    // Multicast and link-local packets in the device are its own (router solicitations, MLD): no
    // route of ours sends a host's traffic there, and passed on in the clear they would come back.
    if (device_own(std::span<const uint8_t>(tun_buf_.data(), static_cast<size_t>(n)))) continue;
    auto o = engine_->output(std::span<const uint8_t>(tun_buf_.data(), static_cast<size_t>(n)), out_);
    if (engine_->commit_due()) commit();  // before the packet leaves: its sequence number is on disk
    if (o.verdict != engine::PacketOutcome::Verdict::pass) continue;
    // A sequence number the state file does not cover could be sent again after a crash (for GCM and
    // ChaCha20 that is a nonce used twice): while the state cannot be written, protected packets wait.
    if (o.transformed && commit_failing_ && engine_->commit_due()) continue;
    if (auto r = wire_->send(out_); !r) send_failed(r.error());
  }
}

void Dataplane::send_failed(const Error& e) {
  // EMSGSIZE: a raw socket with its own header never fragments; the TUN MTU (--mtu) leaves too little
  // room for the IPsec overhead on this path. Said once per kind, not once per packet.
  if (!send_errors_.insert(e.code).second) return;
  say("warning: sending a protected packet: {}{}", e.message,
      e.code == EMSGSIZE ? " (lower --mtu: the packet with its IPsec headers exceeds the link's MTU)" : "");
}

void Dataplane::on_wire(WireSocket& s) {
  for (int i = 0; i < 64 && wire_->receive(s, in_); ++i) {
    auto o = engine_->input(in_, out_);
    if (engine_->commit_due()) commit();
    // Only what an SA protected goes to the host: anything else on these sockets (IKE on the NAT-T
    // port) is not the dataplane's, and writing it back would loop.
    if (o.verdict == engine::PacketOutcome::Verdict::pass && o.transformed) (void)::write(tun_.fd.get(), out_.data(), out_.size());
  }
}

void Dataplane::report() {
  commit();
  std::string line;
  for (const auto& c : engine_->packet_counters())
    if (c.value) line += fmt::format(" {} {}", c.name, c.value);
  say("counters:{}", line.empty() ? " all zero" : line);
  if (auto sas = engine_->dump_sas(std::nullopt))
    for (const auto& sa : *sas)
      say("sa: {} spi {:#x} {} -> {} packets {} bytes {}", sa.proto == model::Protocol::esp ? "esp" : sa.proto == model::Protocol::ah ? "ah" : "ipcomp",
          sa.spi, sa.src.to_string(), sa.dst.to_string(), sa.current.packets, sa.current.bytes);
}

bool Dataplane::on_signal() {
  signalfd_siginfo si;
  while (::read(signals_.get(), &si, sizeof(si)) == sizeof(si)) {
    if (si.ssi_signo == SIGUSR1) report();
    else if (si.ssi_signo == SIGHUP) on_tick();
    else return false;
  }
  return true;
}

void Dataplane::on_tick() {
  uint64_t expirations;
  (void)!::read(timer_.get(), &expirations, sizeof(expirations));
  // New addresses change the routes' preferred sources (a gateway's inner address may come late).
  bool moved = ++ticks_ % 5 == 0 && refresh_local();
  engine_->run_timers();
  commit();
  if (moved) (void)sync_routes();
  if (auto r = engine_->refresh(); !r) say("error: reading the state: {}", r.error().message);
  check_reload();
}

int Dataplane::loop() {
  std::vector<pollfd> fds;
  fds.push_back({signals_.get(), POLLIN, 0});
  fds.push_back({timer_.get(), POLLIN, 0});
  fds.push_back({tun_.fd.get(), POLLIN, 0});
  for (auto& s : wire_->receivers()) fds.push_back({s.fd.get(), POLLIN, 0});
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      say("error: poll: {}", std::strerror(errno));
      return 1;
    }
    if (fds[0].revents && !on_signal()) return 0;
    if (fds[1].revents) on_tick();
    if (fds[2].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      say("error: {} went away (deleted?): stopping", tun_.name);
      return 1;
    }
    if (fds[2].revents) on_tun();
    for (size_t i = 3; i < fds.size(); ++i)
      if (fds[i].revents) on_wire(wire_->receivers()[i - 3]);
  }
}

void Dataplane::stop() {
  if (!tun_.fd) return;  // nothing of ours was set up
  for (auto f : {model::Family::inet, model::Family::inet6}) (void)rtnl_.delete_rules(f, o_.priority, o_.table);
  for (const auto& r : routes_) (void)rtnl_.delete_route(r, o_.table, tun_.ifindex);
  routes_.clear();
  // The true sequence numbers replace the reservations: a clean stop loses none.
  engine_->set_sequence_reserve(0);
  for (const auto& e : engine_->packet_events()) say("{}", event_text(e));
  auto r = engine_->commit_packets();
  tun_.fd.reset();
  if (!r) say("error: writing the state: {}", r.error().message);
  say("stop: routes, rules and {} removed, state saved", tun_.name);
}

}  // namespace

int run(const RunOptions& o) {
  // A start empties its table: never one the host's own routing lives in.
  if (o.table == 253 || o.table == 254 || o.table == 255) {
    say("error: --table {} is the kernel's default, main or local table; choose one of the dataplane's own", o.table);
    return 2;
  }
  engine::EngineOptions eo;
  eo.state = o.state;
  auto be = engine::EngineBackend::open(eo);
  if (!be) {
    say("error: {}: {}", o.state.string(), be.error().message);
    return 1;
  }
  auto rtnl = Rtnl::open();
  if (!rtnl) {
    say("error: {}", rtnl.error().message);
    return 1;
  }
  Dataplane dp(o, std::move(*be), std::move(*rtnl));
  if (auto r = dp.start(); !r) {
    say("error: {}", r.error().message);
    dp.stop();
    return 1;
  }
  int rc = dp.loop();
  dp.stop();
  return rc;
}

}  // namespace xfrmpp::tools::dataplane
