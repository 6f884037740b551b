// SPDX-License-Identifier: BSD-3-Clause
// pcap_wire capture: frames arriving at an interface into a pcap file.
#include <pcap/pcap.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.hpp"

namespace pcap_wire {

namespace {

struct Sink {
    pcap_dumper_t* dumper = nullptr;
    long caught = 0;
};

void on_frame(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto* sink = reinterpret_cast<Sink*>(user);
    pcap_dump(reinterpret_cast<u_char*>(sink->dumper), h, bytes);
    ++sink->caught;
}

}  // namespace

int capture_main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: pcap_wire capture IFACE COUNT TIMEOUT_MS OUT.pcap [FILTER]\n");
        return 1;
    }
    const long want = std::strtol(argv[1], nullptr, 10);
    const long timeout_ms = std::strtol(argv[2], nullptr, 10);
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_create(argv[0], err);
    if (!p) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], err);
        return 1;
    }
    // Immediate mode: frames are handed over as they come, not when a kernel buffer fills, so the
    // loop below sees the count reached without waiting for the timeout.
    pcap_set_immediate_mode(p, 1);
    pcap_set_snaplen(p, 65535);
    pcap_set_timeout(p, 50);
    if (pcap_activate(p) < 0) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], pcap_geterr(p));
        return 1;
    }
    // Only what the peer sent: a frame injected on this interface would otherwise be caught too.
    if (pcap_setdirection(p, PCAP_D_IN) != 0) {
        std::fprintf(stderr, "pcap_wire: %s: setdirection: %s\n", argv[0], pcap_geterr(p));
        return 1;
    }
    if (argc == 5) {
        bpf_program prog{};
        if (pcap_compile(p, &prog, argv[4], 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(p, &prog) != 0) {
            std::fprintf(stderr, "pcap_wire: filter '%s': %s\n", argv[4], pcap_geterr(p));
            return 1;
        }
        pcap_freecode(&prog);
    }
    Sink sink;
    sink.dumper = pcap_dump_open(p, argv[3]);
    if (!sink.dumper) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[3], pcap_geterr(p));
        return 1;
    }
    // Non-blocking reads and our own poll: a blocking pcap_dispatch in immediate mode waits for the
    // first frame however long it takes, and TIMEOUT_MS must hold when nothing comes at all.
    const int fd = pcap_get_selectable_fd(p);
    if (fd < 0 || pcap_setnonblock(p, 1, err) != 0) {
        std::fprintf(stderr, "pcap_wire: %s: no pollable descriptor: %s\n", argv[0], err);
        return 1;
    }
    std::printf("pcap_wire: ready\n");
    std::fflush(stdout);
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (sink.caught < want) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left < 100 ? left : 100)) < 0) continue;
        if (pcap_dispatch(p, static_cast<int>(want - sink.caught), on_frame, reinterpret_cast<u_char*>(&sink)) < 0) {
            std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], pcap_geterr(p));
            return 1;
        }
        pcap_dump_flush(sink.dumper);
    }
    pcap_dump_close(sink.dumper);
    pcap_close(p);
    std::printf("pcap_wire: captured %ld\n", sink.caught);
    return 0;
}

}  // namespace pcap_wire
