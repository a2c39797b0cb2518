# SPDX-License-Identifier: GPL-2.0
# Blind reset protection, RFC 5961 §3 as adopted by RFC 9293 §3.10.7.4
# ("second, check the RST bit", MAY-2 / §3.5.3): in a synchronized state a
# RST whose SEQ is exactly RCV.NXT resets the connection; a RST inside the
# window but not exactly at RCV.NXT gets a challenge ACK
# <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and changes nothing; a RST outside the
# window is dropped silently.  RFC 5961 §7: challenge ACKs are rate limited
# per socket (net.ipv4.tcp_invalid_ratelimit, net.atcp.invalid_ratelimit_ms);
# with the limit in force a second in-window RST gets nothing (41 tests the
# limits further).

import errno


def run(t):
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
    else:
        t.sysctl("net.atcp.invalid_ratelimit_ms", 0)
    if t.is_tcp:
        with open("/proc/sys/net/ipv4/tcp_challenge_ack_limit") as f:
            t.note("net.ipv4.tcp_challenge_ack_limit = " + f.read().strip())
    ls = t.listener(5000)
    c = t.handshake(ls)
    nxt = t.peer_isn + 1

    # In the window, not exact: challenge ACK, with and without ACK bit.
    for seq, flags in ((nxt + 1, "R"), (nxt + 1000, "RA"), (nxt + 20000, "R")):
        if flags == "RA":
            t.inject(flags, seq, t.rel(1))
        else:
            t.inject(flags, seq)
        t.expect("A", seq=t.rel(1), ack=nxt)
        t.expect_state(c, "ESTABLISHED")
    # Outside the window (before RCV.NXT, far beyond it): dropped silently.
    for seq in (nxt - 1, nxt - 70000, nxt + 0x40000000, nxt + 0x80000000):
        t.inject("R", seq)
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
    # The connection still works.
    t.inject("PA", nxt, t.rel(1), data=b"data")
    t.expect("A", seq=t.rel(1), ack=nxt + 4, timeout=1)
    t.recv_exact(c, b"data")
    nxt += 4
    # Exactly RCV.NXT: reset, no reply.
    t.inject("R", nxt)
    t.expect_nothing(0.5)
    t.recv(c, errno=errno.ECONNRESET)
    t.expect_state(c, "CLOSED")

    # Rate limit: a burst of in-window RSTs gets one challenge ACK.
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", 60000)
    else:
        t.sysctl("net.atcp.invalid_ratelimit_ms", 60000)
    t.flow(lport=5000)
    c = t.handshake(ls)
    for i in range(3):
        t.inject("R", t.peer_isn + 100 + i)
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
