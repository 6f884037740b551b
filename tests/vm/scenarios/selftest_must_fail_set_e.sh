# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: a command that fails outside `if` ends the scenario as a failure, because
# scenarios run under `set -e`. CTest expects exactly this failure.
# vm-timeout: 10
# vm-expect-fail: ^FAIL exit status 1 

false
log "not reached"
