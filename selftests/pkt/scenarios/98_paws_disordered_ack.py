# SPDX-License-Identifier: GPL-2.0
# PAWS (RFC 7323 §5.3 R1) and a duplicate ACK overtaken by a later one:
# with timestamps agreed, a pure ACK at RCV.NXT that acknowledges nothing
# new (SEG.ACK = SND.UNA), updates no window (RFC 9293 §3.10.7.4 fifth)
# and whose TSval is older than TS.Recent by less than an RTO is taken,
# not rejected: it can do no harm, and its SACK blocks are news (as
# Linux's tcp_disordered_ack()).  Reordering on the ACK path made atcp
# reject such ACKs (and answer each with an ACK) where Linux takes them.
# The same old TSval on an ACK that widens the window is rejected, with
# an ACK (TSecr = TS.Recent), and counted.


def run(t):
    def rejected():
        return t.counter("PAWSEstabRejected", "PAWSEstab")

    t.sysctl("net.ipv4.tcp_timestamps" if t.is_tcp else
             "net.atcp.timestamps", 1)
    ls = t.listener(5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460), "nop", "nop",
                                    ("ts", 1000, 0)])
    sa = t.expect("SA", ack=t.peer_isn + 1)
    tsv = sa.opt("ts")[0]
    t.inject("A", t.peer_isn + 1, t.rel(1), wnd=30000,
             opts=["nop", "nop", ("ts", 1001, tsv)])
    c = t.accept(ls)

    t.send(c, b"d" * 1000)
    d = t.expect("AP", seq=t.rel(1), data=b"d" * 1000)
    dts = d.opt("ts")[0]
    t.inject("A", t.peer_isn + 1, t.rel(1001), wnd=30000,
             opts=["nop", "nop", ("ts", 2000, dts)])
    t.expect_nothing(0.3)

    before = rejected()
    t.note("a duplicate ACK with TSval 1990 < TS.Recent 2000: taken")
    t.inject("A", t.peer_isn + 1, t.rel(1001), wnd=30000,
             opts=["nop", "nop", ("ts", 1990, dts)])
    t.expect_nothing(0.3)
    t.check_eq(rejected() - before, 0, "PAWS rejections counted")

    t.note("TSval 1990 on an ACK that widens the window: rejected")
    t.inject("A", t.peer_isn + 1, t.rel(1001), wnd=40000,
             opts=["nop", "nop", ("ts", 1990, dts)])
    a = t.expect("A", seq=t.rel(1001), ack=t.peer_isn + 1, timeout=1)
    t.check_eq(a.opt("ts")[1], 2000, "its TSecr (TS.Recent)")
    t.check_eq(rejected() - before, 1, "PAWS rejections counted")
    t.abort(c)
