// SPDX-License-Identifier: BSD-3-Clause
// pcap_wire inject: every frame of a pcap file out of an interface, unchanged.
#include <pcap/pcap.h>

#include <cstdio>

#include "commands.hpp"

namespace pcap_wire {

int inject_main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: pcap_wire inject IFACE IN.pcap\n");
        return 1;
    }
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* in = pcap_open_offline(argv[1], err);
    if (!in) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[1], err);
        return 1;
    }
    // A veth carries Ethernet; a raw-IP file would need a link header made up here, which is the
    // kind of guess this helper must not make.
    if (pcap_datalink(in) != DLT_EN10MB) {
        std::fprintf(stderr, "pcap_wire: %s: link type %s, only Ethernet (EN10MB) can be injected\n", argv[1],
                     pcap_datalink_val_to_name(pcap_datalink(in)));
        return 1;
    }
    pcap_t* out = pcap_open_live(argv[0], 65535, 0, 0, err);
    if (!out) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], err);
        return 1;
    }
    long sent = 0;
    pcap_pkthdr* h = nullptr;
    const u_char* bytes = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(in, &h, &bytes)) == 1) {
        if (h->caplen != h->len) {
            std::fprintf(stderr, "pcap_wire: %s: frame %ld truncated (%u of %u bytes)\n", argv[1], sent + 1, h->caplen, h->len);
            return 1;
        }
        if (pcap_inject(out, bytes, h->caplen) != static_cast<int>(h->caplen)) {
            std::fprintf(stderr, "pcap_wire: %s: inject frame %ld: %s\n", argv[0], sent + 1, pcap_geterr(out));
            return 1;
        }
        ++sent;
    }
    if (rc == -1) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[1], pcap_geterr(in));
        return 1;
    }
    pcap_close(in);
    pcap_close(out);
    std::printf("pcap_wire: injected %ld\n", sent);
    return 0;
}

}  // namespace pcap_wire
