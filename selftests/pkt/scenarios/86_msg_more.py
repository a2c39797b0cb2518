# SPDX-License-Identifier: GPL-2.0
# MSG_MORE (send(2); Linux's tcp_push corks the push of such a write):
# the write's last short segment waits, without PSH, as if corked, and
# the next write without MSG_MORE sends it.  With a send MSS of 1000 and
# nothing in flight: send(300, MSG_MORE) sends nothing; send(1500,
# MSG_MORE) sends one full segment (no PSH) and holds 800; send(200)
# sends those 1000 with PSH (RFC 9293 §3.9.1.2).  The hold is the push's,
# not the socket's: an ACK arriving meanwhile sends the 800 octets as
# Nagle allows, on Linux as on atcp.

import socket

DATA = bytes((i * 13) & 0xFF for i in range(2000))


def run(t):
    ls = t.listener(5000)
    # An RTO near a second: the persist timer (Linux's probe timer), which
    # would send the held segment, stays clear of the waits below.
    c = t.handshake(ls, mss=1000, rtt=0.3)
    p = t.peer_isn + 1

    t.send(c, DATA[:300], flags=socket.MSG_MORE)
    t.expect_nothing(0.15)
    t.send(c, DATA[300:1800], flags=socket.MSG_MORE)
    seg = t.expect("A", seq=t.rel(1), ack=p, data=DATA[:1000])
    t.check("P" not in seg.flags, "no PSH in a MSG_MORE write's segment")
    # (not acknowledged yet: an ACK's push is not corked, and would send
    # the 800 octets on both stacks)
    t.expect_nothing(0.15)

    t.send(c, DATA[1800:2000])
    t.expect("PA", seq=t.rel(1001), ack=p, data=DATA[1000:2000])
    t.inject("A", p, t.rel(2001))
    t.expect_nothing(0.2)
