/* SPDX-License-Identifier: BSD-3-Clause */
/* <netinet/in.h> for Solaris sources (xfrmpp-compat): the system header, plus Solaris' per-socket IPsec
 * request, ipsec_req_t with IP_SEC_OPT / IPV6_SEC_OPT, which libxfrmpp-preload.so(8) turns into Linux socket
 * policies. Linux has no such option: run such programs with LD_PRELOAD=libxfrmpp-preload.so.
 *
 * The option number is not illumos' 0x22: Linux uses 0x22 for IP_MULTICAST_LOOP and IPV6_IPSEC_POLICY, so a
 * program run without the preload library would set one of those instead. 0x1022 is unused by Linux at both
 * levels: without the preload library setsockopt(IP_SEC_OPT) fails with ENOPROTOOPT. Only source
 * compatibility matters here (Solaris binaries do not run on Linux). */
#ifndef XFRMPP_COMPAT_NETINET_IN_H
#define XFRMPP_COMPAT_NETINET_IN_H

/* #include_next is a GCC/Clang extension: a system header may use it under -pedantic-errors. */
#pragma GCC system_header
#include_next <netinet/in.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IP_SEC_OPT 0x1022   /* level IPPROTO_IP, value ipsec_req_t */
#define IPV6_SEC_OPT 0x1022 /* level IPPROTO_IPV6, value ipsec_req_t */

/* ipsr_ah_req / ipsr_esp_req / ipsr_self_encap_req values (may be or'ed: REQUIRED | UNIQUE). */
#define IPSEC_PREF_NEVER 0x01    /* no IPsec for this socket: a bypass policy both ways */
#define IPSEC_PREF_REQUIRED 0x02 /* the protocol is required (transport mode) both ways */
#define IPSEC_PREF_UNIQUE 0x04   /* ... with an SA of the socket's own (level unique) */

/* The request applies to inbound and outbound packets. Algorithm ids are the SADB_AALG_* / SADB_EALG_*
 * ones of <net/pfkeyv2.h>; 0 means any. */
typedef struct ipsec_req {
  unsigned int ipsr_ah_req;         /* AH request */
  unsigned int ipsr_esp_req;        /* ESP request */
  unsigned int ipsr_self_encap_req; /* self-encapsulation request: not available on Linux */
  uint8_t ipsr_auth_alg;            /* AH authentication algorithm */
  uint8_t ipsr_esp_alg;             /* ESP encryption algorithm */
  uint8_t ipsr_esp_auth_alg;        /* ESP authentication algorithm */
} ipsec_req_t;

#ifdef __cplusplus
}
#endif

#endif /* XFRMPP_COMPAT_NETINET_IN_H */
