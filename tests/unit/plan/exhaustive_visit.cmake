# SPDX-License-Identifier: BSD-3-Clause
# cmake -DCXX=... -DINCLUDES="a;b" -DSOURCES="x.cpp;y.cpp" -P exhaustive_visit.cmake
# With one more model::Operation alternative (XFRMPP_TEST_EXTRA_OPERATION) each source must fail to
# compile, and fail over that alternative: every visitor over Operation in it handles each alternative
# and has no catch-all. The control (each compiles without it) is the ordinary build; with CONTROL=ON
# it is checked here too.
set(flags -std=c++20 -fsyntax-only)
foreach(dir ${INCLUDES})
  list(APPEND flags -I${dir})
endforeach()
foreach(source ${SOURCES})
  if(CONTROL)
    execute_process(COMMAND ${CXX} ${flags} ${source} RESULT_VARIABLE control_rc ERROR_VARIABLE control_err)
    if(NOT control_rc EQUAL 0)
      message(FATAL_ERROR "control: ${source} does not compile as it is:\n${control_err}")
    endif()
  endif()
  execute_process(COMMAND ${CXX} ${flags} -DXFRMPP_TEST_EXTRA_OPERATION ${source}
                  RESULT_VARIABLE extra_rc ERROR_VARIABLE extra_err)
  if(extra_rc EQUAL 0)
    message(FATAL_ERROR "${source} compiles with an unhandled model::Operation alternative: some visitor has a catch-all")
  endif()
  if(NOT extra_err MATCHES "TestExtraOperation")
    message(FATAL_ERROR "${source}: the compile failed, but not over the extra alternative:\n${extra_err}")
  endif()
  message(STATUS "${source}: an unhandled alternative fails the compile")
endforeach()
