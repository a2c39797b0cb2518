# SPDX-License-Identifier: GPL-2.0
# Malformed TCP options, RFC 9293 §3.1 ("Options") and §3.2: an option list
# may end with EOL or at the end of the header; an option whose length runs
# past the end of the header, a length below 2, or a kind byte with no room
# for its length is malformed.  MUST-7 asks that an illegal option length be
# handled without crashing (resetting is only a suggestion); Linux stops
# parsing at the bad option and processes the segment: the SYN opens the
# connection and, since no MSS option was understood, the send MSS is the
# default 536 (§3.7.1, MUST-15).  Options after a correct one, or after an
# unknown kind with a good length (MUST-6/MUST-68: ignore unknown options),
# are still used: MSS 1000 is honoured.  A data segment with malformed
# options in ESTABLISHED is accepted too.

import socket

DIFFERS = {"atcp": "atcp drops a segment whose option list is malformed and "
           "counts it (InBadOptions): RFC 9293 §3.1 lets an implementation "
           "treat an illegal option length as an error (MUST-7); Linux "
           "stops parsing at the bad option and takes the segment"}

# The option lists that are well formed (atcp takes these too).
VALID = {b"\x02\x04\x03\xe8", b"\x63\x04\xaa\xbb\x02\x04\x03\xe8",
         b"\x01\x01\x02\x04\x03\xe8\x00\x00",
         b"\x00\x00\x00\x00\x02\x04\x03\xe8"}


def bad_options_count():
    with open("/proc/net/atcp_snmp") as f:
        for line in f:
            name, value = line.split()
            if name == "InBadOptions":
                return int(value)
    return None

CASES = [
    # (what, option bytes, send MSS the stack must use)
    ("MSS 1000, well-formed", b"\x02\x04\x03\xe8", 1000),
    ("unknown kind 99, then MSS 1000", b"\x63\x04\xaa\xbb\x02\x04\x03\xe8",
     1000),
    ("NOP, NOP, then MSS 1000", b"\x01\x01\x02\x04\x03\xe8\x00\x00", 1000),
    ("MSS whose length runs past the header", b"\x01\x01\x02\x04", 536),
    ("MSS with length 0", b"\x02\x00\x03\xe8", 536),
    ("MSS with length 1", b"\x02\x01\x03\xe8", 536),
    ("kind byte alone at the end", b"\x01\x01\x01\x02", 536),
    ("unknown kind with length past the header, then MSS",
     b"\x63\x0c\x02\x04\x03\xe8\x00\x00", 536),
    ("MSS after EOL", b"\x00\x00\x00\x00\x02\x04\x03\xe8", 536),
]


def run(t):
    ls = t.listener(5000)
    for what, opts, mss in CASES:
        t.note("%s: %s" % (what, opts.hex()))
        t.flow(lport=5000)
        if not t.is_tcp and opts not in VALID:
            before = bad_options_count()
            t.inject("S", t.peer_isn, wnd=65535, opts=[("raw", opts)])
            t.expect_nothing(0.3)
            t.check_eq(bad_options_count(), before + 1,
                       "%s: InBadOptions counts the drop" % what)
            continue
        t.inject("S", t.peer_isn, wnd=65535, opts=[("raw", opts)])
        t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", 1460)])
        t.inject("A", t.peer_isn + 1, t.rel(1), wnd=65535)
        c = t.accept(ls)
        t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t.send(c, b"x" * 1200)
        seg = t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1, data="*")
        t.check_eq(len(seg.data), mss, "%s: first segment's size" % what)
        t.inject("R", t.peer_isn + 1)
        t.drain(quiet=0.1)

    # ESTABLISHED: data with malformed options is taken.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    for i, opts in enumerate((b"\x01\x02\x04\x05", b"\x02\x00\x00\x00",
                              b"\x08\x0a\x00\x00")):
        if t.is_tcp:
            t.inject("PA", p + i, t.rel(1), data=b"%d" % i,
                     opts=[("raw", opts)])
            t.expect("A", seq=t.rel(1), ack=p + i + 1, timeout=1)
        else:
            t.inject("PA", p, t.rel(1), data=b"%d" % i, opts=[("raw", opts)])
            t.expect_nothing(0.3)
    if t.is_tcp:
        t.recv_exact(c, b"012")
    else:
        # Nothing was taken: the same bytes, well formed, are new data.
        t.inject("PA", p, t.rel(1), data=b"012")
        t.expect("A", seq=t.rel(1), ack=p + 3, timeout=1)
        t.recv_exact(c, b"012")
