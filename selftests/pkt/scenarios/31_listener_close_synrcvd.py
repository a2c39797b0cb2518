# SPDX-License-Identifier: GPL-2.0
# A listener closed while handshakes are in SYN-RECEIVED (RFC 9293 §3.10.7.2,
# §3.9.1 CLOSE of a LISTEN: "any outstanding RECEIVEs are returned ... delete
# TCB"): the SYN-RECEIVED connections vanish with it, silently (no RST, as
# Linux), no SYN,ACK is retransmitted after, and the peer's late ACK finds no
# connection and gets <SEQ=SEG.ACK><CTL=RST> (§3.10.7.1).  Also: while it
# lives, the SYN-RECEIVED connection is listed in /proc (SYN-RECEIVED) and
# its SYN,ACK is retransmitted after the initial RTO.


def run(t):
    s = t.listener(5000, 8)
    f1 = t.cur
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    t.expect("SA", ack=t.peer_isn + 1)
    f2 = t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    t.expect("SA", ack=t.peer_isn + 1)
    t.expect_proc_state("SYN-RECEIVED", flow=f1)
    t.expect_proc_state("SYN-RECEIVED", flow=f2)
    # the SYN,ACK again after the initial RTO (1 s)
    t.expect("SA", seq=f1.isn, ack=f1.peer_isn + 1, flow=f1, timeout=3)
    t.expect("SA", seq=f2.isn, ack=f2.peer_isn + 1, flow=f2, timeout=3)

    t.close(s)
    # (Linux leaves its entries to their timer, which drops them at the
    # next expiry: listed up to 2 s more)
    t.expect_proc_state(None, flow=f1, timeout=4)
    t.expect_proc_state(None, flow=f2, timeout=4)
    # nothing: no RST for the entries, no SYN,ACK retransmission (the next
    # would have come 2 s after the first)
    t.expect_nothing(2.5)
    t.inject("A", f1.peer_isn + 1, f1.isn + 1, flow=f1)
    t.expect("R", f1.isn + 1, flow=f1)
