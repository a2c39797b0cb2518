# SPDX-License-Identifier: GPL-2.0
# Sender silly window syndrome avoidance, RFC 1122 §4.2.3.4 (RFC 9293
# §3.8.6.2.1): with nothing in flight and a window that opens by less than
# an MSS (and less than half the largest window offered), the sender does
# not send the sliver at once; it waits, and the persist timer's override
# sends what fits about one RTO later (Linux: tcp_snd_wnd_test holds it,
# tcp_write_wakeup sends it).  Then a full window takes the rest.

DATA = bytes((i * 7) & 0xFF for i in range(6000))


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls, mss=1000, ack_wnd=4000)
    p = t.peer_isn + 1
    t.send(c, DATA)
    got = b""
    while len(got) < 4000:
        seg = t.expect("A", seq=t.rel(1 + len(got)), ack=p,
                       data=lambda d: len(d) > 0)
        got += seg.data
    t.expect_nothing(0.1)                       # the window is full
    # Everything acknowledged, 300 octets of window: a sliver.
    t.inject("A", p, t.rel(4001), wnd=300)
    acked = t.now()
    t.expect_nothing(0.12)
    seg = t.expect("A", seq=t.rel(4001), ack=p, data=lambda d: len(d) > 0,
                   timeout=5)
    waited = seg.time - acked
    t.note("the 300-octet window used after %.3f s" % waited)
    t.check(0.15 <= waited <= 4.0,
            "sliver sent %.3f s after the window opened" % waited)
    t.check_eq(len(seg.data), 300, "octets sent into a 300-octet window")
    got += seg.data
    # A full window: the rest goes out.
    t.inject("A", p, t.rel(1 + len(got)), wnd=65535)
    while len(got) < len(DATA):
        seg = t.expect("A", seq=t.rel(1 + len(got)), ack=p,
                       data=lambda d: len(d) > 0)
        got += seg.data
    t.check_eq(got, DATA, "the octets written")
    t.inject("A", p, t.rel(1 + len(DATA)))
    t.expect_nothing(0.3)
