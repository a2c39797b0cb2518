# SPDX-License-Identifier: GPL-2.0
# NewReno without SACK (RFC 6582, RFC 5681 §3.2): three duplicate ACKs
# make a fast retransmission of the first hole; the ACK of it is partial
# (a second segment of the flight was lost too) and resends the next hole
# at once (RFC 6582 §3.2 step 5), not after a retransmission timeout; the
# ACK of everything ends recovery.  The peer offers no SACK-permitted.

MSS = 1000


def run(t):
    ls = t.listener(5000)
    t.flow(lport=5000)
    c = t.handshake(ls, mss=MSS)
    p = t.peer_isn + 1
    n = 8
    data = (bytes(range(251)) * 40)[:n * MSS]

    def seg(i):			# segment i, 1-based
        return data[(i - 1) * MSS:i * MSS]

    def seq(i):
        return t.rel(1 + (i - 1) * MSS)

    t.flight(c, data, MSS)
    # segments 2 and 5 are lost: duplicate ACKs for 3, 4 and 6
    for _ in range(3):
        t.inject("A", p, seq(2))
    t0 = t.now()
    fr = t.expect("A", seq=seq(2), ack=p, data=seg(2), timeout=2)
    t.check(fr.time - t0 < 0.19,
            "fast retransmission %.3f s after the third duplicate" %
            (fr.time - t0))
    # duplicates for 7 and 8, then the retransmission fills the first
    # hole: the partial ACK stops at segment 5
    t.inject("A", p, seq(2))
    t.inject("A", p, seq(2))
    t.inject("A", p, seq(5))
    t1 = t.now()
    nh = t.expect("A", seq=seq(5), ack=p, data=seg(5), timeout=2)
    t.check(nh.time - t1 < 0.19,
            "next hole resent %.3f s after the partial ACK" % (nh.time - t1))
    t.inject("A", p, seq(n + 1))
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
    if not t.is_tcp:
        t.check(t.snmp("TCPRenoRecovery") >= 1, "TCPRenoRecovery counted")
        t.check(t.snmp("TCPFastRetrans") >= 2, "TCPFastRetrans counted")
