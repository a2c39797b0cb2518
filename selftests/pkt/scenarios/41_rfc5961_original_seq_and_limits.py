# SPDX-License-Identifier: GPL-2.0
# RFC 5961 as adopted by RFC 9293 §3.10.7.4, with the segment's own SEG.SEQ
# and flags (not what trimming to the window leaves of them):
#  - second, check the RST bit (RFC 5961 §3.2): a RST carrying data that
#    starts before RCV.NXT and runs past it is in the window but its SEQ is
#    not RCV.NXT: challenge ACK, the connection stays;
#  - fourth, check the SYN bit (RFC 5961 §4.2): a SYN whose data overlaps
#    RCV.NXT (SYN at RCV.NXT-1) gets a challenge ACK; it keeps its SYN bit
#    and none of its data is taken;
#  - §7 rate limits, as Linux: per connection one challenge ACK each
#    invalid_ratelimit (500 ms by default, both stacks), and a per-netns
#    budget, off by default (INT_MAX); when set to N it is drawn at random
#    each second between N/2 and 3N/2 (the CVE-2016-5696 side channel was
#    a fixed, countable budget).

import errno
import os
import time

# The debug kernel (ATCP_REDUCED=1) is ~40 times slower: smaller bursts.
BURST = 20 if os.environ.get("ATCP_REDUCED") == "1" else 40


def ratelimit(t, ms):
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", ms)
    else:
        t.sysctl("net.atcp.invalid_ratelimit_ms", ms)


def read_sysctl(name):
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        return int(f.read())


def run(t):
    pfx = "net.ipv4.tcp_" if t.is_tcp else "net.atcp."
    rl = read_sysctl(pfx + ("invalid_ratelimit" if t.is_tcp else
                            "invalid_ratelimit_ms"))
    lim = read_sysctl(pfx + "challenge_ack_limit")
    t.note("defaults: invalid ratelimit %d ms, challenge_ack_limit %d" %
           (rl, lim))
    t.check_eq(rl, 500, "default per-socket challenge ACK interval (ms)")
    t.check_eq(lim, 2147483647, "default per-netns challenge ACK limit")

    ratelimit(t, 0)
    ls = t.listener(5000)
    c = t.handshake(ls)
    nxt = t.peer_isn + 1
    una = t.rel(1)
    t.inject("PA", nxt, una, data=b"0123456789")
    t.expect("A", seq=una, ack=nxt + 10, timeout=1)
    t.recv_exact(c, b"0123456789")
    nxt += 10

    # RST with data from RCV.NXT-5 to RCV.NXT+5: challenge ACK.
    for flags in ("R", "RA"):
        t.inject(flags, nxt - 5, una if "A" in flags else None,
                 data=b"0123456789")
        t.expect("A", seq=una, ack=nxt)
        t.expect_state(c, "ESTABLISHED")
    # SYN at RCV.NXT-1 with data up to RCV.NXT+9; SYN,ACK the same.
    for flags in ("S", "SA"):
        t.inject(flags, nxt - 1, una if "A" in flags else None,
                 data=b"abcdefghij", opts=[("mss", 1460)])
        t.expect("A", seq=una, ack=nxt)
        t.expect_state(c, "ESTABLISHED")
    t.expect_nothing(0.3)
    t.recv(c, errno=errno.EAGAIN)
    # The connection still works, from RCV.NXT.
    t.inject("PA", nxt, una, data=b"ok")
    t.expect("A", seq=una, ack=nxt + 2, timeout=1)
    t.recv_exact(c, b"ok")
    nxt += 2

    # Per connection: one challenge ACK each 500 ms (the default).  The
    # last challenge ACK (above) counts: wait for its interval to end.
    ratelimit(t, 500)
    time.sleep(0.6)
    for i in range(4):
        t.inject("R", nxt + 10 + i)
    first = t.expect("A", seq=una, ack=nxt)
    t.expect_nothing(0.2)
    time.sleep(max(0.0, first.time + 0.6 - time.monotonic()))
    t.inject("R", nxt + 20)
    t.expect("A", seq=una, ack=nxt)
    t.expect_state(c, "ESTABLISHED")

    # Per netns: a budget of N=10 a second drawn from [5, 14].  atcp's
    # second is CLOCK_MONOTONIC's: each burst starts just after a second
    # begins.  Linux counts seconds of jiffies, which start at an offset:
    # a burst may span two of its seconds (up to two budgets).
    ratelimit(t, 0)
    t.sysctl(pfx + "challenge_ack_limit", 10)
    counts = []
    for rnd in range(4):
        now = time.monotonic()
        time.sleep(1.02 - (now - int(now)))
        sec = int(time.monotonic())
        for i in range(BURST):
            t.inject("R", nxt + 100 + i)
        acks = [s for s in t.collect(0.8) if s.flags == "A"]
        # A slow kernel (the debug one) may not answer the burst within
        # its second: atcp's ACKs are counted in the second they left in.
        if not t.is_tcp:
            acks = [s for s in acks if int(s.time) == sec]
        counts.append(len(acks))
    t.note("challenge ACKs for %d RSTs, 4 seconds: %s" % (BURST, counts))
    if t.is_tcp:
        # Bursts ~1 s apart in jiffies seconds at an unknown offset: a
        # loaded machine may put two bursts in one budget (a round of 0)
        # and one across two.  The four touch 2 to 5 budgets of 5..14.
        t.check(10 <= sum(counts) <= 70, "%d challenge ACKs in 4 rounds, "
                "expected 10..70" % sum(counts))
    else:
        for n in counts:
            t.check(5 <= n <= 14, "%d challenge ACKs in a second, "
                    "expected 5..14" % n)
        t.check(counts != [10] * 4, "the budget is always exactly 10")
    t.expect_state(c, "ESTABLISHED")
