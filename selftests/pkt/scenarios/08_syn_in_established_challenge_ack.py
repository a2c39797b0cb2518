# SPDX-License-Identifier: GPL-2.0
# SYN in a synchronized state, RFC 5961 §4 as adopted by RFC 9293 §3.10.7.4
# ("fourth, check the SYN bit", MUST-60): whatever its sequence number (at
# RCV.NXT, inside the window, outside it), a SYN or SYN,ACK gets a challenge
# ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and the connection is unaffected.

def run(t):
    # Both send one challenge ACK per 500 ms per socket by default.
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
    else:
        t.sysctl("net.atcp.invalid_ratelimit_ms", 0)
    ls = t.listener(5000)
    c = t.handshake(ls)
    nxt = t.peer_isn + 1
    for flags, seq in (("S", nxt), ("S", nxt + 1000), ("S", nxt - 70000),
                       ("S", nxt + 0x40000000), ("S", t.peer_isn),
                       ("SA", nxt + 10)):
        if "A" in flags:
            t.inject(flags, seq, t.rel(1), opts=[("mss", 1460)])
        else:
            t.inject(flags, seq, opts=[("mss", 1460)])
        t.expect("A", seq=t.rel(1), ack=nxt)
        t.expect_state(c, "ESTABLISHED")
    t.expect_nothing(0.3)
    # Nothing was delivered and the connection works both ways.
    t.inject("PA", nxt, t.rel(1), data=b"hi")
    t.expect("A", seq=t.rel(1), ack=nxt + 2, timeout=1)
    t.recv_exact(c, b"hi")
    t.send(c, b"there")
    t.expect("A", seq=t.rel(1), ack=nxt + 2, data=b"there")
    t.inject("A", nxt + 2, t.rel(6))
    t.expect_nothing(0.3)
