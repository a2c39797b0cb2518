# SPDX-License-Identifier: GPL-2.0
# PAWS, RFC 7323 §5.3: with timestamps agreed, a segment whose TSval is
# older than TS.Recent is not acceptable (R1): it is dropped, its data
# never delivered, and answered with an ACK (RCV.NXT unchanged, TSecr =
# TS.Recent); the same data with a current TSval is taken.  A RST is
# accepted whatever its TSval (as Linux: R1 spares RSTs).  atcp counts
# PAWSEstabRejected, as Linux's netstat.

import errno as E


def paws_count(t):
    return t.counter("PAWSEstabRejected", "PAWSEstab")


def run(t):
    t.sysctl("net.ipv4.tcp_timestamps" if t.is_tcp else
             "net.atcp.timestamps", 1)
    ls = t.listener(5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460), "nop", "nop",
                                    ("ts", 1000, 0)])
    sa = t.expect("SA", ack=t.peer_isn + 1)
    tsv = sa.opt("ts")[0]
    t.inject("A", t.peer_isn + 1, t.rel(1),
             opts=["nop", "nop", ("ts", 1001, tsv)])
    c = t.accept(ls)
    t.inject("AP", t.peer_isn + 1, t.rel(1), data=b"a" * 100,
             opts=["nop", "nop", ("ts", 2000, tsv)])
    t.expect("A", ack=t.peer_isn + 101, timeout=1)
    t.recv_exact(c, b"a" * 100)

    before = paws_count(t)
    t.note("old TSval 1500 < TS.Recent 2000: dropped with an ACK")
    t.inject("AP", t.peer_isn + 101, t.rel(1), data=b"b" * 100,
             opts=["nop", "nop", ("ts", 1500, tsv)])
    a = t.expect("A", ack=t.peer_isn + 101, timeout=1)
    ts = a.opt("ts")
    t.check(ts is not None, "the ACK has no TSopt")
    t.check_eq(ts[1], 2000, "its TSecr (TS.Recent)")
    t.recv(c, errno=E.EAGAIN)
    t.check_eq(paws_count(t) - before, 1, "PAWS rejections counted")

    t.note("the same data with TSval 2500: taken")
    t.inject("AP", t.peer_isn + 101, t.rel(1), data=b"b" * 100,
             opts=["nop", "nop", ("ts", 2500, tsv)])
    a = t.expect("A", ack=t.peer_isn + 201, timeout=1)
    t.check_eq(a.opt("ts")[1], 2500, "TSecr")
    t.recv_exact(c, b"b" * 100)

    t.note("a RST with an old TSval: accepted")
    t.inject("R", t.peer_isn + 201, opts=["nop", "nop", ("ts", 100, 0)])
    t.expect_state(c, "CLOSED")
