# SPDX-License-Identifier: GPL-2.0
# ICMP errors about a connection attempt, RFC 1122 §4.2.3.9 and RFC 9293
# §3.9.2: Destination Unreachable codes 2 (protocol) and 3 (port) are hard
# errors, and in SYN-SENT they abort the attempt: connect() fails.  Code 2
# is what a peer host without atcp loaded answers to atcp's SYN.  The ICMP
# must quote a sequence number in SND.UNA..SND.NXT (RFC 5927 §4.1); one
# that quotes another is ignored and the attempt goes on.

import errno
import socket
import struct

from pktlib import LOCAL, PEER, csum16

DIFFERS = {"atcp": "atcp reports protocol unreachable as ECONNREFUSED (the "
           "peer has no atcp: nobody listens); Linux TCP maps ICMP code 2 "
           "to ENOPROTOOPT (icmp_err_convert), a case TCP never meets"}


def unreachable(code, quoted):
    """ICMP destination unreachable from the peer, quoting an IP header
    and the first 8 octets of the segment."""
    icmp = struct.pack("!BBHI", 3, code, 0, 0) + quoted[:28]
    icmp = icmp[:2] + struct.pack("!H", csum16(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1,
                     0, socket.inet_aton(PEER), socket.inet_aton(LOCAL))
    ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
    return ip + icmp


def run(t):
    for code, tcp_err in ((3, errno.ECONNREFUSED), (2, errno.ENOPROTOOPT)):
        t.flow(pport=7100 + code)
        s = t.socket()
        t.connect(s)
        syn = t.expect("S")
        # A quote of another sequence number: ignored.
        wrong = bytearray(syn.raw)
        wrong[24:28] = struct.pack("!I", (syn.seq + 100000) & 0xFFFFFFFF)
        t.inject_raw(unreachable(code, bytes(wrong)),
                     note="ICMP unreachable %d quoting SEQ+100000" % code)
        t.expect_nothing(0.3)
        t.expect_state(s, "SYN-SENT")
        # The real one: the attempt fails.
        t.inject_raw(unreachable(code, syn.raw),
                     note="ICMP unreachable %d quoting the SYN" % code)
        t.wait_connected(s, errno=tcp_err if t.is_tcp else
                         errno.ECONNREFUSED)
        t.expect_nothing(1.2)      # no SYN retransmission after the abort
