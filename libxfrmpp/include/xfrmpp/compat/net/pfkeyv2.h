/* SPDX-License-Identifier: BSD-3-Clause */
/* <net/pfkeyv2.h> for BSD and Solaris sources (xfrmpp-compat): the PF_KEY v2 definitions of RFC 2367,
 * SADB_AALG_* and SADB_EALG_* among them, as Linux's UAPI header <linux/pfkeyv2.h> has them (the same ids
 * the kernel's XFRM algorithm masks are indexed by). */
#ifndef XFRMPP_COMPAT_NET_PFKEYV2_H
#define XFRMPP_COMPAT_NET_PFKEYV2_H

#include <linux/pfkeyv2.h>

/* Solaris' names for ids Linux spells SADB_X_* (same values). */
#ifndef SADB_AALG_SHA256HMAC
#define SADB_AALG_SHA256HMAC SADB_X_AALG_SHA2_256HMAC
#define SADB_AALG_SHA384HMAC SADB_X_AALG_SHA2_384HMAC
#define SADB_AALG_SHA512HMAC SADB_X_AALG_SHA2_512HMAC
#endif
#ifndef SADB_EALG_AES
#define SADB_EALG_AES SADB_X_EALG_AESCBC
#define SADB_EALG_BLOWFISH SADB_X_EALG_BLOWFISHCBC
#endif

#endif /* XFRMPP_COMPAT_NET_PFKEYV2_H */
