# SPDX-License-Identifier: BSD-3-Clause
# Harness self-test: this scenario always fails, through `fail`. CTest expects exactly this
# failure (vm-expect-fail below), proving that a failing scenario is reported as FAIL.
# vm-timeout: 10
# vm-expect-fail: ^FAIL deliberate failure \(harness self-test\)$

log "failing on purpose"
fail "deliberate failure (harness self-test)"
