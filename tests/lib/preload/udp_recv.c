/* SPDX-License-Identifier: BSD-3-Clause */
/* The test's receiver: binds UDP PORT on all addresses and prints each datagram's payload on a line of
 * its own until SECONDS pass with nothing more.  udp_recv PORT SECONDS */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  struct sockaddr_in me;
  struct timeval tv;
  char buf[256];
  int s;
  if (argc != 3) return 1;
  if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0) return 1;
  memset(&me, 0, sizeof me);
  me.sin_family = AF_INET;
  me.sin_port = htons((unsigned short)atoi(argv[1]));
  if (bind(s, (struct sockaddr *)&me, sizeof me) < 0) { perror("bind"); return 1; }
  tv.tv_sec = atoi(argv[2]);
  tv.tv_usec = 0;
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    if (n < 0) break;
    buf[n] = 0;
    printf("%s\n", buf);
    fflush(stdout);
  }
  return 0;
}
