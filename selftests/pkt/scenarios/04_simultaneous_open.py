# SPDX-License-Identifier: GPL-2.0
# Simultaneous open, RFC 9293 §3.5 Figure 7 (simultaneous connection
# synchronization): the local socket is SYN-SENT when the peer's own SYN
# arrives; it goes to SYN-RECEIVED and answers <SEQ=ISS><ACK=peer+1>
# <CTL=SYN,ACK> (§3.10.7.3, "fourth, check the SYN bit").  The peer's
# SYN,ACK then moves it to ESTABLISHED.

def run(t):
    s = t.socket()
    t.bind(s, 6000)
    t.connect(s, port=7000)
    t.expect("S", ack="*", opts=[("mss", 1460)])
    t.expect_state(s, "SYN-SENT")
    # 3. the peer's SYN crosses ours
    t.inject("S", t.peer_isn, wnd=65535, opts=[("mss", 1460)])
    # 5. SYN-RECEIVED: SYN,ACK with the same ISS
    t.expect("SA", seq=t.rel(0), ack=t.peer_isn + 1, opts=[("mss", 1460)])
    t.expect_state(s, "SYN-RECEIVED")
    # 6. the peer's SYN,ACK acknowledges our SYN
    t.inject("SA", t.peer_isn, t.rel(1), wnd=65535, opts=[("mss", 1460)])
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
    t.wait_connected(s)
    t.expect_state(s, "ESTABLISHED")
    t.expect_nothing(0.5)
    # the connection works both ways
    t.send(s, b"ping")
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1, data=b"ping")
    t.inject("PA", t.peer_isn + 1, t.rel(5), data=b"pong")
    t.expect("A", seq=t.rel(5), ack=t.peer_isn + 5, timeout=1)
    t.recv_exact(s, b"pong")
