# SPDX-License-Identifier: GPL-2.0
# Active open, RFC 9293 §3.5 Figure 6 (basic three-way handshake) seen from
# the connecting side: a non-blocking connect() sends a SYN whose MSS option
# is the tun MTU minus 40 (§3.7.1, MUST-14/15: MTU 1500 -> 1460; MTU 1280 ->
# 1240), the socket is SYN-SENT; the peer's SYN,ACK is acknowledged with
# <SEQ=ISS+1><ACK=peer ISN+1><CTL=ACK> and connect() completes.

import errno


def run(t):
    for mtu in (1500, 1280):
        t.set_mtu(mtu)
        f = t.flow(pport=7000 + mtu)
        s = t.socket()
        t.connect(s)
        syn = t.expect("S", opts=[("mss", mtu - 40)], wnd=lambda w: w > 0)
        t.check(syn.len == 1, "SYN carries data")
        t.expect_state(s, "SYN-SENT")
        # Not connected yet: writing fails, reading has nothing.
        t.recv(s, errno=errno.EAGAIN)
        t.inject("SA", t.peer_isn, t.rel(1), wnd=65535,
                 opts=[("mss", 1460)])
        t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
        t.wait_connected(s)
        t.expect_state(s, "ESTABLISHED")
        t.check_eq(s.getpeername(), ("10.99.0.2", f.pport), "getpeername")
        t.expect_nothing(0.3)
