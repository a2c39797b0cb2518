# SPDX-License-Identifier: GPL-2.0
# A SYN for a 4-tuple in TIME-WAIT, RFC 9293 §3.10.7.4 (TIME-WAIT,
# "fourth, check the SYN bit") and RFC 1122 §4.2.2.13:
#  - an old duplicate SYN (below RCV.NXT) gets <SEQ=SND.NXT><ACK=RCV.NXT>
#    <CTL=ACK> (RFC 5961 §4 challenge ACK) and TIME-WAIT goes on;
#  - a SYN above RCV.NXT may reopen the connection (RFC 1122 §4.2.2.13, a
#    MAY that Linux implements): the listener answers SYN,ACK with an ISN
#    above the old incarnation's SND.NXT, the handshake completes and data
#    flows both ways on the new incarnation.  atcp counts it (TWRecycled).

import errno
import socket

M32 = 0xFFFFFFFF


def run(t):
    ls = t.listener(5000)
    old = t.cur
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.send(c, b"old data")
    t.expect("A", seq=t.rel(1), ack=p, data=b"old data")
    t.inject("A", p, t.rel(9))
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(9), ack=p)
    t.inject("FA", p, t.rel(10))
    t.expect("A", seq=t.rel(10), ack=p + 1)
    t.expect_proc_state("TIME-WAIT")
    old_nxt = t.rel(10)

    # An old duplicate of the first SYN: ACK, still TIME-WAIT.
    t.inject("S", old.peer_isn, opts=[("mss", 1460)])
    t.expect("A", seq=old_nxt, ack=p + 1)
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(0.3)
    t.accept(ls, errno=errno.EAGAIN)

    # A new SYN above the old sequence space: a new incarnation.
    if not t.is_tcp:
        recycled = t.snmp("TWRecycled")
    new = t.flow(lport=5000, pport=old.pport, peer_isn=p + 100000)
    t.inject("S", new.peer_isn, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=new.peer_isn + 1, opts=[("mss", 1460)])
    d = (sa.seq - old_nxt) & M32
    t.check(0 < d < 1 << 31, "new ISN %d is not above the old SND.NXT %d" %
            (sa.seq, old_nxt))
    t.inject("A", new.peer_isn + 1, t.rel(1))
    c2 = t.accept(ls)
    t.expect_state(c2, "ESTABLISHED")
    t.expect_proc_state("ESTABLISHED")
    q = new.peer_isn + 1
    t.inject("PA", q, t.rel(1), data=b"new")
    t.expect("A", seq=t.rel(1), ack=q + 3, timeout=1)
    t.recv_exact(c2, b"new")
    t.send(c2, b"reply")
    t.expect("A", seq=t.rel(1), ack=q + 3, data=b"reply")
    t.inject("A", q + 3, t.rel(6))
    t.expect_nothing(0.3)
    if not t.is_tcp:
        t.check_eq(t.snmp("TWRecycled"), recycled + 1, "TWRecycled")
