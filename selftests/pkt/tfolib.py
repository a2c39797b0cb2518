# SPDX-License-Identifier: GPL-2.0
"""TCP Fast Open (RFC 7413) helpers shared by the scenarios 90-93: the
fastopen sysctl of the stack under test, the TFO option of a segment,
sendto(MSG_FASTOPEN) and tcpi_options."""

import socket
import struct

from pktlib import LOCAL, PEER, SOL_TCP

MSG_FASTOPEN = 0x20000000
TCP_FASTOPEN = 23
TCP_FASTOPEN_CONNECT = 30
TCPI_OPT_SYN_DATA = 32
OPT_TFO = 34                    # RFC 7413 §4.1.1
OPT_EXP = 254                   # Linux's experimental TFO option
EXP_MAGIC = b"\xf9\x89"


def fastopen(t, bits):
    """net.ipv4.tcp_fastopen or net.atcp.fastopen (Linux's bits: 1
    client, 2 server, 4 client without cookie, 0x200 server without)."""
    t.sysctl("net.ipv4.tcp_fastopen" if t.is_tcp else "net.atcp.fastopen",
             bits)


def tfo(seg):
    """The TFO options (kind 34 or 254) of a segment, as (kind, value)."""
    return [tuple(o) for o in seg.opts if o[0] in (OPT_TFO, OPT_EXP)]


def sendto(t, s, data, errno=None):
    """Non-blocking sendto(MSG_FASTOPEN) to the peer's port of the current
    flow; records the local port.  Returns what sendto returned."""
    f = t.cur
    n = t.call("sendto(fd %d, %d bytes, MSG_FASTOPEN)" % (s.fileno(),
                                                        len(data)),
               lambda: s.sendto(data, MSG_FASTOPEN | socket.MSG_DONTWAIT,
                                (PEER, f.pport)), errno)
    port = s.getsockname()[1]
    if port:
        f.lport = port
    return n


def options(t, s):
    """tcpi_options of TCP_INFO."""
    return struct.unpack_from("B", t.tcp_info(s), 5)[0]


def listener(t, qlen):
    """A listener with TCP_FASTOPEN qlen."""
    ls = t.listener()
    t.setsockopt(ls, SOL_TCP, TCP_FASTOPEN, qlen)
    t.check_eq(t.getsockopt(ls, SOL_TCP, TCP_FASTOPEN), qlen,
               "TCP_FASTOPEN read back")
    return ls


def get_cookie(t, ls, opt=(OPT_TFO, b"")):
    """A new flow asks the listener for a cookie (an empty TFO option);
    the SYN,ACK carries it; the connection completes and is aborted.
    Returns the cookie."""
    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460), opt])
    sa = t.expect("SA", ack=t.prel(1))
    fo = tfo(sa)
    t.check(len(fo) == 1 and fo[0][0] == opt[0],
            "the SYN,ACK answers the cookie request: %r" % (fo,))
    val = fo[0][1]
    if opt[0] == OPT_EXP:
        t.check_eq(val[:2], EXP_MAGIC, "the experimental option's magic")
        val = val[2:]
    t.check_eq(len(val), 8, "cookie length")
    t.inject("A", t.prel(1), t.rel(1))
    c = t.accept(ls)
    t.abort(c)
    t.expect("RA", seq=t.rel(1))
    return val


def siphash24(key, msg):
    """SipHash-2-4 (the function of Linux's siphash()), 64 bits."""
    mask = (1 << 64) - 1
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rotl(x, b):
        return ((x << b) | (x >> (64 - b))) & mask

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & mask
            v[1] = rotl(v[1], 13) ^ v[0]
            v[0] = rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & mask
            v[3] = rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & mask
            v[3] = rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & mask
            v[1] = rotl(v[1], 17) ^ v[2]
            v[2] = rotl(v[2], 32)

    n = len(msg) // 8 * 8
    for i in range(0, n, 8):
        m = struct.unpack_from("<Q", msg, i)[0]
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    b = ((len(msg) & 0xFF) << 56) | int.from_bytes(msg[n:], "little")
    v[3] ^= b
    rounds(2)
    v[0] ^= b
    v[2] ^= 0xFF
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def set_key(t, words):
    """The server key, net.ipv4.tcp_fastopen_key or net.atcp.fastopen_key,
    from four 32-bit words; returns the expected cookie of a SYN from the
    peer: SipHash-2-4 of its and our address, little-endian, as Linux."""
    text = "-".join("%08x" % w for w in words)
    name = "net.ipv4.tcp_fastopen_key" if t.is_tcp else \
        "net.atcp.fastopen_key"
    t.sysctl(name, text)
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        t.check_eq(f.read().strip(), text, name + " read back")
    key = struct.pack("<4I", *words)
    msg = socket.inet_aton(PEER) + socket.inet_aton(LOCAL)
    return struct.pack("<Q", siphash24(key, msg))


def counters(t, names):
    return {n: t.counter(n) for n in names}


def check_counters(t, before, expected):
    """Each counter moved by exactly the expected amount."""
    for n, d in expected.items():
        t.check_eq(t.counter(n) - before[n], d, n)

