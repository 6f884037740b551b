// SPDX-License-Identifier: BSD-3-Clause
// main() for kernel tests: every test binary gets its own empty network namespace first; the engine run of a
// test over Backend& (XFRMPP_TEST_BACKEND=engine) gets neither namespace nor root, as an ordinary user.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>

#include "netns.hpp"

int main(int argc, char** argv) {
  if (xfrmpp::test::engine_run()) {
    return xfrmpp::test::run_as_ordinary_user([&] {
      std::fprintf(stderr, "engine backend, as uid %u, no network namespace\n", static_cast<unsigned>(::geteuid()));
      doctest::Context context(argc, argv);
      return context.run();
    });
  }
  std::string why = xfrmpp::test::enter_fresh_netns();
  if (!why.empty()) {
    if (xfrmpp::test::kernel_required()) {
      std::fprintf(stderr, "FAILED: kernel test cannot run and XFRMPP_REQUIRE_KERNEL=1: %s\n", why.c_str());
      return 1;
    }
    std::fprintf(stderr, "SKIPPED: no private network namespace (%s)\n", why.c_str());
    return 77;
  }
  xfrmpp::test::hide_host_run();
  doctest::Context context(argc, argv);
  return context.run();
}
