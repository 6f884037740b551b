// main() for kernel tests: every test binary gets its own empty network namespace first.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "netns.hpp"

int main(int argc, char** argv) {
  std::string why = xfrmpp::test::enter_fresh_netns();
  if (!why.empty()) {
    if (xfrmpp::test::running_in_ci()) {
      std::fprintf(stderr, "FAILED: kernel test cannot run under CI=true: %s\n", why.c_str());
      return 1;
    }
    std::fprintf(stderr, "SKIPPED: no private network namespace (%s)\n", why.c_str());
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
