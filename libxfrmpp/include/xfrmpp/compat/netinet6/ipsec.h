/* SPDX-License-Identifier: BSD-3-Clause */
/* <netinet6/ipsec.h> for KAME and NetBSD sources on Linux: the libipsec policy API of
 * ipsec_set_policy(3), implemented by libxfrmpp, and the IPSEC_* constants.
 *
 *   char *buf = ipsec_set_policy("out ipsec esp/transport//require", len);
 *   setsockopt(fd, IPPROTO_IP, IP_IPSEC_POLICY, buf, ipsec_get_policylen(buf));
 *   free(buf);
 *
 * This directory (include/xfrmpp/compat) is on the include path only for programs that ask for it with
 * `pkg-config --cflags --libs xfrmpp-compat` or the CMake target xfrmpp::compat, so it never stands in
 * for a system header elsewhere. <netipsec/ipsec.h> (FreeBSD) declares the same.
 *
 * The values and the buffer layout are Linux's PF_KEY ones (<linux/ipsec.h>, <linux/pfkeyv2.h>), which
 * are KAME's: a struct sadb_x_policy followed by struct sadb_x_ipsecrequest entries. */
#ifndef _NETINET6_IPSEC_H_
#define _NETINET6_IPSEC_H_
#define XFRMPP_COMPAT_IPSEC_H 1

#include <linux/ipsec.h> /* IPSEC_MODE_*, IPSEC_DIR_*, IPSEC_POLICY_*, IPSEC_LEVEL_*; <linux/pfkeyv2.h> */

/* Linux declares these as enumerators; KAME as macros, which sources test with #ifdef. */
#define IPSEC_MODE_ANY IPSEC_MODE_ANY
#define IPSEC_MODE_TRANSPORT IPSEC_MODE_TRANSPORT
#define IPSEC_MODE_TUNNEL IPSEC_MODE_TUNNEL
#define IPSEC_MODE_BEET IPSEC_MODE_BEET
#define IPSEC_DIR_ANY IPSEC_DIR_ANY
#define IPSEC_DIR_INBOUND IPSEC_DIR_INBOUND
#define IPSEC_DIR_OUTBOUND IPSEC_DIR_OUTBOUND
#define IPSEC_DIR_FWD IPSEC_DIR_FWD
#define IPSEC_DIR_MAX IPSEC_DIR_MAX
#define IPSEC_DIR_INVALID IPSEC_DIR_INVALID
#define IPSEC_POLICY_DISCARD IPSEC_POLICY_DISCARD
#define IPSEC_POLICY_NONE IPSEC_POLICY_NONE
#define IPSEC_POLICY_IPSEC IPSEC_POLICY_IPSEC
#define IPSEC_POLICY_ENTRUST IPSEC_POLICY_ENTRUST
#define IPSEC_POLICY_BYPASS IPSEC_POLICY_BYPASS
#define IPSEC_LEVEL_DEFAULT IPSEC_LEVEL_DEFAULT
#define IPSEC_LEVEL_USE IPSEC_LEVEL_USE
#define IPSEC_LEVEL_REQUIRE IPSEC_LEVEL_REQUIRE
#define IPSEC_LEVEL_UNIQUE IPSEC_LEVEL_UNIQUE

/* Values of __ipsec_errcode, as libipsec numbers them; ipsec_strerror() explains the current one. */
#define EIPSEC_NO_ERROR 0
#define EIPSEC_NOT_SUPPORTED 1
#define EIPSEC_INVAL_ARGUMENT 2
#define EIPSEC_INVAL_SADBMSG 3
#define EIPSEC_INVAL_VERSION 4
#define EIPSEC_INVAL_POLICY 5
#define EIPSEC_INVAL_ADDRESS 6
#define EIPSEC_INVAL_PROTO 7
#define EIPSEC_INVAL_MODE 8
#define EIPSEC_INVAL_LEVEL 9
#define EIPSEC_INVAL_SATYPE 10
#define EIPSEC_INVAL_MSGTYPE 11
#define EIPSEC_INVAL_EXTTYPE 12
#define EIPSEC_INVAL_ALGS 13
#define EIPSEC_INVAL_KEYLEN 14
#define EIPSEC_INVAL_FAMILY 15
#define EIPSEC_INVAL_PREFIXLEN 16
#define EIPSEC_INVAL_DIR 17
#define EIPSEC_INVAL_SPI 18
#define EIPSEC_NO_PROTO 19
#define EIPSEC_NO_ALGS 20
#define EIPSEC_NO_BUFS 21
#define EIPSEC_DO_GET_SUPP_LIST 22
#define EIPSEC_PROTO_MISMATCH 23
#define EIPSEC_FAMILY_MISMATCH 24
#define EIPSEC_FEW_ARGUMENTS 25
#define EIPSEC_SYSTEM_ERROR 26
#define EIPSEC_INVAL_PRIORITY_OFFSET 27
#define EIPSEC_INVAL_PRIORITY_BASE_OFFSET 28
#define EIPSEC_PRIORITY_NOT_COMPILED 29
#define EIPSEC_MAX 30

/* The library is built with hidden visibility; these are its libipsec API. */
#pragma GCC visibility push(default)

#ifdef __cplusplus
extern "C" {
#endif

/* Parses the first len bytes of policy (fewer if a NUL comes first), a KAME policy string such as
 * "in bypass" or "out prio high ipsec esp/tunnel/192.0.2.1-192.0.2.2/require", and returns a malloc'd
 * struct sadb_x_policy buffer (free it with free()), or NULL with __ipsec_errcode set. */
char *ipsec_set_policy(const char *policy, int len);

/* The length in bytes of a buffer from ipsec_set_policy() (sadb_x_policy_len * 8), or -1 for NULL. */
int ipsec_get_policylen(const void *policy);

/* The policy in buffer as text, requests separated by delimiter (" " when NULL), in libipsec's format:
 * "out prio def ipsec esp/transport//require". malloc'd (free it), or NULL with __ipsec_errcode set. */
char *ipsec_dump_policy(const void *policy, const char *delimiter);

/* The explanation of __ipsec_errcode; after a parse error, the parser's diagnostic with the position.
 * Valid until the calling thread's next call into these functions. */
const char *ipsec_strerror(void);

/* The calling thread's last libipsec error code (EIPSEC_*): one per thread, unlike libipsec's global. */
extern __thread int __ipsec_errcode;

#ifdef __cplusplus
}
#endif

#pragma GCC visibility pop

#endif /* _NETINET6_IPSEC_H_ */
