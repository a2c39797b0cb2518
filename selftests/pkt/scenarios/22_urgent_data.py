# SPDX-License-Identifier: GPL-2.0
# Urgent data, RFC 9293 §3.8.5 and RFC 6093 (SEG.UP points one past the
# last urgent octet: the urgent octet is SEG.SEQ+SEG.UP-1; RFC 1122
# §4.2.2.4), with the BSD socket semantics Linux gives it:
#  (a) send(MSG_OOB): every segment up to the urgent octet carries URG and
#      the pointer to the octet after it; once that is acknowledged,
#      segments (a zero-window probe too) carry no URG;
#  (b) SO_OOBINLINE off: the urgent octet is taken out of the stream;
#      recv(MSG_OOB) gives it once (MSG_OOB in msg_flags), then EINVAL;
#      before any urgent pointer EINVAL, with the pointer known but not
#      the octet EAGAIN; a normal read stops at the mark (SIOCATMARK true
#      there, also after the octet was read), and skips the octet; SIGURG
#      goes to the owner once per new pointer; poll reports POLLPRI while
#      the octet is readable, and no POLLIN when it is all there is;
#  (c) SO_OOBINLINE on: the octet stays in the stream, recv(MSG_OOB) is
#      EINVAL, the read still stops at the mark.
# Linux TCP defines the expected behaviour here.

import errno
import fcntl
import os
import select
import signal
import socket
import time

SIOCATMARK = 0x8905


def atmark(t, s):
    return t.ioctl_int(s, "SIOCATMARK", SIOCATMARK)


def oob(t, s, err=None):
    """recv(MSG_OOB) without waiting; returns the octet, checking that
    msg_flags has MSG_OOB."""
    r = t.call("recvmsg(fd %d, MSG_OOB)" % s.fileno(),
               lambda: s.recvmsg(16, 0, socket.MSG_OOB |
                                 socket.MSG_DONTWAIT), err)
    if r is None:
        return None
    t.check(r[2] & socket.MSG_OOB, "msg_flags 0x%x without MSG_OOB" % r[2])
    return r[0]


def events(s):
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLPRI)
    r = p.poll(0)
    return r[0][1] if r else 0


def check_events(t, s, pri, rd, what):
    ev = events(s)
    t.check_eq(bool(ev & select.POLLPRI), pri, "POLLPRI " + what)
    t.check_eq(bool(ev & select.POLLIN), rd, "POLLIN " + what)


def data_in(t, seq, data, urg=0):
    """Peer data at seq (with URG and SEG.UP = urg if urg); the stack's
    ACK must come."""
    t.inject("PAU" if urg else "PA", seq, t.rel(1), data=data, urg=urg)
    t.expect("A", seq=t.rel(1), ack=seq + len(data))


def run(t):
    sigurg = []
    signal.signal(signal.SIGURG, lambda n, f: sigurg.append(n))
    ls = t.listener(5000)

    # (a) Sending.
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t.send(c, b"abc", flags=socket.MSG_OOB)
    t.expect("AU", seq=t.rel(1), ack=p, urg=3, data=b"abc")
    t.inject("A", p, t.rel(4))
    t.send(c, b"def")
    t.expect("A", seq=t.rel(4), ack=p, urg=0, data=b"def")
    t.inject("A", p, t.rel(7))
    # Two segments: both carry the pointer, each relative to its SEQ.
    t.send(c, b"u" * 2000, flags=socket.MSG_OOB)
    t.expect("AU", seq=t.rel(7), ack=p, urg=2000, data=b"u" * 1460)
    t.expect("AU", seq=t.rel(1467), ack=p, urg=540, data=b"u" * 540)
    # Acknowledged, the window closed: the probe (SND.UNA-1) has no URG.
    t.inject("A", p, t.rel(2007), wnd=0)
    t.send(c, b"z")
    t.expect("A", seq=t.rel(2006), ack=p, urg=0, data=b"", timeout=5)
    t.inject("A", p, t.rel(2007))
    t.expect("A", seq=t.rel(2007), ack=p, urg=0, data=b"z", skip=True)
    t.inject("A", p, t.rel(2008))

    # (b) Receiving, SO_OOBINLINE off.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    fcntl.fcntl(c.fileno(), fcntl.F_SETOWN, os.getpid())
    oob(t, c, errno.EINVAL)                  # no urgent data at all
    data_in(t, p, b"hello")
    oob(t, c, errno.EINVAL)                  # data, nothing urgent
    # The pointer before the octet: SEG.UP=4 points past p+8.
    data_in(t, p + 5, b" w", urg=4)
    oob(t, c, errno.EAGAIN)
    check_events(t, c, False, True, "with the urgent octet not yet here")
    # The octet (the same pointer again, from this SEQ).
    data_in(t, p + 7, b"o!", urg=2)
    check_events(t, c, True, True, "with the urgent octet here")
    t.check_eq(atmark(t, c), 0, "SIOCATMARK before the mark")
    t.check_eq(t.recv(c, 100), b"hello wo", "read up to the mark")
    t.check_eq(atmark(t, c), 1, "SIOCATMARK at the mark")
    check_events(t, c, True, False, "at the mark, only the urgent octet")
    t.check_eq(oob(t, c), b"!", "recv(MSG_OOB)")
    oob(t, c, errno.EINVAL)                  # read already
    t.check_eq(atmark(t, c), 1, "SIOCATMARK at the mark, octet read")
    check_events(t, c, False, False, "at the mark, octet read")
    t.recv(c, errno=errno.EAGAIN)
    data_in(t, p + 9, b"rld")
    t.check_eq(t.recv(c, 100), b"rld", "read after the mark")
    t.check_eq(atmark(t, c), 0, "SIOCATMARK after the mark")
    oob(t, c, errno.EINVAL)
    # A normal read at the mark skips the octet, which is then gone.  The
    # pointer comes with a segment that repeats octets already received:
    # SEG.UP counts from its own SEQ.
    data_in(t, p + 12, b"xy")
    data_in(t, p + 12, b"xy#z", urg=3)
    t.check_eq(t.recv(c, 100), b"xy", "read up to the mark")
    t.check_eq(t.recv(c, 100), b"z", "read at the mark (octet skipped)")
    oob(t, c, errno.EINVAL)
    # SIGURG: once per new urgent pointer (two here).
    deadline = time.monotonic() + 2
    while len(sigurg) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    t.check_eq(len(sigurg), 2, "SIGURG signals")

    # (c) SO_OOBINLINE on.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.setsockopt(c, socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
    data_in(t, p, b"ab!c", urg=3)
    check_events(t, c, True, True, "inline, urgent octet here")
    oob(t, c, errno.EINVAL)
    t.check_eq(t.recv(c, 100), b"ab", "inline: read up to the mark")
    t.check_eq(atmark(t, c), 1, "inline: SIOCATMARK at the mark")
    t.check_eq(t.recv(c, 100), b"!c", "inline: the octet in the stream")
    t.check_eq(atmark(t, c), 0, "inline: SIOCATMARK after the mark")
    oob(t, c, errno.EINVAL)
    t.expect_nothing(0.3)
