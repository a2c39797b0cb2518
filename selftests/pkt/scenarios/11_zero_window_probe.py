# SPDX-License-Identifier: GPL-2.0
# Zero-window probing, RFC 9293 §3.8.6.1 (MUST-36/37, persist timer) and
# RFC 6298 backoff: the peer offers a zero window; data written locally is
# not sent, but the window is probed after about one RTO and then at
# doubling intervals; each probe the peer answers with its zero window keeps
# the connection open; when the window opens, the data is sent in full from
# SND.UNA.
#
# Both probe as Linux does (tcp_xmit_probe_skb): a zero-length segment
# carrying the already acknowledged sequence number SND.UNA-1, which forces
# the receiver's ACK with its current window.  §3.8.6.1 asks for "at least
# one octet of new data"; the old-sequence probe elicits the same ACK
# without putting data outside the window.

DATA = bytes(range(256)) * 4


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls, ack_wnd=0)          # the handshake's ACK: WND=0
    p = t.peer_isn + 1
    t.expect_nothing(0.3)
    sent = t.now()
    t.send(c, DATA)

    def probe():
        return t.expect("A", seq=t.rel(0), ack=p, data=b"", timeout=10)

    times = []
    last = sent
    for i in range(3):
        seg = probe()
        times.append(seg.time - last)
        last = seg.time
        t.inject("A", p, t.rel(1), wnd=0)      # still closed
    t.note("probe intervals %s s" % ", ".join("%.3f" % x for x in times))
    # First probe after about an RTO (Linux: RTO >= 200 ms; atcp rto_min_ms
    # 200, rto_init_ms 1000); then each interval doubles.
    t.check(0.15 <= times[0] <= 3.5, "first probe after %.3f s" % times[0])
    for i in (1, 2):
        t.check_time(times[i], 2 * times[i - 1], tol=0.15, rel=0.4,
                     what="probe interval %d (2x the previous)" % (i + 1))

    # The window opens: everything goes out from SND.UNA, nothing is lost.
    t.inject("A", p, t.rel(1), wnd=65535)
    got = b""
    while len(got) < len(DATA):
        seg = t.expect("A", seq=t.rel(1 + len(got)), ack=p, data="*")
        t.check(seg.data, "empty segment while sending data")
        got += seg.data
    t.check_eq(got, DATA, "data sent after the window opened")
    t.inject("A", p, t.rel(1 + len(DATA)))
    t.expect_nothing(0.5)
