# SPDX-License-Identifier: GPL-2.0
# Segments too short for a TCP header, and malformed options on an
# established connection, RFC 9293 §3.1 ("Data Offset", "Options"):
#  - an IP packet whose payload is 0, 12 or 19 octets (the IP total length
#    agreeing, so it reaches the transport: 13 covers packets IP itself
#    rejects) is dropped with no reply, to a listener and to a connection;
#    so is an IP packet cut short of its total length (truncated); atcp
#    counts the short headers (InBadHeader);
#  - 14 sends option length 0, 1 and past the header to a listener, and
#    length 0 and past the header with data; here option length 1 on data
#    and option length 0 and past the header on a pure ACK of our data.
#    Linux stops parsing at the bad option and takes the segment (the data
#    is acknowledged, the ACK stops the retransmissions); atcp drops it and
#    counts it (InBadOptions; see DIFFERS), so the data is acknowledged and
#    the retransmission stopped only by well-formed segments.
# Afterwards the connection carries data both ways and the listener accepts.

import errno
import socket

DIFFERS = {"atcp": "atcp drops a segment whose option list is malformed and "
           "counts it (InBadOptions): RFC 9293 §3.1 lets an implementation "
           "treat an illegal option length as an error (MUST-7); Linux "
           "stops parsing at the bad option and takes the segment (14)"}


def short(t, flags, seq, ack=None, n=0, **kw):
    """The segment's IP packet with only n octets of TCP header, the IP
    total length saying so."""
    t.inject_raw(t.packet(flags, seq, ack, ip_len=20 + n, truncate=20 + n,
                          **kw), note="%d-octet TCP header" % n)


def run(t):
    ls = t.listener(5000)
    syn = dict(opts=[("mss", 1460)])
    if not t.is_tcp:
        bad = t.snmp("InBadHeader")

    # Short headers to the listener.
    for n in (0, 12, 19):
        short(t, "S", t.peer_isn, n=n, **syn)
    t.inject_raw(t.packet("S", t.peer_isn, truncate=30, **syn),
                 note="SYN cut to 30 octets of 44")
    t.expect_nothing(0.5)
    t.accept(ls, errno=errno.EAGAIN)
    if not t.is_tcp:
        t.check_eq(t.snmp("InBadHeader"), bad + 3, "InBadHeader")

    # Short headers to a connection.
    c = t.handshake(ls)
    t.accept(ls, errno=errno.EAGAIN)
    p = t.peer_isn + 1
    if not t.is_tcp:
        bad = t.snmp("InBadHeader")
    for n in (0, 12, 19):
        short(t, "PA", p, t.rel(1), n=n, data=b"x")
    t.inject_raw(t.packet("PA", p, t.rel(1), data=b"cut", truncate=30),
                 note="data segment cut to 30 octets of 43")
    t.inject_raw(t.packet("FA", p, t.rel(1), truncate=39),
                 note="FIN cut to 39 octets of 40")
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
    t.recv(c, errno=errno.EAGAIN)
    if not t.is_tcp:
        t.check_eq(t.snmp("InBadHeader"), bad + 3, "InBadHeader")

    # Option length 1 on data.
    if not t.is_tcp:
        badopt = t.snmp("InBadOptions")
    t.inject("PA", p, t.rel(1), data=b"opt",
             opts=[("raw", b"\x02\x01\x05\xb4")])
    if t.is_tcp:
        t.expect("A", seq=t.rel(1), ack=p + 3, timeout=1)
        t.recv_exact(c, b"opt")
    else:
        t.expect_nothing(0.3)
        t.recv(c, errno=errno.EAGAIN)
        t.check_eq(t.snmp("InBadOptions"), badopt + 1, "InBadOptions")
        t.inject("PA", p, t.rel(1), data=b"opt")
        t.expect("A", seq=t.rel(1), ack=p + 3, timeout=1)
        t.recv_exact(c, b"opt")
    p += 3

    # Option length 0, and past the header, on an ACK of our data.
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    una = 1
    for i, opts in enumerate((b"\x02\x00\x05\xb4", b"\x01\x02\x04\x05")):
        if not t.is_tcp:
            badopt = t.snmp("InBadOptions")
        d = b"data%d" % i
        t.send(c, d)
        t.expect("A", seq=t.rel(una), ack=p, data=d)
        t.inject("A", p, t.rel(una + len(d)), opts=[("raw", opts)])
        if t.is_tcp:
            t.expect_nothing(0.6)               # no retransmission
        else:
            t.expect("A", seq=t.rel(una), ack=p, data=d, timeout=2)
            t.check_eq(t.snmp("InBadOptions"), badopt + 1, "InBadOptions")
            t.inject("A", p, t.rel(una + len(d)))
            t.expect_nothing(0.6)
        una += len(d)
    t.expect_state(c, "ESTABLISHED")

    # Data both ways, and the listener accepts.
    t.inject("PA", p, t.rel(una), data=b"hello")
    t.expect("A", seq=t.rel(una), ack=p + 5, timeout=1)
    t.recv_exact(c, b"hello")
    t.send(c, b"world")
    t.expect("A", seq=t.rel(una), ack=p + 5, data=b"world")
    t.inject("A", p + 5, t.rel(una + 5))
    t.flow(lport=5000)
    t.handshake(ls)
    t.expect_nothing(0.3)
