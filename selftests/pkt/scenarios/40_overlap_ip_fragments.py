# SPDX-License-Identifier: GPL-2.0
# Overlapping data carried in IP fragments, RFC 9293 §3.10.7.4 ("first,
# check sequence number": "If a segment's contents straddle the boundary
# between old and new, only the new parts are processed") and "seventh,
# process the segment text" (segments held out of order are taken when the
# hole is filled).  A reassembled datagram is not linear data (RFC 791
# reassembly; Linux chains the fragments), so the receiver must cut the old
# octets off whatever the shape of the segment:
#  - 2,800 octets starting 1,200 before RCV.NXT, in 1,000-octet fragments,
#    then the same overlap for a sweep of fragment sizes from 8 to 1,480
#    (fragments sent in order and in reverse): each is ACKed up to its end
#    and only the new octets are delivered;
#  - out of order: a segment held beyond a hole, a second one overlapping
#    its end (the head of the second is cut), both in 8- or 16-octet
#    fragments, then a segment that fills the hole and overlaps the first
#    one's head (cut when the held data is drained): one ACK for all, the
#    stream delivered once.
# The peer's octet at stream offset i is STREAM[i]: overlapping copies agree.

import os

STREAM = bytes((i * 7 + i // 251) & 0xFF for i in range(1 << 16))
REDUCED = os.environ.get("ATCP_REDUCED") == "1"
SIZES = [8, 16, 24, 40, 64, 104, 256, 512, 520, 1000, 1024, 1280, 1472, 1480]
if REDUCED:
    SIZES = [8, 24, 520, 1000, 1480]


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    una = t.rel(1)
    nxt = 0                                     # stream offset of RCV.NXT

    def data_at(off, n):
        return STREAM[off:off + n]

    def send_frags(off, n, size, reverse=False, note="overlap"):
        pkt = t.packet("PA", p + off, una, data=data_at(off, n))
        frags = t.fragments(pkt, size)
        order = range(len(frags) - 1, -1, -1) if reverse else range(len(frags))
        t.note("%s: %d octets at +%d in %d fragments of %d%s" %
               (note, n, off, len(frags), size, " (reversed)" if reverse
                else ""))
        for i in order:
            t.inject_raw(frags[i])
        return len(frags)

    # In-order data first: RCV.NXT = +1200.
    t.inject("PA", p, una, data=data_at(0, 1200))
    t.expect("A", seq=una, ack=p + 1200, timeout=1)
    t.recv_exact(c, data_at(0, 1200))
    nxt = 1200

    # The case: 2,800 octets from 1,200 before RCV.NXT.
    send_frags(nxt - 1200, 2800, 1000)
    t.expect("A", seq=una, ack=p + nxt + 1600, timeout=1)
    t.recv_exact(c, data_at(nxt, 1600))
    nxt += 1600

    # The sweep: the old part is longer than the first fragment's data.
    # (Every fragment is an skb of its own in the reassembled chain: with
    # the smallest ones a segment is kept short enough for the receive
    # buffer's truesize accounting.)
    for i, size in enumerate(SIZES):
        old = min(1200, max(2 * size, 100))
        new = 1000 if size >= 64 else 400
        send_frags(nxt - old, old + new, size, reverse=bool(i % 2))
        t.expect("A", seq=una, ack=p + nxt + new, timeout=1)
        t.recv_exact(c, data_at(nxt, new))
        nxt += new

    # Out of order, then drained.  Hole [nxt, nxt+400); held: A = +400..
    # +1000 and B = +800..+2000 (B's head overlaps A's tail by 200).
    for size in (24, 64):
        base = nxt
        send_frags(base + 400, 600, size, note="held A")
        t.expect("A", seq=una, ack=p + base)          # immediate dup ACK
        send_frags(base + 800, 1200, size, reverse=True, note="held B")
        t.expect("A", seq=una, ack=p + base)
        t.recv(c, errno=11)                             # EAGAIN
        # The filler overlaps A's first 200 octets (A's head is cut).
        t.inject("PA", p + base, una, data=data_at(base, 600))
        t.expect("A", seq=una, ack=p + base + 2000, timeout=1)
        t.recv_exact(c, data_at(base, 2000))
        nxt = base + 2000
    t.expect_nothing(0.3)
