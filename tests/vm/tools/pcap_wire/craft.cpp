// SPDX-License-Identifier: BSD-3-Clause
// pcap_wire craft: plain Ethernet frames (UDP datagrams or echo requests, IPv4 or IPv6) for the
// engine to protect. The MACs are the veths' own, so the protected frames can be injected as they are.
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <sys/time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands.hpp"
#include "frame.hpp"

namespace pcap_wire {

namespace {

bool parse_mac(const char* text, uint8_t* mac) {
    unsigned v[6];
    if (std::sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return false;
    for (int i = 0; i < 6; ++i) {
        if (v[i] > 255) return false;
        mac[i] = static_cast<uint8_t>(v[i]);
    }
    return true;
}

struct Endpoints {
    int family = AF_INET;
    uint8_t src[16] = {}, dst[16] = {};
    size_t addr_len() const { return family == AF_INET ? 4 : 16; }
};

// Ethernet + IP header in front of an upper-layer message with its checksum already filled in.
std::vector<uint8_t> frame(const uint8_t* smac, const uint8_t* dmac, const Endpoints& ep, uint8_t proto,
                           const std::vector<uint8_t>& upper, uint16_t ip_id) {
    // sized once and filled with memcpy: vector::insert into a fresh vector trips GCC 12's -Warray-bounds
    const size_t ip_len = ep.family == AF_INET ? 20 : 40;
    std::vector<uint8_t> f(14 + ip_len + upper.size());
    std::memcpy(f.data(), dmac, 6);
    std::memcpy(f.data() + 6, smac, 6);
    put16(f.data() + 12, ep.family == AF_INET ? 0x0800 : 0x86dd);
    if (ep.family == AF_INET) {
        uint8_t ip[20] = {0x45, 0};
        put16(ip + 2, static_cast<uint16_t>(20 + upper.size()));
        put16(ip + 4, ip_id);
        put16(ip + 6, 0x4000);  // DF, as the kernel's own datagrams and pings carry it
        ip[8] = 64;
        ip[9] = proto;
        std::memcpy(ip + 12, ep.src, 4);
        std::memcpy(ip + 16, ep.dst, 4);
        put16(ip + 10, fold(sum_bytes(ip, 20)));
        std::memcpy(f.data() + 14, ip, 20);
    } else {
        uint8_t ip[40] = {0x60, 0};
        put16(ip + 4, static_cast<uint16_t>(upper.size()));
        ip[6] = proto;
        ip[7] = 64;
        std::memcpy(ip + 8, ep.src, 16);
        std::memcpy(ip + 24, ep.dst, 16);
        std::memcpy(f.data() + 14, ip, 40);
    }
    if (!upper.empty()) std::memcpy(f.data() + 14 + ip_len, upper.data(), upper.size());
    return f;
}

std::vector<uint8_t> udp(const Endpoints& ep, uint16_t sport, uint16_t dport, const std::string& payload) {
    std::vector<uint8_t> u(8 + payload.size());
    put16(u.data(), sport);
    put16(u.data() + 2, dport);
    put16(u.data() + 4, static_cast<uint16_t>(8 + payload.size()));
    if (!payload.empty()) std::memcpy(u.data() + 8, payload.data(), payload.size());
    uint16_t c = fold(sum_bytes(u.data(), u.size(), pseudo_sum(ep.src, ep.dst, ep.addr_len(), 17, u.size())));
    put16(u.data() + 6, c == 0 ? 0xffff : c);
    return u;
}

std::vector<uint8_t> echo_request(const Endpoints& ep, uint16_t id, uint16_t seq, size_t size) {
    std::vector<uint8_t> m(8 + size);
    m[0] = ep.family == AF_INET ? 8 : 128;
    put16(m.data() + 4, id);
    put16(m.data() + 6, seq);
    for (size_t i = 0; i < size; ++i) m[8 + i] = static_cast<uint8_t>(i);
    // ICMPv6 covers the pseudo-header, ICMPv4 does not
    uint32_t sum = ep.family == AF_INET ? 0 : pseudo_sum(ep.src, ep.dst, 16, 58, m.size());
    put16(m.data() + 2, fold(sum_bytes(m.data(), m.size(), sum)));
    return m;
}

long number(const char* text, long max) {
    char* end = nullptr;
    long v = std::strtol(text, &end, 10);
    return end == text || *end != '\0' || v < 0 || v > max ? -1 : v;
}

}  // namespace

int craft_main(int argc, char** argv) {
    uint8_t smac[6], dmac[6];
    Endpoints ep;
    if (argc < 6 || !parse_mac(argv[1], smac) || !parse_mac(argv[2], dmac)) {
        std::fprintf(stderr, "usage: pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST udp|icmp ...\n");
        return 1;
    }
    ep.family = std::strchr(argv[3], ':') ? AF_INET6 : AF_INET;
    if (inet_pton(ep.family, argv[3], ep.src) != 1 || inet_pton(ep.family, argv[4], ep.dst) != 1) {
        std::fprintf(stderr, "pcap_wire: craft: '%s' and '%s' must be IPv4 or IPv6 addresses of one family\n", argv[3], argv[4]);
        return 1;
    }
    std::vector<std::vector<uint8_t>> frames;
    const std::string kind = argv[5];
    if (kind == "udp" && (argc == 10 || argc == 11)) {
        long sport = number(argv[6], 65535), dport = number(argv[7], 65535), count = number(argv[8], 100000);
        long size = argc == 11 ? number(argv[10], 65000) : 0;
        if (sport < 0 || dport < 0 || count < 0 || size < 0) {
            std::fprintf(stderr, "pcap_wire: craft udp: SPORT DPORT COUNT [SIZE] must be numbers\n");
            return 1;
        }
        for (long i = 1; i <= count; ++i) {
            std::string payload = std::string(argv[9]) + "-" + std::to_string(i);
            if (payload.size() < static_cast<size_t>(size)) payload.resize(static_cast<size_t>(size), '.');
            frames.push_back(frame(smac, dmac, ep, 17, udp(ep, static_cast<uint16_t>(sport), static_cast<uint16_t>(dport), payload),
                                   static_cast<uint16_t>(0x1000 + i)));
        }
    } else if (kind == "icmp" && argc == 9) {
        long id = number(argv[6], 65535), count = number(argv[7], 65535), size = number(argv[8], 65000);
        if (id < 0 || count < 0 || size < 0) {
            std::fprintf(stderr, "pcap_wire: craft icmp: ID COUNT SIZE must be numbers\n");
            return 1;
        }
        for (long i = 1; i <= count; ++i)
            frames.push_back(frame(smac, dmac, ep, ep.family == AF_INET ? 1 : 58,
                                   echo_request(ep, static_cast<uint16_t>(id), static_cast<uint16_t>(i), static_cast<size_t>(size)),
                                   static_cast<uint16_t>(0x2000 + i)));
    } else {
        std::fprintf(stderr, "usage: pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST udp SPORT DPORT COUNT TEXT [SIZE]\n"
                             "       pcap_wire craft OUT.pcap SRC_MAC DST_MAC SRC DST icmp ID COUNT SIZE\n");
        return 1;
    }
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t* d = pcap_dump_open(dead, argv[0]);
    if (!d) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], pcap_geterr(dead));
        return 1;
    }
    timeval now{};
    gettimeofday(&now, nullptr);
    for (const auto& f : frames) {
        pcap_pkthdr h{};
        h.ts = now;
        h.caplen = h.len = static_cast<bpf_u_int32>(f.size());
        pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data());
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return 0;
}

}  // namespace pcap_wire
