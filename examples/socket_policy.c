/* SPDX-License-Identifier: BSD-3-Clause */
/* socket_policy: per-socket IPsec policy from a C program with libxfrmpp's C API.
 *
 *   socket_policy [-6] [POLICY...]
 *
 * Opens a UDP socket (IPv6 with -6), applies each KAME policy string in turn (by default "out bypass"
 * and "in bypass": this socket may send and receive in the clear even where the SPD requires ESP),
 * prints the policy in force per direction, clears both directions and prints them again.
 * Needs CAP_NET_ADMIN, as Linux does for IP_XFRM_POLICY. Exit status 0, or 1 on the first failure.
 *
 *   $ sudo ./socket_policy "out ipsec esp/transport//require" "in entrust"
 *   out: out ipsec esp/transport//require
 *   in: (none: the SPD decides)
 *   cleared
 *   out: (none: the SPD decides)
 *   in: (none: the SPD decides)
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xfrmpp/socket_policy.h>

static int show(int fd, int dir, const char *name)
{
	char text[512];

	if (xfrmpp_get_socket_policy(fd, dir, text, sizeof text) == 0) {
		printf("%s: %s\n", name, text);
		return 0;
	}
	if (errno == ENOENT) {
		printf("%s: (none: the SPD decides)\n", name);
		return 0;
	}
	fprintf(stderr, "socket_policy: %s\n", xfrmpp_last_error());
	return -1;
}

int main(int argc, char **argv)
{
	static const char *const fallback[] = { "out bypass", "in bypass" };
	const char *const *policies = fallback;
	int count = 2, family = AF_INET, first = 1, fd, i;

	if (argc > 1 && strcmp(argv[1], "-6") == 0) {
		family = AF_INET6;
		first = 2;
	}
	if (argc > first) {
		policies = (const char *const *)(argv + first);
		count = argc - first;
	}

	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket_policy: socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (xfrmpp_set_socket_policy(fd, policies[i]) != 0) {
			/* errno says what kind of failure; the library says exactly what went wrong. */
			fprintf(stderr, "socket_policy: '%s' (%s):\n%s\n", policies[i], strerror(errno), xfrmpp_last_error());
			close(fd);
			return 1;
		}
	}
	if (show(fd, XFRMPP_DIR_OUT, "out") != 0 || show(fd, XFRMPP_DIR_IN, "in") != 0) {
		close(fd);
		return 1;
	}
	if (xfrmpp_clear_socket_policy(fd, XFRMPP_DIR_BOTH) != 0) {
		fprintf(stderr, "socket_policy: %s\n", xfrmpp_last_error());
		close(fd);
		return 1;
	}
	printf("cleared\n");
	if (show(fd, XFRMPP_DIR_OUT, "out") != 0 || show(fd, XFRMPP_DIR_IN, "in") != 0) {
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
