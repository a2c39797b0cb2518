# SPDX-License-Identifier: GPL-2.0
# A peer that holds a zero window forever and answers every probe
# (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17: the connection stays open as long
# as the receiver answers the probes).  The writer is bounded by its send
# buffer: send() stops with EAGAIN, the memory queued stays within SO_SNDBUF
# and one write (SO_MEMINFO) and SO_SNDBUF within the wmem maximum; the probes go on past
# the retransmission limit (retries2 lowered to 3), and when the window
# finally opens every byte that was accepted is sent.

import errno
import socket
import struct

TIMEOUT = 90
SO_MEMINFO = 55


def run(t):
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_retries2", 3)
        wmem_max = int(open("/proc/sys/net/ipv4/tcp_wmem").read().split()[2])
    else:
        t.sysctl("net.atcp.retries2", 3)
        wmem_max = int(open("/proc/sys/net/atcp/wmem").read().split()[2])
    ls = t.listener(5000)
    c = t.handshake(ls, ack_wnd=0)
    p = t.peer_isn + 1
    chunk = bytes(range(256)) * 64
    total = b""
    while True:
        try:
            n = c.send(chunk, socket.MSG_DONTWAIT)
        except BlockingIOError:
            break
        total += chunk[:n]
    t.send(c, chunk, errno=errno.EAGAIN)
    v = struct.unpack("9I", t.getsockopt(c, socket.SOL_SOCKET, SO_MEMINFO,
                                         36))
    wmem_queued, sndbuf = v[5], v[3]
    t.note("accepted %d bytes; queued %d, SO_SNDBUF %d, wmem max %d" %
           (len(total), wmem_queued, sndbuf, wmem_max))
    t.check(wmem_queued <= sndbuf + 65536, "send memory within SO_SNDBUF")
    t.check(sndbuf <= 2 * wmem_max, "SO_SNDBUF within the wmem maximum")
    t.check(len(total) <= wmem_queued, "bytes accepted all queued")

    # Five probes, each answered with a zero window: more than retries2.
    for i in range(5):
        t.expect("A", seq=t.rel(0), ack=p, data=b"", timeout=15)
        t.inject("A", p, t.rel(1), wnd=0)
    t.check_eq(t.state(c), "ESTABLISHED", "state after five probes")

    # The window opens: everything accepted is sent, from SND.UNA.
    t.inject("A", p, t.rel(1), wnd=65535)
    got = b""
    while len(got) < len(total):
        seg = t.expect("A", seq=t.rel(1 + len(got)), ack=p, data="*",
                       skip=True, timeout=5)
        got += seg.data
        t.inject("A", p, t.rel(1 + len(got)), wnd=65535)
    t.check_eq(got, total, "data sent after the window opened")
