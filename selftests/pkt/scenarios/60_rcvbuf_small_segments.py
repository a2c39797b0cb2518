# SPDX-License-Identifier: GPL-2.0
# A window offered is a window honoured (RFC 9293 §3.8.6): into a small
# receive buffer (SO_RCVBUF 2048) the peer sends the whole window the
# SYN,ACK offered as 1-byte segments, in order, while the application does
# not read.  Each byte costs far more buffer than it holds, so the receiver
# must copy the small segments together (Linux coalesces and collapses,
# atcp collapses, module/mem.c) rather than drop data in the window: every
# byte is ACKed, and all that was ACKed is then read back intact.

import socket

TIMEOUT = 120


def counter(name):
    # read directly: absent (before module/mem.c) counts as 0
    for line in open("/proc/net/atcp_snmp"):
        p = line.split()
        if p[0] == name:
            return int(p[1])
    return 0


def run(t):
    ls = t.socket()
    t.setsockopt(ls, socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    t.bind(ls, 5000)
    t.listen(ls)
    p = t.peer_isn + 1
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=p, wnd=lambda w: w > 0)
    t.inject("A", p, t.rel(1))
    c = t.accept(ls)
    wnd = sa.wnd
    t.note("window offered %d bytes" % wnd)
    t.check(wnd >= 256, "a window of at least 256 bytes (%d)" % wnd)
    if not t.is_tcp:
        collapsed = counter("RcvCollapsed")
        drops = counter("RcvQDrop")

    data = bytes((i * 7 + 3) & 0xff for i in range(wnd))
    for i in range(wnd):
        t.inject("A", p + i, t.rel(1), data=data[i:i + 1])
    t.drain(quiet=1.0)
    # an old byte again: the answer carries RCV.NXT
    t.inject("A", p, t.rel(1), data=data[:1])
    seg = t.expect("A", seq=t.rel(1), ack="*", timeout=3)
    got = (seg.ack - p) & 0xffffffff
    t.check_eq(got, wnd, "octets acknowledged of the window offered")
    if not t.is_tcp:
        t.check(counter("RcvCollapsed") > collapsed,
                "RcvCollapsed grew (the small segments were copied)")
        t.check_eq(counter("RcvQDrop") - drops, 0, "RcvQDrop")
    t.recv_exact(c, data[:got])
