# SPDX-License-Identifier: GPL-2.0
# A peer floods the window with small out-of-order segments, each one
# leaving a hole (RFC 9293 §3.10.7.4 seventh: out-of-order data may be held
# or dropped; it was never acknowledged).  Their buffers would be many times
# the receive buffer: the receiver bounds what it holds by its receive
# buffer (SO_MEMINFO: receive memory at most SO_RCVBUF and one segment) by
# dropping out-of-order data, and the in-order data that follows is still
# taken and delivered intact, the held bytes included.

import socket
import struct

TIMEOUT = 120
SO_MEMINFO = 55


def meminfo(t, s):
    v = struct.unpack("9I", t.getsockopt(s, socket.SOL_SOCKET, SO_MEMINFO,
                                         36))
    return {"rmem": v[0], "rcvbuf": v[1], "wmem_queued": v[5]}


def run(t):
    ls = t.listener(5000)
    p = t.peer_isn + 1
    t.inject("S", t.peer_isn, opts=[("mss", 1000)])
    sa = t.expect("SA", ack=p, wnd=lambda w: w > 0)
    t.inject("A", p, t.rel(1))
    c = t.accept(ls)
    n = min(sa.wnd, 8000) // 1000 * 1000
    t.note("window offered %d bytes, flood over %d" % (sa.wnd, n))
    data = bytes((i * 13 + 5) & 0xff for i in range(n))
    if not t.is_tcp:
        dropped = t.snmp("OfoPruned") + t.snmp("RcvQDrop")

    # 1-byte segments every 4 bytes from the second octet on: all holes
    peak = 0
    for k, off in enumerate(range(1, n, 4)):
        t.inject("A", p + off, t.rel(1), data=data[off:off + 1])
        if k % 200 == 199:
            m = meminfo(t, c)
            peak = max(peak, m["rmem"])
            t.check(m["rmem"] <= m["rcvbuf"] + 8192,
                    "receive memory %d within SO_RCVBUF %d (+1 segment)" %
                    (m["rmem"], m["rcvbuf"]))
    t.drain(quiet=1.0)
    m = meminfo(t, c)
    t.note("%d segments; receive memory peak %d, now %d, SO_RCVBUF %d" %
           (len(range(1, n, 4)), peak, m["rmem"], m["rcvbuf"]))
    t.check(m["rmem"] <= m["rcvbuf"] + 8192, "receive memory bounded")
    rmem = "/proc/sys/net/%s" % ("ipv4/tcp_rmem" if t.is_tcp else "atcp/rmem")
    rmem_max = int(open(rmem).read().split()[2])
    t.check(m["rcvbuf"] <= rmem_max, "SO_RCVBUF %d within the rmem maximum "
            "%d" % (m["rcvbuf"], rmem_max))
    t.recv(c, errno=11)                     # EAGAIN: nothing in order

    # The in-order data now: all of it is taken, ACKed and read intact.
    for off in range(0, n, 1000):
        t.inject("PA", p + off, t.rel(1), data=data[off:off + 1000])
    t.drain(quiet=1.0)
    t.inject("A", p, t.rel(1), data=data[:1])   # elicits ACK=RCV.NXT
    t.expect("A", seq=t.rel(1), ack=p + n, timeout=3)
    t.recv_exact(c, data)
    if not t.is_tcp:
        t.check(t.snmp("OfoPruned") + t.snmp("RcvQDrop") > dropped,
                "out-of-order data was dropped (OfoPruned, RcvQDrop)")
