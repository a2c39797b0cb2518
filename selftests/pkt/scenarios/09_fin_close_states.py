# SPDX-License-Identifier: GPL-2.0
# Closing a connection, RFC 9293 §3.6 Figure 12 (normal close) and Figure 13
# (simultaneous close), with the states of §3.3.2 / Figure 5:
#  - active close: FIN sent -> FIN-WAIT-1; its ACK -> FIN-WAIT-2; the peer's
#    FIN is acknowledged -> TIME-WAIT; a retransmitted FIN in TIME-WAIT is
#    acknowledged again (§3.10.7.4 "eighth, check the FIN bit", TIME-WAIT:
#    "Acknowledge it, and restart the 2 MSL timeout");
#  - simultaneous close: FINs cross -> CLOSING; the ACK of our FIN ->
#    TIME-WAIT;
#  - passive close: the peer's FIN is acknowledged -> CLOSE-WAIT, recv()
#    returns 0; our FIN -> LAST-ACK; its ACK -> CLOSED, nothing more is sent.
# The states are read with TCP_INFO while the socket is open and from
# /proc/net/tcp (/proc/net/atcp) once the socket has gone to TIME-WAIT.

import socket


def run(t):
    ls = t.listener(5000)

    # Active close (Figure 12, we are TCP Peer A).
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)                           # 2.
    t.expect("FA", seq=t.rel(1), ack=p)
    t.expect_state(c, "FIN-WAIT-1")
    t.inject("A", p, t.rel(2))                              # 3.
    t.expect_state(c, "FIN-WAIT-2")
    t.expect_nothing(0.3)
    t.inject("FA", p, t.rel(2))                             # 4.
    t.expect("A", seq=t.rel(2), ack=p + 1)                  # 5.
    t.check_eq(t.recv(c), b"", "recv after the peer's FIN")
    t.expect_proc_state("TIME-WAIT")
    t.inject("FA", p, t.rel(2))                             # FIN again
    t.expect("A", seq=t.rel(2), ack=p + 1)
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(0.3)

    # Simultaneous close (Figure 13).
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)                           # 2.
    t.expect("FA", seq=t.rel(1), ack=p)
    t.expect_state(c, "FIN-WAIT-1")
    t.inject("FA", p, t.rel(1))                             # the peer's FIN
    t.expect("A", seq=t.rel(2), ack=p + 1)                  # 3.
    t.expect_state(c, "CLOSING")
    t.inject("A", p + 1, t.rel(2))                          # 4.
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(0.3)

    # Passive close (Figure 12, we are TCP Peer B).
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.inject("FA", p, t.rel(1))                             # 2.
    t.expect("A", seq=t.rel(1), ack=p + 1)                  # 3.
    t.expect_state(c, "CLOSE-WAIT")
    t.check_eq(t.recv(c), b"", "recv after the peer's FIN")
    t.send(c, b"bye")                                       # still writable
    t.expect("A", seq=t.rel(1), ack=p + 1, data=b"bye")
    t.inject("A", p + 1, t.rel(4))
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(4), ack=p + 1)                 # 4.
    t.expect_state(c, "LAST-ACK")
    t.inject("A", p + 1, t.rel(5))                          # 5.
    t.expect_state(c, "CLOSED")
    t.check_eq(t.proc_state(), None, "/proc entry after LAST-ACK")
    t.expect_nothing(0.5)
