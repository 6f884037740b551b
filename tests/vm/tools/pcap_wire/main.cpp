// SPDX-License-Identifier: BSD-3-Clause
// pcap_wire: a test helper for the VM scenarios (built with the tests, never installed) that moves
// Ethernet frames between a veth and pcap files, so that packets made by the software engine can be
// put on the wire in front of the kernel, and packets the kernel sends can be handed to the engine.
//
//   pcap_wire capture IFACE COUNT TIMEOUT_MS OUT.pcap [FILTER]
//       frames arriving at IFACE (inbound only, so frames injected there are not caught again),
//       optionally matching a BPF FILTER, until COUNT were caught or TIMEOUT_MS passed. Prints
//       "pcap_wire: ready" once the capture is open, then "pcap_wire: captured N".
//   pcap_wire inject IFACE IN.pcap
//       sends every frame of IN.pcap out of IFACE as it is (the frames carry their own MACs).
//       Prints "pcap_wire: injected N".
//   pcap_wire show IN.pcap
//       one line per frame: what its IP, ESP/AH/IPComp, UDP and ICMP headers say (see show.cpp).
//   pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST udp SPORT DPORT COUNT TEXT [SIZE]
//   pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST icmp ID COUNT SIZE
//       COUNT plain Ethernet frames: UDP datagrams "TEXT-1" ... (padded with '.' to SIZE bytes of
//       payload if given), or ICMP/ICMPv6 echo requests ID/1..COUNT with SIZE bytes of payload.
// Exit status 0 on success, 1 on a bad argument or a libpcap/socket error (the reason on stderr); a
// capture that catches fewer than COUNT frames still exits 0 (the scenario checks the count).
#include <cstdio>
#include <cstring>

#include "commands.hpp"

int main(int argc, char** argv) {
    if (argc >= 2) {
        const char* cmd = argv[1];
        if (std::strcmp(cmd, "capture") == 0) return pcap_wire::capture_main(argc - 2, argv + 2);
        if (std::strcmp(cmd, "inject") == 0) return pcap_wire::inject_main(argc - 2, argv + 2);
        if (std::strcmp(cmd, "show") == 0) return pcap_wire::show_main(argc - 2, argv + 2);
        if (std::strcmp(cmd, "craft") == 0) return pcap_wire::craft_main(argc - 2, argv + 2);
    }
    std::fprintf(stderr,
                 "usage: pcap_wire capture IFACE COUNT TIMEOUT_MS OUT.pcap [FILTER]\n"
                 "       pcap_wire inject IFACE IN.pcap\n"
                 "       pcap_wire show IN.pcap\n"
                 "       pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST udp SPORT DPORT COUNT TEXT [SIZE]\n"
                 "       pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST icmp ID COUNT SIZE\n");
    return 1;
}
