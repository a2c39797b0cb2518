# SPDX-License-Identifier: GPL-2.0
# An expired SYN cookie (RFC 4987 §3.6): a cookie carries the minute it was
# made and is valid for two (atcp as Linux: the counter may differ by 0 or
# 1).  An ACK that returns a cookie 125 s after its SYN,ACK (two minute
# boundaries later, whenever it was made) is no longer one: it gets
# <SEQ=SEG.ACK><CTL=RST>, makes no connection, and counts in
# SyncookiesFailed.  A second SYN at 110 s keeps the listener's "cookies
# sent recently" window open (Linux's tcp_synq_no_recent_overflow, atcp's
# atcp_cookies_recent), else the ACK would not be checked as a cookie at all.
# The same ACK at once is still accepted (scenario 30): the first flow
# shows the cookie was good.
#
# Lasts about 2 minutes of wall time on every kernel (the cookie clock):
# it runs on 6.1 and 6.12 and is skipped, saying so, on the debug kernel
# (ATCP_REDUCED=1), where the suite's time is short already.

import errno as E
import os
import time

TIMEOUT = 300
BACKGROUND = True     # mostly waiting: run.py starts it first


def run(t):
    if os.environ.get("ATCP_REDUCED") == "1":
        t.skip("two minutes of wall time: run on 6.1 and 6.12")
    t.sysctl("net.ipv4.tcp_syncookies" if t.is_tcp else
             "net.atcp.syncookies", 2)
    s = t.listener(5000, 8)

    # A cookie used at once: a connection (the cookie was good).
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=t.peer_isn + 1)
    t.inject("A", t.peer_isn + 1, sa.seq + 1)
    c = t.accept(s)
    t.expect_state(c, "ESTABLISHED")

    # The same kind of cookie, returned after 125 s.
    old = t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)], flow=old)
    sa = t.expect("SA", ack=old.peer_isn + 1, flow=old)
    t0 = time.monotonic()
    time.sleep(110)
    fresh = t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)], flow=fresh)
    t.expect("SA", ack=fresh.peer_isn + 1, flow=fresh)
    time.sleep(max(0.0, 125 - (time.monotonic() - t0)))
    n0 = t.counter("SyncookiesFailed")
    t.inject("A", old.peer_isn + 1, sa.seq + 1, flow=old)
    t.expect("R", sa.seq + 1, flow=old)
    t.accept(s, errno=E.EAGAIN)
    t.check_eq(t.proc_state(flow=old), None,
               "state of the expired cookie's flow")
    t.check_eq(t.counter("SyncookiesFailed") - n0, 1, "SyncookiesFailed")
