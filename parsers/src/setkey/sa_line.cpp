// SPDX-License-Identifier: BSD-3-Clause
// `setkey -Dl`: the short, one-line-per-SA view ipsec-tools prints when watching a SAD.
#include <fmt/format.h>

#include <ctime>

#include "parsers/setkey_printer.hpp"
#include "xfrmpp/model/names.hpp"

namespace xfrmpp::parsers::setkey {

std::string format_sa_line(const model::SecurityAssociation& sa, uint64_t now) {
  time_t t = static_cast<time_t>(now);
  struct tm tm {};
  localtime_r(&t, &tm);
  uint64_t age = sa.current.add_time && now >= sa.current.add_time ? now - sa.current.add_time : 0;
  // XFRM only reports live SAs; a larval one (from getspi) has no algorithms yet.
  bool larval = !sa.aead && !sa.crypt && !sa.auth && !sa.comp;
  return fmt::format("{:02}{:02} {} {} {:#010x} {}/{} {} -> {}\n", tm.tm_min, tm.tm_sec,
                     sa.encap ? std::string_view("esp-udp") : model::name_of(model::protocol_names(), sa.proto),
                     larval ? "larval" : "mature", sa.spi, age, sa.limits.hard_add_seconds, sa.src.to_string(),
                     sa.dst.to_string());
}

}  // namespace xfrmpp::parsers::setkey
