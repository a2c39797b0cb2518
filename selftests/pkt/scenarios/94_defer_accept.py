# SPDX-License-Identifier: GPL-2.0
# TCP_DEFER_ACCEPT (tcp(7); Linux's tcp_check_req and syn_ack_recalc): a
# listener with it does not complete the handshake on a bare ACK.  The
# value is kept as a count of SYN,ACK timeouts (1 s doubling, 120 s at
# most) that covers the seconds asked, and read back as their sum.
#
# With 3 s (two timeouts: 1 s + 2 s):
# - the bare ACK is dropped (TCPDeferAcceptDrop), accept() finds nothing,
#   and the SYN,ACK timer's first expiry sends nothing: it waits for data;
#   data then completes the connection, and accept() returns it with the
#   data readable;
# - a connection that sends no data: the SYN,ACK is sent again only at the
#   end of the period (3 s after the first), and the ACK that answers it
#   completes the connection, accepted with nothing to read.
# On a connecting socket the option delays the ACK of the SYN,ACK (up to
# Linux's TCP_DELACK_MAX, 200 ms) so that it goes with the first data.

import errno as E

SOL_TCP = 6
TCP_DEFER_ACCEPT = 9
# seconds set -> seconds read back
ROUNDING = [(-1, 0), (0, 0), (1, 1), (2, 3), (3, 3), (4, 7), (5, 7),
            (30, 31), (100, 127), (1000, 1087), (100000, 29887)]


def run(t):
    ls = t.listener(5000)
    t.check_eq(t.getsockopt(ls, SOL_TCP, TCP_DEFER_ACCEPT), 0,
               "TCP_DEFER_ACCEPT at first")
    for secs, back in ROUNDING:
        t.setsockopt(ls, SOL_TCP, TCP_DEFER_ACCEPT, secs)
        t.check_eq(t.getsockopt(ls, SOL_TCP, TCP_DEFER_ACCEPT), back,
                   "TCP_DEFER_ACCEPT set to %d, read back" % secs)
    t.setsockopt(ls, SOL_TCP, TCP_DEFER_ACCEPT, 3)
    drops = t.counter("TCPDeferAcceptDrop")

    # A bare ACK: no connection; then data: accepted with the data.
    f1 = t.cur
    p = t.peer_isn + 1
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    t.expect("SA", ack=p, opts=[("mss", 1460)])
    t.inject("A", p, t.rel(1))
    t.accept(ls, errno=E.EAGAIN)
    t.expect_nothing(1.5)           # past the first timeout: no SYN,ACK
    t.accept(ls, errno=E.EAGAIN)
    t.check_eq(t.counter("TCPDeferAcceptDrop") - drops, 1,
               "TCPDeferAcceptDrop after the bare ACK")
    t.inject("PA", p, t.rel(1), data=b"hello")
    c = t.accept(ls, timeout=2)
    t.check_eq(t.getsockopt(c, SOL_TCP, TCP_DEFER_ACCEPT), 0,
               "TCP_DEFER_ACCEPT of the accepted socket")
    t.recv_exact(c, b"hello")
    t.expect("A", seq=t.rel(1), ack=p + 5, flow=f1)

    # No data: the SYN,ACK again at the end of the period, and its ACK
    # completes the connection.
    f2 = t.flow()
    p = t.peer_isn + 1
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sa0 = t.expect("SA", ack=p, opts=[("mss", 1460)])
    t.inject("A", p, t.rel(1))
    sa1 = t.expect("SA", seq=f2.isn, ack=p, opts=[("mss", 1460)], timeout=5)
    t.check_timer(sa1.time - sa0.time, 3.0,
                  what="SYN,ACK again at the end of the deferral")
    t.accept(ls, errno=E.EAGAIN)
    t.check_eq(t.counter("TCPDeferAcceptDrop") - drops, 2,
               "TCPDeferAcceptDrop after the second bare ACK")
    t.inject("A", p, t.rel(1))
    c2 = t.accept(ls, timeout=2)
    t.expect_state(c2, "ESTABLISHED")
    t.recv(c2, errno=E.EAGAIN)
    t.check_eq(t.counter("TCPDeferAcceptDrop") - drops, 2,
               "TCPDeferAcceptDrop after the ACK past the period")
    t.expect_nothing(0.5)

    # The connecting side: the ACK goes with the first data, or alone
    # after 200 ms.
    for with_data in (True, False):
        f = t.flow(pport=7000 + with_data)
        s = t.socket()
        t.setsockopt(s, SOL_TCP, TCP_DEFER_ACCEPT, 1)
        t.connect(s)
        t.expect("S", opts=[("mss", 1460)])
        sa_time = t.now()
        t.inject("SA", t.peer_isn, t.rel(1), opts=[("mss", 1460)])
        t.wait_connected(s)
        if with_data:
            t.send(s, b"GET")
            t.expect("PA", seq=t.rel(1), ack=t.peer_isn + 1, data=b"GET")
            t.inject("A", t.peer_isn + 1, t.rel(4))
        else:
            a = t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
            # (late by up to a second: a loaded host stalls the VM)
            t.check_timer(a.time - sa_time, 0.2, late=1.0,
                          what="the deferred ACK")
        t.expect_nothing(0.3, flow=f)
