# SPDX-License-Identifier: GPL-2.0
# TCP_CORK (tcp(7); Linux's __tcp_sock_set_cork): while corked only full
# segments go out.  With a send MSS of 1000: write(300) waits; write(700)
# fills the segment, which goes; write(1500) sends its first 1000 octets
# and holds the last 500, even with nothing in flight; clearing TCP_CORK
# sends them at once, with the PSH of their write (RFC 9293 §3.9.1.2).
# TCP_NODELAY set while corked pushes what is queued (as Linux).

import socket

SOL_TCP = socket.IPPROTO_TCP
TCP_CORK = 3
DATA = bytes((i * 7) & 0xFF for i in range(3000))


def run(t):
    ls = t.listener(5000)
    # An RTO near a second: the persist timer (Linux's probe timer), which
    # would send what the cork holds, stays clear of the waits below.
    c = t.handshake(ls, mss=1000, rtt=0.3)
    p = t.peer_isn + 1
    t.check_eq(t.getsockopt(c, SOL_TCP, TCP_CORK), 0, "TCP_CORK at first")
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.check_eq(t.getsockopt(c, SOL_TCP, TCP_CORK), 1, "TCP_CORK once set")

    t.send(c, DATA[:300])
    t.expect_nothing(0.15)
    t.send(c, DATA[300:1000])
    t.expect("A", seq=t.rel(1), ack=p, data=DATA[:1000])
    t.inject("A", p, t.rel(1001))

    t.send(c, DATA[1000:2500])
    t.expect("A", seq=t.rel(1001), ack=p, data=DATA[1000:2000])
    t.inject("A", p, t.rel(2001))
    t.expect_nothing(0.15)

    t.setsockopt(c, SOL_TCP, TCP_CORK, 0)
    t.check_eq(t.getsockopt(c, SOL_TCP, TCP_CORK), 0, "TCP_CORK cleared")
    t.expect("PA", seq=t.rel(2001), ack=p, data=DATA[2000:2500])
    t.inject("A", p, t.rel(2501))

    # corked again: TCP_NODELAY pushes the held write out
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.send(c, DATA[2500:2700])
    t.expect_nothing(0.15)
    t.setsockopt(c, SOL_TCP, socket.TCP_NODELAY, 1)
    t.expect("PA", seq=t.rel(2501), ack=p, data=DATA[2500:2700])
    t.inject("A", p, t.rel(2701))
    t.expect_nothing(0.2)
