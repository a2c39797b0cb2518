# SPDX-License-Identifier: GPL-2.0
# Path MTU discovery, RFC 1191 with the checks of RFC 5927:
#  - segments go out with DF set (IP_MTU_DISCOVER's default, "want"); with
#    IP_PMTUDISC_DONT they go out without it;
#  - an ICMP "fragmentation needed" whose quoted segment has a sequence
#    number outside SND.UNA..SND.NXT (RFC 5927 §4.1) is ignored and counted
#    (OutOfWindowIcmps): no MSS change, nothing sent;
#  - one that quotes a segment in flight, next-hop MTU 1280, lowers the
#    route's MTU (TCP_INFO tcpi_pmtu 1280) and the send MSS to 1240
#    (tcpi_snd_mss), and what was sent in 1460-octet segments is sent again
#    at once, before any retransmission timeout, in segments of at most
#    1240 octets (RFC 1191 §6.4); new data goes out at the new MSS.

import socket
import struct
import time

from pktlib import LOCAL, M32, csum16

ROUTER = "10.99.0.254"          # a router on the path, beyond the tun peer
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0


def frag_needed(quoted, mtu):
    """ICMP type 3 code 4 from ROUTER, next-hop MTU mtu, quoting the IP
    header and the first 8 octets of quoted (RFC 792)."""
    icmp = struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + quoted[:28]
    icmp = icmp[:2] + struct.pack("!H", csum16(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1,
                     0, socket.inet_aton(ROUTER), socket.inet_aton(LOCAL))
    ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
    return ip + icmp


def with_seq(raw, seq):
    b = bytearray(raw)
    b[24:28] = struct.pack("!I", seq & M32)
    return bytes(b)


def mss_pmtu(t, s):
    info = t.tcp_info(s)
    return (struct.unpack_from("I", info, 16)[0],
            struct.unpack_from("I", info, 60)[0])


def df(seg):
    return bool(struct.unpack("!H", seg.raw[6:8])[0] & 0x4000)


def run(t):
    # IP_PMTUDISC_DONT: no DF on the SYN or the data
    t.flow()
    s = t.socket()
    t.setsockopt(s, socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    t.connect(s)
    syn = t.expect("S")
    t.check(not df(syn), "IP_PMTUDISC_DONT: SYN without DF")
    t.inject("SA", t.peer_isn, t.rel(1), opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
    t.wait_connected(s)
    t.send(s, b"d" * 100)
    seg = t.expect("A", seq=t.rel(1), data=b"d" * 100)
    t.check(not df(seg), "IP_PMTUDISC_DONT: data without DF")
    t.inject("A", t.peer_isn + 1, t.rel(101))
    t.inject("R", t.peer_isn + 1)
    t.expect_state(s, "CLOSED")
    t.drain(quiet=0.1)

    # The default: DF, PMTU discovery.  A SYN,ACK 0.5 s late makes the
    # RTO about 1.5 s, so that retransmission timeouts rarely mix in (on
    # a slow kernel they may: a resend of the whole first segment is
    # then allowed, see below).
    t.flow()
    s = t.socket()
    t.connect(s)
    t.expect("S")
    time.sleep(0.5)
    t.inject("SA", t.peer_isn, t.rel(1), opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1, skip=True)
    t.wait_connected(s)
    t.setsockopt(s, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t.check_eq(mss_pmtu(t, s), (1460, 1500), "(tcpi_snd_mss, tcpi_pmtu)")
    t.send(s, b"a" * 1460 + b"b" * 1460)
    s1 = t.expect("A", seq=t.rel(1), data=b"a" * 1460)
    s2 = t.expect("A", seq=t.rel(1461), data=b"b" * 1460)
    t.check(df(s1) and df(s2), "data segments carry DF")

    # RFC 5927 §4.1: quoted sequence numbers outside SND.UNA..SND.NXT
    n0 = t.counter("OutOfWindowIcmps")
    for seq, what in ((t.rel(2921 + 1), "SND.NXT+1"), (t.rel(0), "SND.UNA-1"),
                      (t.rel(1 + 100000), "SND.NXT+100000")):
        t.inject_raw(frag_needed(with_seq(s1.raw, seq), 1280),
                     note="ICMP frag needed, MTU 1280, quoting %s" % what)
    # nothing in answer: no resend at a smaller MSS (an RTO's resend of
    # the first 1460 octets is no answer to the ICMPs)
    for seg in t.collect(0.5):
        t.check(seg.seq == t.rel(1) and len(seg.data) == 1460,
                "a forged ICMP answered: %d octets at L+%d" %
                (len(seg.data), (seg.seq - t.isn) & M32))
    t.check_eq(t.counter("OutOfWindowIcmps") - n0, 3, "OutOfWindowIcmps")
    t.check_eq(mss_pmtu(t, s), (1460, 1500),
               "(tcpi_snd_mss, tcpi_pmtu) after forged ICMPs")

    # The real one, quoting the first segment: both sent again, cut
    t.inject_raw(frag_needed(s1.raw, 1280),
                 note="ICMP frag needed, MTU 1280, quoting SND.UNA")
    # (Linux cuts its one 2920-octet GSO skb into 1240, 1240, 440; atcp
    # its two 1460-octet segments into 1240, 220, 1240, 220: both resend
    # everything at once, in order, in segments that fit.)
    sent = b"a" * 1460 + b"b" * 1460
    got = 0
    while got < len(sent):
        seg = t.expect("A", data="*", timeout=1)
        if got == 0 and seg.seq == t.rel(1) and len(seg.data) == 1460:
            continue            # an RTO's resend that crossed the ICMP
        t.check(0 < len(seg.data) <= 1240, "a %d-octet resend, MSS 1240" %
                len(seg.data))
        t.check_eq((seg.seq - t.rel(1)) & M32, got, "offset of the resend")
        t.check_eq(seg.data, sent[got:got + len(seg.data)], "resent data")
        t.check(df(seg), "the resent segment carries DF")
        got += len(seg.data)
    t.check_eq(mss_pmtu(t, s), (1240, 1280),
               "(tcpi_snd_mss, tcpi_pmtu) after the ICMP")
    t.inject("A", t.peer_isn + 1, t.rel(2921))

    # New data: segments of 1240
    t.send(s, b"c" * 3000)
    t.expect("A", seq=t.rel(2921), data=b"c" * 1240)
    t.expect("A", seq=t.rel(4161), data=b"c" * 1240)
    t.expect("A", seq=t.rel(5401), data=b"c" * 520)
    t.inject("A", t.peer_isn + 1, t.rel(5921))
    t.expect_nothing(0.3)
