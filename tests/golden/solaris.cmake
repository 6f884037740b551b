# SPDX-License-Identifier: BSD-3-Clause
# Golden tests of the Solaris front ends (run_solaris_golden.sh): man-page examples and error cases.
foreach(tool ipsecconf ipseckey)
  if(TARGET ${tool} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${tool})
    add_test(NAME golden_${tool}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_solaris_golden.sh ${tool} $<TARGET_FILE:${tool}> ${CMAKE_CURRENT_SOURCE_DIR}/${tool})
    set_tests_properties(golden_${tool} PROPERTIES LABELS golden)
  endif()
endforeach()
