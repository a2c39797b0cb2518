# SPDX-License-Identifier: GPL-2.0
# TIME-WAIT lasts 2 MSL and a retransmitted FIN restarts it, RFC 9293 §3.6.1
# and §3.10.7.4 ("eighth, check the FIN bit", TIME-WAIT: "Acknowledge it,
# and restart the 2 MSL timeout"; MUST-13 for the MSL).  Linux's TIME-WAIT
# is a fixed 60 s (TCP_TIMEWAIT_LEN, i.e. MSL = 30 s, which is also atcp's
# default msl_ms); for atcp the test sets msl_ms to 1000 (2 MSL = 2 s).
# A FIN retransmitted a quarter of the way through is acknowledged and the
# connection then stays in TIME-WAIT for 2 MSL from that moment; after that
# it is gone and a retransmitted FIN meets a closed port (RST).

import socket

TIMEOUT = 150
BACKGROUND = True     # mostly waiting: run.py starts it first


def run(t):
    if t.is_tcp:
        two_msl = 60.0
    else:
        t.sysctl("net.atcp.msl_ms", 1000)
        two_msl = 2.0
    ls = t.listener(5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.shutdown(c, socket.SHUT_WR)
    t.expect("FA", seq=t.rel(1), ack=p)
    t.inject("FA", p, t.rel(2))
    ack = t.expect("A", seq=t.rel(2), ack=p + 1)
    t.expect_proc_state("TIME-WAIT")
    t.expect_nothing(two_msl / 4)
    t.inject("FA", p, t.rel(2))
    ack = t.expect("A", seq=t.rel(2), ack=p + 1)
    t.expect_proc_state("TIME-WAIT")
    gone = None
    deadline = ack.time + two_msl * 1.5 + 3
    while t.now() < deadline:
        if t.proc_state() is None:
            gone = t.now()
            break
        t.expect_nothing(0.05)
    t.check(gone is not None, "still in TIME-WAIT %.1f s after the restart"
            % (t.now() - ack.time))
    # Timers fire late rather than early (Linux's wheel: up to ~1/8 late).
    el = gone - ack.time
    t.check(two_msl - 0.3 <= el <= two_msl * 1.15 + 0.5,
            "TIME-WAIT ended %.2f s after the restart, 2 MSL is %.1f s" %
            (el, two_msl))
    t.note("TIME-WAIT ended %.2f s after the restart (2 MSL = %.1f s)" %
           (el, two_msl))
    t.inject("FA", p, t.rel(2))
    t.expect("R", seq=t.rel(2))
