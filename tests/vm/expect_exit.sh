#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# expect_exit.sh STATUS ERE CMD [ARGS...]
#
# Runs CMD and passes (exit 0) only if it exits with STATUS and its output matches the extended
# regular expression ERE. Exit status 77 from CMD (skip) is passed through. Used to check that
# run_vm.sh itself reports a failing scenario with exit status 1 and a FAIL line.
set -u
[ $# -ge 3 ] || { echo "usage: $0 STATUS ERE CMD [ARGS...]" >&2; exit 2; }
want=$1 ere=$2
shift 2
out=$("$@" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 77 ] && exit 77
if [ $rc -ne "$want" ]; then
	echo "expect_exit: exit status $rc, expected $want: $*"
	exit 1
fi
if ! echo "$out" | grep -Eq -- "$ere"; then
	echo "expect_exit: output does not match /$ere/: $*"
	exit 1
fi
echo "expect_exit: exit status $rc and /$ere/ as expected"
