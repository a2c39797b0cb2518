# SPDX-License-Identifier: GPL-2.0
# TCP_CORK's ceiling (tcp(7): "a 200 millisecond ceiling"): a short write
# held by the cork with nothing in flight goes out, with PSH, when the
# persist timer (Linux's probe timer, tcp_write_wakeup) fires about an
# RTO later (200 ms at least), though the socket stays corked.

import socket

SOL_TCP = socket.IPPROTO_TCP
TCP_CORK = 3
DATA = bytes((i * 5) & 0xFF for i in range(300))


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls, mss=1000)
    p = t.peer_isn + 1
    rto = max(0.2, t.rto(c))
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.send(c, DATA)
    start = t.now()
    t.expect_nothing(0.15)
    t.expect("PA", seq=t.rel(1), ack=p, data=DATA, timeout=5)
    t.check_timer(t.now() - start, rto, "held by the cork",
                  early=0.15, late=1.0)
    t.inject("A", p, t.rel(301))
    t.check_eq(t.getsockopt(c, SOL_TCP, TCP_CORK), 1, "still corked")
    t.expect_nothing(0.3)
