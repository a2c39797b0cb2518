# SPDX-License-Identifier: GPL-2.0
# Passive open, RFC 9293 §3.5 Figure 6 (basic three-way handshake) seen from
# the listening side: the peer's SYN gets a SYN,ACK acknowledging SEQ+1 and
# carrying an MSS option (§3.7.1: MTU 1500 - 40 = 1460), the peer's ACK
# completes the handshake and accept() returns the connection, and nothing
# more is sent.  §3.4.1: the ISN must not be predictable; SYNs from adjacent
# ports must get ISNs that are not a small constant apart (RFC 6528).


def run(t):
    s = t.socket()
    t.bind(s, 5000)
    t.listen(s, 8)
    t.inject("S", t.peer_isn, wnd=65535, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=t.peer_isn + 1, wnd=lambda w: w > 0,
                  opts=[("mss", 1460)])
    t.check(sa.len == 1, "SYN,ACK carries data")
    t.inject("A", t.peer_isn + 1, t.rel(1))
    c = t.accept(s)
    t.expect_state(c, "ESTABLISHED")
    t.expect_nothing(0.5)

    # ISNs of four connections from adjacent peer ports.
    base = t.cur.pport
    isns = []
    for i in range(1, 5):
        f = t.flow(pport=base + i)
        t.inject("S", t.peer_isn, wnd=65535, opts=[("mss", 1460)])
        t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", 1460)])
        isns.append(f.isn)
        t.inject("R", t.peer_isn + 1)
    diffs = [(b - a) & 0xFFFFFFFF for a, b in zip(isns, isns[1:])]
    t.note("ISNs %s, successive differences %s" % (isns, diffs))
    t.check(len(set(diffs)) > 1, "ISNs advance by a constant step")
    t.check(not all(d < 1 << 24 for d in diffs),
            "ISNs are small forward steps apart (clock-driven, predictable)")
    t.expect_nothing(0.3)
