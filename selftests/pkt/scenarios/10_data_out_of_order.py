# SPDX-License-Identifier: GPL-2.0
# Receiving out-of-order and duplicate data, RFC 9293 §3.10.7.4 ("first,
# check sequence number" and "seventh, process the segment text") and §3.4
# (acceptability): segments beyond RCV.NXT are held and the data is
# delivered once, in order, when the hole is filled; an out-of-order segment
# is acknowledged at once with ACK=RCV.NXT (RFC 5681 §4.2/§3.2: immediate
# duplicate ACK); a duplicate of data already received is not delivered
# again and is answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; of a
# segment overlapping old and new data only the new part is delivered; data
# beyond the window is not accepted.

import errno


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    a, b, cc = b"a" * 10, b"b" * 10, b"c" * 10

    t.inject("A", p + 10, t.rel(1), data=b)         # hole before it
    t.expect("A", seq=t.rel(1), ack=p)               # immediate dup ACK
    t.recv(c, errno=errno.EAGAIN)
    t.inject("A", p + 20, t.rel(1), data=cc)
    t.expect("A", seq=t.rel(1), ack=p)
    t.inject("A", p + 10, t.rel(1), data=b)          # ooo duplicate
    t.expect("A", seq=t.rel(1), ack=p)
    t.recv(c, errno=errno.EAGAIN)
    t.inject("PA", p, t.rel(1), data=a)              # fills the hole
    t.expect("A", seq=t.rel(1), ack=p + 30, timeout=1)
    t.recv_exact(c, a + b + cc)

    t.inject("PA", p, t.rel(1), data=a)              # old duplicate
    t.expect("A", seq=t.rel(1), ack=p + 30)
    t.inject("PA", p + 20, t.rel(1), data=cc)
    t.expect("A", seq=t.rel(1), ack=p + 30)
    t.recv(c, errno=errno.EAGAIN)

    t.inject("PA", p + 25, t.rel(1), data=b"cccccddddd")  # half old, half new
    t.expect("A", seq=t.rel(1), ack=p + 35, timeout=1)
    t.recv_exact(c, b"ddddd")

    # Far beyond the window: not acceptable, ACK=RCV.NXT, nothing delivered.
    t.inject("PA", p + 35 + 0x100000, t.rel(1), data=b"zzzz")
    t.expect("A", seq=t.rel(1), ack=p + 35)
    t.recv(c, errno=errno.EAGAIN)
    t.expect_nothing(0.3)
