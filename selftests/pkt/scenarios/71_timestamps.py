# SPDX-License-Identifier: GPL-2.0
# Timestamps option, RFC 7323 §3 and §4.3 (net.ipv4.tcp_timestamps /
# net.atcp.timestamps = 1):
#  - passive: a SYN with TSopt gets a SYN,ACK with TSopt, TSecr = the
#    SYN's TSval (§3.2); every later segment carries TSopt, TSecr =
#    TS.Recent, its TSval never going backwards;
#  - TS.Recent (§4.3): an out-of-order segment (SEG.SEQ past
#    Last.ACK.sent) does not update it: its ACK echoes the older TSval;
#    the segment filling the hole does: the ACK echoes that one's;
#  - active: the SYN offers TSopt with TSecr 0; the ACK of the SYN,ACK
#    echoes its TSval;
#  - a SYN without TSopt, or with a malformed one (length 8, ignored as
#    Linux does): no TSopt on any segment of the connection;
#  - with the sysctl 0, no TSopt offered or answered.


def enable(t, on=1):
    t.sysctl("net.ipv4.tcp_timestamps" if t.is_tcp else
             "net.atcp.timestamps", on)


def ts_of(t, seg, what):
    ts = seg.opt("ts")
    if ts is None:
        t.fail("%s without timestamps" % what)
    return ts


def no_ts_connection(t, ls, syn_opts, what):
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)] + syn_opts)
    sa = t.expect("SA", ack=t.peer_isn + 1)
    t.check(sa.opt("ts") is None, "%s: TSopt on the SYN,ACK" % what)
    t.inject("A", t.peer_isn + 1, t.rel(1), opts=[("nop",), ("nop",),
                                                 ("ts", 50, 60)])
    c = t.accept(ls)
    t.inject("A", t.peer_isn + 1, t.rel(1), data=b"q" * 100,
             opts=["nop", "nop", ("ts", 70, 60)])
    a = t.expect("A", ack=t.peer_isn + 101, timeout=1)
    t.check(a.opt("ts") is None, "%s: TSopt on an ACK" % what)
    t.send(c, b"r" * 10)
    d = t.expect("AP", seq=t.rel(1), data=b"r" * 10)
    t.check(d.opt("ts") is None, "%s: TSopt on data" % what)
    t.abort(c)
    t.drain(quiet=0.2)


def run(t):
    enable(t)
    ls = t.listener(5000)

    t.note("passive open with timestamps")
    t.inject("S", t.peer_isn, opts=[("mss", 1460), "nop", "nop",
                                    ("ts", 1000, 0)])
    sa = t.expect("SA", ack=t.peer_isn + 1)
    tsv, tse = ts_of(t, sa, "SYN,ACK")
    t.check_eq(tse, 1000, "the SYN,ACK's TSecr")
    t.inject("A", t.peer_isn + 1, t.rel(1),
             opts=["nop", "nop", ("ts", 2000, tsv)])
    c = t.accept(ls)
    t.send(c, b"d" * 10)
    d = t.expect("AP", seq=t.rel(1), ack=t.peer_isn + 1, data=b"d" * 10)
    v, e = ts_of(t, d, "data")
    t.check_eq(e, 2000, "TSecr (TS.Recent from the handshake's ACK)")
    t.check(((v - tsv) & 0xFFFFFFFF) < 1 << 31, "TSval went backwards")
    last = v
    # the peer ACKs, echoing
    t.inject("A", t.peer_isn + 1, t.rel(11),
             opts=["nop", "nop", ("ts", 3000, v)])

    t.note("out of order: TS.Recent kept; the hole filled: updated")
    t.inject("A", t.peer_isn + 1001, t.rel(11), data=b"o" * 100,
             opts=["nop", "nop", ("ts", 5000, v)])
    a = t.expect("A", ack=t.peer_isn + 1, timeout=1)
    v, e = ts_of(t, a, "duplicate ACK")
    t.check_eq(e, 3000, "TSecr of the ACK of an out-of-order segment "
               "(RFC 7323 §4.3: SEG.SEQ past Last.ACK.sent)")
    t.check(((v - last) & 0xFFFFFFFF) < 1 << 31, "TSval went backwards")
    t.inject("A", t.peer_isn + 1, t.rel(11), data=b"i" * 1000,
             opts=["nop", "nop", ("ts", 4000, v)])
    a = t.expect("A", ack=t.peer_isn + 1101, timeout=1)
    v, e = ts_of(t, a, "ACK")
    t.check_eq(e, 4000, "TSecr of the ACK of the segment filling the hole")
    t.recv_exact(c, b"i" * 1000 + b"o" * 100)
    t.abort(c)
    t.drain(quiet=0.2)

    t.note("active open with timestamps")
    s, syn = t.syn_sent()
    sv, se = ts_of(t, syn, "SYN")
    t.check_eq(se, 0, "the SYN's TSecr")
    t.active_open(s=s, opts=[("mss", 1460), "nop", "nop", ("ts", 7000, sv)])
    v, e = ts_of(t, t.ack, "the ACK of the SYN,ACK")
    t.check_eq(e, 7000, "its TSecr")
    t.abort(s)
    t.drain(quiet=0.2)

    t.note("active open, the SYN,ACK has none: none after")
    s, _ = t.syn_sent()
    t.active_open(s=s)
    t.check(t.ack.opt("ts") is None, "TSopt though the SYN,ACK had none")
    t.abort(s)
    t.drain(quiet=0.2)

    t.note("a SYN without timestamps")
    no_ts_connection(t, ls, [], "no TSopt on the SYN")
    t.note("a malformed TSopt (length 8)")
    no_ts_connection(t, ls, [("raw", b"\x08\x08\0\0\x03\xe8\0\0")],
                     "malformed TSopt")

    t.note("net.*timestamps 0: not offered, not answered")
    enable(t, 0)
    s, syn = t.syn_sent()
    t.check(syn.opt("ts") is None, "TSopt offered though off")
    t.abort(s)
    t.drain(quiet=0.2)
    no_ts_connection(t, ls, ["nop", "nop", ("ts", 1000, 0)],
                     "timestamps off")
