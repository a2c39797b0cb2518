# SPDX-License-Identifier: GPL-2.0
# Undo on timestamps (Eifel detection, RFC 3522 §2; RFC 7323 §4; as
# Linux's tcp_packet_delayed): an ACK that echoes the TSval of an
# original transmission, sent before the first retransmission, shows that
# the original arrived and the retransmission was not needed.
#  - fast recovery: segment 2 of eight looks lost (3-5 SACKed) and is
#    resent; the ACK that ends recovery echoes the original segment 2's
#    TSval: cwnd and ssthresh are given back (TCPFullUndo), the sender is
#    Open (tcpi_ca_state 0);
#  - RTO: four segments go unanswered until the timeout resends the first;
#    then an ACK of all four echoes the original's TSval: the RTO was
#    spurious (TCPLossUndo), cwnd is back from 1 to what it was (no
#    SACK, so no loss probe comes first; Linux: tcp_frto 0, F-RTO's
#    probe with new data kept out of it).
# An ACK that echoes the retransmission's TSval undoes nothing (the
# control in the middle: the same RTO case, that echo).

import struct
import time

MSS = 1000
SEG = MSS - 12      # the timestamps option takes 12 octets of each
CA_STATE, SSTHRESH, CWND = 1, 76, 80     # offsets in struct tcp_info


def info(t, c, off):
    """A field of c's TCP_INFO (not traced: it is polled)."""
    fmt = "B" if off < 8 else "I"
    return struct.unpack_from(fmt, c.getsockopt(6, 11, 104), off)[0]


def ts_handshake(t, ls, rtt, sackok):
    """Passive open with timestamps (and SACK-permitted if sackok); the
    first RTT sample is rtt seconds.  Returns the socket."""
    t.inject("S", t.peer_isn, opts=[("mss", MSS)] +
             (["sackok"] if sackok else []) + ["nop", "nop",
                                               ("ts", 1000, 0)])
    sa = t.expect("SA", ack=t.peer_isn + 1, opts="*")
    ts = sa.opt("ts")
    if ts is None:
        t.fail("SYN,ACK without timestamps")
    time.sleep(rtt)
    t.inject("A", t.peer_isn + 1, t.rel(1),
             opts=["nop", "nop", ("ts", 1001, ts[0])])
    return t.accept(ls)


def ts_ack(t, ack, tsecr, tsval, sack=None):
    opts = ["nop", "nop", ("ts", tsval, tsecr)]
    if sack:
        opts = opts + ["nop", "nop", ("sack", sack)]
    t.inject("A", t.peer_isn + 1, ack, opts=opts)


def wait_state(t, c, want):
    end = time.monotonic() + 2      # the debug kernel may be slow
    while info(t, c, CA_STATE) != want and time.monotonic() < end:
        time.sleep(0.02)
    return info(t, c, CA_STATE)


def send_flight(t, c, data, n, ack_first):
    """Send n segments; returns each one's TSval."""
    t.setsockopt(c, 6, 1, 1)        # TCP_NODELAY
    t.send(c, data)
    tsv = []
    for i in range(n):
        s = t.expect("A", seq=t.rel(1 + i * SEG), ack=t.peer_isn + 1,
                     data=data[i * SEG:(i + 1) * SEG], opts="*")
        tsv.append(s.opt("ts")[0])
        if i == 0 and ack_first:
            ts_ack(t, t.rel(1 + SEG), tsv[0], 1003)
    return tsv


def recovery_undo(t, ls):
    t.note("fast recovery undone by the ACK that ends it")
    t.flow(lport=5000)
    c = ts_handshake(t, ls, 0.5, True)
    n = 8
    data = (bytes(range(239)) * 40)[:n * SEG]

    def seq(i):
        return t.rel(1 + (i - 1) * SEG)

    tsv = send_flight(t, c, data, n, True)
    cwnd0, ssth0 = info(t, c, CWND), info(t, c, SSTHRESH)
    before = t.counter("TCPFullUndo")
    for k in (4, 5, 6):
        # out of order: TS.Recent stays segment 1's TSval (RFC 7323 §4.3)
        ts_ack(t, seq(2), tsv[0], 1004, [(seq(3), seq(k))])
    r = t.expect("A", seq=seq(2), ack=t.peer_isn + 1,
                 data=data[SEG:2 * SEG], skip=True, timeout=2, opts="*")
    t.check((r.opt("ts")[0] - tsv[1]) % 2**32 < 2**31 and
            r.opt("ts")[0] != tsv[1],
            "the retransmission's TSval is later than the original's")
    t.check_eq(info(t, c, CA_STATE), 3, "tcpi_ca_state in recovery")
    t.check(info(t, c, SSTHRESH) < ssth0, "ssthresh reduced in recovery")
    # the original segment 2 arrives and fills the hole: TS.Recent is
    # its TSval, echoed by the ACK of everything
    ts_ack(t, seq(n + 1), tsv[1], 1005)
    t.check_eq(wait_state(t, c, 0), 0, "tcpi_ca_state after the ACK (Open)")
    t.check_eq(t.counter("TCPFullUndo") - before, 1, "TCPFullUndo")
    t.check(info(t, c, SSTHRESH) >= ssth0,
            "ssthresh given back (%d, was %d)" % (info(t, c, SSTHRESH),
                                                 ssth0))
    t.check(info(t, c, CWND) >= cwnd0,
            "cwnd given back (%d, was %d)" % (info(t, c, CWND), cwnd0))
    t.abort(c)
    t.drain(quiet=0.2)


def rto_case(t, ls, echo_original):
    t.note("RTO, then an ACK echoing the %s" %
           ("original's TSval" if echo_original else "retransmission's"))
    t.flow(lport=5000)
    # no SACK: no tail loss probe before the RTO (Linux's is off)
    c = ts_handshake(t, ls, 0.3, False)
    n = 4
    data = (bytes(range(233)) * 20)[:n * SEG]
    tsv = send_flight(t, c, data, n, False)
    cwnd0 = info(t, c, CWND)
    before = t.counter("TCPLossUndo")
    r = t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1, data=data[:SEG],
                 timeout=5, opts="*")
    t.check_eq(info(t, c, CA_STATE), 4, "tcpi_ca_state after the RTO (Loss)")
    ts_ack(t, t.rel(1 + n * SEG), tsv[0] if echo_original else
           r.opt("ts")[0], 1006)
    if echo_original:
        # (not tcpi_ca_state: without SACK Linux holds Loss until an
        # ACK above it, tcp_try_undo_loss; atcp is Open at once)
        end = time.monotonic() + 2
        while (t.counter("TCPLossUndo") == before and
               time.monotonic() < end):
            time.sleep(0.05)
        t.check_eq(t.counter("TCPLossUndo") - before, 1, "TCPLossUndo")
        t.check(info(t, c, CWND) >= cwnd0,
                "cwnd given back (%d, was %d)" % (info(t, c, CWND), cwnd0))
    else:
        time.sleep(0.3)
        t.check_eq(t.counter("TCPLossUndo") - before, 0,
                   "TCPLossUndo for a needed retransmission")
        t.check(info(t, c, CWND) < cwnd0,
                "cwnd still reduced (%d, was %d)" % (info(t, c, CWND),
                                                      cwnd0))
    t.abort(c)
    t.drain(quiet=0.2)


def run(t):
    t.sack(True)
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_frto", 0)
    t.sysctl("net.ipv4.tcp_timestamps" if t.is_tcp else
             "net.atcp.timestamps", 1)
    ls = t.listener(5000)
    recovery_undo(t, ls)
    rto_case(t, ls, True)
    rto_case(t, ls, False)
