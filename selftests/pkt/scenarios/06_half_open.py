# SPDX-License-Identifier: GPL-2.0
# Half-open connection discovery, RFC 9293 §3.5.1 Figures 9 and 10.
#
# Figure 9: the peer crashed and reconnects from the same port; its SYN
# reaches our ESTABLISHED connection, which answers with an ACK of what it
# expects, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (RFC 5961 §4 challenge ACK,
# §3.10.7.4 "fourth, check the SYN bit"); the peer's RST <SEQ=SEG.ACK> aborts
# the connection (recv: ECONNRESET), and the peer's retransmitted SYN then
# opens a new connection through the listener.
#
# Figure 10: we send data on a connection the peer no longer knows; its
# <SEQ=SEG.ACK><CTL=RST> (exactly RCV.NXT) aborts ours; nothing is
# retransmitted after that.

import errno


def run(t):
    # Both send one challenge ACK per 500 ms per socket by default.
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
    else:
        t.sysctl("net.atcp.invalid_ratelimit_ms", 0)
    ls = t.listener(5000)

    # Figure 9.
    c = t.handshake(ls)
    t.send(c, b"abc")                      # some history: SND.NXT = ISS+4
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1, data=b"abc")
    t.inject("A", t.peer_isn + 1, t.rel(4))
    old = t.cur
    new_isn = (old.peer_isn + 0x40000000) & 0xFFFFFFFF
    t.inject("S", new_isn, opts=[("mss", 1460)])           # 3. <SEQ=400><SYN>
    t.expect("A", seq=t.rel(4), ack=t.peer_isn + 1)        # 4. challenge ACK
    t.expect_state(c, "ESTABLISHED")
    t.inject("R", t.peer_isn + 1)                          # 5. <SEQ=100><RST>
    t.expect_nothing(0.3)
    t.recv(c, errno=errno.ECONNRESET)
    t.expect_state(c, "CLOSED")
    new = t.flow(lport=5000, pport=old.pport, peer_isn=new_isn)
    t.inject("S", new.peer_isn, opts=[("mss", 1460)])      # 7. SYN again
    t.expect("SA", ack=new.peer_isn + 1)
    t.inject("A", new.peer_isn + 1, t.rel(1))
    c2 = t.accept(ls)
    t.expect_state(c2, "ESTABLISHED")

    # Figure 10.
    t.flow(lport=5000)
    c = t.handshake(ls)
    t.send(c, b"0123456789")                               # 3.
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1, data=b"0123456789")
    t.inject("R", t.peer_isn + 1)                          # 4.
    t.recv(c, errno=errno.ECONNRESET)
    t.expect_state(c, "CLOSED")
    t.expect_nothing(1.5)                                  # no retransmission
