# SPDX-License-Identifier: GPL-2.0
# Window scale option, RFC 7323 §2 (net.ipv4.tcp_window_scaling /
# net.atcp.window_scaling = 1):
#  - offered and accepted: the SYN,ACK answers a SYN's window scale with
#    its own (§2.2), its window field unscaled; from then on the stack's
#    window field is RCV.WND >> its shift (a window past 64 KiB in a field
#    far below it) and it takes data that only the scaled window admits;
#    the peer's window field is read << the peer's shift (the stack sends
#    more than the field says, never more than the scaled window);
#  - the active side offers it on its SYN and scales once the SYN,ACK has
#    it;
#  - offered by the peer only, or only by the stack, or malformed (length
#    4: ignored, as Linux): no scaling either way;
#  - a shift over 14 is used as 14 (§2.3).

import socket
import time

from pktlib import M32

PEER_WND = 3000         # the peer's window field on its ACKs


def enable(t, on=1):
    t.sysctl("net.ipv4.tcp_window_scaling" if t.is_tcp else
             "net.atcp.window_scaling", on)


def sent_in_flight(t, c, field, limit, what):
    """Write 20000 octets; the peer never ACKs, so what goes out is what
    the stack takes its send window to be (field octets, or field <<
    shift); returns the octets sent."""
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t.send(c, b"w" * 20000)
    segs = t.collect(1.0)
    top = 0
    for s in segs:
        if s.data:
            top = max(top, (s.seq + len(s.data) - t.rel(1)) & M32)
    t.note("%s: window field %d, %d octets sent" % (what, field, top))
    t.check(0 < top <= limit, "%s: %d octets sent, window %d" %
            (what, top, limit))
    return top


def passive(t, ls, syn_opts, ack_wnd=PEER_WND, delay=0):
    """Passive open; returns (accepted socket, the stack's shift or None).
    delay: seconds before the handshake's ACK (an RTT sample that long,
    so no retransmission timeout in what follows)."""
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)] + syn_opts)
    sa = t.expect("SA", ack=t.peer_isn + 1)
    ws = sa.opt("ws")
    # §2.2: the window of a SYN,ACK is never scaled
    t.check(sa.wnd >= 8192, "SYN,ACK window %d: scaled?" % sa.wnd)
    time.sleep(delay)
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=ack_wnd)
    c = t.accept(ls)
    return c, ws


def scaled_rcv_window(t, ws):
    """The stack's window field is RCV.WND >> ws, and it takes data that
    only the scaled window admits (out of order, kept, then filled)."""
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=PEER_WND, data=b"a" * 100)
    a = t.expect("A", ack=t.peer_isn + 101, timeout=1)
    win = a.wnd << ws
    t.note("window field %d << %d = %d" % (a.wnd, ws, win))
    t.check(ws >= 1, "shift %d: nothing to scale" % ws)
    t.check(win >= 32768, "scaled window %d below 32 KiB" % win)
    # out of order, past the field but inside the scaled window
    off = 101 + a.wnd + 2000
    t.inject("A", t.peer_isn + off, t.rel(1), wnd=PEER_WND, data=b"c" * 100)
    t.expect("A", ack=t.peer_isn + 101, timeout=1)
    pos = 101
    while pos < off:
        n = min(1400, off - pos)
        t.inject("A", t.peer_isn + pos, t.rel(1), wnd=PEER_WND,
                 data=b"b" * n)
        pos += n
    t.expect("A", ack=t.peer_isn + off + 100, skip=True, timeout=1)


def run(t):
    enable(t)
    ls = t.listener(5000)

    t.note("offered and accepted, peer shift 2")
    c, ws = passive(t, ls, ["nop", ("ws", 2)])
    t.check(ws is not None, "no window scale on the SYN,ACK")
    t.check(ws <= 14, "shift %d over 14" % ws)
    scaled_rcv_window(t, ws)
    sent = sent_in_flight(t, c, PEER_WND, PEER_WND << 2, "peer shift 2")
    t.check(sent > PEER_WND, "only %d octets sent: the peer's window "
            "field %d was not scaled" % (sent, PEER_WND))
    t.abort(c)
    t.drain(quiet=0.2)

    t.note("the peer offers none: no scaling either way")
    c, ws = passive(t, ls, [])
    t.check(ws is None, "window scale on the SYN,ACK to a SYN without")
    a_wnd = None
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=PEER_WND, data=b"a" * 100)
    a = t.expect("A", ack=t.peer_isn + 101, timeout=1)
    a_wnd = a.wnd
    t.check(a_wnd >= 8192, "unscaled window field %d" % a_wnd)
    sent_in_flight(t, c, PEER_WND, PEER_WND, "no window scale")
    t.abort(c)
    t.drain(quiet=0.2)

    t.note("malformed (length 4): ignored")
    c, ws = passive(t, ls, [("raw", b"\x03\x04\x02\x00")])
    t.check(ws is None, "window scale answered to a malformed option")
    sent_in_flight(t, c, PEER_WND, PEER_WND, "malformed window scale")
    t.abort(c)
    t.drain(quiet=0.2)

    t.note("shift 15: used as 14 (RFC 7323 §2.3)")
    # window field 1: 16384 octets at shift 14 (32768 if 15 were used)
    c, ws = passive(t, ls, ["nop", ("ws", 15)], ack_wnd=1, delay=1.0)
    t.check(ws is not None, "no window scale on the SYN,ACK")
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t.setsockopt(c, socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    t.send(c, b"x" * 60000)

    def top_sent(segs, top):
        for s in segs:
            if s.data:
                top = max(top, (s.seq + len(s.data) - t.rel(1)) & M32)
        return top

    top = top_sent(t.collect(0.5), 0)
    t.note("initial window: %d octets sent" % top)
    t.check(0 < top <= 16384, "%d octets sent, window 1 << 14" % top)
    # all acknowledged: cwnd doubles, the window stays 16384
    acked = top
    t.inject("A", t.peer_isn + 1, t.rel(1 + acked), wnd=1)
    top = top_sent(t.collect(0.5), top)
    t.note("then: %d octets in flight" % (top - acked))
    t.check(top - acked <= 16384, "%d octets in flight, window 1 << 14" %
            (top - acked))
    t.check(top - acked > 14600, "%d octets in flight: the window of "
            "16384 was not used" % (top - acked))
    t.abort(c)
    t.drain(quiet=0.2)

    t.note("active open: offered on the SYN, scaling once accepted")
    s, syn = t.syn_sent()
    ws = syn.opt("ws")
    t.check(ws is not None, "no window scale on the SYN")
    t.active_open(s=s, opts=[("mss", 1460), "nop", ("ws", 3)],
                  wnd=PEER_WND)
    scaled_rcv_window(t, ws)
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=PEER_WND)
    sent = sent_in_flight(t, s, PEER_WND, PEER_WND << 3, "active, shift 3")
    t.check(sent > PEER_WND, "the SYN,ACK's shift 3 not applied")
    t.abort(s)
    t.drain(quiet=0.2)

    t.note("active open, the SYN,ACK has none: no scaling")
    s, _ = t.syn_sent()
    t.active_open(s=s, wnd=PEER_WND)
    sent_in_flight(t, s, PEER_WND, PEER_WND, "active, no shift")
    t.abort(s)

    t.note("net.*window_scaling 0: not offered")
    enable(t, 0)
    s, syn = t.syn_sent()
    t.check(syn.opt("ws") is None, "window scale offered though off")
    t.abort(s)
    t.drain(quiet=0.2)
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460), "nop", ("ws", 2)])
    sa = t.expect("SA", ack=t.peer_isn + 1)
    t.check(sa.opt("ws") is None, "window scale answered though off")
    t.inject("R", t.peer_isn + 1)
