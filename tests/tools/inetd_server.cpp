// SPDX-License-Identifier: BSD-3-Clause
// The service of tests/tools/ipsec_exec_kernel.sh: writes "hello NAME\n" to a connection, then copies
// what it reads back until the peer closes.
//   inetd_server NAME            the connection is fd 0/1 (inetd, systemd-socket-activate --inetd -a)
//   inetd_server NAME --listen   fd 3 is a listening socket (LISTEN_FDS): serve its connections one after
//                                another until killed
#include <sys/socket.h>
#include <csignal>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int serve(int in, int out, const std::string& name) {
  std::string hello = "hello " + name + "\n";
  if (!write_all(out, hello.data(), hello.size())) return 1;
  char buf[512];
  for (;;) {
    ssize_t r = read(in, buf, sizeof buf);
    if (r <= 0) return r == 0 ? 0 : 1;
    if (!write_all(out, buf, static_cast<size_t>(r))) return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: inetd_server NAME [--listen]\n");
    return 2;
  }
  if (argc > 2 && std::strcmp(argv[2], "--listen") == 0) {
    std::signal(SIGPIPE, SIG_IGN);  // a peer that closes first ends its connection, not the server
    for (;;) {
      int c = accept(3, nullptr, nullptr);
      if (c < 0) {
        std::perror("inetd_server: accept on fd 3");
        return 1;
      }
      serve(c, c, argv[1]);
      close(c);
    }
  }
  return serve(0, 1, argv[1]);
}
