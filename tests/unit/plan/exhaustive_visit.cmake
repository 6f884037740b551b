# SPDX-License-Identifier: BSD-3-Clause
# cmake -DCXX=... -DINCLUDE=... -DSOURCE=... -P exhaustive_visit.cmake
# The control first: the source compiles as it is. Then with one more model::Operation alternative it
# must fail, and fail in std::visit (not for some unrelated reason).
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE} ${SOURCE}
                RESULT_VARIABLE control_rc ERROR_VARIABLE control_err)
if(NOT control_rc EQUAL 0)
  message(FATAL_ERROR "control: ${SOURCE} does not compile as it is:\n${control_err}")
endif()
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -DXFRMPP_TEST_EXTRA_OPERATION -I${INCLUDE} ${SOURCE}
                RESULT_VARIABLE extra_rc ERROR_VARIABLE extra_err)
if(extra_rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiles with an unhandled model::Operation alternative: some visitor has a catch-all")
endif()
if(NOT extra_err MATCHES "TestExtraOperation")
  message(FATAL_ERROR "the compile failed, but not over the extra alternative:\n${extra_err}")
endif()
string(REGEX MATCHALL "error:[^\n]*" errors "${extra_err}")
list(LENGTH errors n)
message(STATUS "an unhandled alternative fails the compile (${n} error lines)")
