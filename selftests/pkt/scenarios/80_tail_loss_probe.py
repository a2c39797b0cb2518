# SPDX-License-Identifier: GPL-2.0
# Tail loss probe (RFC 8985 §7): with SACK, when the last segments of a
# flight are lost, a probe goes out after PTO (2 SRTT, well before the RTO
# of at least 200 ms) and it is the LAST segment sent (§7.3: no new data to
# send), not the head an RTO would resend.  The peer's SACK of the probe
# lets RACK (§6) mark the hole lost: it is resent at once, still before
# any RTO.  Linux: tcp_early_retrans=3 (TLP on), tcp_sack=1.

import time

MSS = 1000


def run(t):
    t.sack(True)    # both stacks (pktlib turns it off)
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_early_retrans", 3)
    ls = t.listener(5000)
    t.flow(lport=5000)
    c = t.handshake(ls, mss=MSS, sackok=True)
    p = t.peer_isn + 1
    data = bytes(range(256)) * 16
    data = data[:4 * MSS]
    # segment 1 is ACKed as soon as seen (the smallest RTT sample), then
    # segment 2; 3 and 4 (the tail) are lost
    segs = t.flight(c, data, MSS)
    rtt = t.first_acked - segs[0].time
    t.inject("A", p, t.rel(1 + 2 * MSS))
    acked = t.now()
    probe = t.expect("A", seq=t.rel(1 + 3 * MSS), ack=p,
                     data=data[3 * MSS:], timeout=2)
    wait = probe.time - acked
    t.note("probe %.3f s after the ACK (last send %.3f s before it)" %
           (wait, acked - segs[-1].time))
    rto = t.rto(c)
    t.check(wait < rto, "probe after %.3f s, the RTO is %.3f s" % (wait, rto))
    # the probe arrives: SACK it, one path RTT later (RACK, RFC 8985
    # §6.2 step 2, ignores a retransmission acknowledged sooner than the
    # minimum RTT); segment 3 is then resent, before an RTO
    time.sleep(max(0.06, 1.5 * rtt))
    t.inject("A", p, t.rel(1 + 2 * MSS),
             opts=[("sack", [(t.rel(1 + 3 * MSS), t.rel(1 + 4 * MSS))])])
    sacked = t.now()
    rexmit = t.expect("A", seq=t.rel(1 + 2 * MSS), ack=p,
                      data=data[2 * MSS:3 * MSS], timeout=2)
    t.check(rexmit.time - sacked < min(rto, 0.19),
            "hole resent %.3f s after the SACK" % (rexmit.time - sacked))
    t.inject("A", p, t.rel(1 + 4 * MSS))
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
    if not t.is_tcp:
        t.check(t.snmp("TCPLossProbes") >= 1, "TCPLossProbes counted")
        t.check(t.snmp("TCPSackRecovery") >= 1, "TCPSackRecovery counted")
