# SPDX-License-Identifier: GPL-2.0
# SYN and SYN,ACK retransmission limits, RFC 9293 §3.8.1 and §3.8.3 (R2 for
# a SYN, MUST-20/MUST-21 from RFC 1122 §4.2.3.5: the limit is settable),
# RTO from 1 s doubling (RFC 6298 §2.1, §5.5).  16 covers TCP_SYNCNT; here
# the per-namespace limits (Linux net.ipv4.tcp_syn_retries and
# tcp_synack_retries, atcp net.atcp.syn_retries and synack_retries) are 2:
#  - active open: the SYN goes out at 0, 1 and 3 s and connect() fails with
#    ETIMEDOUT when the last RTO expires, at 7 s;
#  - passive open: the SYN,ACK goes out at 0, 1 and 3 s and nothing after;
#    the embryonic connection is dropped (§3.10.7.4 SYN-RECEIVED from a
#    passive OPEN returns to LISTEN), so the peer's late ACK meets only the
#    listener, which resets it (§3.10.7.2), and nothing is accepted.

import errno


TIMEOUT = 60


def run(t):
    pre = "net.ipv4.tcp_" if t.is_tcp else "net.atcp."
    t.sysctl(pre + "syn_retries", 2)
    t.sysctl(pre + "synack_retries", 2)

    # Active open.
    t.flow(pport=7000)
    s = t.socket()
    t.connect(s)
    syns = [t.expect("S", opts=[("mss", 1460)])]
    for i in range(2):
        syns.append(t.expect("S", seq=t.rel(0), opts=[("mss", 1460)],
                             timeout=4 * (i + 1)))
    t.wait_connected(s, timeout=8, errno=errno.ETIMEDOUT)
    gone = t.now()
    t.check_timer(syns[1].time - syns[0].time, 1.0,
                  what="first SYN retransmission")
    t.check_timer(syns[2].time - syns[1].time, 2.0,
                  what="second SYN retransmission")
    t.check_timer(gone - syns[2].time, 4.0,
                  what="ETIMEDOUT after the second retransmission")
    t.expect_nothing(0.3)

    # Passive open.
    ls = t.listener(5000)
    t.flow(lport=5000)
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sas = [t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", 1460)])]
    for i in range(2):
        sas.append(t.expect("SA", seq=t.rel(0), ack=t.peer_isn + 1,
                            opts=[("mss", 1460)], timeout=4 * (i + 1)))
    t.check_timer(sas[1].time - sas[0].time, 1.0,
                  what="first SYN,ACK retransmission")
    t.check_timer(sas[2].time - sas[1].time, 2.0,
                  what="second SYN,ACK retransmission")
    t.expect_nothing(4.0 + 1.2)         # a third would come 4 s after
    t.inject("A", t.peer_isn + 1, t.rel(1))
    t.expect("R", seq=t.rel(1))
    t.accept(ls, errno=errno.EAGAIN)
