# SPDX-License-Identifier: GPL-2.0
# The segment acceptability test, RFC 9293 §3.10.7.4 ("first, check
# sequence number") and §3.4, its four cases:
#   SEG.LEN  RCV.WND
#   0        0       acceptable only if SEG.SEQ = RCV.NXT
#   0        >0      RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
#   >0       0       not acceptable
#   >0       >0      the first or the last octet in the window
# An unacceptable segment is answered with <SEQ=SND.NXT><ACK=RCV.NXT>
# <CTL=ACK> and its data is not delivered; an unacceptable RST is dropped.
# With RCV.WND = 0 "special allowance should be made to accept valid ACKs,
# URGs, and RSTs": a zero-length segment at RCV.NXT still advances SND.UNA
# and updates the send window, an URG still sets the urgent pointer, a RST
# at RCV.NXT still resets.  RCV.WND gets to 0 by a small SO_RCVBUF and data
# the application does not read.

import errno
import socket

from pktlib import M32

DIFFERS = {"atcp": "atcp trims a segment that starts in the window and "
           "ends beyond it to the window (RFC 9293 §3.10.7.4: segments "
           "are tailored by trimming off what lies outside the window); "
           "Linux 6.1 keeps the octets beyond the window, newer Linux "
           "drops such a segment unless its receive queue is empty"}

SIOCOUTQ = 0x5411


def outq(t, s):
    """SIOCOUTQ: octets not yet acknowledged (SND.NXT - SND.UNA here)."""
    return t.ioctl_int(s, "SIOCOUTQ", SIOCOUTQ)


def open_and_fill(t, ls, edge=False):
    """Passive open on ls, then data from the peer, never read, until the
    stack offers a zero window: 1000 octets (so that the windows offered
    are not all multiples of the segment size), then full-sized segments.
    With edge, a segment at RCV.NXT runs 100 octets past a small window
    (the case >0/>0 at the right edge; newer Linux offers windows in
    multiples of the segment size, none small enough).  Returns (socket,
    RCV.NXT, the data the stack took)."""
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=t.peer_isn + 1, wnd=lambda w: w > 0)
    t.inject("A", t.peer_isn + 1, t.rel(1))
    c = t.accept(ls)
    nxt, wnd, took = t.peer_isn + 1, sa.wnd, b""
    windows = [wnd]
    edge_done = not edge
    for i in range(40):
        if wnd == 0:
            t.note("windows offered: %s" % windows)
            if not edge_done:
                t.check(t.is_tcp, "no window of 1 to 1360 octets offered "
                        "to run a segment past")
                t.note("no window of 1 to 1360 octets offered")
            return c, nxt, took
        n = min(wnd, 1460 if i else 1000)
        if not edge_done and wnd <= 1360:
            n = wnd + 100
        chunk = bytes([ord("a") + i % 26]) * n
        t.inject("PA", nxt, t.rel(1), data=chunk)
        seg = t.expect("A", seq=t.rel(1),
                       ack=lambda a: (a - nxt) & M32 <= n)
        d = (seg.ack - nxt) & M32
        if n > wnd:
            edge_done = True
            t.note("%d octets at RCV.NXT, %d in the window: %d taken" %
                   (n, wnd, d))
            if t.is_tcp:
                t.check(d in (0, n), "Linux took %d of %d octets" % (d, n))
            else:
                t.check_eq(d, wnd, "octets taken of a segment running "
                           "past the window (trimmed to it)")
        took += chunk[:d]
        nxt = (nxt + d) & M32
        wnd = seg.wnd
        windows.append(wnd)
    t.fail("no zero window after 40 segments: windows %s" % windows)


def run(t):
    if t.is_tcp:
        # Linux rate-limits ACKs to out-of-window segments (RFC 5961 §7).
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
    ls = t.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.setsockopt(ls, socket.SOL_SOCKET, socket.SO_RCVBUF, 6000)
    t.bind(ls, 5000)
    t.listen(ls)

    c, nxt, took = open_and_fill(t, ls, edge=True)
    una = t.rel(1)

    # RCV.WND = 0, SEG.LEN = 0, SEG.SEQ != RCV.NXT: not acceptable.
    for seq in (nxt + 1, nxt - 1):
        t.inject("A", seq, una)
        t.expect("A", seq=una, ack=nxt, wnd=0)

    # RCV.WND = 0, SEG.LEN = 0 at RCV.NXT: acceptable; the ACK of the
    # stack's data advances SND.UNA, and gets no reply.
    t.send(c, b"s" * 100)
    t.expect("A", seq=una, ack=nxt, wnd=0, data=b"s" * 100)
    t.check_eq(outq(t, c), 100, "SIOCOUTQ before the ACK")
    t.inject("A", nxt, t.rel(101), wnd=0)
    for seg in t.collect(0.5):     # a retransmission that crossed the ACK
        t.check_eq(seg.data, b"s" * 100, "segment after the ACK")
    t.check_eq(outq(t, c), 0, "SIOCOUTQ after a zero-length ACK at RCV.NXT "
               "in a zero window (SND.UNA advanced)")
    # ... and its window is taken: the peer's window was closed (WND=0
    # above); a zero-length segment at RCV.NXT opening it releases data.
    t.send(c, b"t" * 100)
    t.inject("A", nxt, t.rel(101), wnd=65535)
    t.expect("A", seq=t.rel(101), ack=nxt, wnd=0, data=b"t" * 100, skip=True)
    t.inject("A", nxt, t.rel(201))
    una = t.rel(201)
    t.drain(quiet=0.3)

    # RCV.WND = 0, SEG.LEN > 0: not acceptable, even at RCV.NXT.
    for seq in (nxt, nxt + 100):
        t.inject("PA", seq, una, data=b"x" * 10)
        t.expect("A", seq=una, ack=nxt, wnd=0)
    t.expect_nothing(0.3)
    # Only what was taken is delivered (recv_exact: nothing more).
    t.recv_exact(c, took)
    t.drain(quiet=0.3)          # the window updates reading sent

    # RCV.WND > 0, SEG.LEN = 0: outside RCV.NXT..RCV.NXT+RCV.WND-1 is not
    # acceptable (the ACK tells the window).
    t.inject("A", nxt - 1, una)
    wnd = t.expect("A", seq=una, ack=nxt, wnd=lambda w: w > 0).wnd
    t.inject("A", nxt + wnd + 1000, una)
    t.expect("A", seq=una, ack=nxt, wnd=wnd)
    # RCV.WND > 0, SEG.LEN > 0, beyond the window: not acceptable.
    for seq in (nxt + wnd, nxt + wnd + 1000):
        t.inject("PA", seq, una, data=b"y" * 10)
        t.expect("A", seq=una, ack=nxt, wnd=wnd)
    # Partly old, partly new (its last octets in the window): acceptable,
    # only the new octets are delivered.
    t.inject("PA", nxt - 5, una, data=took[-5:] + b"NEW45")
    t.expect("A", seq=una, ack=nxt + 5, wnd="*")
    t.recv_exact(c, b"NEW45")
    nxt += 5
    t.expect_nothing(0.3)

    # A fresh connection: in a zero window an URG still sets the urgent
    # pointer (recv(MSG_OOB): EINVAL without urgent data, EAGAIN once the
    # pointer is known but not the urgent octet), and a RST at RCV.NXT
    # still resets; a RST elsewhere is not acceptable: dropped silently.
    c, nxt, took = open_and_fill(t, ls)
    t.call("recv(MSG_OOB)", lambda: c.recv(1, socket.MSG_OOB |
                                            socket.MSG_DONTWAIT),
           errno=errno.EINVAL)
    t.inject("AU", nxt, t.rel(1), urg=5)
    t.expect_nothing(0.3)
    t.call("recv(MSG_OOB)", lambda: c.recv(1, socket.MSG_OOB |
                                            socket.MSG_DONTWAIT),
           errno=errno.EAGAIN)
    for seq in (nxt + 1, nxt - 1):
        t.inject("R", seq)
    t.expect_nothing(0.3)
    t.expect_state(c, "ESTABLISHED")
    t.inject("R", nxt)
    t.expect_state(c, "CLOSED")
    t.check_eq(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR),
               errno.ECONNRESET, "SO_ERROR after the RST")
    t.expect_nothing(0.3)
