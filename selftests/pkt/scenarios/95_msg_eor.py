# SPDX-License-Identifier: GPL-2.0
# MSG_EOR (send(2); Linux's skb eor mark, tcp_skb_can_collapse_to): the
# write's last octet ends a record, so a later write never joins its
# segment.  Corked with TCP_NODELAY, a send MSS of 1000: writes of 100
# octets join one segment until a write with MSG_EOR ends it; the record
# waits while it is the last segment, and goes, with the PSH of its last
# write, when the next write starts a new segment (cork holds only the
# last one, in Linux as in atcp).  Without MSG_EOR the same writes go as
# one segment (the control).  A write of 1500 with MSG_EOR: its last 500
# octets are a segment of their own, where without it the next write's 100
# octets would join them.

import socket

SOL_TCP = socket.IPPROTO_TCP
TCP_CORK = 3
EOR = socket.MSG_EOR


def chunk(c, n):
    return bytes([ord(c)]) * n


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls, mss=1000, rtt=0.3)
    p = t.peer_isn + 1
    t.setsockopt(c, SOL_TCP, socket.TCP_NODELAY, 1)
    seq = 1

    def uncork_expect(*segs):
        nonlocal seq
        t.setsockopt(c, SOL_TCP, TCP_CORK, 0)
        for data in segs:
            t.expect("PA" if data[1] else "A", seq=t.rel(seq), ack=p,
                     data=data[0])
            seq += len(data[0])
        t.inject("A", p, t.rel(seq))
        t.expect_nothing(0.2)

    # the control: corked writes join one segment
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.send(c, chunk("x", 100))
    t.send(c, chunk("y", 100))
    t.expect_nothing(0.15)
    uncork_expect((chunk("x", 100) + chunk("y", 100), True))

    # records: [a b c] [d e] [f].  A record waits, corked, while it is
    # the last segment; the next write starts a new one, and the record,
    # last no more, goes (as a corked segment that is not the last)
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.send(c, chunk("a", 100))
    t.send(c, chunk("b", 100))
    t.send(c, chunk("c", 100), flags=EOR)
    t.expect_nothing(0.15)
    t.send(c, chunk("d", 100))
    t.expect("PA", seq=t.rel(seq), ack=p,
             data=chunk("a", 100) + chunk("b", 100) + chunk("c", 100))
    seq += 300
    t.send(c, chunk("e", 100), flags=EOR)
    t.expect_nothing(0.15)
    t.send(c, chunk("f", 100))
    t.expect("PA", seq=t.rel(seq), ack=p,
             data=chunk("d", 100) + chunk("e", 100))
    seq += 200
    t.expect_nothing(0.15)
    uncork_expect((chunk("f", 100), True))

    # a record longer than a segment: its tail stays apart
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.send(c, chunk("g", 1500), flags=EOR)
    t.expect("A", seq=t.rel(seq), ack=p, data=chunk("g", 1000))
    seq += 1000
    t.expect_nothing(0.15)
    t.send(c, chunk("h", 100))
    t.expect("PA", seq=t.rel(seq), ack=p, data=chunk("g", 500))
    seq += 500
    t.expect_nothing(0.15)
    uncork_expect((chunk("h", 100), True))

    # the control again: without MSG_EOR the next write joins the tail
    t.setsockopt(c, SOL_TCP, TCP_CORK, 1)
    t.send(c, chunk("i", 1500))
    t.expect("A", seq=t.rel(seq), ack=p, data=chunk("i", 1000))
    seq += 1000
    t.send(c, chunk("j", 100))
    t.expect_nothing(0.15)
    uncork_expect((chunk("i", 500) + chunk("j", 100), True))
