# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: a scenario that hangs is killed after its vm-timeout, with everything it
# started, and reported as a failure. CTest expects exactly this failure.
# vm-timeout: 3
# vm-expect-fail: ^FAIL timed out after 3s$

sleep 1000 &
sleep 1000
