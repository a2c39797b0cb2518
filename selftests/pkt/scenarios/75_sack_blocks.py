# SPDX-License-Identifier: GPL-2.0
# SACK blocks on the receiver's ACKs (RFC 2018 §4).  The peer offers
# SACK-permitted on its SYN (§2); then every ACK of out-of-order data lists
# what is queued above RCV.NXT: "The first SACK block ... MUST specify the
# contiguous block of data containing the segment which triggered this
# ACK"; the other blocks repeat the most recently reported ones, as many as
# fit (four without timestamps).  A block grows as its hole shrinks and
# two blocks join when the hole between them fills; blocks leave once
# RCV.NXT covers them, and the ACK that fills the last hole carries none.
# Edges are exact: left edge the first octet queued, right edge the octet
# after the last.
#
# Where the RFC is silent Linux is followed: with a fifth block the oldest
# one is no longer reported (RFC 2018 §4 only asks for "as many distinct
# SACK blocks as possible").  Linux delays the fourth and later duplicate
# ACKs for the same RCV.NXT by up to 1 ms to merge them (tcp_comp_sack_nr);
# the scenario turns that off so that both stacks send one ACK a segment,
# as RFC 5681 §4.2 asks.


def run(t):
    t.sack(True, dsack=True)
    ls = t.listener(5000)
    c = t.handshake(ls, sackok=True)
    t.check(t.synack.sackok, "the SYN,ACK offers SACK-permitted (§2)")
    data = bytes((i * 7 + 3) & 0xff for i in range(120))
    seg, ack = t.sack_peer(data)

    # Three holes: 0-10, 20-30, 40-50.  Most recent block first.
    seg(10, 20)
    ack(0, (10, 20))
    seg(30, 40)
    ack(0, (30, 40), (10, 20))
    seg(50, 60)
    ack(0, (50, 60), (30, 40), (10, 20))

    # A hole shrinks: its block grows and comes first.
    seg(20, 25)
    ack(0, (10, 25), (50, 60), (30, 40))
    # The hole between two blocks fills: one block.
    seg(25, 30)
    ack(0, (10, 40), (50, 60))

    # Four blocks fit (no timestamps); a fifth pushes out the oldest.
    seg(70, 80)
    ack(0, (70, 80), (10, 40), (50, 60))
    seg(90, 100)
    ack(0, (90, 100), (70, 80), (10, 40), (50, 60))
    seg(110, 120)
    ack(0, (110, 120), (90, 100), (70, 80), (10, 40))

    # Holes fill from the left: blocks below RCV.NXT drop out.
    seg(0, 10)
    ack(40, (110, 120), (90, 100), (70, 80))
    seg(40, 50)
    ack(60, (110, 120), (90, 100), (70, 80))
    seg(60, 70)
    ack(80, (110, 120), (90, 100))
    seg(80, 90)
    ack(100, (110, 120))
    seg(100, 110)
    ack(120)
    t.recv_exact(c, data)
    t.expect_nothing(0.3)
