# SPDX-License-Identifier: GPL-2.0
# Retransmission until the connection gives up, RFC 9293 §3.8.3 (the R2
# threshold, MUST-20..MUST-23 from RFC 1122 §4.2.3.5) and §3.10.8 (USER
# TIMEOUT), the RTO doubling each time (RFC 6298 §5.5; 16 checks the first
# few data retransmissions):
#  - data never acknowledged, the limit at 2 retransmissions (atcp
#    net.atcp.retries2; Linux net.ipv4.tcp_retries2): the data goes out 3
#    times and the connection fails when the last RTO expires: ETIMEDOUT on
#    the socket, CLOSED, nothing more sent (no RST).  Linux counts
#    tcp_retries2 as time (what 2 retransmissions with RTOs doubling from
#    200 ms take, 1.4 s, from the first retransmission), which is 2
#    retransmissions for an RTO between 233 and 700 ms: the peer answers
#    the SYN,ACK 100 ms late so that the first RTT sample puts the RTO in
#    the middle of that;
#  - a FIN never acknowledged, with TCP_USER_TIMEOUT 2000 ms and the count
#    at 1: the user timeout replaces the count (as Linux), so the FIN is
#    retransmitted, doubling, for 2 s from its first retransmission (where
#    Linux starts the clock), and the connection fails with ETIMEDOUT when
#    the 2 s are up, not at the next RTO (Linux cuts the last RTO short).

import errno
import socket
import time

TIMEOUT = 60


def retries2(t, n):
    t.sysctl("net.ipv4.tcp_retries2" if t.is_tcp else "net.atcp.retries2", n)


def check_backoff(t, segs, rto):
    """Retransmission i comes rto * 2**(i-1) after the previous one (RFC
    6298 §5.5); rto is the socket's RTO before the first.  Returns the
    RTO after the last."""
    for i, (a, b) in enumerate(zip(segs, segs[1:])):
        t.check_timer(b.time - a.time, rto * 2 ** i,
                      what="retransmission %d" % (i + 1))
    return rto * 2 ** (len(segs) - 1)


def handshake_rtt(t, ls, rtt):
    """Passive open with the peer rtt seconds away."""
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    t.expect("SA", ack=t.peer_isn + 1)
    time.sleep(rtt)                     # not a wait: the path's delay
    t.inject("A", t.peer_isn + 1, t.rel(1))
    return t.accept(ls)


def run(t):
    ls = t.listener(5000)

    # Data: two retransmissions, then ETIMEDOUT.
    retries2(t, 2)
    if not t.is_tcp:
        timeouts = t.snmp("Timeouts")
    c = handshake_rtt(t, ls, 0.1)
    p = t.peer_isn + 1
    rto = t.rto(c)
    t.note("RTO %.3f s" % rto)
    data = b"never acknowledged"
    t.send(c, data)
    segs = [t.expect("A", seq=t.rel(1), ack=p, data=data)]
    for i in range(2):
        segs.append(t.expect("A", seq=t.rel(1), ack=p, data=data, timeout=5))
    t.recv(c, errno=errno.ETIMEDOUT, timeout=8)
    gone = t.now()
    last = check_backoff(t, segs, rto)
    t.check_timer(gone - segs[-1].time, last,
                  what="ETIMEDOUT after the second retransmission")
    t.expect_state(c, "CLOSED")
    t.expect_nothing(0.5)               # no third retransmission, no RST
    if not t.is_tcp:
        t.check_eq(t.snmp("Timeouts"), timeouts + 1, "Timeouts")

    # FIN: TCP_USER_TIMEOUT, not the count, ends it.
    retries2(t, 1)
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 2000)
    rto = t.rto(c)
    t.note("RTO %.3f s" % rto)
    t.shutdown(c, socket.SHUT_WR)
    fin = t.expect("FA", seq=t.rel(1), ack=p)
    t.recv(c, errno=errno.ETIMEDOUT, timeout=6)
    gone = t.now()
    n = t.pending()
    segs = [fin] + [t.expect("FA", seq=t.rel(1), ack=p, timeout=0)
                    for i in range(n)]
    t.check(n >= 2, "%d FIN retransmission(s): the user timeout, not the "
            "count of 1, must end the connection" % n)
    check_backoff(t, segs, rto)
    t.check(segs[-1].time - segs[1].time < 2.0,
            "a retransmission %.3f s after the first, the user timeout is 2 s"
            % (segs[-1].time - segs[1].time))
    t.check_timer(gone - segs[1].time, 2.0,
                  what="ETIMEDOUT after the first FIN retransmission")
    t.expect_state(c, "CLOSED")
    t.expect_nothing(0.5)
