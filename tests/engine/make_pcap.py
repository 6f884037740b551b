#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Writes a small pcap of plain packets for the engine's packet-path tests, with the standard library
# only: per flow, UDP datagrams whose payload names the flow and the packet (so a decrypted packet can
# be recognised) and one ICMP/ICMPv6 echo request; with an Ethernet link, an ARP request as well.
#   make_pcap.py OUT.pcap {raw|eth|vlan} [-n COUNT] [--size BYTES] SRC,DST ...
import argparse
import ipaddress
import struct

LINKTYPE = {"raw": 101, "eth": 1, "vlan": 1}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_packet(src, dst, proto, payload):
    if src.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0x4000, 64, proto, 0,
                          src.packed, dst.packed)
        hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
        return hdr + payload
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, src.packed, dst.packed) + payload


def pseudo_header(src, dst, proto, length):
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!IxxxB", length, proto)


def udp(src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = checksum(pseudo_header(src, dst, 17, len(seg)) + seg) or 0xFFFF
    return ip_packet(src, dst, 17, seg[:6] + struct.pack("!H", c) + seg[8:])


def echo(src, dst, ident, payload):
    if src.version == 4:
        msg = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + payload
        return ip_packet(src, dst, 1, msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:])
    msg = struct.pack("!BBHHH", 128, 0, 0, ident, 1) + payload
    c = checksum(pseudo_header(src, dst, 58, len(msg)) + msg)
    return ip_packet(src, dst, 58, msg[:2] + struct.pack("!H", c) + msg[4:])


def frame(link, ip):
    if link == "raw":
        return ip
    ethertype = 0x0800 if ip[0] >> 4 == 4 else 0x86DD
    macs = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
    if link == "vlan":
        return macs + struct.pack("!HHH", 0x8100, 100, ethertype) + ip
    return macs + struct.pack("!H", ethertype) + ip


def arp():
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes.fromhex("020000000001"),
                       bytes([192, 0, 2, 1]), bytes(6), bytes([192, 0, 2, 2]))
    return bytes.fromhex("ffffffffffff020000000001") + struct.pack("!H", 0x0806) + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("link", choices=sorted(LINKTYPE))
    ap.add_argument("-n", type=int, default=3, help="UDP datagrams per flow")
    ap.add_argument("--size", type=int, default=0, help="pad each UDP payload to this many bytes")
    ap.add_argument("flows", nargs="+", help="SRC,DST")
    a = ap.parse_args()
    packets = []
    for fi, flow in enumerate(a.flows):
        src, dst = (ipaddress.ip_address(x) for x in flow.split(","))
        for i in range(a.n):
            text = f"xfrmpp-payload flow {fi} packet {i} ".encode()
            payload = text.ljust(a.size, b"*") if a.size > len(text) else text
            packets.append(udp(src, dst, 40000 + fi, 40000, payload))
        packets.append(echo(src, dst, 0x100 + fi, f"xfrmpp-echo flow {fi}".encode()))
    frames = [frame(a.link, p) for p in packets]
    if a.link != "raw":
        frames.insert(1, arp())
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE[a.link]))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 1000 * i + 7, len(fr), len(fr)))
            f.write(fr)


main()
