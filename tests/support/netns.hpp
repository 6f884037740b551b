#pragma once
// Kernel tests run in a private network namespace, never the host's.
#include <string>

namespace xfrmpp::test {

/// Moves the calling process into a new, empty network namespace. Returns "" or why it could not.
std::string enter_fresh_netns();

/// True when CI=true: a kernel test that cannot run must then fail instead of skipping.
bool running_in_ci();

}  // namespace xfrmpp::test
