# SPDX-License-Identifier: GPL-2.0
# No SACK option unless both sides sent SACK-permitted (RFC 2018 §2: "The
# SACK option ... MUST NOT be sent if SACK-permitted was not received").
# A peer whose SYN lacks SACK-permitted gets ACKs without SACK blocks, for
# out-of-order data and for duplicates (no D-SACK either); with SACK turned
# off locally (net.atcp.sack, Linux's tcp_sack) the SYN,ACK does not offer
# it back and the same holds, though the peer offered it.


def exchange(t, c):
    p = t.peer_isn + 1
    data = bytes(range(30))
    t.inject("A", p + 10, t.rel(1), data=data[10:20])
    t.expect("A", seq=t.rel(1), ack=p, opts=[], timeout=1)
    t.inject("A", p + 12, t.rel(1), data=data[12:15])     # inside it
    t.expect("A", seq=t.rel(1), ack=p, opts=[], timeout=1)
    t.inject("A", p, t.rel(1), data=data[:10])
    t.expect("A", seq=t.rel(1), ack=p + 20, opts=[], timeout=1)
    t.inject("A", p, t.rel(1), data=data[:10])             # below RCV.NXT
    t.expect("A", seq=t.rel(1), ack=p + 20, opts=[], timeout=1)
    t.recv_exact(c, data[:20])


def run(t):
    t.sack(True, dsack=True)
    ls = t.listener(5000)
    # The peer does not offer SACK-permitted.
    c = t.handshake(ls)
    exchange(t, c)

    # SACK off here; the peer offers it.
    t.sack(False)
    t.flow()
    c2 = t.handshake(ls, sackok=True)
    t.check(not t.synack.sackok, "the SYN,ACK does not offer SACK-permitted")
    exchange(t, c2)
    t.expect_nothing(0.3)
