/* SPDX-License-Identifier: BSD-3-Clause */
/* The preload library's other IP_SEC_OPT answers, on one UDP socket each:
 *   required  ESP required (AES-CBC, HMAC-SHA1) and AH unique (HMAC-SHA256); reads it back; then runs CMD
 *             while the socket is open (the test looks at the templates);
 *   selfencap ipsr_self_encap_req set: must fail with EINVAL;
 *   badalg    an algorithm id of 32 or more: must fail with EINVAL.
 *   solaris_required required|selfencap|badalg [CMD]
 * Exit 0 when the call behaved as described, 2 otherwise. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/pfkeyv2.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  ipsec_req_t req, got;
  socklen_t len = sizeof got;
  int s, rc;
  if (argc < 2) return 2;
  if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0) return 2;
  memset(&req, 0, sizeof req);
  if (strcmp(argv[1], "required") == 0) {
    req.ipsr_esp_req = IPSEC_PREF_REQUIRED;
    req.ipsr_esp_alg = SADB_EALG_AES;
    req.ipsr_esp_auth_alg = SADB_AALG_SHA1HMAC;
    req.ipsr_ah_req = IPSEC_PREF_REQUIRED | IPSEC_PREF_UNIQUE;
    req.ipsr_auth_alg = SADB_AALG_SHA256HMAC;
  } else if (strcmp(argv[1], "selfencap") == 0) {
    req.ipsr_esp_req = IPSEC_PREF_REQUIRED;
    req.ipsr_self_encap_req = IPSEC_PREF_REQUIRED;
  } else {
    req.ipsr_esp_req = IPSEC_PREF_REQUIRED;
    req.ipsr_esp_alg = 40;
  }
  rc = setsockopt(s, IPPROTO_IP, IP_SEC_OPT, &req, sizeof req);
  if (strcmp(argv[1], "required") != 0) {
    printf("setsockopt: %s\n", rc == 0 ? "ok" : strerror(errno));
    return rc < 0 && errno == EINVAL ? 0 : 2;
  }
  if (rc < 0) {
    fprintf(stderr, "setsockopt(IP_SEC_OPT): %s\n", strerror(errno));
    return 2;
  }
  if (getsockopt(s, IPPROTO_IP, IP_SEC_OPT, &got, &len) < 0 || len != sizeof got || memcmp(&got, &req, sizeof req) != 0) {
    fprintf(stderr, "getsockopt(IP_SEC_OPT) does not give back what was set\n");
    return 2;
  }
  printf("set and read back\n");
  fflush(stdout);
  if (argc > 2 && system(argv[2]) != 0) return 2;
  close(s);
  return 0;
}
