// SPDX-License-Identifier: BSD-3-Clause
// pcap_wire show: one line per frame of a pcap file, for scenarios to grep. Examples:
//   1 ip4 192.0.2.2 > 192.0.2.1 len 48 udp 40000 > 5000 len 28 'interop-1'
//   2 ip4 192.0.2.1 > 192.0.2.2 len 120 esp spi 0x00001000 seq 1 len 100
//   3 ip4 192.0.2.1 > 192.0.2.2 len 148 udp 4500 > 4500 len 128 esp spi 0x0000a001 seq 1 len 120
//   4 ip6 2001:db8::1 > 2001:db8::2 len 104 ah spi 0x00002000 seq 1 next 58 | icmp6 echo-request id 7 seq 1 len 64
//   5 ip4 192.0.2.1 > 192.0.2.2 len 80 ipip | ip4 10.1.0.1 > 10.2.0.1 len 60 icmp echo-reply id 7 seq 1 len 40
// A UDP payload is quoted up to its first byte that is not printable or is the '.' padding of
// `craft ... SIZE`; "len" is always the full length. A wrong UDP/ICMP/IPv4 header checksum adds
// " BAD-CHECKSUM", a short header " TRUNCATED". Link types: Ethernet, raw IP (DLT_RAW, IPV4, IPV6).
#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "frame.hpp"

namespace pcap_wire {

namespace {

std::string hex32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

std::string text_of(const uint8_t* p, size_t len) {
    std::string s;
    for (size_t i = 0; i < len && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '.' && p[i] != '\''; ++i) s += static_cast<char>(p[i]);
    return "'" + s + "'";
}

std::string describe_ip(const uint8_t* p, size_t len);

// The upper layer `proto` of an IP packet with addresses src/dst (for the pseudo-header checksums).
std::string describe_upper(uint8_t proto, const uint8_t* p, size_t len, const uint8_t* src, const uint8_t* dst, size_t alen) {
    std::string s;
    switch (proto) {
        case 50:
            if (len < 8) return "esp TRUNCATED";
            return "esp spi " + hex32(get32(p)) + " seq " + std::to_string(get32(p + 4)) + " len " + std::to_string(len);
        case 51: {
            if (len < 12) return "ah TRUNCATED";
            size_t ah_len = (size_t{p[1]} + 2) * 4;
            s = "ah spi " + hex32(get32(p + 4)) + " seq " + std::to_string(get32(p + 8)) + " next " + std::to_string(p[0]);
            if (ah_len > len) return s + " TRUNCATED";
            // AH leaves the payload in clear: show it too
            return s + " | " + describe_upper(p[0], p + ah_len, len - ah_len, src, dst, alen);
        }
        case 108:
            if (len < 4) return "ipcomp TRUNCATED";
            return "ipcomp cpi " + hex32(get16(p + 2)) + " next " + std::to_string(p[0]) + " len " + std::to_string(len);
        case 4:
        case 41:
            return "ipip | " + describe_ip(p, len);
        case 17: {
            if (len < 8) return "udp TRUNCATED";
            uint16_t sport = get16(p), dport = get16(p + 2), ulen = get16(p + 4);
            s = "udp " + std::to_string(sport) + " > " + std::to_string(dport) + " len " + std::to_string(ulen);
            if (ulen > len || ulen < 8) return s + " TRUNCATED";
            if (get16(p + 6) != 0 && fold(sum_bytes(p, ulen, pseudo_sum(src, dst, alen, 17, ulen))) != 0) s += " BAD-CHECKSUM";
            else if (get16(p + 6) == 0 && alen == 16) s += " BAD-CHECKSUM";  // mandatory over IPv6
            // RFC 3948: on the NAT-T port a datagram is ESP unless it starts with a zero non-ESP
            // marker (IKE) or is the one-byte keepalive
            if ((sport == 4500 || dport == 4500) && ulen >= 16 && get32(p + 8) != 0)
                return s + " " + describe_upper(50, p + 8, ulen - 8u, src, dst, alen);
            if ((sport == 4500 || dport == 4500) && ulen == 9 && p[8] == 0xff) return s + " nat-keepalive";
            return s + " " + text_of(p + 8, ulen - 8u);
        }
        case 1:
        case 58: {
            if (len < 8) return "icmp TRUNCATED";
            bool v6 = proto == 58;
            s = v6 ? "icmp6 " : "icmp ";
            uint8_t type = p[0];
            if (type == (v6 ? 128 : 8)) s += "echo-request";
            else if (type == (v6 ? 129 : 0)) s += "echo-reply";
            else s += "type " + std::to_string(type) + " code " + std::to_string(p[1]);
            if (type == 8 || type == 0 || type == 128 || type == 129)
                s += " id " + std::to_string(get16(p + 4)) + " seq " + std::to_string(get16(p + 6));
            s += " len " + std::to_string(len);
            if (fold(sum_bytes(p, len, v6 ? pseudo_sum(src, dst, 16, 58, len) : 0)) != 0) s += " BAD-CHECKSUM";
            return s;
        }
        default:
            return "proto " + std::to_string(proto) + " len " + std::to_string(len);
    }
}

std::string addr(int family, const uint8_t* a) {
    char b[INET6_ADDRSTRLEN];
    inet_ntop(family, a, b, sizeof b);
    return b;
}

std::string describe_ip(const uint8_t* p, size_t len) {
    if (len >= 20 && p[0] >> 4 == 4) {
        size_t hl = size_t{p[0] & 15u} * 4, total = get16(p + 2);
        std::string s = "ip4 " + addr(AF_INET, p + 12) + " > " + addr(AF_INET, p + 16) + " len " + std::to_string(total);
        if (hl < 20 || total < hl || total > len) return s + " TRUNCATED";
        if (fold(sum_bytes(p, hl)) != 0) s += " BAD-CHECKSUM";
        return s + " " + describe_upper(p[9], p + hl, total - hl, p + 12, p + 16, 4);
    }
    if (len >= 40 && p[0] >> 4 == 6) {
        size_t plen = get16(p + 4);
        std::string s = "ip6 " + addr(AF_INET6, p + 8) + " > " + addr(AF_INET6, p + 24) + " len " + std::to_string(40 + plen);
        if (40 + plen > len) return s + " TRUNCATED";
        return s + " " + describe_upper(p[6], p + 40, plen, p + 8, p + 24, 16);
    }
    return "not-ip len " + std::to_string(len);
}

}  // namespace

int show_main(int argc, char** argv) {
    if (argc != 1) {
        std::fprintf(stderr, "usage: pcap_wire show IN.pcap\n");
        return 1;
    }
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* in = pcap_open_offline(argv[0], err);
    if (!in) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], err);
        return 1;
    }
    const int link = pcap_datalink(in);
    if (link != DLT_EN10MB && link != DLT_RAW && link != DLT_IPV4 && link != DLT_IPV6) {
        std::fprintf(stderr, "pcap_wire: %s: link type %s is not Ethernet or raw IP\n", argv[0], pcap_datalink_val_to_name(link));
        return 1;
    }
    pcap_pkthdr* h = nullptr;
    const u_char* bytes = nullptr;
    long n = 0;
    int rc = 0;
    while ((rc = pcap_next_ex(in, &h, &bytes)) == 1) {
        const uint8_t* p = bytes;
        size_t len = h->caplen;
        std::string line = std::to_string(++n) + " ";
        if (link == DLT_EN10MB) {
            uint16_t type = len >= 14 ? get16(p + 12) : 0;
            if (type != 0x0800 && type != 0x86dd) {
                std::printf("%snot-ip ethertype 0x%04x\n", line.c_str(), type);
                continue;
            }
            p += 14;
            len -= 14;
        }
        std::printf("%s%s\n", line.c_str(), describe_ip(p, len).c_str());
    }
    if (rc == -1) {
        std::fprintf(stderr, "pcap_wire: %s: %s\n", argv[0], pcap_geterr(in));
        return 1;
    }
    pcap_close(in);
    return 0;
}

}  // namespace pcap_wire
