# SPDX-License-Identifier: GPL-2.0
# splice(2) from a socket at the urgent mark (RFC 9293 §3.8.5, RFC 6093;
# SO_OOBINLINE off, the socket semantics Linux gives urgent data): the
# peer sends 100 octets with SEG.UP = 100, so the 100th octet is the
# urgent one, held out of the stream.  splice() moves the 99 octets before
# the mark and then stops there: a blocking splice at the mark returns 0
# at once (it does not wait for data the out-of-band rules hold back), a
# non-blocking one answers EAGAIN, as Linux's tcp_splice_read() does.
# recv(MSG_OOB) still gives the urgent octet; a recv() steps over the
# mark, after which splice() moves new data again.

import errno
import os
import socket
import struct
import time


def splice(t, c, w, n):
    """splice(c -> pipe w, n); returns (result or None, errno, seconds)."""
    start = time.monotonic()
    try:
        r, e = os.splice(c.fileno(), w, n), 0
    except OSError as ex:
        r, e = None, ex.errno
    return r, e, time.monotonic() - start


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    r, w = os.pipe()
    # Bound every wait: a splice that blocks fails after 2 s.
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 2, 0))

    data = bytes(range(1, 101))
    t.inject("PAU", p, t.rel(1), data=data, urg=100)
    t.expect("A", seq=t.rel(1), ack=p + 100)
    n, e, dt = splice(t, c, w, 99)
    t.check_eq((n, e), (99, 0), "splice of 99 octets before the mark")
    t.check_eq(os.read(r, 200), data[:99], "the octets spliced")

    n, e, dt = splice(t, c, w, 1)
    t.note("splice at the mark: %r, errno %d, %.3f s" % (n, e, dt))
    t.check(dt < 1.0, "splice at the urgent mark waited %.3f s" % dt)
    t.check_eq((n, e), (0, 0), "blocking splice at the urgent mark")
    c.setblocking(False)
    n, e, dt = splice(t, c, w, 1)
    t.check_eq((n, e), (None, errno.EAGAIN),
               "non-blocking splice at the urgent mark")
    c.setblocking(True)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 2, 0))

    t.check_eq(c.recv(1, socket.MSG_OOB | socket.MSG_DONTWAIT), data[99:],
               "recv(MSG_OOB) at the mark")
    n, e, dt = splice(t, c, w, 1)
    t.check(dt < 1.0, "splice at the mark, octet read, waited %.3f s" % dt)
    t.check_eq((n, e), (0, 0), "splice at the mark after recv(MSG_OOB)")

    # New data: recv() steps over the mark; then splice moves data again.
    t.inject("PA", p + 100, t.rel(1), data=b"after")
    t.expect("A", seq=t.rel(1), ack=p + 105)
    t.check_eq(t.recv(c, 100), b"after", "recv after the mark")
    t.inject("PA", p + 105, t.rel(1), data=b"spliced")
    t.expect("A", seq=t.rel(1), ack=p + 112)
    n, e, dt = splice(t, c, w, 100)
    t.check_eq((n, e), (7, 0), "splice after the mark")
    t.check_eq(os.read(r, 200), b"spliced", "the octets spliced")
    os.close(r)
    os.close(w)
