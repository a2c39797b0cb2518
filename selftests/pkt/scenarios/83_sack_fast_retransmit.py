# SPDX-License-Identifier: GPL-2.0
# SACK-based loss recovery (RFC 2018 §3, RFC 6675, RFC 8985 §6): the peer
# SACKs segments 3 to 5 of eight, segment 2 missing; the sender resends
# exactly the hole (segment 2), nothing it knows arrived, and well before
# an RTO; a SACK block outside SND.UNA..SND.NXT is ignored.  A loss probe
# of the tail (segment 8, RFC 8985 §7) may also go out; it is allowed.
# Linux: tcp_sack=1, tcp_early_retrans=3.

MSS = 1000


def run(t):
    t.sack(True)    # both stacks (pktlib turns it off)
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_early_retrans", 3)
    ls = t.listener(5000)
    t.flow(lport=5000)
    c = t.handshake(ls, mss=MSS, sackok=True)
    p = t.peer_isn + 1
    n = 8
    data = (bytes(range(247)) * 40)[:n * MSS]

    def seq(i):
        return t.rel(1 + (i - 1) * MSS)

    t.flight(c, data, MSS)
    # a bogus block beyond SND.NXT first: ignored
    t.inject("A", p, seq(2), opts=[("sack", [(seq(n + 2), seq(n + 4))])])
    for k in (4, 5, 6):
        t.inject("A", p, seq(2), opts=[("sack", [(seq(3), seq(k))])])
    t0 = t.now()
    got = t.collect(0.15)		# the RTO is at least 0.2 s away
    rex = [s.seq for s in got if s.len]
    t.note("resent: %s" % ", ".join(
        "segment %d" % (1 + ((s - t.rel(1)) % 2**32) // MSS) for s in rex))
    t.check(seq(2) in rex, "the hole (segment 2) resent")
    t.check(all(s in (seq(2), seq(n)) for s in rex),
            "nothing but the hole (and a tail probe) resent")
    first = [s for s in got if s.seq == seq(2)]
    if first:
        t.check(first[0].time - t0 < 0.19,
                "hole resent %.3f s after the SACKs" % (first[0].time - t0))
    t.inject("A", p, seq(n + 1))
    # an RTO racing the ACK may resend the hole once more, nothing else
    late = [s for s in t.collect(0.6) if s.len]
    t.check(all(s.seq == seq(2) for s in late),
            "nothing resent after the ACK of everything but the hole")
    t.expect_state(c, "ESTABLISHED")
    if not t.is_tcp:
        t.check(t.snmp("TCPSackRecovery") >= 1, "TCPSackRecovery counted")
        t.check(t.snmp("TCPSACKDiscard") >= 1, "TCPSACKDiscard counted")
