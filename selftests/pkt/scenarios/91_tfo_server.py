# SPDX-License-Identifier: GPL-2.0
# TCP Fast Open, the server (RFC 7413 §4.1.2, §4.2.2), as Linux answers it
# with net.ipv4.tcp_fastopen / net.atcp.fastopen = 3 and TCP_FASTOPEN 1 on
# the listener:
#  - a SYN with an empty TFO option gets an 8-octet cookie on the SYN,ACK
#    (TCPFastOpenCookieReqd);
#  - a SYN with that cookie and data: the SYN,ACK acknowledges the data
#    and carries no cookie; accept() returns the child at once, in
#    SYN-RECEIVED, and read() gives the data before the handshake's ACK;
#    the child may write already; TCPI_OPT_SYN_DATA, TCPFastOpenPassive;
#  - TCP_FASTOPEN 1: while that child is in SYN-RECEIVED another TFO SYN
#    gets an ordinary SYN,ACK (no cookie, the data not acknowledged;
#    TCPFastOpenListenOverflow), and completes as an ordinary connection
#    once the client sends the data again.

import errno

import tfolib
from tfolib import OPT_TFO, tfo

DATA = b"GET /index.html HTTP/1.1\r\n\r\n"
REPLY = b"HTTP/1.1 200 OK\r\n\r\n"
N, R = len(DATA), len(REPLY)


def run(t):
    tfolib.fastopen(t, 3)
    base = tfolib.counters(t, ["TCPFastOpenPassive", "TCPFastOpenCookieReqd",
                               "TCPFastOpenListenOverflow"])
    ls = tfolib.listener(t, 1)
    cookie = tfolib.get_cookie(t, ls)

    # a valid cookie and data: the child at once
    f2 = t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460), (OPT_TFO, cookie)],
             data=DATA)
    sa = t.expect("SA", ack=t.prel(1 + N))
    t.check_eq(tfo(sa), [], "TFO option of the SYN,ACK")
    c = t.accept(ls)
    t.expect_state(c, "SYN-RECEIVED")
    t.recv_exact(c, DATA)
    t.check(tfolib.options(t, c) & tfolib.TCPI_OPT_SYN_DATA,
            "TCPI_OPT_SYN_DATA on the child")
    t.send(c, REPLY)
    t.expect("A", seq=t.rel(1), ack=t.prel(1 + N), data=REPLY)

    # the queue of one is full: an ordinary SYN,ACK
    f3 = t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460), (OPT_TFO, cookie)],
             data=DATA)
    sa = t.expect("SA", ack=t.prel(1))
    t.check_eq(tfo(sa), [], "TFO option of the SYN,ACK past the queue")
    t.accept(ls, errno=errno.EAGAIN)

    # the first child's handshake ends
    t.use(f2)
    t.inject("A", t.prel(1 + N), t.rel(1 + R))
    t.expect_state(c, "ESTABLISHED")

    # the second, ordinary: ACK, then the data again
    t.use(f3)
    t.inject("A", t.prel(1), t.rel(1))
    c3 = t.accept(ls)
    t.inject("PA", t.prel(1), t.rel(1), data=DATA)
    t.recv_exact(c3, DATA)
    t.check_eq(tfolib.options(t, c3) & tfolib.TCPI_OPT_SYN_DATA, 0,
               "TCPI_OPT_SYN_DATA on an ordinary child")

    tfolib.check_counters(t, base, {"TCPFastOpenPassive": 1,
                                    "TCPFastOpenCookieReqd": 1,
                                    "TCPFastOpenListenOverflow": 1})
