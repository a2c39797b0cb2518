# SPDX-License-Identifier: GPL-2.0
# A bare FIN at a zero window (SEG.SEQ = RCV.NXT, RCV.WND = 0, SEG.LEN = 1
# for the FIN alone), RFC 9293 §3.10.7.4 first and eighth steps.  By the
# acceptability table it is not acceptable and gets an ACK; Linux since
# 6.10 or so (tcp_data_queue(): "some stacks are known to send bare FIN
# packets in a loop even if we send RWIN 0") takes it, as it needs no
# buffer: ACK=RCV.NXT+1, CLOSE-WAIT.  atcp takes it as current Linux does;
# Linux 6.1 answers <ACK=RCV.NXT> and takes it once the window opens.
# Either way an ACK goes back at once (atcp used to send nothing).  The
# user then reads every octet and EOF.

import socket


def run(t):
    ls = t.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.setsockopt(ls, socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    t.bind(ls, 5000)
    t.listen(ls)
    c = t.handshake(ls)
    nxt = t.peer_isn + 1
    una = t.rel(1)
    wnd = 1400
    sent = b""
    for _ in range(64):
        n = min(wnd, 1400) if wnd else 0
        if not n:
            break
        chunk = bytes((len(sent) + i) & 0xFF for i in range(n))
        t.inject("PA", nxt, una, data=chunk)
        a = t.expect("A", seq=una, timeout=2)
        took = (a.ack - nxt) & 0xFFFFFFFF
        sent += chunk[:took]
        nxt, wnd = a.ack, a.wnd
    t.check_eq(wnd, 0, "the offered window")

    t.inject("FA", nxt, una)
    a = t.expect("A", seq=una, timeout=1)
    if a.ack == (nxt + 1) & 0xFFFFFFFF:
        t.expect_state(c, "CLOSE-WAIT")
        taken = True
    else:
        t.check(t.is_tcp, "atcp did not take the FIN at a zero window")
        t.check_eq(a.ack, nxt & 0xFFFFFFFF, "ACK of a FIN not taken")
        t.expect_state(c, "ESTABLISHED")
        t.note("Linux %s: the FIN is not taken at a zero window" %
               " ".join(open("/proc/sys/kernel/osrelease").read().split()))
        taken = False
    got = b""
    while len(got) < len(sent):
        d = t.recv(c, len(sent) - len(got))
        if not d:
            break
        got += d
    t.check_eq(got, sent, "the data before the FIN")
    if not taken:
        t.inject("FA", nxt, una)
        t.expect("A", seq=una, ack=nxt + 1, skip=True)
        t.expect_state(c, "CLOSE-WAIT")
    t.check_eq(t.recv(c), b"", "recv after the FIN")
