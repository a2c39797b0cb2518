# SPDX-License-Identifier: GPL-2.0
# Reset generation for a segment to a port with no socket, RFC 9293 §3.5.2
# case 1 and §3.10.7.1 (CLOSED state): if the segment has ACK, the reset is
# <SEQ=SEG.ACK><CTL=RST>; otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
# (SEG.LEN counts SYN and FIN); an incoming RST is discarded without reply.


def run(t):
    t.flow(lport=5001)
    peer = t.peer_isn

    # ACK (with data, as in Figure 11) to a closed port: RST, SEQ=SEG.ACK.
    t.inject("A", peer, 0x12345678, data=b"0123456789")
    t.expect("R", seq=0x12345678)
    t.inject("PA", peer, 0xFFFFFFFF)
    t.expect("R", seq=0xFFFFFFFF)

    # No ACK: RST,ACK, SEQ=0, ACK=SEG.SEQ+SEG.LEN.
    t.inject("S", peer)
    t.expect("RA", seq=0, ack=peer + 1)
    t.inject("S", peer, data=b"hello")
    t.expect("RA", seq=0, ack=peer + 6)
    t.inject("F", peer)
    t.expect("RA", seq=0, ack=peer + 1)
    t.inject("", peer + 100, data=b"x" * 10)
    t.expect("RA", seq=0, ack=peer + 110)
    t.inject("SF", 0xFFFFFFFF)
    t.expect("RA", seq=0, ack=1)

    # A RST (with or without ACK) is never answered.
    t.inject("R", peer)
    t.inject("RA", peer, 0x1000)
    t.inject("R", peer, data=b"abc")
    t.expect_nothing(0.5)
