// SPDX-License-Identifier: BSD-3-Clause
// Prints the names the documentation must carry, one per line: "knob NAME" from the knob table and
// "counter NAME" from the xfrm_stat explanations (read by check_knob_docs.sh).
#include <cstdio>
#include <string>

#include "xfrmpp/knobs/knobs.hpp"
#include "xfrmpp/knobs/xfrm_stat.hpp"

int main() {
  for (const auto& k : xfrmpp::knobs::knob_table()) std::printf("knob %s\n", std::string(k.name).c_str());
  for (const auto& c : xfrmpp::knobs::counter_explanations()) std::printf("counter %s\n", std::string(c.name).c_str());
  return 0;
}
