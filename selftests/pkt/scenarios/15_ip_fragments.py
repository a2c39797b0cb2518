# SPDX-License-Identifier: GPL-2.0
# A segment carried in IP fragments, RFC 9293 §3.7.1/§3.9.1 (the transport
# sees whole datagrams reassembled by IP, RFC 791): a SYN and a data segment
# cut into 8- and 24-octet IP fragments and delivered out of order are
# processed exactly like the unfragmented segments; a segment missing a
# fragment is never seen.

import errno


def run(t):
    ls = t.listener(5000)
    syn = t.packet("S", t.peer_isn, wnd=65535, opts=[("mss", 1460)])
    frags = t.fragments(syn, 8)
    for f in reversed(frags):
        t.inject_raw(f, note="SYN fragment")
    t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", 1460)])
    t.inject("A", t.peer_isn + 1, t.rel(1))
    c = t.accept(ls)
    p = t.peer_isn + 1

    data = bytes(range(100))
    frags = t.fragments(t.packet("PA", p, t.rel(1), data=data), 24)
    t.check(len(frags) == 5, "%d fragments" % len(frags))
    for i in (3, 0, 4, 2):                      # fragment 1 missing
        t.inject_raw(frags[i], note="fragment %d" % i)
    t.expect_nothing(0.5)
    t.recv(c, errno=errno.EAGAIN)
    t.inject_raw(frags[1], note="fragment 1")
    t.expect("A", seq=t.rel(1), ack=p + len(data), timeout=1)
    t.recv_exact(c, data)
