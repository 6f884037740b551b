// SPDX-License-Identifier: BSD-3-Clause
// udp_encap_socket [--no-encap] PORT...: a test helper for the VM scenarios (built with the tests,
// never installed).
//
// For each PORT it binds an IPv4 UDP socket to 0.0.0.0:PORT and sets
// setsockopt(IPPROTO_UDP (SOL_UDP), UDP_ENCAP, UDP_ENCAP_ESPINUDP), as an IKE daemon does for NAT
// traversal: the kernel then hands the ESP-in-UDP packets (RFC 3948) that arrive at PORT to XFRM
// for decryption instead of queueing them on the socket. Without such a socket ESP-in-UDP is just
// UDP to a closed port. --no-encap (a negative control) only binds: ESP-in-UDP then stays an
// ordinary datagram that this program reads, and nothing is decrypted.
//
// Output (stdout, flushed line by line):
//   udp_encap_socket: UDP port PORT: UDP_ENCAP_ESPINUDP | plain socket (--no-encap)   per port
//   udp_encap_socket: ready                                     all sockets are open
//   udp_encap_socket: port PORT: datagram from ADDR:SPORT, N bytes, starts XXXXXXXX YYYYYYYY
// The last line is printed for every datagram a socket receives, with its first 8 bytes in hex (for
// ESP in UDP: the SPI and the sequence number; shorter datagrams show fewer digits). It runs until
// SIGTERM, SIGINT or SIGHUP, then exits 0.
// Exit status 1: a bad argument, or socket/bind/setsockopt/poll failed (the reason on stderr).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int usage() {
    std::fprintf(stderr, "usage: udp_encap_socket [--no-encap] PORT...\n");
    return 1;
}

bool parse_port(const char* text, unsigned short& port) {
    char* end = nullptr;
    errno = 0;
    const unsigned long value = std::strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value == 0 || value > 65535) return false;
    port = static_cast<unsigned short>(value);
    return true;
}

// Returns the socket, or -1 after printing why.
int open_socket(unsigned short port, bool encap) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        std::fprintf(stderr, "udp_encap_socket: socket: %s\n", std::strerror(errno));
        return -1;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        std::fprintf(stderr, "udp_encap_socket: bind 0.0.0.0:%u: %s\n", port, std::strerror(errno));
        ::close(fd);
        return -1;
    }
    const int type = UDP_ENCAP_ESPINUDP;
    if (encap && ::setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof type) != 0) {
        std::fprintf(stderr, "udp_encap_socket: setsockopt UDP_ENCAP on port %u: %s\n", port,
                     std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads one datagram from fd and prints its report line.
void report_datagram(int fd, unsigned short port) {
    unsigned char buf[65536];
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return;  // EAGAIN: nothing after all
    char addr[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &from.sin_addr, addr, sizeof addr);
    std::string head;
    for (ssize_t i = 0; i < n && i < 8; ++i) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", buf[i]);
        if (i == 4) head += ' ';
        head += hex;
    }
    std::printf("udp_encap_socket: port %u: datagram from %s:%u, %zd bytes, starts %s\n", port, addr,
                ntohs(from.sin_port), n, head.c_str());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    const bool encap = !(argc > 1 && std::strcmp(argv[1], "--no-encap") == 0);
    const int first = encap ? 1 : 2;
    if (argc <= first) return usage();
    std::vector<unsigned short> ports;
    for (int i = first; i < argc; ++i) {
        unsigned short port = 0;
        if (!parse_port(argv[i], port)) {
            std::fprintf(stderr, "udp_encap_socket: not a port number (1-65535): %s\n", argv[i]);
            return usage();
        }
        ports.push_back(port);
    }

    // The ending signals are blocked and read from a signalfd, so one sent right after "ready" ends
    // the program with status 0. A shell starts background jobs with SIGINT ignored, and Linux
    // discards an ignored signal even while it is blocked: restore the default actions first.
    sigset_t stop;
    sigemptyset(&stop);
    for (const int s : {SIGTERM, SIGINT, SIGHUP}) {
        std::signal(s, SIG_DFL);
        sigaddset(&stop, s);
    }
    if (sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) {
        std::fprintf(stderr, "udp_encap_socket: sigprocmask: %s\n", std::strerror(errno));
        return 1;
    }
    const int sigfd = ::signalfd(-1, &stop, SFD_CLOEXEC);
    if (sigfd < 0) {
        std::fprintf(stderr, "udp_encap_socket: signalfd: %s\n", std::strerror(errno));
        return 1;
    }

    std::vector<pollfd> fds{{sigfd, POLLIN, 0}};
    for (const unsigned short port : ports) {
        const int fd = open_socket(port, encap);
        if (fd < 0) return 1;
        fds.push_back({fd, POLLIN, 0});
        std::printf("udp_encap_socket: UDP port %u: %s\n", port,
                    encap ? "UDP_ENCAP_ESPINUDP" : "plain socket (--no-encap)");
    }
    std::printf("udp_encap_socket: ready\n");
    std::fflush(stdout);

    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            std::fprintf(stderr, "udp_encap_socket: poll: %s\n", std::strerror(errno));
            return 1;
        }
        if (fds[0].revents != 0) break;  // a stop signal is pending
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents & POLLIN) report_datagram(fds[i].fd, ports[i - 1]);
        }
    }
    for (std::size_t i = 1; i < fds.size(); ++i) ::close(fds[i].fd);
    return 0;
}
