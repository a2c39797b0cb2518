# SPDX-License-Identifier: GPL-2.0
# D-SACK (RFC 2883 §4): a duplicate segment is reported in the first SACK
# block of the next ACK, once.  A segment wholly below RCV.NXT: the block
# is its sequence space (below the ACK number, so the sender can tell it
# from a SACK); one half old, half new: the old part; one wholly inside a
# queued out-of-order block: the duplicate, then (§4 (1)) the block that
# contains it.  With the D-SACK sysctl off (net.atcp.dsack, Linux's
# tcp_dsack) a duplicate is acknowledged without it.


def run(t):
    t.sack(True, dsack=True)
    ls = t.listener(5000)
    c = t.handshake(ls, sackok=True)
    t.check(t.synack.sackok, "the SYN,ACK offers SACK-permitted")
    data = bytes((i * 11 + 1) & 0xff for i in range(40))
    seg, ack = t.sack_peer(data)

    seg(0, 10)
    ack(10)
    t.recv_exact(c, data[:10])

    # Wholly below RCV.NXT: D-SACK of it, alone.
    seg(0, 10)
    ack(10, (0, 10))
    # Out of order: a plain SACK block, no D-SACK again.
    seg(20, 30)
    ack(10, (20, 30))
    # Wholly inside the queued block: D-SACK, then the block holding it.
    seg(22, 26)
    ack(10, (22, 26), (20, 30))
    seg(20, 30)
    ack(10, (20, 30), (20, 30))
    # Half old, half new: the old half is reported; the new half taken.
    seg(5, 15)
    ack(15, (5, 10), (20, 30))

    # D-SACK off: the duplicate gets the plain ACK with its SACK block.
    t.sack(True, dsack=False)
    seg(0, 10)
    ack(15, (20, 30))
    seg(24, 28)
    ack(15, (20, 30))

    seg(15, 20)
    ack(30)
    t.recv_exact(c, data[10:30])
    t.expect_nothing(0.3)
