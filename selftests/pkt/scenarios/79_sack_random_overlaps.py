# SPDX-License-Identifier: GPL-2.0
# Out-of-order segments of random sizes at random places, overlapping one
# another and arriving in random order, with the first octets held back to
# the end, so that every one of them is queued out of order (RFC 9293
# §3.10.7.4 seventh) and ACKed at once with ACK=RCV.NXT and SACK blocks.
# Checked on every ACK, against what the peer sent: the blocks lie above
# the ACK and within data received (RFC 2018 §4); the first block
# contains the segment just sent, or, when the segment repeated octets
# already held, is a D-SACK of those octets only and the second block
# contains the segment (RFC 2883 §4 (1)); at most four blocks.  At the end
# the data is delivered once, intact.  Many holes and overlaps exercise
# the out-of-order queue's insertion, trimming and draining.

import os
import socket

TIMEOUT = 240


def run(t):
    t.sack(True, dsack=True)
    ls = t.listener(5000)
    # room for every segment's buffer: nothing is pruned
    t.setsockopt(ls, socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    c = t.handshake(ls, sackok=True)
    t.check(t.synack.sackok, "the SYN,ACK offers SACK-permitted")
    p = t.peer_isn + 1
    rnd = t.rng
    reduced = os.environ.get("ATCP_REDUCED", "0") != "0"
    total = 4000 if reduced else 12000
    nseg = 30 if reduced else 80
    data = bytes(rnd.randrange(256) for _ in range(total))
    head = 100
    segs = []
    for _ in range(nseg):
        a = rnd.randrange(head, total - 1)
        b = min(total, a + rnd.randrange(1, 400))
        segs.append((a, b))
    # then whatever is left uncovered, so that everything arrives
    have = bytearray(total)
    for a, b in segs:
        have[a:b] = b"\1" * (b - a)
    a = head
    while a < total:
        if not have[a]:
            b = a
            while b < total and not have[b] and b - a < 400:
                b += 1
            segs.append((a, b))
            a = b
        else:
            a += 1
    rnd.shuffle(segs)
    t.note("%d segments over %d octets" % (len(segs), total))

    got = bytearray(total)              # octets the stack holds
    for a, b in segs:
        dup = any(got[a:b])
        t.inject("A", p + a, t.rel(1), data=data[a:b])
        got[a:b] = b"\1" * (b - a)
        s = t.expect("A", seq=t.rel(1), ack=p, opts="*", timeout=3)
        blocks = [((lo - p) & 0xFFFFFFFF, (hi - p) & 0xFFFFFFFF)
                  for lo, hi in (s.opt("sack") or [])]
        t.check(1 <= len(blocks) <= 4, "1 to 4 SACK blocks: %s" % blocks)
        for lo, hi in blocks:
            t.check(head <= lo < hi <= total and all(got[lo:hi]),
                    "block %d-%d above the ACK, data received (%d-%d "
                    "sent)" % (lo, hi, a, b))
        lo, hi = blocks[0]
        if dup and lo >= a and hi <= b and len(blocks) > 1 and \
                not (lo <= a and hi >= b):
            # a D-SACK: the repeated octets; then the segment's block
            lo, hi = blocks[1]
        t.check(lo <= a and hi >= b, "segment %d-%d inside block %d-%d "
                "(%s)" % (a, b, lo, hi, blocks))

    t.inject("A", p, t.rel(1), data=data[:head])
    t.expect("A", seq=t.rel(1), ack=p + total, opts=[], timeout=3)
    t.recv_exact(c, data)
    t.expect_nothing(0.3)
