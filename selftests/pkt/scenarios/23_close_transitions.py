# SPDX-License-Identifier: GPL-2.0
# Closing transitions that 09 (RFC 9293 §3.6 Figures 12 and 13) and 17
# (2 MSL, the retransmitted FIN in TIME-WAIT) leave out, §3.10.7.4 and
# Figure 5:
#  - FIN-WAIT-1: a FIN that also acknowledges our FIN goes straight to
#    TIME-WAIT ("eighth, check the FIN bit", FIN-WAIT-1: "If our FIN has
#    been ACKed (perhaps in this segment), then enter TIME-WAIT");
#  - CLOSING: our FIN, not acknowledged, is retransmitted (§3.8.1); the
#    peer's FIN again is acknowledged again and changes nothing; the ACK of
#    our FIN -> TIME-WAIT;
#  - FIN-WAIT-2: the peer's direction is still open (§3.6, half-close):
#    data is acknowledged and delivered; a FIN carrying data -> TIME-WAIT;
#  - LAST-ACK: an ACK of our data but not of our FIN leaves it in LAST-ACK
#    and our FIN is retransmitted; its ACK -> CLOSED and the TCB is gone: the
#    same ACK again meets only the listener, which resets it (§3.10.7.2,
#    "second, check for an ACK").

import errno
import socket


def run(t):
    ls = t.listener(5000)

    # FIN-WAIT-1 -> TIME-WAIT: the peer's FIN acknowledges ours.
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.expect_state(c, "FIN-WAIT-1")
    t.inject("FA", p, t.rel(2))
    t.expect("A", seq=t.rel(2), ack=p + 1)
    t.check_eq(t.recv(c), b"", "recv after the peer's FIN")
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(0.3)

    # CLOSING: our FIN is retransmitted until acknowledged.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.inject("FA", p, t.rel(1))                 # FIN, not acking ours
    t.expect("A", seq=t.rel(2), ack=p + 1)
    t.expect_state(c, "CLOSING")
    t.expect("FA", seq=t.rel(1), ack=p + 1, timeout=3)     # RTO
    t.inject("FA", p, t.rel(1))                 # the peer's FIN again
    t.expect("A", seq=t.rel(2), ack=p + 1)
    t.expect_state(c, "CLOSING")
    t.inject("A", p + 1, t.rel(2))
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(0.5)

    # FIN-WAIT-2: data still flows towards us; a FIN with data.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.inject("A", p, t.rel(2))
    t.expect_state(c, "FIN-WAIT-2")
    t.inject("PA", p, t.rel(2), data=b"more")
    t.expect("A", seq=t.rel(2), ack=p + 4, timeout=1)
    t.recv_exact(c, b"more")
    t.expect_state(c, "FIN-WAIT-2")
    t.inject("FPA", p + 4, t.rel(2), data=b"last")
    t.expect("A", seq=t.rel(2), ack=p + 9)
    t.check_eq(t.recv(c), b"last", "data with the FIN")
    t.check_eq(t.recv(c), b"", "recv after the peer's FIN")
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(0.3)

    # LAST-ACK: only the ACK of our FIN closes.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.send(c, b"data")
    t.expect("A", seq=t.rel(1), ack=p, data=b"data")
    t.inject("FA", p, t.rel(1))                 # FIN, data not acked yet
    t.expect("A", seq=t.rel(5), ack=p + 1)
    t.expect_state(c, "CLOSE-WAIT")
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(5), ack=p + 1)
    t.expect_state(c, "LAST-ACK")
    t.inject("A", p + 1, t.rel(5))              # acks the data only
    t.expect("FA", seq=t.rel(5), ack=p + 1, timeout=3)     # RTO
    t.expect_state(c, "LAST-ACK")
    t.inject("A", p + 1, t.rel(6))
    t.expect_state(c, "CLOSED")
    t.check_eq(t.proc_state(), None, "/proc entry after LAST-ACK")
    t.send(c, b"x", errno=errno.EPIPE)
    t.inject("A", p + 1, t.rel(6))              # no TCB: the listener
    t.expect("R", seq=t.rel(6))
    t.expect_nothing(0.3)
