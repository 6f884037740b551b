#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Writes N distinct host-to-host outbound ESP transport policies, once as a setkey script and once
# as the equivalent `ip -batch` file.
#
#   bench/gen.sh N setkey > policies.conf
#   bench/gen.sh N ip     > policies.batch
#
# Policy i goes from 10.a.b.c to 11.a.b.c, where a.b.c is i in base 256, so N may go up to 2^24.
# Both forms give the kernel the same policy: priority 2147483648 (setkey's default, "prio def"),
# one ESP transport template, level require.
set -euo pipefail
n=${1:?usage: gen.sh N setkey|ip}
form=${2:?usage: gen.sh N setkey|ip}
((n >= 1 && n <= 16777216)) || { echo "gen.sh: N must be 1..16777216" >&2; exit 2; }
case $form in
  setkey) fmt='spdadd 10.%d.%d.%d 11.%d.%d.%d any -P out ipsec esp/transport//require;\n' ;;
  ip) fmt='xfrm policy add src 10.%d.%d.%d dst 11.%d.%d.%d dir out priority 2147483648 tmpl proto esp mode transport\n' ;;
  *) echo "gen.sh: form must be setkey or ip" >&2; exit 2 ;;
esac
exec awk -v n="$n" -v fmt="$fmt" 'BEGIN {
  for (i = 0; i < n; i++) {
    a = int(i / 65536); b = int(i / 256) % 256; c = i % 256
    printf fmt, a, b, c, a, b, c
  }
}'
