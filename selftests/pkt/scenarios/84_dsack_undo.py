# SPDX-License-Identifier: GPL-2.0
# Undo on D-SACK (RFC 2883 §4, as Linux's TCPDSACKUndo): segment 2 of
# eight looks lost (segments 3-5 SACKed) and is resent in fast recovery;
# then the peer reports it had the original after all (a D-SACK block
# below SEG.ACK) while recovery still runs: every retransmission was
# spurious, so the window reduction is undone and the sender is back in
# the Open state (TCP_INFO tcpi_ca_state 0), not in Recovery (3).

import struct
import time

MSS = 1000


def run(t):
    t.sack(True)    # both stacks (pktlib turns it off)
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_dsack", 1)
    ls = t.listener(5000)
    t.flow(lport=5000)
    # an RTO of seconds (first RTT sample 0.5 s): a loaded machine must
    # not time out the retransmission before the D-SACK is injected
    c = t.handshake(ls, mss=MSS, sackok=True, rtt=0.5)
    p = t.peer_isn + 1
    n = 8
    data = (bytes(range(241)) * 40)[:n * MSS]

    def seq(i):
        return t.rel(1 + (i - 1) * MSS)

    def ca_state():
        return struct.unpack_from("B", t.tcp_info(c), 1)[0]

    t.flight(c, data, MSS)
    before = t.counter("TCPDSACKUndo")
    for k in (4, 5, 6):
        t.inject("A", p, seq(2), opts=[("sack", [(seq(3), seq(k))])])
    t.expect("A", seq=seq(2), ack=p, data=data[MSS:2 * MSS], skip=True,
             timeout=2)
    t.check_eq(ca_state(), 3, "tcpi_ca_state in recovery")
    # segments 2-5 acknowledged, recovery (to segment 8) not over; the
    # D-SACK says the original segment 2 had arrived
    t.inject("A", p, seq(6), opts=[("sack", [(seq(2), seq(3))])])
    # the debug kernel may take longer than a moment to process it
    end = time.monotonic() + 2
    while ca_state() != 0 and time.monotonic() < end:
        time.sleep(0.02)
    t.check_eq(ca_state(), 0, "tcpi_ca_state after the D-SACK (Open)")
    after = t.counter("TCPDSACKUndo")
    t.check_eq(after - before, 1, "TCPDSACKUndo")
    t.inject("A", p, seq(n + 1))
    late = [s for s in t.collect(0.5) if s.len]
    t.check(all(s.seq in (seq(2), seq(n)) for s in late),
            "nothing else resent")
    t.expect_state(c, "ESTABLISHED")
