# SPDX-License-Identifier: GPL-2.0
# After a retransmission timeout everything outstanding is lost (RFC 5681
# §3.1, RFC 6298 §5.4, as Linux's tcp_enter_loss): the head goes out at
# RTO, and each ACK of a retransmission lets slow start resend the next
# segments at once (cwnd 1, 2, ...), not one segment per timeout.
# Linux: tcp_frto=0 (F-RTO would probe with new data first; there is none
# here, but keep the rule plain).

MSS = 1000


def run(t):
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_frto", 0)
    ls = t.listener(5000)
    t.flow(lport=5000)
    c = t.handshake(ls, mss=MSS)
    p = t.peer_isn + 1
    n = 4
    data = (bytes(range(253)) * 20)[:n * MSS]

    def seg(i):
        return data[(i - 1) * MSS:i * MSS]

    def seq(i):
        return t.rel(1 + (i - 1) * MSS)

    first = t.flight(c, data, MSS, ack_first=False)
    # the whole flight is lost: the RTO resends the head
    r1 = t.expect("A", seq=seq(1), ack=p, data=seg(1), timeout=3)
    # (times are when the peer read the segments: the first one's is the
    # closest to when the flight left)
    t.note("RTO after %.3f s" % (r1.time - first[0].time))
    t.check(r1.time - first[0].time >= 0.1, "head resent by the RTO")
    # its ACK: cwnd 2, segments 2 and 3 go out at once
    t.inject("A", p, seq(2))
    t0 = t.now()
    r2 = t.expect("A", seq=seq(2), ack=p, data=seg(2), timeout=2)
    r3 = t.expect("A", seq=seq(3), ack=p, data=seg(3), timeout=2)
    t.check(r3.time - t0 < 0.15,
            "segments 2 and 3 resent %.3f s after the ACK, not by RTOs" %
            (r3.time - t0))
    t.inject("A", p, seq(4))
    t1 = t.now()
    r4 = t.expect("A", seq=seq(4), ack=p, data=seg(4), timeout=2)
    t.check(r4.time - t1 < 0.15, "segment 4 resent %.3f s after the ACK" %
            (r4.time - t1))
    t.inject("A", p, seq(n + 1))
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
    del r2
