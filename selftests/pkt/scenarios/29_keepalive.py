# SPDX-License-Identifier: GPL-2.0
# Keep-alive, RFC 1122 §4.2.3.6 (RFC 9293 §3.8.4): off unless the
# application asks (SO_KEEPALIVE); with TCP_KEEPIDLE 1, TCP_KEEPINTVL 1 and
# TCP_KEEPCNT 3 an idle connection gets a probe <SEQ=SND.NXT-1>
# <ACK=RCV.NXT><CTL=ACK> with no data (the form Linux sends, which the
# peer must ACK as it is outside the window) 1 s after the last segment
# received; the peer's ACK keeps the connection up and the next probe
# comes 1 s after it; when 3 probes in a row go unanswered (1 s apart) the
# connection is dropped 1 s after the last: Linux sends <SEQ=SND.NXT>
# <CTL=RST,ACK> and the socket reports ETIMEDOUT; atcp does the same.

import errno
import socket


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.send(c, b"ping")
    t.expect("A", seq=t.rel(1), ack=p, data=b"ping")
    t.inject("PA", p, t.rel(5), data=b"pong")
    t.expect("A", seq=t.rel(5), ack=p + 4, timeout=1)
    t.recv_exact(c, b"pong")
    p += 4
    for opt in (socket.TCP_KEEPIDLE, socket.TCP_KEEPINTVL):
        t.setsockopt(c, socket.IPPROTO_TCP, opt, 1)
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    t.expect_nothing(1.5)                   # off without SO_KEEPALIVE
    if not t.is_tcp:
        probes, timeouts = t.snmp("KeepAliveProbes"), t.snmp("Timeouts")
    t.setsockopt(c, socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    on = t.now()
    probe = dict(seq=t.rel(4), ack=p, data=b"", timeout=3)

    # Idle for 1 s: a probe; the peer answers.
    k = t.expect("A", **probe)
    t.check_timer(k.time - on, 1.0,
                  what="first probe after SO_KEEPALIVE")
    t.inject("A", p, t.rel(5))
    answered = t.now()
    t.expect_state(c, "ESTABLISHED")

    # Unanswered: three probes 1 s apart, then RST and ETIMEDOUT.
    ks = [t.expect("A", **probe) for i in range(3)]
    t.check_timer(ks[0].time - answered, 1.0,
                  what="probe 1 s after the peer's ACK")
    for a, b in zip(ks, ks[1:]):
        t.check_timer(b.time - a.time, 1.0,
                      what="keep-alive interval")
    rst = t.expect("RA", seq=t.rel(5), ack=p, timeout=3)
    t.check_timer(rst.time - ks[-1].time, 1.0,
                  what="RST after the third unanswered probe")
    t.recv(c, errno=errno.ETIMEDOUT)
    t.expect_state(c, "CLOSED")
    t.expect_nothing(0.5)
    if not t.is_tcp:
        t.check_eq(t.snmp("KeepAliveProbes"), probes + 4, "KeepAliveProbes")
        t.check_eq(t.snmp("Timeouts"), timeouts + 1, "Timeouts")
