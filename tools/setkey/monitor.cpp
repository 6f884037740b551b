// SPDX-License-Identifier: BSD-3-Clause
#include "monitor.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <vector>

#include "parsers/setkey_printer.hpp"
#include "privilege.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_text.hpp"

namespace xfrmpp::tools::setkey {
namespace {

std::string_view kind_name(Event::Kind k) {
  switch (k) {
    case Event::Kind::new_sa: return "new-sa";
    case Event::Kind::update_sa: return "update-sa";
    case Event::Kind::delete_sa: return "delete-sa";
    case Event::Kind::flush_sa: return "flush-sa";
    case Event::Kind::new_policy: return "new-policy";
    case Event::Kind::update_policy: return "update-policy";
    case Event::Kind::delete_policy: return "delete-policy";
    case Event::Kind::flush_policy: return "flush-policy";
    case Event::Kind::acquire: return "acquire";
    case Event::Kind::expire: return "expire";
    case Event::Kind::policy_expire: return "policy-expire";
    case Event::Kind::new_ae: return "new-ae";
    case Event::Kind::mapping: return "mapping";
    case Event::Kind::report: return "report";
    case Event::Kind::default_policy: return "default-policy";
    case Event::Kind::overrun: return "overrun";
    case Event::Kind::other: break;
  }
  return "other";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  time_t t = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:06}", buf, us);
}

void print_event(const Event& e, const ExecuteOptions& o) {
  if (o.json) {
    nlohmann::json j{{"time", timestamp()}, {"event", kind_name(e.kind)}};
    if (e.sa) j["sa"] = render::to_json(*e.sa, {o.show_keys});
    if (e.policy) j["policy"] = render::to_json(*e.policy);
    if (e.kind == Event::Kind::expire) j["hard"] = e.hard;
    std::puts(render::json_text(j).c_str());
  } else {
    std::string head = fmt::format("{} {}", timestamp(), kind_name(e.kind));
    if (e.kind == Event::Kind::expire || e.kind == Event::Kind::policy_expire) head += e.hard ? " hard" : " soft";
    std::puts(head.c_str());
    parsers::setkey::PrintOptions po{o.with_ports, static_cast<long>(getpid()), o.show_keys};
    if (e.sa) std::fputs(parsers::setkey::format_sa_dump(*e.sa, po).c_str(), stdout);
    if (e.policy) std::fputs(parsers::setkey::format_policy_dump(*e.policy, po).c_str(), stdout);
    std::puts("");
  }
  std::fflush(stdout);
}

}  // namespace

int monitor(Backend& backend, const ExecuteOptions& o, size_t max_events) {
  // EventGroup::aevents only on request (--aevents): a listener there makes the kernel send a NEWAE
  // replay/lifetime update for every SA every few packets (xfrm_aevent_is_on), which floods -x under
  // traffic and makes --count unpredictable; PF_KEY's setkey -x had no such events.
  std::vector<EventGroup> groups{EventGroup::acquire, EventGroup::expire, EventGroup::sa,
                                 EventGroup::policy,  EventGroup::mapping, EventGroup::report};
  if (o.aevents) groups.push_back(EventGroup::aevents);
  auto stream = backend.subscribe(groups);
  if (!stream) {
    std::fprintf(stderr, "setkey: cannot subscribe to XFRM events: %s\n", with_privilege_hint(stream.error()).c_str());
    return 1;
  }
  size_t seen = 0;
  for (;;) {
    auto batch = (*stream)->next(-1);
    if (!batch) {
      std::fprintf(stderr, "setkey: event socket: %s\n", batch.error().message.c_str());
      return 1;
    }
    for (const auto& e : *batch) {
      if (e.kind == Event::Kind::overrun) {
        // Events were dropped by the kernel: say so, then show the whole current state instead.
        std::fprintf(stderr, "setkey: events lost (socket overrun); resynchronising with a full dump\n");
        print_event(e, o);
        if (!dump_sas(backend, o, std::nullopt) || !dump_policies(backend, o, false, true)) return 1;
        continue;
      }
      print_event(e, o);
      if (max_events && ++seen >= max_events) return 0;
    }
  }
}

}  // namespace xfrmpp::tools::setkey
