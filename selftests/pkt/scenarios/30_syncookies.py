# SPDX-License-Identifier: GPL-2.0
# SYN cookies (RFC 4987 §3.6) on the wire, with every SYN answered by a
# cookie (atcp's syncookies=2, Linux's tcp_syncookies=2):
#  - the SYN,ACK acknowledges SEQ+1 and carries our MSS; nothing is left in
#    SYN-RECEIVED (no entry listed before the ACK);
#  - a retransmitted SYN gets a SYN,ACK again, and the first cookie still
#    completes the handshake: the ACK returning ISS+1 makes the connection,
#    which accept() returns and which carries data both ways;
#  - an ACK that is no cookie's (SEG.ACK one past ISS+1, or SEG.SEQ not the
#    SYN's SEQ+1) gets <SEQ=SEG.ACK><CTL=RST> (§3.10.7.2, as the listener
#    answers any ACK) and makes nothing;
#  - SyncookiesSent, SyncookiesRecv and SyncookiesFailed count them
#    (/proc/net/atcp_snmp; TcpExt in /proc/net/netstat for Linux TCP).

import errno as E


def cookie_counters(t):
    names = ("SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed")
    return [t.counter(n) for n in names]


def run(t):
    t.sysctl("net.ipv4.tcp_syncookies" if t.is_tcp else
             "net.atcp.syncookies", 2)
    c0 = cookie_counters(t)
    s = t.listener(5000, 8)

    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=t.peer_isn + 1, wnd=lambda w: w > 0,
                  opts=[("mss", 1460)])
    t.check_eq(t.proc_state(), None, "state listed before the cookie's ACK")
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", 1460)])
    t.expect_nothing(0.3)

    # The ACK of the first cookie: ESTABLISHED, data both ways.
    t.inject("A", t.peer_isn + 1, sa.seq + 1)
    c = t.accept(s)
    t.expect_state(c, "ESTABLISHED")
    t.send(c, b"hello")
    t.expect("PA", sa.seq + 1, t.peer_isn + 1, data=b"hello")
    t.inject("PA", t.peer_isn + 1, sa.seq + 6, data=b"world")
    t.expect("A", sa.seq + 6, t.peer_isn + 6)
    t.recv_exact(c, b"world")

    # Forged: SEG.ACK is not ISS+1 of the cookie.
    t.flow()
    t.inject("S", t.peer_isn, opts=[("mss", 1460)])
    sa2 = t.expect("SA", ack=t.peer_isn + 1)
    t.inject("A", t.peer_isn + 1, sa2.seq + 2)
    t.expect("R", sa2.seq + 2)
    # Forged: the right SEG.ACK, but SEG.SEQ is not the SYN's SEQ+1.
    t.inject("A", t.peer_isn + 1000, sa2.seq + 1)
    t.expect("R", sa2.seq + 1)
    t.accept(s, errno=E.EAGAIN)
    t.check_eq(t.proc_state(), None, "state of a forged cookie's ACK")
    t.expect_nothing(0.3)

    c1 = cookie_counters(t)
    t.check_eq([b - a for a, b in zip(c0, c1)], [3, 1, 2],
               "SyncookiesSent, SyncookiesRecv, SyncookiesFailed")
