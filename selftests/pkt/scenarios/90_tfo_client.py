# SPDX-License-Identifier: GPL-2.0
# TCP Fast Open, the client (RFC 7413 §4.1.3, §4.2.1), as Linux answers it
# with net.ipv4.tcp_fastopen / net.atcp.fastopen = 1 (the default):
#  - no cookie yet: sendto(MSG_FASTOPEN) on a non-blocking socket sends a
#    SYN with an empty TFO option (a cookie request) and no data, and
#    fails EINPROGRESS; the SYN,ACK's cookie is kept, the handshake ends
#    with a plain ACK, and the data goes by send() after it;
#  - with the cookie: the SYN carries it and the data, sendto returns the
#    octets sent; a SYN,ACK acknowledging them sets TCPI_OPT_SYN_DATA and
#    TCPFastOpenActive;
#  - a SYN,ACK that acknowledges the SYN only: the data goes again at
#    once, carrying the ACK (no separate ACK), TCPFastOpenActiveFail;
#  - TCP_FASTOPEN_CONNECT: connect() returns 0 at once and sends nothing;
#    the socket is writable; the first send() sends the SYN with the
#    cookie and the data.

import errno

import tfolib
from pktlib import SOL_TCP
from tfolib import OPT_TFO, tfo

COOKIE = bytes(range(0xA0, 0xA8))
DATA = b"GET / HTTP/1.1\r\nHost: tfo\r\n\r\n"
N = len(DATA)


def run(t):
    tfolib.fastopen(t, 1)
    base = tfolib.counters(t, ["TCPFastOpenActive", "TCPFastOpenActiveFail"])

    # no cookie: a cookie request, data after the handshake
    t.flow(pport=8000)
    s = t.socket()
    tfolib.sendto(t, s, DATA, errno=errno.EINPROGRESS)
    syn = t.expect("S", data=b"")
    t.check_eq(tfo(syn), [(OPT_TFO, b"")], "the SYN's TFO option")
    t.inject("SA", t.peer_isn, t.rel(1),
             opts=[("mss", 1460), (OPT_TFO, COOKIE)])
    t.expect("A", seq=t.rel(1), ack=t.prel(1))
    t.wait_connected(s)
    t.send(s, DATA)
    t.expect("A", seq=t.rel(1), ack=t.prel(1), data=DATA)
    t.inject("A", t.prel(1), t.rel(1 + N))
    t.check_eq(tfolib.options(t, s) & tfolib.TCPI_OPT_SYN_DATA, 0,
               "TCPI_OPT_SYN_DATA without SYN data")
    t.abort(s)
    t.expect("RA", seq=t.rel(1 + N))

    # the cookie: data on the SYN, acknowledged
    t.flow(pport=8001)
    s = t.socket()
    t.check_eq(tfolib.sendto(t, s, DATA), N, "sendto(MSG_FASTOPEN)")
    syn = t.expect("S", data=DATA)
    t.check_eq(tfo(syn), [(OPT_TFO, COOKIE)], "the SYN's TFO option")
    t.inject("SA", t.peer_isn, t.rel(1 + N), opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1 + N), ack=t.prel(1))
    t.wait_connected(s)
    t.check(tfolib.options(t, s) & tfolib.TCPI_OPT_SYN_DATA,
            "TCPI_OPT_SYN_DATA once the SYN,ACK acked the data")
    t.abort(s)
    t.expect("RA", seq=t.rel(1 + N))

    # the SYN,ACK acknowledges the SYN only: the data again, at once
    t.flow(pport=8002)
    s = t.socket()
    t.check_eq(tfolib.sendto(t, s, DATA), N, "sendto(MSG_FASTOPEN)")
    t.expect("S", data=DATA)
    t.inject("SA", t.peer_isn, t.rel(1), opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1), ack=t.prel(1), data=DATA)
    t.inject("A", t.prel(1), t.rel(1 + N))
    t.wait_connected(s)
    t.check_eq(tfolib.options(t, s) & tfolib.TCPI_OPT_SYN_DATA, 0,
               "TCPI_OPT_SYN_DATA when the data was not acked")
    t.abort(s)
    t.expect("RA", seq=t.rel(1 + N))

    # TCP_FASTOPEN_CONNECT: the SYN waits for the first write
    t.flow(pport=8003)
    s = t.socket()
    t.setsockopt(s, SOL_TCP, tfolib.TCP_FASTOPEN_CONNECT, 1)
    t.check_eq(t.getsockopt(s, SOL_TCP, tfolib.TCP_FASTOPEN_CONNECT), 1,
               "TCP_FASTOPEN_CONNECT read back")
    t.connect(s, errno=0)
    t.expect_nothing(0.3)
    t.check(t._poll(s, 4, 0), "POLLOUT before the SYN")
    t.send(s, DATA)
    syn = t.expect("S", data=DATA)
    t.check_eq(tfo(syn), [(OPT_TFO, COOKIE)], "the SYN's TFO option")
    t.inject("SA", t.peer_isn, t.rel(1 + N), opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1 + N), ack=t.prel(1))
    t.expect_state(s, "ESTABLISHED")
    t.abort(s)
    t.expect("RA", seq=t.rel(1 + N))

    tfolib.check_counters(t, base, {"TCPFastOpenActive": 2,
                                    "TCPFastOpenActiveFail": 1})
