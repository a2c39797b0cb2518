# SPDX-License-Identifier: GPL-2.0
# SYN cookies and the options of RFC 7323 and 2018 (every SYN answered by
# a cookie; timestamps, window scaling and SACK on, as Linux's defaults):
#  - a SYN with timestamps, window scale 2 and SACK-permitted gets a
#    SYN,ACK with all three: the cookie keeps the shift and SACK-permitted
#    in the low bits of TSval (as Linux's cookie_init_timestamp()); the ACK
#    echoing it makes a connection that has them: its segments carry
#    timestamps, and the peer's window field is scaled by 2 (the stack
#    sends past the field);
#  - a SYN without timestamps gets a SYN,ACK with the MSS only, and the
#    connection has no scaling (the stack keeps within the field).

import socket

from pktlib import M32

WND = 3000


def flight(t, c):
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t.send(c, b"k" * 20000)
    top = 0
    ts = True
    for s in t.collect(1.0):
        if s.data:
            top = max(top, (s.seq + len(s.data) - t.rel(1)) & M32)
            ts = ts and s.opt("ts") is not None
    return top, ts


def run(t):
    if t.is_tcp:
        for k in ("tcp_syncookies", "tcp_timestamps", "tcp_window_scaling",
                  "tcp_sack"):
            t.sysctl("net.ipv4." + k, 2 if k == "tcp_syncookies" else 1)
    else:
        for k in ("syncookies", "timestamps", "window_scaling", "sack"):
            t.sysctl("net.atcp." + k, 2 if k == "syncookies" else 1)
    ls = t.listener(5000)

    t.note("a SYN with timestamps, window scale 2, SACK-permitted")
    t.inject("S", t.peer_isn, opts=[("mss", 1460), "sackok",
                                    ("ts", 1000, 0), "nop", ("ws", 2)])
    sa = t.expect("SA", ack=t.peer_isn + 1)
    ts = sa.opt("ts")
    t.check(ts is not None, "the cookie's SYN,ACK has no timestamps")
    t.check(sa.opt("ws") is not None, "... no window scale")
    t.check(("sackok",) in sa.opts, "... no SACK-permitted")
    t.check_eq(ts[1], 1000, "its TSecr")
    t.check_eq(t.proc_state(), None, "state listed before the cookie's ACK")
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=WND,
             opts=["nop", "nop", ("ts", 1001, ts[0])])
    c = t.accept(ls)
    top, has_ts = flight(t, c)
    t.note("%d octets sent against a window field of %d" % (top, WND))
    t.check(has_ts, "data without timestamps")
    t.check(WND < top <= WND << 2, "%d octets sent: the peer's shift 2 "
            "not kept by the cookie (window field %d)" % (top, WND))
    t.abort(c)
    t.drain(quiet=0.2)

    t.note("a SYN without timestamps: the MSS only")
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460), "sackok", "nop",
                                    ("ws", 2)])
    sa = t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", 1460)])
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=WND)
    c = t.accept(ls)
    top, has_ts = flight(t, c)
    t.note("%d octets sent against a window field of %d" % (top, WND))
    t.check(0 < top <= WND, "%d octets sent past an unscaled window %d" %
            (top, WND))
    t.abort(c)
