# SPDX-License-Identifier: GPL-2.0
# When zero-window probing gives up, RFC 9293 §3.8.6.1 and RFC 1122
# §4.2.2.17 (MUST-36/37): probes go on as long as the receiver answers
# them, but not for ever when nobody waits for the data, nor past the
# user's timeout (§3.10.8).  As Linux's tcp_probe_timer():
#  (a) TCP_USER_TIMEOUT 1500 ms, every probe answered with a zero window:
#      the connection fails with ETIMEDOUT 1.5 s after the first probe
#      (the last interval cut short), sending nothing more (no RST; a
#      reply of ours to a probe that crosses the failure may meet the
#      closed port's RST);
#  (b) an orphan (close() with data held back by the zero window), every
#      probe answered: it gives up once its backed-off probe interval
#      reaches the largest RTO, and is gone.  atcp only, with
#      net.atcp.rto_max_ms at 1600 (3 probes, about 3 s); Linux's largest
#      RTO is 120 s on 6.1, not a sysctl there, which would take minutes.

import errno
import socket
import time

TIMEOUT = 60


def late_reply_rst(t, seg):
    """The only RST allowed: the closed port's answer (SEQ=SEG.ACK) to our
    reply to a probe that crossed the failure; the failure itself sends
    none (neither stack resets on this timeout)."""
    t.check(seg.seq == t.rel(1) and not seg.data,
            "a RST other than the answer to a late probe reply")
    t.note("RST answering a probe reply that crossed the failure")


def quiet_after(t, duration):
    for seg in t.collect(duration):
        t.check("R" in seg.flags, "a segment after the failure: %s" %
                seg.flags)
        late_reply_rst(t, seg)


def answer_probes(t, p, done, limit):
    """Answer every probe (SEQ=SND.UNA-1, no data) with a zero window
    until done() or limit seconds; returns the probe times."""
    times = []
    deadline = time.monotonic() + limit
    while not done():
        if time.monotonic() > deadline:
            t.fail("still probing after %.0f s (%d probes answered)" %
                   (limit, len(times)))
        for seg in t.collect(0.05):
            if "R" in seg.flags:
                late_reply_rst(t, seg)
                continue
            t.check(seg.seq == t.rel(0) and not seg.data,
                    "not a probe: seq %d, %d octets" %
                    ((seg.seq - t.rel(0)) & 0xFFFFFFFF, len(seg.data)))
            times.append(seg.time)
            t.inject("A", p, t.rel(1), wnd=0)
    return times


def run(t):
    ls = t.listener(5000)

    # (a) The user timeout counts from the first probe, answered or not.
    c = t.handshake(ls, ack_wnd=0)
    p = t.peer_isn + 1
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 1500)
    t.send(c, b"x" * 100)
    times = answer_probes(t, p, lambda: t.state(c, False) == "CLOSED", 10)
    end = time.monotonic()
    t.check(times, "no probe before the connection failed")
    t.note("%d probes; failed %.3f s after the first" %
           (len(times), end - times[0]))
    t.check(1.3 <= end - times[0] <= 2.6,
            "failed %.3f s after the first probe, user timeout 1.5 s" %
            (end - times[0]))
    t.call("recv(fd %d)" % c.fileno(),
           lambda: c.recv(10, socket.MSG_DONTWAIT), errno.ETIMEDOUT)
    quiet_after(t, 0.5)

    if t.is_tcp:
        t.note("(b) skipped for Linux TCP: its largest RTO (120 s) is "
               "fixed on 6.1")
        return

    # (b) An orphan gives up when the interval reaches the largest RTO.
    t.sysctl("net.atcp.rto_max_ms", 1600)
    t.flow(lport=5000)
    c = t.handshake(ls, ack_wnd=0)
    p = t.peer_isn + 1
    t.send(c, b"y" * 100)
    t.close(c)
    times = answer_probes(t, p, lambda: t.proc_state() is None, 15)
    t.note("orphan: %d probes answered, gone %.3f s after the first" %
           (len(times), time.monotonic() - times[0]))
    t.check_eq(len(times), 3, "probes of the orphan (intervals 0.4, 0.8, "
               "then 1.6 s, the largest RTO)")
    quiet_after(t, 0.5)
