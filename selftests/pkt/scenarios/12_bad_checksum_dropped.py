# SPDX-License-Identifier: GPL-2.0
# Segments with a bad checksum are discarded, RFC 9293 §3.1 ("Checksum") and
# §3.10.7 (MUST-2/MUST-3: the checksum covers the pseudo-header, the header
# and the data, and a receiver checks it): no reply (no SYN,ACK, no ACK, no
# RST), no data delivered, no state change.  The pseudo-header carries the
# protocol number of the transport (6 for TCP, 253 for atcp), so a checksum
# computed with the other protocol's number is just as wrong.

import errno


def run(t):
    other = 253 if t.is_tcp else 6
    ls = t.listener(5000)
    syn = dict(wnd=65535, opts=[("mss", 1460)])

    # To a listener.
    t.inject("S", t.peer_isn, csum="bad", **syn)
    t.inject("S", t.peer_isn, csum_proto=other, **syn)
    good = t.packet("S", t.peer_isn, **syn)
    if good[36:38] != b"\0\0":                     # zero is wrong here too
        t.inject("S", t.peer_isn, csum=0, **syn)
    t.expect_nothing(0.5)
    t.accept(ls, errno=errno.EAGAIN)
    # To a closed port: no RST either.
    t.inject("A", t.peer_isn, 1234, csum="bad", dport=5001)
    t.inject("S", t.peer_isn, csum_proto=other, dport=5001)
    t.expect_nothing(0.5)

    c = t.handshake(ls)
    p = t.peer_isn + 1
    # Data: not acknowledged, not delivered.
    t.inject("PA", p, t.rel(1), data=b"hello", csum="bad")
    t.inject("PA", p, t.rel(1), data=b"hello", csum_proto=other)
    t.expect_nothing(0.5)
    t.recv(c, errno=errno.EAGAIN)
    # RST and FIN: ignored.
    t.inject("R", p, csum="bad")
    t.inject("R", p, csum_proto=other)
    t.inject("FA", p, t.rel(1), csum="bad")
    t.expect_nothing(0.3)
    t.expect_state(c, "ESTABLISHED")
    # The same data with the right checksum is taken.
    t.inject("PA", p, t.rel(1), data=b"hello")
    t.expect("A", seq=t.rel(1), ack=p + 5, timeout=1)
    t.recv_exact(c, b"hello")
