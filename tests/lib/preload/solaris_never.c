/* SPDX-License-Identifier: BSD-3-Clause */
/* A UDP sender written the Solaris way: an ipsec_req_t asking for no IPsec (IPSEC_PREF_NEVER for AH and
 * ESP) set with setsockopt(IP_SEC_OPT) and read back with getsockopt(IP_SEC_OPT), then one datagram to
 * ADDR:PORT. With "plain" no request is set. CMD, if given, runs while the socket is still open.
 *   solaris_never never|plain ADDR PORT [CMD]
 * Exit: 0 sent, 2 the request could not be set or read back as set, 3 sendto failed, 1 usage or socket. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/pfkeyv2.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  struct sockaddr_in to;
  ipsec_req_t req, got;
  socklen_t len = sizeof got;
  int s, rc = 0;
  if (argc < 4 || (strcmp(argv[1], "never") != 0 && strcmp(argv[1], "plain") != 0)) {
    fprintf(stderr, "usage: %s never|plain ADDR PORT [CMD]\n", argv[0]);
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
  if (strcmp(argv[1], "never") == 0) {
    memset(&req, 0, sizeof req);
    req.ipsr_ah_req = IPSEC_PREF_NEVER;
    req.ipsr_esp_req = IPSEC_PREF_NEVER;
    req.ipsr_auth_alg = SADB_AALG_NONE;
    req.ipsr_esp_alg = SADB_EALG_NONE;
    if (setsockopt(s, IPPROTO_IP, IP_SEC_OPT, &req, sizeof req) < 0) {
      fprintf(stderr, "setsockopt(IP_SEC_OPT): %s\n", strerror(errno));
      return 2;
    }
    memset(&got, 0xff, sizeof got);
    if (getsockopt(s, IPPROTO_IP, IP_SEC_OPT, &got, &len) < 0) {
      fprintf(stderr, "getsockopt(IP_SEC_OPT): %s\n", strerror(errno));
      return 2;
    }
    printf("getsockopt: %u bytes, ah 0x%x, esp 0x%x, self-encap 0x%x\n", (unsigned)len, got.ipsr_ah_req,
           got.ipsr_esp_req, got.ipsr_self_encap_req);
    if (len != sizeof got || got.ipsr_ah_req != IPSEC_PREF_NEVER || got.ipsr_esp_req != IPSEC_PREF_NEVER) {
      fprintf(stderr, "getsockopt(IP_SEC_OPT) does not give back what was set\n");
      return 2;
    }
  }
  if (sendto(s, "solaris-", 8, 0, (struct sockaddr *)&to, sizeof to) < 0) {
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
