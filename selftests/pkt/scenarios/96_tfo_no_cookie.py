# SPDX-License-Identifier: GPL-2.0
# TCP Fast Open without cookies, the fastopen sysctl's bits 0x4 (client)
# and 0x200 (server), as Linux answers them: the client's
# sendto(MSG_FASTOPEN) puts the data on a SYN with no TFO option at all,
# and sendto returns the octets sent; a listener with TCP_FASTOPEN takes
# data on a SYN without an option: the child at accept() at once, the
# SYN,ACK acknowledging the data, with no cookie.  A SYN without data
# or option stays an ordinary SYN.

import errno

import tfolib
from tfolib import tfo

DATA = b"no cookie needed"
N = len(DATA)


def run(t):
    # client: 0x1 | 0x4
    tfolib.fastopen(t, 0x5)
    t.flow(pport=8200)
    s = t.socket()
    t.check_eq(tfolib.sendto(t, s, DATA), N, "sendto(MSG_FASTOPEN)")
    syn = t.expect("S", data=DATA)
    t.check_eq(tfo(syn), [], "TFO option of the SYN")
    t.inject("SA", t.peer_isn, t.rel(1 + N), opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1 + N), ack=t.prel(1))
    t.wait_connected(s)
    t.check(tfolib.options(t, s) & tfolib.TCPI_OPT_SYN_DATA,
            "TCPI_OPT_SYN_DATA")
    t.abort(s)
    t.expect("RA", seq=t.rel(1 + N))

    # server: 0x2 | 0x200
    tfolib.fastopen(t, 0x202)
    t.flow(lport=5000)
    ls = tfolib.listener(t, 5)
    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460)], data=DATA)
    sa = t.expect("SA", ack=t.prel(1 + N))
    t.check_eq(tfo(sa), [], "TFO option of the SYN,ACK")
    c = t.accept(ls)
    t.recv_exact(c, DATA)
    t.inject("A", t.prel(1 + N), t.rel(1))
    t.expect_state(c, "ESTABLISHED")

    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    t.expect("SA", ack=t.prel(1))
    t.accept(ls, errno=errno.EAGAIN)
