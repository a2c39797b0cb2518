# SPDX-License-Identifier: GPL-2.0
# A retransmitted FIN that meets TIME-WAIT as its 2 MSL run out, RFC 9293
# §3.10.7.4 ("eighth, check the FIN bit": TIME-WAIT acknowledges the FIN
# and restarts the 2 MSL timeout).  The restart and the expiry race: a FIN
# whose processing re-arms the timer while the expiry already takes the
# entry out must not leave a timer armed on a freed entry (a use-after-free
# that the debug kernel's KASAN reports).  With net.atcp.msl_ms at 50
# (2 MSL = 100 ms), each connection enters TIME-WAIT and the peer then
# retransmits its FIN at intervals of 70 to 130 ms, so that FINs meet the
# timer about when it expires: each is answered by the ACK (TIME-WAIT,
# restarted) or a RST (gone), and the entry ends.
# atcp only: Linux's TIME-WAIT is a fixed 60 s (scenario 17 covers the
# restart for both).

import os
import socket
import time

REDUCED = os.environ.get("ATCP_REDUCED") == "1"
ROUNDS = 4 if REDUCED else 15
# The debug kernel answers slower than 2 MSL of 100 ms: there, times x 4.
SCALE = 4 if REDUCED else 1


def run(t):
    if t.is_tcp:
        t.note("atcp only: Linux TCP's TIME-WAIT is a fixed 60 s")
        return
    t.sysctl("net.atcp.msl_ms", 50 * SCALE)
    ls = t.listener(5000)
    acks = rsts = 0
    for i in range(ROUNDS):
        t.flow(lport=5000)
        c = t.handshake(ls)
        p = t.peer_isn + 1
        t.shutdown(c, socket.SHUT_WR)
        t.expect("FA", seq=t.rel(1), ack=p)
        t.inject("FA", p, t.rel(2))
        t.expect("A", seq=t.rel(2), ack=p + 1)
        t.close(c)
        segs = []
        for k in range(6):
            time.sleep((0.07 + ((i * 6 + k) % 7) * 0.01) * SCALE)
            t.inject("FA", p, t.rel(2))
            segs += t.collect(0.0)
        segs += t.collect(0.1 * SCALE)
        for seg in segs:
            if "R" in seg.flags:
                rsts += 1
            else:
                t.check(seg.seq == t.rel(2) and seg.ack == p + 1 and
                        not seg.data,
                        "TIME-WAIT's reply to the FIN: %s" % seg.flags)
                acks += 1
        t.expect_proc_state(None, timeout=2)
    t.note("%d rounds: %d FINs acknowledged in TIME-WAIT, %d reset after "
           "it" % (ROUNDS, acks, rsts))
    t.check(acks and rsts, "FINs on both sides of the expiry")
