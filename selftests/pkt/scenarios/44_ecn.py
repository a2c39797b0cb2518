# SPDX-License-Identifier: GPL-2.0
# Explicit Congestion Notification, RFC 3168 §6.1, with the sysctl Linux
# calls tcp_ecn (atcp: net.atcp.ecn): 0 off, 1 request and accept, 2
# accept only.
# - §6.1.1: an ECN-setup SYN (ECE and CWR) gets an ECN-setup SYN,ACK (ECE
#   only) when the sysctl is 1 or 2, a plain SYN,ACK when it is 0; with 1,
#   connect() sends an ECN-setup SYN, with 2 a plain one.
# - §6.1.2 / §6.1.5: once negotiated, new data leaves ECT(0); pure ACKs do
#   not.  An ACK with ECE reduces the window (the congestion state becomes
#   CWR) and the next new data carries CWR.
# - §6.1.3: a data segment marked CE is answered with ECE on every ACK,
#   until a segment with CWR arrives.
# Under load a retransmission of our data may come first: skipped (it is
# neither ECT nor CWR, §6.1.5).

import struct

ECN_MASK, ECT0, CE = 3, 2, 3


def ecn_sysctl(t):
    return "net.ipv4.tcp_ecn" if t.is_tcp else "net.atcp.ecn"


def ip_ecn(seg):
    return seg.raw[1] & ECN_MASK


def ca_state(t, s):
    """tcpi_ca_state (the second byte of struct tcp_info)."""
    info = s.getsockopt(6, 11, 104)         # SOL_TCP, TCP_INFO
    return struct.unpack("B", info[1:2])[0]


def passive_open(t, ls, syn_flags, synack_flags):
    t.flow()
    t.inject(syn_flags, t.peer_isn, wnd=65535, opts=[("mss", 1460)])
    t.expect(synack_flags, ack=t.peer_isn + 1)
    t.inject("A", t.peer_isn + 1, t.rel(1))
    return t.accept(ls)


def run(t):
    t.sysctl(ecn_sysctl(t), 2)
    ls = t.listener(5000)

    # §6.1.1: accept only (2) answers an ECN-setup SYN with ECE
    c = passive_open(t, ls, "SEC", "SAE")
    p = t.peer_isn + 1

    c.setsockopt(6, 1, 1)                   # TCP_NODELAY: no Nagle below
    # our data is ECT(0)
    t.send(c, b"x" * 100)
    d = t.expect("PA", seq=t.rel(1), data=b"x" * 100)
    t.check_eq(ip_ecn(d), ECT0, "IP ECN field of new data")

    # §6.1.3: CE on the peer's data: ECE on the ACK, and on the next ACKs
    t.inject("PA", p, t.rel(101), data=b"a" * 10, tos=CE)
    a = t.expect("AE", seq=t.rel(101), ack=p + 10, skip=True)
    t.check_eq(ip_ecn(a), 0, "IP ECN field of a pure ACK")
    t.inject("PA", p + 10, t.rel(101), data=b"b" * 10, tos=ECT0)
    t.expect("AE", seq=t.rel(101), ack=p + 20, skip=True)
    # until CWR arrives
    t.inject("PAC", p + 20, t.rel(101), data=b"c" * 10, tos=ECT0)
    t.expect("A", seq=t.rel(101), ack=p + 30, skip=True)
    t.recv_exact(c, b"a" * 10 + b"b" * 10 + b"c" * 10)

    # §6.1.2: ECE while data is in flight: CWR state, CWR on the next new
    # data (once: not on the data after it)
    t.send(c, b"y" * 50)
    d = t.expect("PA", seq=t.rel(101), data=b"y" * 50)
    t.inject("AE", p + 30, t.rel(101))
    t.check_eq(ca_state(t, c), 2, "tcpi_ca_state after ECE (CWR)")
    t.send(c, b"z" * 50)
    d = t.expect("PAC", seq=t.rel(151), data=b"z" * 50, skip=True)
    t.check_eq(ip_ecn(d), ECT0, "IP ECN field of new data with CWR")
    t.inject("A", p + 30, t.rel(201))
    t.send(c, b"v" * 50)
    t.expect("PA", seq=t.rel(201), data=b"v" * 50, skip=True)
    t.inject("A", p + 30, t.rel(251))
    t.check_eq(ca_state(t, c), 0, "tcpi_ca_state once the window is acked")
    t.expect_nothing(0.3)

    # 0: ECN off, a plain SYN,ACK; and data not ECT
    t.sysctl(ecn_sysctl(t), 0)
    c2 = passive_open(t, ls, "SEC", "SA")
    t.send(c2, b"q" * 20)
    d = t.expect("PA", seq=t.rel(1), data=b"q" * 20)
    t.check_eq(ip_ecn(d), 0, "IP ECN field without ECN")

    # 1: connect() sends an ECN-setup SYN; 2: a plain one
    for val, flags in ((1, "SEC"), (2, "S")):
        t.sysctl(ecn_sysctl(t), val)
        t.flow(pport=7100 + val)
        s = t.socket()
        t.connect(s)
        syn = t.expect(flags)
        t.check_eq(ip_ecn(syn), 0, "IP ECN field of a SYN (6.1.1)")
        t.inject("SAE" if val == 1 else "SA", t.peer_isn, t.rel(1),
                 wnd=65535, opts=[("mss", 1460)])
        t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
        t.wait_connected(s)
        t.send(s, b"w" * 10)
        d = t.expect("PA", seq=t.rel(1), data=b"w" * 10)
        t.check_eq(ip_ecn(d), ECT0 if val == 1 else 0,
                   "IP ECN field of data (ecn=%d)" % val)
