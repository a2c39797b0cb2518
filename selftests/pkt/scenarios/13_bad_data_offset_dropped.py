# SPDX-License-Identifier: GPL-2.0
# Malformed headers are discarded, RFC 9293 §3.1 ("Data Offset": the TCP
# header is at least 5 32-bit words and the offset points inside the
# segment): a data offset below 5, a data offset beyond the end of the
# segment, a segment shorter than a TCP header, and an IP packet shorter than
# its total length all get no reply (no ACK, no RST, even to a closed port)
# and deliver nothing; the connection carries on.  The checksums are right,
# so it is the header that is rejected.

import errno


def run(t):
    ls = t.listener(5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    d = b"0123456789"

    t.inject("PA", p, t.rel(1), data=d, doff=4)          # offset < 5
    t.inject("PA", p, t.rel(1), data=d, doff=0)
    t.inject("PA", p, t.rel(1), data=d, doff=15)         # past the end
    t.inject("PA", p, t.rel(1), data=b"", doff=6)        # 20 bytes, offset 24
    # Only 12 bytes of TCP header.
    t.inject_raw(t.packet("PA", p, t.rel(1))[:32], note="12-byte TCP header")
    # The IP total length claims 10 bytes more than there are.
    pkt = t.packet("PA", p, t.rel(1), data=d)
    t.inject_raw(t.packet("PA", p, t.rel(1), data=d,
                          ip_len=len(pkt) + 10), note="IP length +10")
    t.expect_nothing(0.5)
    t.recv(c, errno=errno.EAGAIN)
    t.expect_state(c, "ESTABLISHED")

    # To a closed port: no RST.
    t.inject("A", p, 1234, doff=4, dport=5001)
    t.inject("S", p, doff=15, dport=5001)
    t.inject_raw(t.packet("S", p, dport=5001)[:30], note="10-byte TCP header")
    t.expect_nothing(0.5)

    # A well-formed segment is still taken.
    t.inject("PA", p, t.rel(1), data=d)
    t.expect("A", seq=t.rel(1), ack=p + len(d), timeout=1)
    t.recv_exact(c, d)
