# SPDX-License-Identifier: GPL-2.0
# PSH on the last segment of every write, RFC 9293 §3.9.1.2 (MUST-61: a
# sender that does not queue data for the user's push sets PSH in the last
# segment of each SEND; Linux TCP does so for every write): with a send MSS
# of 1000, write(1000), write(2000) and write(1500) each end in a segment
# with PSH, and only that one carries it.  A write whose length is a
# multiple of the MSS must not lose its PSH to a full segment pushed out
# before the end of the write was known.

WRITES = (1000, 2000, 1500)


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls, mss=1000)
    p = t.peer_isn + 1
    off = 0
    for n in WRITES:
        data = bytes((off + i) & 0xFF for i in range(n))
        t.send(c, data)
        got = b""
        push = []
        while len(got) < n:
            seg = t.expect("A", seq=t.rel(1 + off + len(got)), ack=p,
                           data=lambda d: len(d) > 0)
            t.check(len(seg.data) <= 1000, "a %d-octet segment, MSS 1000" %
                    len(seg.data))
            got += seg.data
            push.append("P" in seg.flags)
            # each segment acknowledged as it comes (Nagle may hold the
            # last, short one until then)
            t.inject("A", p, t.rel(1 + off + len(got)))
        t.check_eq(got, data, "the octets of a %d-octet write" % n)
        t.check_eq(push, [False] * (len(push) - 1) + [True],
                   "PSH on the segments of a %d-octet write" % n)
        off += n
    t.expect_nothing(0.3)
