# SPDX-License-Identifier: GPL-2.0
# Data arriving after CLOSE, RFC 9293 §3.6 (SHLD-3) / RFC 1122 §4.2.2.13:
# "if new data is received after CLOSE is called, its TCP implementation
# SHOULD send a RST to show that data was lost".  Both stacks reset and
# queue nothing:
#  - FIN-WAIT-2, the user has closed: the peer ACKs our FIN, then sends 100
#    octets and its FIN beyond RCV.NXT, then the octets that fill the hole:
#    the first gets <SEQ=SEG.ACK><CTL=RST> and the connection is gone, the
#    second finds no connection (RST again, §3.10.7.1);
#  - FIN-WAIT-1, the user has closed: in-order data gets the RST.
#  - FIN-WAIT-2 after shutdown(SHUT_WR) only (the user still reads): the
#    same segments are taken; filling the hole drains the held text and
#    FIN, which ends in TIME-WAIT; the user reads all 200 octets, then EOF.

import socket


def run(t):
    ls = t.listener(5000)
    if not t.is_tcp:
        aod = t.snmp("AbortOnData")

    # FIN-WAIT-2 orphan.
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.close(c)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.inject("A", p, t.rel(2))
    t.expect_proc_state("FIN-WAIT-2")
    t.drain()                           # our FIN again, if its timer ran
    t.inject("FA", p + 100, t.rel(2), data=b"b" * 100)
    t.expect("R", seq=t.rel(2), skip=True)   # skip a retransmitted FIN
    t.expect_proc_state(None)
    t.inject("PA", p, t.rel(2), data=b"a" * 100)
    t.expect("R", seq=t.rel(2))
    t.expect_nothing(0.3)

    # FIN-WAIT-1 orphan, in-order data.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.close(c)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.expect_proc_state("FIN-WAIT-1")
    t.drain()                           # our FIN again, if its timer ran
    t.inject("PA", p, t.rel(1), data=b"late")
    t.expect("R", seq=t.rel(1), skip=True)   # skip a retransmitted FIN
    t.expect_proc_state(None)
    t.expect_nothing(0.3)
    if not t.is_tcp:
        t.check_eq(t.snmp("AbortOnData") - aod, 2, "AbortOnData")

    # FIN-WAIT-2, only our side shut: data is taken, the drain reaches
    # TIME-WAIT.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.inject("A", p, t.rel(2))
    t.expect_state(c, "FIN-WAIT-2")
    t.drain()
    t.inject("FA", p + 100, t.rel(2), data=b"b" * 100)
    t.expect("A", seq=t.rel(2), ack=p)
    t.inject("PA", p, t.rel(2), data=b"a" * 100)
    t.expect("A", seq=t.rel(2), ack=p + 201, timeout=1)
    t.expect_proc_state("TIME-WAIT")
    got = b""
    while len(got) < 200:
        d = t.recv(c, 200 - len(got))
        if not d:
            break
        got += d
    t.check_eq(got, b"a" * 100 + b"b" * 100, "data before the FIN")
    t.check_eq(t.recv(c), b"", "recv after the FIN")
    t.expect_nothing(0.3)
