# SPDX-License-Identifier: GPL-2.0
# A lost retransmission is found by RACK (RFC 8985 §6.2: every segment,
# retransmitted ones too, is lost once one sent after it is delivered and
# RACK.rtt + reo_wnd have passed), and resent at once, not at the RTO (as
# Linux's TCPLostRetransmit).  Twelve segments; 3-5 SACKed: segment 2 is
# resent in fast recovery.  The application writes four more; the peer
# SACKs 3-12, so recovery sends new data; then it SACKs the first new
# segment, sent after the retransmission of segment 2: that
# retransmission is lost too, and segment 2 goes out a third time within
# a fraction of the RTO (about 1.5 s here).

import time

MSS = 1000


def run(t):
    t.sack(True)
    ls = t.listener(5000)
    t.flow(lport=5000)
    c = t.handshake(ls, mss=MSS, sackok=True, rtt=0.5)
    p = t.peer_isn + 1
    n = 12
    data = (bytes(range(227)) * 80)[:(n + 4) * MSS]

    def seq(i):
        return t.rel(1 + (i - 1) * MSS)

    def sack(ack, *blocks):
        t.inject("A", p, ack, opts=[("sack", list(blocks))])

    t.flight(c, data[:n * MSS], MSS)
    before = t.counter("TCPLostRetransmit")
    for k in (4, 5, 6):
        sack(seq(2), (seq(3), seq(k)))
    t.expect("A", seq=seq(2), ack=p, data=data[MSS:2 * MSS], skip=True,
             timeout=2)
    t.send(c, data[n * MSS:])
    sack(seq(2), (seq(3), seq(n + 1)))
    t.expect("A", seq=seq(n + 1), ack=p, data=data[n * MSS:(n + 1) * MSS],
             skip=True, timeout=2)
    # segment 13 (sent after segment 2's retransmission) arrives
    t0 = time.monotonic()
    sack(seq(2), (seq(3), seq(n + 2)))
    t.expect("A", seq=seq(2), ack=p, data=data[MSS:2 * MSS], skip=True,
             timeout=2)
    took = time.monotonic() - t0
    t.note("segment 2 resent again %.3f s after the SACK" % took)
    t.check(took < 0.7, "the lost retransmission resent before the RTO")
    t.check_eq(t.counter("TCPLostRetransmit") - before, 1,
               "TCPLostRetransmit")
    t.abort(c)
