# SPDX-License-Identifier: GPL-2.0
# TCP Fast Open, a server given a wrong cookie (RFC 7413 §4.2.2), as Linux
# answers it (net.ipv4.tcp_fastopen / net.atcp.fastopen = 2, TCP_FASTOPEN 5
# on the listener): the SYN,ACK acknowledges the SYN only and carries a
# fresh cookie, the valid one; no child until the handshake's ACK; the
# client's data comes again after it (TCPFastOpenPassiveFail).  Linux's
# experimental option 254 (magic 0xF989) is answered in kind: its cookie
# request gets the same cookie in option 254, and that cookie with data
# on the SYN makes a child at once.  With the same key set
# (net.ipv4.tcp_fastopen_key / net.atcp.fastopen_key), both stacks give
# the same cookie: SipHash-2-4 of the two addresses, checked here.

import errno

import tfolib
from tfolib import EXP_MAGIC, OPT_EXP, OPT_TFO, tfo

DATA = b"some request on the SYN"
N = len(DATA)


def run(t):
    tfolib.fastopen(t, 2)
    base = tfolib.counters(t, ["TCPFastOpenPassive",
                               "TCPFastOpenPassiveFail"])
    ls = tfolib.listener(t, 5)
    want = tfolib.set_key(t, (0x00010203, 0x04050607, 0x08090A0B,
                              0x0C0D0E0F))
    cookie = tfolib.get_cookie(t, ls)
    t.check_eq(cookie.hex(), want.hex(), "the cookie of the key set")

    bad = bytes(b ^ 0x5A for b in cookie)
    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460), (OPT_TFO, bad)],
             data=DATA)
    sa = t.expect("SA", ack=t.prel(1))
    t.check_eq(tfo(sa), [(OPT_TFO, cookie)], "SYN,ACK's fresh cookie")
    t.accept(ls, errno=errno.EAGAIN)
    t.inject("A", t.prel(1), t.rel(1))
    c = t.accept(ls)
    t.inject("PA", t.prel(1), t.rel(1), data=DATA)
    t.recv_exact(c, DATA)
    t.check_eq(tfolib.options(t, c) & tfolib.TCPI_OPT_SYN_DATA, 0,
               "TCPI_OPT_SYN_DATA")

    # option 254: the same cookie, in kind
    exp_cookie = tfolib.get_cookie(t, ls, (OPT_EXP, EXP_MAGIC))
    t.check_eq(exp_cookie, cookie, "the cookie in option 254")
    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460),
                                    (OPT_EXP, EXP_MAGIC + cookie)],
             data=DATA)
    sa = t.expect("SA", ack=t.prel(1 + N))
    t.check_eq(tfo(sa), [], "TFO option of the SYN,ACK")
    c = t.accept(ls)
    t.recv_exact(c, DATA)
    t.inject("A", t.prel(1 + N), t.rel(1))
    t.expect_state(c, "ESTABLISHED")

    tfolib.check_counters(t, base, {"TCPFastOpenPassive": 1,
                                    "TCPFastOpenPassiveFail": 1})
