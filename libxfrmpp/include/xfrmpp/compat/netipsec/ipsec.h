/* SPDX-License-Identifier: BSD-3-Clause */
/* <netipsec/ipsec.h> for FreeBSD sources on Linux: the same libipsec API and constants as the KAME
 * header next to it (ipsec_set_policy(3)). */
#ifndef _NETIPSEC_IPSEC_H_
#define _NETIPSEC_IPSEC_H_

#include "../netinet6/ipsec.h"

#endif /* _NETIPSEC_IPSEC_H_ */
