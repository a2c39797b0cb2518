# SPDX-License-Identifier: GPL-2.0
# The Maximum Segment Size option, RFC 9293 §3.7.1:
#  - the stack's SYN (active open) and SYN,ACK (passive open) carry an MSS
#    option of the route's MTU less the fixed IP and TCP headers (MUST-14,
#    MUST-67): 1460 on a 1500-octet MTU, 1240 on 1280;
#  - the effective send MSS is the smaller of the peer's MSS and what the
#    route allows (MUST-16): a large write goes out in segments of exactly
#    that size (the last one shorter);
#  - a SYN or SYN,ACK without an MSS option means a send MSS of 536
#    (MUST-15, RFC 1122 §4.2.2.6);
#  - a peer MSS below 48 is raised to 48, as Linux does (tcp_min_snd_mss,
#    the defence against CVE-2019-11479: tiny segments cost the sender
#    memory per octet); at 48 and above the peer's value is kept.

import socket

from pktlib import M32

LEN = 3000


def segment_sizes(t, c, mss):
    """Write LEN octets; they must go out in segments of mss octets (the
    last one shorter), each acknowledged by the peer as it comes."""
    t.setsockopt(c, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = min(LEN, 12 * mss)
    t.send(c, b"m" * n)
    got = 0
    sizes = []
    while got < n:
        seg = t.expect("A", ack=t.peer_isn + 1, data=lambda d: len(d) > 0)
        o = (seg.seq - t.rel(1)) & M32
        t.check(len(seg.data) <= mss, "a %d-octet segment, send MSS %d" %
                (len(seg.data), mss))
        if o < got:
            continue            # retransmitted before our ACK came
        t.check_eq(o, got, "offset of the next new data")
        sizes.append(len(seg.data))
        got += len(seg.data)
        t.inject("A", t.peer_isn + 1, t.rel(1 + got))
    want = [mss] * (n // mss) + ([n % mss] if n % mss else [])
    t.check_eq(sizes, want, "segment sizes for a %d-octet write with a "
               "send MSS of %d" % (n, mss))


def passive(t, ls, peer_mss, adv, send_mss):
    """Passive open with the peer's MSS option (None: no option); the
    SYN,ACK must announce adv, the data go out in send_mss segments."""
    t.note("passive open, peer MSS %s: SYN,ACK MSS %d, send MSS %d" %
           (peer_mss, adv, send_mss))
    t.flow(lport=5000)
    t.inject("S", t.peer_isn,
             opts=[("mss", peer_mss)] if peer_mss is not None else ())
    t.expect("SA", ack=t.peer_isn + 1, opts=[("mss", adv)])
    t.inject("A", t.peer_isn + 1, t.rel(1))
    c = t.accept(ls)
    segment_sizes(t, c, send_mss)
    t.inject("R", t.peer_isn + 1)
    t.expect_state(c, "CLOSED")
    t.drain(quiet=0.1)


def active(t, peer_mss, adv, send_mss):
    t.note("active open, peer MSS %s: SYN MSS %d, send MSS %d" %
           (peer_mss, adv, send_mss))
    t.flow()
    s = t.socket()
    t.connect(s)
    t.expect("S", opts=[("mss", adv)])
    t.inject("SA", t.peer_isn, t.rel(1),
             opts=[("mss", peer_mss)] if peer_mss is not None else ())
    t.expect("A", seq=t.rel(1), ack=t.peer_isn + 1)
    t.wait_connected(s)
    segment_sizes(t, s, send_mss)
    t.inject("R", t.peer_isn + 1)
    t.expect_state(s, "CLOSED")
    t.drain(quiet=0.1)


def run(t):
    ls = t.listener(5000)
    for mtu, adv in ((1500, 1460), (1280, 1240)):
        t.set_mtu(mtu)
        passive(t, ls, 1460, adv, adv)
        active(t, 1460, adv, adv)
        passive(t, ls, 1000, adv, 1000)
    t.set_mtu(1500)
    passive(t, ls, 536, 1460, 536)
    passive(t, ls, None, 1460, 536)
    active(t, None, 1460, 536)
    passive(t, ls, 60, 1460, 60)
    passive(t, ls, 20, 1460, 48)
