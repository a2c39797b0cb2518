# SPDX-License-Identifier: GPL-2.0
# Retransmission timeout, RFC 9293 §3.8.1 (MUST-19, RFC 6298):
#  - SYN: the first retransmission after the initial RTO of 1 s (RFC 6298
#    §2.1), the next after twice that (§5.5 back off); with TCP_SYNCNT=1 the
#    connect fails with ETIMEDOUT when the last retransmission times out.
#  - data: after a handshake (one RTT sample) the RTO is the 200 ms minimum
#    plus a little (Linux tcp_rto_min, atcp rto_min_ms; RFC 6298 allows a
#    lower bound below 1 s); unacknowledged data is retransmitted from
#    SND.UNA at RTO, 2 RTO, 4 RTO; an ACK of everything stops it.

import errno
import socket


def run(t):
    # SYN retransmissions.
    t.flow(pport=7000)
    s = t.socket()
    t.setsockopt(s, socket.IPPROTO_TCP, socket.TCP_SYNCNT, 1)
    t.connect(s)
    syn0 = t.expect("S", opts=[("mss", 1460)])
    syn1 = t.expect("S", seq=t.rel(0), opts=[("mss", 1460)], timeout=5)
    t.check_time(syn1.time - syn0.time, 1.0, tol=0.25, rel=0,
                 what="first SYN retransmission")
    t.wait_connected(s, timeout=8, errno=errno.ETIMEDOUT)
    t.check_time(t.now() - syn1.time, 2.0, tol=0.4, rel=0,
                 what="connect timeout after the retransmission")
    t.expect_nothing(0.3)

    # Data retransmissions.
    ls = t.listener(5000)
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    data = b"retransmit me"
    t.send(c, data)
    first = t.expect("A", seq=t.rel(1), ack=p, data=data)
    times = [first.time]
    for i in range(3):
        seg = t.expect("A", seq=t.rel(1), ack=p, data=data, timeout=6)
        times.append(seg.time)
    iv = [b - a for a, b in zip(times, times[1:])]
    t.note("retransmission intervals %s s" % ", ".join("%.3f" % x for x in iv))
    t.check(0.18 <= iv[0] <= 1.5, "first RTO %.3f s" % iv[0])
    for i in (1, 2):
        t.check_time(iv[i], 2 * iv[i - 1], tol=0.15, rel=0.4,
                     what="RTO %d (2x the previous)" % (i + 1))
    t.inject("A", p, t.rel(1 + len(data)))
    t.expect_nothing(2 * iv[2] + 0.5)
    t.expect_state(c, "ESTABLISHED")
