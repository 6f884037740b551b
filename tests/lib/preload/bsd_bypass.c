/* SPDX-License-Identifier: BSD-3-Clause */
/* A UDP sender written the KAME/BSD way: ipsec_set_policy(3) makes "in bypass" and "out bypass" as PF_KEY
 * buffers and setsockopt(IP_IPSEC_POLICY) puts them on the socket, then one datagram goes to ADDR:PORT.
 * With "plain" no policy is set. CMD, if given, runs (system(3)) while the socket is still open.
 *   bsd_bypass bypass|plain ADDR PORT [CMD]
 * Exit: 0 sent, 2 the policy could not be made or set, 3 sendto failed, 1 usage or socket. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet6/ipsec.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int set_policy(int s, const char *text) {
  char *buf = ipsec_set_policy(text, (int)strlen(text));
  if (buf == NULL) {
    fprintf(stderr, "ipsec_set_policy(\"%s\"): %s\n", text, ipsec_strerror());
    return -1;
  }
  if (setsockopt(s, IPPROTO_IP, IP_IPSEC_POLICY, buf, (socklen_t)ipsec_get_policylen(buf)) < 0) {
    fprintf(stderr, "setsockopt(IP_IPSEC_POLICY, \"%s\"): %s\n", text, strerror(errno));
    free(buf);
    return -1;
  }
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  struct sockaddr_in to;
  int s, rc = 0;
  if (argc < 4 || (strcmp(argv[1], "bypass") != 0 && strcmp(argv[1], "plain") != 0)) {
    fprintf(stderr, "usage: %s bypass|plain ADDR PORT [CMD]\n", argv[0]);
    return 1;
  }
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((unsigned short)atoi(argv[3]));
  if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
    fprintf(stderr, "bad address %s\n", argv[2]);
    return 1;
  }
  if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
    perror("socket");
    return 1;
  }
  if (strcmp(argv[1], "bypass") == 0 && (set_policy(s, "in bypass") < 0 || set_policy(s, "out bypass") < 0))
    return 2;
  if (sendto(s, "bsd-", 4, 0, (struct sockaddr *)&to, sizeof to) < 0) {
    fprintf(stderr, "sendto: %s\n", strerror(errno));
    rc = 3;
  } else {
    printf("sent\n");
  }
  fflush(stdout);
  if (argc > 4 && system(argv[4]) != 0) fprintf(stderr, "%s failed\n", argv[4]);
  close(s);
  return rc;
}
