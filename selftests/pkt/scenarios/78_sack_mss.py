# SPDX-License-Identifier: GPL-2.0
# A segment's SACK option comes out of its payload (RFC 6691 §2: the MSS
# counts data only, "the TCP sender should ... reduce the data it sends by
# the length of the options"; Linux's tcp_current_mss()).  With the peer's
# MSS at 1000 and one SACK block to report (12 option octets), data the
# application writes then leaves in segments of 988 octets, each carrying
# the block, so no segment exceeds what the peer announced.  Once the hole
# fills, the block goes and segments are full-sized again.

from pktlib import sack_opt


def run(t):
    t.sack(True, dsack=True)
    ls = t.listener(5000)
    c = t.handshake(ls, sackok=True, mss=1000)
    t.check(t.synack.sackok, "the SYN,ACK offers SACK-permitted")
    p = t.peer_isn + 1
    t.inject("A", p + 10, t.rel(1), data=b"x" * 10)
    t.expect("A", seq=t.rel(1), ack=p, opts=sack_opt(p, (10, 20)))

    data = bytes((i * 5 + 1) & 0xff for i in range(2 * 988))
    t.send(c, data)
    s1 = t.expect("A", seq=t.rel(1), ack=p, data=data[:988],
                  opts=sack_opt(p, (10, 20)))
    s2 = t.expect("A", seq=t.rel(1 + 988), ack=p, data=data[988:],
                  opts=sack_opt(p, (10, 20)))
    t.inject("A", p, t.rel(1 + 2 * 988), data=b"y" * 10)
    t.expect("A", seq=t.rel(1 + 2 * 988), ack=p + 20, opts=[])
    t.recv_exact(c, b"y" * 10 + b"x" * 10)
    t.check(s1.len + 12 <= 1000 and s2.len + 12 <= 1000,
            "data and options within the peer's MSS")

    data = bytes((i * 3 + 2) & 0xff for i in range(1000))
    t.send(c, data)
    t.expect("A", seq=t.rel(1 + 2 * 988), ack=p + 20, data=data, opts=[])
    t.inject("A", p + 20, t.rel(1 + 2 * 988 + 1000))
    t.expect_nothing(0.3)
