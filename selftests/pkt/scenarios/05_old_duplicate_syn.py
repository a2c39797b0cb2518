# SPDX-License-Identifier: GPL-2.0
# Recovery from an old duplicate SYN, RFC 9293 §3.5 Figure 8, from both ends.
#
# Active side (the stack is TCP Peer A): in SYN-SENT, a SYN,ACK whose ACK
# does not acknowledge our SYN (it acknowledges an old SYN) is answered with
# <SEQ=SEG.ACK><CTL=RST> (§3.10.7.3, SEG.ACK =< ISS) and the connection stays
# SYN-SENT; the real SYN,ACK then completes it.
#
# Passive side (the stack is TCP Peer B, listening): an old duplicate SYN
# gets a SYN,ACK; the peer's <SEQ=90+1><CTL=RST> returns it to LISTEN
# (§3.10.7.4, SYN-RECEIVED: "If this connection was initiated with a passive
# OPEN, then return this connection to the LISTEN state"); the real SYN then
# opens exactly one connection.

import errno

DIFFERS = {"tcp": "Linux retransmits its SYN at once (TCP_TIMEOUT_MIN) after "
           "resetting an unacceptable SYN,ACK in SYN-SENT, in case its own "
           "earlier RST was lost (tcp_rcv_synsent_state_process); RFC 9293 "
           "§3.10.7.3 only sends the reset and waits"}


def run(t):
    # Active side.
    t.flow(pport=7000)
    s = t.socket()
    t.connect(s)
    t.expect("S", opts=[("mss", 1460)])                # 2. <SEQ=100><SYN>
    old = t.rel(-9)                                     # "91": ACK of SYN 90
    t.inject("SA", 300, old, opts=[("mss", 1460)])      # 4.
    t.expect("R", seq=old)                              # 5. <SEQ=91><RST>
    if t.is_tcp:
        t.expect("S", seq=t.rel(0), opts=[("mss", 1460)])  # 6. (at once)
    t.expect_state(s, "SYN-SENT")
    # An ACK beyond SND.NXT is just as unacceptable.
    t.inject("SA", 300, t.rel(2), opts=[("mss", 1460)])
    t.expect("R", seq=t.rel(2))
    t.expect_state(s, "SYN-SENT")
    t.inject("SA", t.peer_isn, t.rel(1), opts=[("mss", 1460)])   # 7.
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)    # 8.
    t.wait_connected(s)
    t.expect_state(s, "ESTABLISHED")
    t.expect_nothing(0.3)

    # Passive side.
    ls = t.listener(5000)
    old = t.flow(lport=5000)
    t.inject("S", old.peer_isn, opts=[("mss", 1460)])   # 3. old SYN <SEQ=90>
    t.expect("SA", ack=old.peer_isn + 1)                # 4.
    t.inject("R", old.peer_isn + 1)                     # 5. <SEQ=91><RST>
    t.expect_nothing(0.3)
    t.accept(ls, errno=errno.EAGAIN)
    new = t.flow(lport=5000, pport=old.pport)           # same ports
    t.inject("S", new.peer_isn, opts=[("mss", 1460)])   # 6. <SEQ=100><SYN>
    t.expect("SA", ack=new.peer_isn + 1)                # 7.
    t.inject("A", new.peer_isn + 1, t.rel(1))           # 8.
    c = t.accept(ls)
    t.expect_state(c, "ESTABLISHED")
    t.accept(ls, errno=errno.EAGAIN)
    t.expect_nothing(0.3)
