/* SPDX-License-Identifier: BSD-3-Clause */
/* A BSD-style user of the libipsec policy API, built by compat_consumer.sh against the installed tree
 * only: `cc $(pkg-config --cflags --libs xfrmpp-compat)`, once with the KAME/NetBSD header and once
 * (-DUSE_NETIPSEC) with the FreeBSD one. For each argument: the buffer's length, its direction and
 * type read from struct sadb_x_policy, and ipsec_dump_policy(); or the error. */
#ifdef USE_NETIPSEC
#include <netipsec/ipsec.h>
#else
#include <netinet6/ipsec.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(IPSEC_DIR_OUTBOUND) || !defined(IPSEC_POLICY_BYPASS) || !defined(IPSEC_LEVEL_REQUIRE)
#error "the IPSEC_* constants are not macros"
#endif

int main(int argc, char **argv) {
  int i, failed = 0;
  for (i = 1; i < argc; i++) {
    char *buf = ipsec_set_policy(argv[i], (int)strlen(argv[i]));
    const struct sadb_x_policy *xpl;
    char *text;
    if (buf == NULL) {
      printf("%s: error %d: %s\n", argv[i], __ipsec_errcode, ipsec_strerror());
      failed = 1;
      continue;
    }
    xpl = (const struct sadb_x_policy *)(const void *)buf;
    text = ipsec_dump_policy(buf, NULL);
    printf("%s: %d bytes, exttype %d, dir %d%s, type %d: %s\n", argv[i], ipsec_get_policylen(buf),
           xpl->sadb_x_policy_exttype, xpl->sadb_x_policy_dir,
           xpl->sadb_x_policy_dir == IPSEC_DIR_OUTBOUND ? " (out)" : "", xpl->sadb_x_policy_type,
           text ? text : ipsec_strerror());
    free(text);
    free(buf);
  }
  return failed;
}
