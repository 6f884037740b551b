// SPDX-License-Identifier: BSD-3-Clause
// udp_probe: a test helper for the VM scenarios (built with the tests, never installed): UDP
// datagrams with known payloads, sent by the kernel's own stack (so its policies and SAs apply) or
// received by a socket (so a scenario sees that a packet got all the way through).
//
//   udp_probe send [-s SPORT] [-b SRC] DST PORT COUNT TEXT [SIZE]
//       COUNT datagrams "TEXT-1" ... "TEXT-COUNT", each padded with '.' to SIZE bytes if given (the
//       payloads of `pcap_wire craft ... udp`), 50 ms apart, from SRC (default: the route's) port
//       SPORT (default 40000) to DST:PORT. Prints "udp_probe: sent N".
//   udp_probe recv PORT COUNT TIMEOUT_MS
//       binds [::]:PORT (IPv4 and IPv6), prints "udp_probe: ready", then for every datagram
//       "udp_probe: from ADDR:PORT len N 'TEXT'" (the payload up to its '.' padding or first
//       unprintable byte), until COUNT arrived or TIMEOUT_MS passed; then "udp_probe: received N".
// Exit status 0, or 1 on a bad argument or a socket error (the reason on stderr).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: udp_probe send [-s SPORT] [-b SRC] DST PORT COUNT TEXT [SIZE]\n"
                 "       udp_probe recv PORT COUNT TIMEOUT_MS\n");
    return 1;
}

long number(const char* text, long max) {
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    return end == text || *end != '\0' || v < 0 || v > max ? -1 : v;
}

// An address and port as a sockaddr of the address's family; false if ADDR is not numeric.
bool make_addr(const char* text, long port, sockaddr_storage& ss, socklen_t& len) {
    ss = {};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        len = sizeof *v6;
        return true;
    }
    return false;
}

int send_main(int argc, char** argv) {
    long sport = 40000;
    const char* src = nullptr;
    int i = 0;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (std::strcmp(argv[i], "-s") == 0) sport = number(argv[i + 1], 65535);
        else if (std::strcmp(argv[i], "-b") == 0) src = argv[i + 1];
        else return usage();
    }
    argc -= i;
    argv += i;
    if ((argc != 4 && argc != 5) || sport < 0) return usage();
    long port = number(argv[1], 65535), count = number(argv[2], 100000), size = argc == 5 ? number(argv[4], 65000) : 0;
    sockaddr_storage dst{}, local{};
    socklen_t dst_len = 0, local_len = 0;
    if (port < 0 || count < 0 || size < 0 || !make_addr(argv[0], port, dst, dst_len)) return usage();
    if (!make_addr(src ? src : (dst.ss_family == AF_INET ? "0.0.0.0" : "::"), sport, local, local_len) || local.ss_family != dst.ss_family)
        return usage();
    int fd = ::socket(dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), local_len) != 0) {
        std::fprintf(stderr, "udp_probe: socket/bind: %s\n", std::strerror(errno));
        return 1;
    }
    for (long n = 1; n <= count; ++n) {
        std::string payload = std::string(argv[3]) + "-" + std::to_string(n);
        if (payload.size() < static_cast<size_t>(size)) payload.resize(static_cast<size_t>(size), '.');
        if (::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&dst), dst_len) < 0) {
            std::fprintf(stderr, "udp_probe: sendto: %s\n", std::strerror(errno));
            return 1;
        }
        // spaced out so that none waits behind neighbour resolution or another in a queue
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::close(fd);
    std::printf("udp_probe: sent %ld\n", count);
    return 0;
}

int recv_main(int argc, char** argv) {
    if (argc != 3) return usage();
    long port = number(argv[0], 65535), count = number(argv[1], 100000), timeout_ms = number(argv[2], 3600000);
    if (port < 0 || count < 0 || timeout_ms < 0) return usage();
    int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int off = 0;
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    any.sin6_port = htons(static_cast<uint16_t>(port));
    if (fd < 0 || ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0) {
        std::fprintf(stderr, "udp_probe: socket/bind [::]:%ld: %s\n", port, std::strerror(errno));
        return 1;
    }
    std::printf("udp_probe: ready\n");
    std::fflush(stdout);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    long got = 0;
    while (got < count) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[65536];
        sockaddr_in6 from{};
        socklen_t flen = sizeof from;
        ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n < 0) continue;
        char a[INET6_ADDRSTRLEN];
        // dual-stack socket: an IPv4 peer shows as ::ffff:a.b.c.d; print it as IPv4
        if (IN6_IS_ADDR_V4MAPPED(&from.sin6_addr)) inet_ntop(AF_INET, &from.sin6_addr.s6_addr[12], a, sizeof a);
        else inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof a);
        std::string text;
        for (ssize_t k = 0; k < n && buf[k] >= 0x20 && buf[k] < 0x7f && buf[k] != '.' && buf[k] != '\''; ++k) text += buf[k];
        std::printf("udp_probe: from %s:%u len %zd '%s'\n", a, ntohs(from.sin6_port), n, text.c_str());
        std::fflush(stdout);
        ++got;
    }
    std::printf("udp_probe: received %ld\n", got);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "send") == 0) return send_main(argc - 2, argv + 2);
    if (argc >= 2 && std::strcmp(argv[1], "recv") == 0) return recv_main(argc - 2, argv + 2);
    return usage();
}
