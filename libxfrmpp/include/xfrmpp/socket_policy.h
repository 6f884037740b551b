/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-socket IPsec policy for C programs: KAME policy strings on Linux sockets.
 *
 *   if (xfrmpp_set_socket_policy(fd, "out bypass") != 0)
 *       fprintf(stderr, "%s\n", xfrmpp_last_error());
 *
 * See xfrmpp_set_socket_policy(3). Build with `pkg-config --cflags --libs xfrmpp` (libxfrmpp.so.0), or
 * link the CMake target xfrmpp::xfrmpp of find_package(xfrmpp). Every function needs CAP_NET_ADMIN for the socket's network namespace,
 * because Linux requires it for IP_XFRM_POLICY. All functions are thread-safe.
 */
#ifndef XFRMPP_SOCKET_POLICY_H
#define XFRMPP_SOCKET_POLICY_H

#include <stddef.h>

/* The library is built with hidden visibility; these are its C API. */
#pragma GCC visibility push(default)

#ifdef __cplusplus
extern "C" {
#endif

/* Directions, as KAME's IPSEC_DIR_INBOUND and IPSEC_DIR_OUTBOUND; BOTH is their union. */
#define XFRMPP_DIR_IN 1
#define XFRMPP_DIR_OUT 2
#define XFRMPP_DIR_BOTH 3

/* Parses a KAME policy string ("out bypass", "in entrust", "out ipsec esp/transport//require",
 * "in discard", "out none") and applies it to the IPv4 or IPv6 socket fd for its direction. "entrust"
 * removes the socket's policy for that direction. Returns 0, or -1 with errno set (EINVAL for a policy
 * that does not parse or that the kernel refuses, EPERM without CAP_NET_ADMIN, ENOTSOCK, EAFNOSUPPORT);
 * xfrmpp_last_error() then explains. */
int xfrmpp_set_socket_policy(int fd, const char *policy);

/* Removes the socket's policy for XFRMPP_DIR_IN, XFRMPP_DIR_OUT or XFRMPP_DIR_BOTH; the socket then
 * follows the SPD again. Returns 0, or -1 with errno set (EINVAL for another dir value). */
int xfrmpp_clear_socket_policy(int fd, int dir);

/* Writes the policy in force for one direction (XFRMPP_DIR_IN or XFRMPP_DIR_OUT), as set through this
 * library, into buf as a KAME policy string. Linux cannot read a socket policy back, so a policy set by
 * other means is not known. Returns 0; or -1 with errno ENOENT (no policy known for that direction),
 * ERANGE (buf too small), EINVAL (bad dir). */
int xfrmpp_get_socket_policy(int fd, int dir, char *buf, size_t len);

/* The explanation of the last failure in the calling thread (parser diagnostics with a caret, or what the
 * kernel refused and why), or "" after a success. Valid until the thread's next call into this API. */
const char *xfrmpp_last_error(void);

#ifdef __cplusplus
}
#endif

#pragma GCC visibility pop

#endif /* XFRMPP_SOCKET_POLICY_H */
