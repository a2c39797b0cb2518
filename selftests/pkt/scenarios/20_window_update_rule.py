# SPDX-License-Identifier: GPL-2.0
# The send window update, RFC 9293 §3.10.7.4 ("fifth, check the ACK
# field"): SND.WND is set from SEG.WND only if SND.WL1 < SEG.SEQ, or
# SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK; an old segment (one that was
# reordered, SEG.SEQ < SND.WL1) or an old ACK (SEG.ACK < SND.WL2, a
# duplicate, "can be ignored") does not change the window, neither opening
# nor closing it.  Seen through what the stack sends: the peer offers a
# window smaller than the data the application writes.
#
# An old SEG.SEQ is produced by reordering: an out-of-order data segment
# (newer SEQ) updates the window and SND.WL1, then the segment that fills
# the hole arrives with an older SEQ.  Linux decides by SEG.ACK > SND.UNA,
# SEG.SEQ > SND.WL1, or SEG.SEQ = SND.WL1 with a larger or zero window
# (tcp_may_update_window); for the segments here that is the RFC's rule.
# (A smaller window with the same SEQ and ACK, which the RFC takes, Linux
# 6.1 ignores; it is not used here.)

import socket

from pktlib import M32

DATA = bytes(range(256)) * 40


def off(t, seq):
    """Offset in the stack's data of sequence number seq."""
    return (seq - t.rel(1)) & M32


def sends(t, frm, to, timeout=3):
    """The stack sends its data octets frm..to-1 (one or more segments,
    probes and retransmissions of older data aside), none beyond to."""
    nxt = frm
    while nxt < to:
        seg = t.expect("A", data=lambda d: len(d) > 0, skip=True,
                       timeout=timeout)
        o = off(t, seg.seq)
        end = o + len(seg.data)
        t.check(end <= to, "data %d..%d sent, the window ends at %d" %
                (o, end, to))
        t.check(o <= nxt, "data %d..%d sent, %d..%d missing" %
                (o, end, nxt, o))
        t.check_eq(seg.data, DATA[o:end], "data at offset %d" % o)
        nxt = max(nxt, end)


def holds(t, limit, duration, ack=None):
    """For duration seconds the stack sends nothing beyond offset limit
    (zero-window probes aside); with ack, one segment acknowledges it."""
    segs = t.collect(duration)
    for s in segs:
        if s.data:
            t.check(off(t, s.seq) + len(s.data) <= limit,
                    "data %d..%d sent, the window ends at %d" %
                    (off(t, s.seq), off(t, s.seq) + len(s.data), limit))
    if ack is not None:
        t.check(any(s.ack == ack & M32 for s in segs),
                "no ACK of %d within %.1f s" % (ack - t.peer_isn, duration))


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls, wnd=1000)
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    p = t.peer_isn + 1

    def a(o):
        return t.rel(1 + o)

    # Window 1000: of 3000 octets, 1000 go out.
    t.send(c, DATA[:3000])
    sends(t, 0, 1000)
    # All acknowledged, the window closed (SEG.ACK newer: updated).
    t.inject("A", p, a(1000), wnd=0)
    holds(t, 1000, 0.3)
    # Out of order: SEG.SEQ newer, SND.WL1 = p+10, the window stays 0.
    t.inject("PA", p + 10, a(1000), wnd=0, data=b"B" * 10)
    holds(t, 1000, 0.3, ack=p)
    # The hole: SEG.SEQ < SND.WL1, its window 5000 is not taken.
    t.inject("PA", p, a(1000), wnd=5000, data=b"A" * 10)
    holds(t, 1000, 0.8, ack=p + 20)
    # A newer segment with the same window: the rest goes out.
    t.inject("A", p + 20, a(1000), wnd=5000)
    sends(t, 1000, 3000)

    # SND.WL1 = p+20, SND.WL2 = a(3000), the window closed again.
    t.inject("A", p + 20, a(3000), wnd=0)
    t.send(c, DATA[3000:6000])
    holds(t, 3000, 0.3)
    # Same SEQ, older ACK (SEG.ACK < SND.WL2, a duplicate): not taken.
    t.inject("A", p + 20, a(2000), wnd=5000)
    holds(t, 3000, 0.8)
    # Same SEQ, same ACK (SND.WL2 =< SEG.ACK): taken.
    t.inject("A", p + 20, a(3000), wnd=5000)
    sends(t, 3000, 6000)
    t.inject("A", p + 20, a(6000), wnd=5000)

    # A zero window from an old segment does not close the window.
    t.inject("PA", p + 30, a(6000), wnd=5000, data=b"D" * 10)
    holds(t, 6000, 0.3, ack=p + 20)
    t.inject("PA", p + 20, a(6000), wnd=0, data=b"C" * 10)
    holds(t, 6000, 0.3, ack=p + 40)
    t.send(c, DATA[6000:7000])
    sends(t, 6000, 7000)
    # From a current segment (same SEQ, newer ACK) it does: the next
    # segment is a zero-window probe (SND.UNA-1, as scenario 11), not data.
    t.inject("A", p + 40, a(7000), wnd=0)
    t.send(c, DATA[7000:7100])
    t.expect("A", seq=a(6999), ack=p + 40, data=b"", timeout=5)
    t.inject("A", p + 40, a(7000), wnd=5000)
    sends(t, 7000, 7100)
    t.inject("A", p + 40, a(7100), wnd=5000)
    t.recv_exact(c, b"A" * 10 + b"B" * 10 + b"C" * 10 + b"D" * 10)
    t.expect_nothing(0.3)
