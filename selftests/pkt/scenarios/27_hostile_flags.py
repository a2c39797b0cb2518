# SPDX-License-Identifier: GPL-2.0
# Nonsense control-bit combinations are dropped (or answered as the RFC
# says) and never confuse a listener or a connection, RFC 9293 §3.10.7:
#  - LISTEN (§3.10.7.2): SYN,RST is a RST ("first, check for a RST":
#    ignored); SYN,FIN is dropped (the RFC would queue the FIN with the SYN;
#    Linux drops it, and so does atcp); a segment with no SYN, ACK or RST
#    (no flags at all, or a FIN alone) is "other control or text": dropped.
#    No SYN,ACK, no RST, nothing to accept; the same 4-tuple then opens
#    normally.  atcp counts them: InRstIgnored, InBadHeader.
#  - ESTABLISHED (§3.10.7.4): SYN,FIN in the window gets a challenge ACK
#    ("fourth, check the SYN bit", RFC 5961 §4; 08 covers plain SYNs);
#    SYN,RST in the window but not at RCV.NXT gets a challenge ACK ("second,
#    check the RST bit", RFC 5961 §3.2, before the SYN); data without ACK
#    and a FIN without ACK are dropped ("fifth, if the ACK bit is off drop
#    the segment"): no ACK, nothing delivered, no end of file (atcp:
#    InBadHeader, ChallengeACKs).  The connection then carries data both
#    ways.  SYN,RST exactly at RCV.NXT is a valid RST: the connection is
#    reset (ECONNRESET), like a plain RST (07).

import errno


def run(t):
    # Both send one challenge ACK per 500 ms per socket by default.
    if t.is_tcp:
        t.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
    else:
        t.sysctl("net.atcp.invalid_ratelimit_ms", 0)
        bad, rstign = t.snmp("InBadHeader"), t.snmp("InRstIgnored")
    ls = t.listener(5000)
    syn = dict(opts=[("mss", 1460)])

    # LISTEN.
    t.inject("SR", t.peer_isn, **syn)
    t.inject("SF", t.peer_isn, **syn)
    t.inject("", t.peer_isn, data=b"no flags")
    t.inject("F", t.peer_isn)
    t.expect_nothing(0.5)
    t.accept(ls, errno=errno.EAGAIN)
    if not t.is_tcp:
        t.check_eq(t.snmp("InRstIgnored"), rstign + 1, "InRstIgnored")
        t.check_eq(t.snmp("InBadHeader"), bad + 3, "InBadHeader")
    c = t.handshake(ls)                         # the same 4-tuple
    t.accept(ls, errno=errno.EAGAIN)
    p = t.peer_isn + 1

    # ESTABLISHED.
    if not t.is_tcp:
        bad, chal = t.snmp("InBadHeader"), t.snmp("ChallengeACKs")
    t.inject("SF", p)
    t.expect("A", seq=t.rel(1), ack=p)
    t.inject("SR", p + 100)
    t.expect("A", seq=t.rel(1), ack=p)
    t.inject("", p, data=b"no flags")
    t.inject("F", p)
    t.inject("FP", p, data=b"no ack")
    t.expect_nothing(0.5)
    t.expect_state(c, "ESTABLISHED")
    t.recv(c, errno=errno.EAGAIN)
    if not t.is_tcp:
        t.check_eq(t.snmp("ChallengeACKs"), chal + 2, "ChallengeACKs")
        t.check_eq(t.snmp("InBadHeader"), bad + 3, "InBadHeader")
    t.inject("PA", p, t.rel(1), data=b"hello")
    t.expect("A", seq=t.rel(1), ack=p + 5, timeout=1)
    t.recv_exact(c, b"hello")
    t.send(c, b"world")
    t.expect("A", seq=t.rel(1), ack=p + 5, data=b"world")
    t.inject("A", p + 5, t.rel(6))
    t.expect_nothing(0.3)

    # SYN,RST at RCV.NXT: a RST.
    t.inject("SR", p + 5)
    t.expect_nothing(0.5)
    t.recv(c, errno=errno.ECONNRESET)
    t.expect_state(c, "CLOSED")

    # The listener still accepts.
    t.flow(lport=5000)
    c = t.handshake(ls)
    p = t.peer_isn + 1
    t.inject("PA", p, t.rel(1), data=b"again")
    t.expect("A", seq=t.rel(1), ack=p + 5, timeout=1)
    t.recv_exact(c, b"again")
