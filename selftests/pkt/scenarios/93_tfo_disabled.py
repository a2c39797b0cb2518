# SPDX-License-Identifier: GPL-2.0
# TCP Fast Open off (net.ipv4.tcp_fastopen / net.atcp.fastopen = 0), as
# Linux answers it: sendto(MSG_FASTOPEN) and TCP_FASTOPEN_CONNECT fail
# EOPNOTSUPP and send nothing; a listener still takes TCP_FASTOPEN, but
# a cookie request gets no cookie and a SYN with a cookie and data an
# ordinary SYN,ACK (the data not acknowledged, no child before the ACK).
# With the server bit alone (2), the client side stays off.

import errno

import tfolib
from pktlib import SOL_TCP
from tfolib import OPT_TFO, tfo

DATA = b"data on a SYN"


def run(t):
    for bits in (0, 2):
        tfolib.fastopen(t, bits)
        t.flow(pport=8100 + bits)
        s = t.socket()
        tfolib.sendto(t, s, DATA, errno=errno.EOPNOTSUPP)
        t.setsockopt(s, SOL_TCP, tfolib.TCP_FASTOPEN_CONNECT, 1,
                     errno=errno.EOPNOTSUPP)
        t.expect_nothing(0.3)
        t.close(s)

    tfolib.fastopen(t, 0)
    base = tfolib.counters(t, ["TCPFastOpenPassive"])
    t.flow(lport=5000)
    ls = tfolib.listener(t, 5)
    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460), (OPT_TFO, b"")])
    sa = t.expect("SA", ack=t.prel(1))
    t.check_eq(tfo(sa), [], "TFO option of the SYN,ACK to a request")
    t.inject("A", t.prel(1), t.rel(1))
    t.accept(ls)

    t.flow()
    t.inject("S", t.peer_isn,
             opts=[("mss", 1460), (OPT_TFO, bytes(range(8)))], data=DATA)
    sa = t.expect("SA", ack=t.prel(1))
    t.check_eq(tfo(sa), [], "TFO option of the SYN,ACK to a cookie")
    t.accept(ls, errno=errno.EAGAIN)
    t.inject("A", t.prel(1), t.rel(1))
    t.accept(ls)
    tfolib.check_counters(t, base, {"TCPFastOpenPassive": 0})
