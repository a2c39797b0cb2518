#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""matrix.py: the RFC 9293 §3.10.7 state x event matrix, measured.

For each of the eleven states and each kind of arriving segment, the
scripted peer (pktlib.py) drives a fresh connection (a 4-tuple of its own)
into the state with crafted segments and socket calls, injects the segment,
records what the stack sends back within --window seconds and reads the
connection's next state from /proc/net/tcp (Linux TCP, protocol 6) or
/proc/net/atcp (atcp, 253).  Each protocol runs in a network namespace of
its own (a forked child), its cells one after the other.

    matrix.py [--proto 6|253|both] [--state NAME] [--window S] [-v]
              [--json FILE] [--load FILE] [--write FILE | --check FILE]

Without --write or --check it prints the cells, a "*" where the two
protocols differ.  --write renders Documentation/state-matrix.rst from the
run; --check is the test (selftests/state_matrix.sh): TAP, one line per
state saying whether atcp's cells agree with Linux TCP's but for the
expected differences (EXPECTED), and two saying whether the cells agree
with the committed document.  --json saves the cells, --load renders or
checks saved cells without running anything.
"""

import argparse
import datetime
import json
import os
import platform
import socket
import struct
import subprocess
import sys
import textwrap
import time
import traceback

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pktlib  # noqa: E402

STATES = ["CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
          "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
          "TIME-WAIT"]
NO_TCB = ("CLOSED", "LISTEN")
# States where the peer's FIN has been received: a FIN is its retransmission.
AFTER_FIN = ("CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT")
# States that take segment text (RFC 9293 §3.10.7.4 seventh).
TEXT = ("ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2")

# Local ports: one listener per role, so that children left in a queue
# never meet another row's cells.
PORT_CLOSED = 5001          # no socket at all
PORT_LISTEN = 5010          # the LISTEN row's listener
PORT_SYNRCVD = 5011         # the SYN-RECEIVED row's listener
PORT_CONN = 5000            # the synchronized rows' listener
PORT_ZW = 5002              # the same with a small SO_RCVBUF (zero window)
ZW_RCVBUF = 4096

FAR = 100000                # beyond any unscaled window (at most 65535)
BADACK = 1000               # SEG.ACK = SND.NXT + BADACK: not yet sent
RTO_MIN_S = 5               # no retransmission timer fires in a cell
WINDOW = 0.3                # seconds to wait for replies (--window)

# The events: key, column heading, long name.  Each segment is defined in
# seg_for(); the doc prints the segment of each cell.
EVENTS = [
    ("syn", "SYN", "SYN"),
    ("synack", "SYN,ACK", "SYN,ACK"),
    ("ack", "ACK ok", "acceptable ACK (SEG.ACK = SND.NXT)"),
    ("badack", "ACK > SND.NXT", "unacceptable ACK (SEG.ACK > SND.NXT)"),
    ("rstwin", "RST in wnd", "RST in the window, not at RCV.NXT"),
    ("rstnxt", "RST = RCV.NXT", "RST at RCV.NXT"),
    ("rstout", "RST out", "RST outside the window"),
    ("fin", "FIN", "FIN"),
    ("data", "data", "data in the window (at RCV.NXT)"),
    ("dataout", "data out", "data outside the window"),
    ("zw0", "0-len, wnd 0", "zero-length segment at a zero window"),
    ("zw1", "1 octet, wnd 0", "one octet at a zero window"),
]
# Events that only one state has (rows of that state's table only).
EXTRA = {
    "SYN-SENT": [("rstack", "RST,ACK acking the SYN")],
    "SYN-RECEIVED": [("syndup", "the peer's SYN again (SEQ=IRS)")],
    "TIME-WAIT": [("synnew", "a new SYN above RCV.NXT")],
}
EVENT_NAME = dict((k, n) for k, _, n in EVENTS)
for _x in EXTRA.values():
    EVENT_NAME.update(dict(_x))

# Where atcp and Linux TCP differ on purpose: (state, event) -> reason.
# Each is listed in Documentation/differences.rst too.  The test fails when
# a cell not listed here differs.
EXPECTED = {
    ("SYN-SENT", "badack"):
        "both send <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.3, first, "
        "check the ACK bit).  Linux then sends its SYN again at once (it "
        "re-arms the retransmission timer to its minimum, in case its reset "
        "was lost); the RFC only sends the reset and discards the segment, "
        "and atcp retransmits the SYN when its timer expires.",
    ("SYN-RECEIVED", "syn"):
        "RFC 9293 §3.10.7.4, fourth, check the SYN bit: in SYN-RECEIVED "
        "from a passive OPEN, \"return this connection to the LISTEN state "
        "and return\"; atcp does that and sends nothing.  Linux also resets "
        "the peer with <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.",
    ("ESTABLISHED", "badack"):
        "RFC 9293 §3.10.7.4, fifth, check the ACK field: if the ACK "
        "acknowledges something not yet sent (SEG.ACK > SND.NXT), \"send an "
        "ACK, drop the segment, and return\" (RFC 5961 §5.2 likewise); atcp "
        "sends it, within the challenge-ACK limit.  Linux 6.1 drops the "
        "segment silently in ESTABLISHED (it answers it in the other "
        "synchronized states); the current tcp_ack() sends the ACK, as "
        "atcp does.",
}

# The hand-written part of Documentation/state-matrix.rst: one paragraph per
# state, citing RFC 9293 §3.10.7.
STATE_TEXT = {
    "CLOSED": """\
RFC 9293 §3.10.7.1.  No socket has the port, so there is no TCB: every
segment but a RST is answered with a reset its sender will accept,
``<SEQ=SEG.ACK><CTL=RST>`` when it carries an ACK, otherwise
``<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`` (SEG.LEN counts the SYN and
the FIN); a RST is dropped.""",
    "LISTEN": """\
RFC 9293 §3.10.7.2.  First a RST is ignored; second, any segment with an
ACK gets ``<SEQ=SEG.ACK><CTL=RST>``; third, a SYN is answered with
``<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>`` and makes a new connection in
SYN-RECEIVED (the listener stays in LISTEN: the next state given is the new
connection's); fourth, anything else is dropped.""",
    "SYN-SENT": """\
RFC 9293 §3.10.7.3, after a non-blocking ``connect()``.  First, an ACK
outside SND.UNA < SEG.ACK =< SND.NXT gets ``<SEQ=SEG.ACK><CTL=RST>``;
second, a RST counts only with an acceptable ACK (the connection is refused,
CLOSED), without one it is dropped; fourth, a SYN that acknowledges ours
completes the handshake (ESTABLISHED, ``<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>``),
a SYN alone is a simultaneous open (SYN-RECEIVED,
``<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>``); fifth, a segment with neither SYN
nor RST is dropped.  There is no RCV.NXT yet: X is the peer's sequence
number, and the window columns do not apply.""",
    "SYN-RECEIVED": """\
RFC 9293 §3.10.7.4, for the connection a listener made for the peer's SYN
(the peer has not sent the handshake's last ACK).  Second, RFC 5961 §3: a
RST at RCV.NXT returns the connection to LISTEN, one elsewhere in the window
gets a challenge ACK; fourth, a SYN returns it to LISTEN (passive OPEN);
fifth, an ACK outside SND.UNA < SEG.ACK =< SND.NXT gets
``<SEQ=SEG.ACK><CTL=RST>``, an acceptable one makes it ESTABLISHED, and a FIN
or data in the same segment are then processed in that state.  The peer's
SYN again (SEQ=IRS, before RCV.NXT) is not acceptable; both stacks answer it
with the SYN,ACK again, which is what a peer that lost the SYN,ACK needs.
Here the segments that acknowledge nothing new carry ACK=SND.NXT (ISS+1):
with ACK=SND.UNA (ISS) they would be reset at the fifth step.  LISTEN means
the connection is gone and the listener remains.""",
    "ESTABLISHED": """\
RFC 9293 §3.10.7.4.  First, a segment outside the window is answered with
``<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`` and dropped; a zero window still
takes a zero-length segment at RCV.NXT, but not one octet.  Second, RFC 5961
§3: a RST at RCV.NXT resets the connection, one elsewhere in the window gets
a challenge ACK, one outside it is dropped.  Fourth, RFC 5961 §4: a SYN, in
the window or not, gets a challenge ACK.  Fifth, an ACK of something not yet
sent gets an ACK (atcp; Linux 6.1 drops it).  Seventh, data at RCV.NXT is taken and acknowledged
(``ACK=SEG.SEQ+SEG.LEN``); eighth, a FIN is acknowledged: CLOSE-WAIT.""",
    "FIN-WAIT-1": """\
RFC 9293 §3.10.7.4, after ``shutdown(SHUT_WR)`` (the RFC's CLOSE) sent our
FIN, not yet acknowledged.  As ESTABLISHED, and: fifth, the ACK of our FIN
makes it FIN-WAIT-2; eighth, the peer's FIN that does not acknowledge ours
makes it CLOSING.  Data is still received.""",
    "FIN-WAIT-2": """\
RFC 9293 §3.10.7.4: our FIN is acknowledged.  As ESTABLISHED (data is still
received), and eighth: the peer's FIN makes it TIME-WAIT.""",
    "CLOSE-WAIT": """\
RFC 9293 §3.10.7.4: the peer's FIN has been received.  Seventh, text "should
not occur ... ignore the segment text": data at RCV.NXT is dropped without an
ACK.  The FIN here is the peer's FIN again (SEQ=RCV.NXT-1): not acceptable
at the first step, so it is acknowledged.""",
    "CLOSING": """\
RFC 9293 §3.10.7.4: both FINs sent, ours not acknowledged.  Fifth, the ACK
of our FIN makes it TIME-WAIT; otherwise as CLOSE-WAIT.""",
    "LAST-ACK": """\
RFC 9293 §3.10.7.4: CLOSE-WAIT, then ``shutdown(SHUT_WR)`` sent our FIN.
Fifth, "the only thing that can arrive in this state is an acknowledgment of
our FIN": it closes the connection; otherwise as CLOSE-WAIT.""",
    "TIME-WAIT": """\
RFC 9293 §3.10.7.4: "the only thing that can arrive in this state is a
retransmission of the remote FIN.  Acknowledge it, and restart the 2 MSL
timeout."  A RST at RCV.NXT closes it (second step; Linux's default
``net.ipv4.tcp_rfc1337=0``, atcp the same).  Both stacks keep only a small
TIME-WAIT entry, not a TCB, and drop silently what the RFC 5961 checks would
answer with a challenge ACK (a RST in the window, an ACK > SND.NXT).  A SYN
above RCV.NXT opens a new connection on the listener (RFC 9293 §3.10.7.4,
fourth, and RFC 6191): its SYN,ACK carries a new ISS' above the old SND.NXT
(atcp: SND.NXT+65537; Linux 6.1: its clock-driven ISN).""",
}

class Cell(Exception):
    """A cell could not be measured (setup failed, timer fired)."""


class Conn:
    """What the peer knows of one connection (absolute sequence numbers)."""

    def __init__(self, flow, row):
        self.flow, self.row = flow, row
        self.iss = self.snd_una = self.snd_nxt = None
        self.irs = flow.peer_isn
        self.rcv_nxt = None
        self.wnd = None
        self.sock = None
        self.timer_from = None      # first send of a segment a timer repeats
        self.guard = None


def na(row, ev):
    """True where the event does not apply to the state."""
    if ev in ("zw0", "zw1"):
        return row not in TEXT
    if ev in ("rstwin", "rstout", "dataout"):
        return row in NO_TCB + ("SYN-SENT",)
    if ev == "badack":
        return row in NO_TCB
    return False


def events_of(row):
    return [k for k, _, _ in EVENTS] + [k for k, _ in EXTRA.get(row, [])]


def seg_for(c, ev):
    """The event's segment: (flags, seq, ack, data, description)."""
    rnxt = c.rcv_nxt is not None
    # SEQ: RCV.NXT where it exists; X, a new sequence number, otherwise.
    seq, sseq = (c.rcv_nxt, "RCV.NXT") if rnxt else (c.irs, "X")
    # ACK for segments that acknowledge nothing new.
    if c.row in NO_TCB:
        ack, sack = 0x2468ACE0, "Y"
    elif c.row in ("SYN-SENT", "SYN-RECEIVED"):
        ack, sack = c.snd_nxt, "SND.NXT"   # ACK=ISS would be unacceptable
    else:
        ack, sack = c.snd_una, "SND.UNA"
    if ev == "syn":
        return "S", seq, None, b"", "<SEQ=%s><CTL=SYN>" % sseq
    if ev == "synack":
        a, sa = (ack, sack) if c.row in NO_TCB else (c.snd_nxt, "SND.NXT")
        return "SA", seq, a, b"", "<SEQ=%s><ACK=%s><CTL=SYN,ACK>" % (sseq, sa)
    if ev == "ack":
        a, sa = (ack, sack) if c.row in NO_TCB else (c.snd_nxt, "SND.NXT")
        return "A", seq, a, b"", "<SEQ=%s><ACK=%s><CTL=ACK>" % (sseq, sa)
    if ev == "badack":
        return ("A", seq, c.snd_nxt + BADACK, b"",
                "<SEQ=%s><ACK=SND.NXT+%d><CTL=ACK>" % (sseq, BADACK))
    if ev == "rstwin":
        return "R", seq + 1, None, b"", "<SEQ=RCV.NXT+1><CTL=RST>"
    if ev == "rstnxt":
        return "R", seq, None, b"", "<SEQ=%s><CTL=RST>" % sseq
    if ev == "rstout":
        return "R", seq + FAR, None, b"", "<SEQ=RCV.NXT+%d><CTL=RST>" % FAR
    if ev == "fin":
        if c.row in AFTER_FIN:
            return ("FA", seq - 1, ack, b"",
                    "<SEQ=RCV.NXT-1><ACK=%s><CTL=FIN,ACK>" % sack)
        return "FA", seq, ack, b"", "<SEQ=%s><ACK=%s><CTL=FIN,ACK>" % (
            sseq, sack)
    if ev == "data":
        return ("PA", seq, ack, b"0123456789",
                "<SEQ=%s><ACK=%s><CTL=PSH,ACK><DATA=10>" % (sseq, sack))
    if ev == "dataout":
        return ("PA", seq + FAR, ack, b"0123456789",
                "<SEQ=RCV.NXT+%d><ACK=%s><CTL=PSH,ACK><DATA=10>" % (FAR, sack))
    if ev == "zw0":
        return "A", seq, ack, b"", "<SEQ=RCV.NXT><ACK=%s><CTL=ACK>" % sack
    if ev == "zw1":
        return ("PA", seq, ack, b"z",
                "<SEQ=RCV.NXT><ACK=%s><CTL=PSH,ACK><DATA=1>" % sack)
    if ev == "rstack":
        return "RA", 0, c.snd_nxt, b"", "<SEQ=0><ACK=SND.NXT><CTL=RST,ACK>"
    if ev == "syndup":
        return "S", c.irs, None, b"", "<SEQ=IRS><CTL=SYN>"
    if ev == "synnew":
        return ("S", seq + FAR, None, b"",
                "<SEQ=RCV.NXT+%d><CTL=SYN>" % FAR)
    raise ValueError(ev)


# -- driving a connection into each state -----------------------------------

def establish(t, m, port):
    """Passive open on the listener of port: SYN, SYN,ACK, ACK, accept()."""
    f = t.flow(lport=port)
    c = Conn(f, "ESTABLISHED")
    t.inject("S", f.peer_isn, flow=f, opts=[("mss", 1460)])
    sa = t.expect("SA", ack=f.peer_isn + 1, flow=f)
    t.inject("A", f.peer_isn + 1, f.isn + 1, flow=f)
    c.sock = t.accept(m.ls[port], flow=f)
    c.iss = f.isn
    c.snd_una = c.snd_nxt = (f.isn + 1) & pktlib.M32
    c.rcv_nxt = (f.peer_isn + 1) & pktlib.M32
    c.wnd = sa.wnd
    return c


def fill_window(t, c):
    """Send data until the stack offers a zero window (RCV.WND = 0)."""
    for _ in range(64):
        if c.wnd == 0:
            return
        n = min(c.wnd, 1400)
        t.inject("PA", c.rcv_nxt, c.snd_una, data=b"z" * n, flow=c.flow)
        a = t.expect("A", seq=c.snd_nxt, data="*", flow=c.flow, timeout=2)
        c.rcv_nxt, c.wnd = a.ack, a.wnd
    raise Cell("the window did not close (last offered %d)" % c.wnd)


def our_fin(t, c):
    """CLOSE (shutdown(SHUT_WR)): our FIN goes out."""
    t.shutdown(c.sock, socket.SHUT_WR)
    fin = t.expect("FA", seq=c.snd_nxt, ack=c.rcv_nxt, flow=c.flow)
    c.snd_nxt = (c.snd_nxt + 1) & pktlib.M32
    c.timer_from, c.guard = fin.time, RTO_MIN_S - 1.0


def peer_fin(t, c, ack):
    t.inject("FA", c.rcv_nxt, ack, flow=c.flow)
    t.expect("A", seq=c.snd_nxt, ack=c.rcv_nxt + 1, flow=c.flow)
    c.rcv_nxt = (c.rcv_nxt + 1) & pktlib.M32


def setup(t, m, row, zero_window):
    """A fresh connection in state row; returns its Conn."""
    if row == "CLOSED":
        return Conn(t.flow(lport=PORT_CLOSED), row)
    if row == "LISTEN":
        return Conn(t.flow(lport=PORT_LISTEN), row)
    if row == "SYN-SENT":
        f = t.flow()
        c = Conn(f, row)
        c.sock = t.socket()
        t.connect(c.sock, flow=f)
        syn = t.expect("S", flow=f)
        c.iss = c.snd_una = f.isn
        c.snd_nxt = (f.isn + 1) & pktlib.M32
        c.timer_from, c.guard = syn.time, 0.9     # initial RTO: 1 s
        return c
    if row == "SYN-RECEIVED":
        f = t.flow(lport=PORT_SYNRCVD)
        c = Conn(f, row)
        t.inject("S", f.peer_isn, flow=f, opts=[("mss", 1460)])
        sa = t.expect("SA", ack=f.peer_isn + 1, flow=f)
        c.iss = c.snd_una = f.isn
        c.snd_nxt = (f.isn + 1) & pktlib.M32
        c.rcv_nxt = (f.peer_isn + 1) & pktlib.M32
        c.wnd = sa.wnd
        c.timer_from, c.guard = sa.time, 0.9     # SYN,ACK timer: 1 s
        return c
    c = establish(t, m, PORT_ZW if zero_window else PORT_CONN)
    c.row = row
    if zero_window:
        fill_window(t, c)
    if row in ("FIN-WAIT-1", "FIN-WAIT-2", "CLOSING", "TIME-WAIT"):
        our_fin(t, c)
        if row in ("FIN-WAIT-2", "TIME-WAIT"):
            t.inject("A", c.rcv_nxt, c.snd_nxt, flow=c.flow)
            c.snd_una = c.snd_nxt
            c.timer_from = None
            t.expect_proc_state("FIN-WAIT-2", flow=c.flow)
        if row == "CLOSING":
            peer_fin(t, c, c.snd_una)
        if row == "TIME-WAIT":
            peer_fin(t, c, c.snd_nxt)
    elif row in ("CLOSE-WAIT", "LAST-ACK"):
        peer_fin(t, c, c.snd_nxt)
        if row == "LAST-ACK":
            t.expect_proc_state("CLOSE-WAIT", flow=c.flow)
            our_fin(t, c)
    t.expect_proc_state(row, flow=c.flow)
    return c


# -- recording the reply ------------------------------------------------------

def sym(v, cands, fallback):
    for name, x in cands:
        if x is not None and (x & pktlib.M32) == v:
            return name
    for name, x in fallback:
        if x is not None:
            d = (v - x) & pktlib.M32
            if d >= 1 << 31:
                d -= 1 << 32
            return "%s%+d" % (name, d)
    return str(v)


def describe(s, c, ev):
    """One reply segment in RFC 9293 notation, relative to the TCB as it was
    before the event (SEG.* are the event segment's fields)."""
    flags, seq, ack, data, _ = ev
    seglen = len(data) + ("S" in flags) + ("F" in flags)
    seg_ack = ack if "A" in flags else None
    if "S" in s.flags:
        sc = [("ISS", c.iss), ("SND.UNA", c.snd_una), ("SND.NXT", c.snd_nxt)]
    elif "R" in s.flags:
        sc = [("SEG.ACK", seg_ack), ("SND.NXT", c.snd_nxt),
              ("SND.UNA", c.snd_una), ("ISS", c.iss), ("0", 0)]
    else:
        sc = [("SND.NXT", c.snd_nxt), ("SND.UNA", c.snd_una), ("ISS", c.iss),
              ("SEG.ACK", seg_ack), ("0", 0)]
    if "S" in s.flags and c.iss is None:
        c.iss = s.seq               # the ISS, chosen for this reply
        sseq = "ISS"
    elif "S" in s.flags and s.seq != c.iss:
        # a new incarnation's ISS: it must lie above the old SND.NXT
        d = (s.seq - c.snd_nxt) & pktlib.M32
        sseq = "ISS'" if 0 < d < 1 << 31 else "ISS' =< SND.NXT"
    else:
        sseq = sym(s.seq, sc, [("SND.NXT", c.snd_nxt), ("ISS", c.iss)])
    out = "<SEQ=%s>" % sseq
    if "A" in s.flags:
        ac = [("RCV.NXT", c.rcv_nxt), ("SEG.SEQ+SEG.LEN", seq + seglen),
              ("SEG.SEQ", seq)]
        out += "<ACK=%s>" % sym(s.ack, ac, [("RCV.NXT", c.rcv_nxt),
                                            ("SEG.SEQ", seq)])
    out += "<CTL=%s>" % pktlib.ctl_names(s.flags.replace("P", ""))
    if s.wnd == 0 and "R" not in s.flags:
        out += "<WND=0>"
    if s.data:
        out += "<DATA=%d>" % len(s.data)
    return out


def collect(t, flow, window):
    """Every segment of flow within window seconds."""
    out = []
    end = time.monotonic() + window
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return out
        s = t._take(flow, left)
        if s is None:
            return out
        out.append(s)


def next_state(t, c):
    st = t.proc_state(c.flow)
    if st is None:
        # a passive open's child that is gone: the listener remains
        return "LISTEN" if c.row in ("LISTEN", "SYN-RECEIVED") else "CLOSED"
    return st


def cleanup(t, m, c):
    """Abort what a cell left: its sockets, queued connections, and (c) an
    embryonic connection."""
    for ls in m.ls.values():
        ls.setblocking(False)
        while True:
            try:
                t._socks.append(ls.accept()[0])
            except OSError:
                break
        ls.setblocking(True)
    for s in [s for s in t._socks if s not in m.ls.values()]:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        except OSError:
            pass
        t.close(s)
    if c is not None and t.proc_state(c.flow) == "SYN-RECEIVED":
        # its RST at RCV.NXT returns it to LISTEN
        t.inject("R", c.rcv_nxt if c.rcv_nxt is not None else c.irs + 1,
                 flow=c.flow)


def run_cell(t, m, row, key, window):
    """Measure one cell: (segment description, reply, next state)."""
    for _ in range(3):
        t.drain()
        try:
            c = setup(t, m, row, key in ("zw0", "zw1"))
        except (pktlib.Failure, Cell):
            cleanup(t, m, None)
            raise
        ev = seg_for(c, key)
        flags, seq, ack, data, desc = ev
        t.drain(c.flow)
        opts = [("mss", 1460)] if "S" in flags else ()
        t.inject(flags, seq, ack, data=data, opts=opts, flow=c.flow)
        if key == "synnew":
            c.flow.isn = None       # the reply's SYN,ACK chooses a new ISS
        segs = collect(t, c.flow, window)
        end = time.monotonic()
        st = next_state(t, c)
        late = c.timer_from is not None and end - c.timer_from > c.guard
        reply = " ".join(describe(s, c, ev) for s in segs) or "—"
        if key == "synnew" and st == "SYN-RECEIVED":
            c.rcv_nxt = (seq + 1) & pktlib.M32     # the new child's
        cleanup(t, m, c)
        if not late:
            return desc, reply, st
        t.note("%s/%s: %.2f s after the first send, again" %
               (row, key, end - c.timer_from))
    raise Cell("a retransmission timer may have fired: the cell took too long")


class Matrix:
    """One protocol's run."""

    def __init__(self, t):
        self.t = t
        self.ls = {}

    def setup(self):
        t = self.t
        if t.is_tcp:
            t.sysctl("net.ipv4.tcp_invalid_ratelimit", 0)
            t.sysctl("net.ipv4.tcp_challenge_ack_limit", 1000000)
            subprocess.run(["ip", "route", "replace", "10.99.0.0/24", "dev",
                            pktlib.DEV, "src", pktlib.LOCAL, "rto_min",
                            "%ds" % RTO_MIN_S], check=True)
        else:
            t.sysctl("net.atcp.rto_min_ms", RTO_MIN_S * 1000)
            t.sysctl("net.atcp.invalid_ratelimit_ms", 0)
            t.sysctl("net.atcp.challenge_ack_limit", 1000000)
        for port in (PORT_LISTEN, PORT_SYNRCVD, PORT_CONN, PORT_ZW):
            s = t.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if port == PORT_ZW:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, ZW_RCVBUF)
            t.bind(s, port)
            t.listen(s, 64)
            self.ls[port] = s


def measure(proto, rows, window, verbose, seed):
    """In a child: the cells of proto in a fresh namespace, as a dict."""
    res = {"proto": proto, "cells": {}, "errors": {},
           "kernel": platform.release()}
    t = None
    try:
        pktlib.unshare_net()
        t = pktlib.Context(proto, "state-matrix", seed, verbose)
        t.setup()
        m = Matrix(t)
        m.setup()
        start = time.monotonic()
        for row in rows:
            for key in events_of(row):
                name = "%s/%s" % (row, key)
                if na(row, key):
                    res["cells"][name] = ["", "n/a", ""]
                    continue
                n = len(t.trace)
                try:
                    res["cells"][name] = list(run_cell(t, m, row, key,
                                                       window))
                except (pktlib.Failure, Cell) as e:
                    res["errors"][name] = str(e)
                    print("# %s %s: %s" % (t.name, name, e))
                    for line in t.dump_trace(max(len(t.trace) - n, 1))[-20:]:
                        print("#   " + line)
                if verbose:
                    print("# %s %s: %s" % (t.name, name,
                                           res["cells"].get(name)))
                    for line in t.dump_trace(max(len(t.trace) - n, 1)):
                        print("#   " + line)
                sys.stdout.flush()
        res["seconds"] = time.monotonic() - start
    except Exception:
        res["fatal"] = traceback.format_exc()
    if t is not None:
        try:
            t.teardown()
        except Exception:
            pass
    return res


def run_child(proto, rows, window, verbose, seed):
    out, _ = pktlib.in_child(lambda: json.dumps(
        measure(proto, rows, window, verbose, seed)))
    if not out:
        return {"proto": proto, "cells": {}, "errors": {},
                "fatal": "the child died"}
    return json.loads(out)


# -- the document -----------------------------------------------------------

ABBR = {"CLOSED": "CLOSED", "LISTEN": "LISTEN", "SYN-SENT": "SYN-SENT",
        "SYN-RECEIVED": "SYN-RCVD", "ESTABLISHED": "ESTAB",
        "FIN-WAIT-1": "FIN-WAIT-1", "FIN-WAIT-2": "FIN-WAIT-2",
        "CLOSE-WAIT": "CLOSE-WAIT", "CLOSING": "CLOSING",
        "LAST-ACK": "LAST-ACK", "TIME-WAIT": "TIME-WAIT"}
DOC = "Documentation/state-matrix.rst"
CMD = ("scripts/vm -- 'python3 selftests/pkt/matrix.py --write "
       "/atcp-out/state-matrix.rst'")

HEAD = """\
.. SPDX-License-Identifier: GPL-2.0
.. Generated by selftests/pkt/matrix.py: do not edit.  Its prose is in
   matrix.py (HEAD, STATE_TEXT, EXPECTED).  Regenerate it with the command
   below, then copy state-matrix.rst from the VM's output directory
   (build/vm/6.1/, or $ATCP_VM_OUT) to Documentation/.

======================
The state-event matrix
======================

What a TCP endpoint sends and which state it enters when a segment arrives,
for each of the eleven states of RFC 9293 §3.3.2 and each kind of segment:
the picture to read next to RFC 9293 §3.10.7, "SEGMENT ARRIVES".  Every cell
was measured, for atcp and for Linux TCP: the scripted peer of the packet
tests (``selftests/pkt/pktlib.py``) drives a fresh connection (a 4-tuple of
its own) into the state, sends the segment and records the stack's replies
within {window} s and the connection's state afterwards (``/proc/net/atcp``,
``/proc/net/tcp``).  ``selftests/state_matrix.sh`` measures it again and
fails when atcp differs from Linux TCP outside the differences listed at the
end, or from this page.

Generated on {date}, Linux {kernel}, by ``{cmd}``.

Linux TCP ran with the packet tests' baseline (no timestamps, SACK, window
scaling or ECN: atcp sends none), ``net.ipv4.tcp_invalid_ratelimit=0``,
``net.ipv4.tcp_challenge_ack_limit=1000000`` and a route ``rto_min`` of
{rto} s; atcp with ``rto_min_ms={rto_ms}``,
``invalid_ratelimit_ms=0`` and ``challenge_ack_limit=1000000``: no rate
limit and no retransmission timer
interferes with a cell.  Linux's defaults ``tcp_syncookies=1`` (cookies only
when a listener's SYN queue overflows, which never happens here) and
``tcp_rfc1337=0`` apply.

Reading the cells
=================

* Segments are written as in RFC 9293: ``<SEQ=..><ACK=..><CTL=..>``.  Values
  are named after the receiving TCB *before* the segment arrived (SND.UNA,
  SND.NXT, ISS, RCV.NXT, IRS) and the arriving segment's fields (SEG.SEQ,
  SEG.ACK, SEG.LEN).  ISS' is a new connection's ISS; ``<WND=0>`` is shown
  when a reply offers a zero window.  A reply with ``ACK=SEG.SEQ+SEG.LEN``
  took the segment (RCV.NXT advanced over it), one with ``ACK=RCV.NXT`` took
  nothing.
* Where the state has no RCV.NXT (CLOSED, LISTEN, SYN-SENT), X is the peer's
  new sequence number and Y any ACK value.
* "—": nothing was sent within {window} s.  The next state is the
  connection's; LISTEN in the SYN-RECEIVED row means the connection is gone
  and the listener remains (the RFC's "return this connection to LISTEN").
* The user's CLOSE is ``shutdown(SHUT_WR)``: the socket stays open, so the
  tables show RFC 9293's state machine, not what both stacks do for a socket
  the application has closed (data arriving after ``close()`` is answered
  with a reset, RFC 1122 §4.2.2.13, and an orphaned FIN-WAIT-2 times out).
* The segments: SYN and SYN,ACK carry SEQ=RCV.NXT; the acceptable ACK is
  SEG.ACK=SND.NXT, the unacceptable one SND.NXT+{badack}; a RST in the window
  has SEQ=RCV.NXT+1, one outside it SEQ=RCV.NXT+{far} (beyond any unscaled
  window); data is 10 octets at RCV.NXT, or at RCV.NXT+{far}; the other
  segments acknowledge nothing new (ACK=SND.UNA).  The zero window is a
  small ``SO_RCVBUF`` the peer has filled; it matters only in the states
  that take data.  Each state's table gives every segment exactly.
"""


def label(row, key):
    if row in NO_TCB + ("SYN-SENT",):
        if key == "rstnxt":
            return "RST"
        if key == "data":
            return "data"
        if key == "ack" and row in NO_TCB:
            return "ACK"
    if key == "fin" and row in AFTER_FIN:
        return "the peer's FIN again"
    return EVENT_NAME[key]


def short(reply):
    """The CTL of each reply segment: "ACK", "RST + SYN", "—"."""
    if reply == "—":
        return reply
    out = []
    for part in reply.split("<SEQ=")[1:]:
        ctl = part.split("<CTL=")[1].split(">")[0]
        out.append(ctl)
    return " + ".join(out)


def simple_table(head, rows):
    cols = list(zip(*([head] + rows)))
    w = [max(len(x) for x in col) for col in cols]
    rule = "  ".join("=" * n for n in w)
    def fmt(r):
        return "  ".join(x.ljust(n) for x, n in zip(r, w)).rstrip()
    return [rule, fmt(head), rule] + [fmt(r) for r in rows] + [rule]


def cell_of(runs, name, proto):
    c = runs[proto]["cells"].get(name)
    return None if c is None else (c[1], c[2])


def render(runs, kernel, date):
    """Documentation/state-matrix.rst from the two runs."""
    L = []

    def a(*lines):
        L.extend(lines)

    a(HEAD.format(window=WINDOW, date=date, kernel=kernel, cmd=CMD,
                  rto=RTO_MIN_S, rto_ms=RTO_MIN_S * 1000, badack=BADACK,
                  far=FAR))
    # The overview.
    a("The matrix", "==========", "",
      "The reply's control bits, and the next state where it changes; †:",
      "Linux TCP differs (see the state's table).  In the CLOSED, LISTEN and",
      "SYN-SENT rows \"RST = RCV.NXT\" is a RST with any SEQ; SYN-SENT's",
      "RST,ACK that acknowledges the SYN, SYN-RECEIVED's repeated SYN and",
      "TIME-WAIT's new SYN are in those states' tables.", "")
    head = ["state"] + [h for _, h, _ in EVENTS]
    rows = []
    for row in STATES:
        r = [row]
        for key, _, _ in EVENTS:
            name = "%s/%s" % (row, key)
            if na(row, key):
                r.append("n/a")
                continue
            rep, nxt = cell_of(runs, name, "atcp")
            txt = short(rep) + ("" if nxt == row else " → " + ABBR[nxt])
            if cell_of(runs, name, "tcp") != (rep, nxt):
                txt += " †"
            r.append(txt)
        rows.append(r)
    a(*simple_table(head, rows))
    a("")
    # One table per state.
    for row in STATES:
        a(row, "=" * len(row), "", STATE_TEXT[row], "",
          ".. list-table::", "   :header-rows: 1", "",
          "   * - arriving segment", "     - as sent", "     - reply",
          "     - next state", "     - Linux TCP")
        for key in events_of(row):
            if na(row, key):
                continue
            name = "%s/%s" % (row, key)
            seg = runs["atcp"]["cells"][name][0]
            rep, nxt = cell_of(runs, name, "atcp")
            tcp = cell_of(runs, name, "tcp")
            lx = "same" if tcp == (rep, nxt) else \
                "``%s``, %s" % (tcp[0], tcp[1]) if tcp[0] != "—" else \
                "—, %s" % tcp[1]
            a("   * - %s" % label(row, key), "     - ``%s``" % seg,
              "     - %s" % (rep if rep == "—" else "``%s``" % rep),
              "     - %s" % nxt, "     - %s" % lx)
        a("")
    a("Where atcp and Linux TCP differ", "===============================", "",
      "Each is also listed in Documentation/differences.rst.", "")
    for (row, key), why in sorted(EXPECTED.items(),
                                  key=lambda x: (STATES.index(x[0][0]),
                                                 events_of(x[0][0])
                                                 .index(x[0][1]))):
        a(textwrap.fill("%s, %s: %s" % (row, label(row, key), rst_quote(why)),
                        76, initial_indent="* ", subsequent_indent="  ",
                        break_on_hyphens=False, break_long_words=False))
    a("")
    # The cells as data, for the test.
    a(".. cells: kernel %s" % kernel,
      "   state/event | segment | atcp reply | atcp next | Linux reply |"
      " Linux next")
    for row in STATES:
        for key in events_of(row):
            name = "%s/%s" % (row, key)
            if na(row, key):
                continue
            c = runs["atcp"]["cells"][name]
            t = runs["tcp"]["cells"][name]
            a("   %s | %s | %s | %s | %s | %s" % (name, c[0], c[1], c[2],
                                                  t[1], t[2]))
    return "\n".join(L) + "\n"


def rst_quote(text):
    """Put RFC segment notation in the text into literals."""
    out, i = "", 0
    while True:
        j = text.find("<SEQ=", i)
        if j < 0:
            return out + text[i:]
        k = text.find("<CTL=", j)
        k = text.find(">", k) + 1
        out += text[i:j] + "``" + text[j:k] + "``"
        i = k


def strip_volatile(text):
    """The document without the lines that name the date and kernel."""
    return [x for x in text.splitlines()
            if not x.startswith(("Generated on", ".. cells: kernel"))]


def parse_doc(path):
    """The cells and kernel recorded in the document's data block."""
    kernel, cells, text = None, {}, open(path, encoding="utf-8").read()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(".. cells: kernel "):
            kernel = line.split()[-1]
            for d in lines[i + 2:]:
                if not d.startswith("   "):
                    break
                p = [x.strip() for x in d.split(" | ")]
                cells[p[0]] = p[1:]
    return kernel, cells, text


# -- the test ---------------------------------------------------------------

def check(runs, doc, kernel, date):
    """TAP: per state, atcp against Linux TCP; then against the document."""
    n = 0
    failed = 0
    lines = []

    def tap(ok, what, notes=()):
        nonlocal n, failed
        n += 1
        failed += not ok
        lines.extend("# " + x for x in notes)
        lines.append("%s %d %s" % ("ok" if ok else "not ok", n, what))

    for name, r in runs.items():
        tap(not r.get("fatal") and not r["errors"],
            "%s: every cell measured" % name,
            ([r["fatal"]] if r.get("fatal") else []) +
            ["%s %s: %s" % (name, k, v) for k, v in r["errors"].items()])
    for row in STATES:
        bad, notes, exp = [], [], 0
        for key in events_of(row):
            name = "%s/%s" % (row, key)
            at, tc = cell_of(runs, name, "atcp"), cell_of(runs, name, "tcp")
            if at is None or tc is None:
                continue
            if at == tc:
                if (row, key) in EXPECTED:
                    notes.append("%s: listed as a difference, but atcp and "
                                 "Linux TCP agree: %s, %s" % ((name,) + at))
                continue
            if (row, key) in EXPECTED:
                exp += 1
                continue
            bad.append("%s: atcp %s, %s; Linux TCP %s, %s" %
                       ((name,) + at + tc))
        tap(not bad, "%s: atcp as Linux TCP%s" %
            (row, " (%d expected difference%s)" % (exp, "s" * (exp > 1))
             if exp else ""), bad + notes)
    if not os.path.exists(doc):
        tap(False, "%s exists" % doc)
    else:
        dkernel, dcells, text = parse_doc(doc)
        bad, lbad = [], []
        for row in STATES:
            for key in events_of(row):
                name = "%s/%s" % (row, key)
                if na(row, key):
                    continue
                d = dcells.get(name)
                at = cell_of(runs, name, "atcp")
                tc = cell_of(runs, name, "tcp")
                if d is None:
                    bad.append("%s: not in %s" % (name, doc))
                    continue
                if at is not None and at != tuple(d[1:3]):
                    bad.append("%s: atcp %s, %s; %s says %s, %s" %
                               ((name,) + at + (doc,) + tuple(d[1:3])))
                if tc is not None and tc != tuple(d[3:5]):
                    lbad.append("%s: Linux TCP %s, %s; %s says %s, %s" %
                                ((name,) + tc + (doc,) + tuple(d[3:5])))
        tap(not bad, "%s: atcp's cells" % doc, bad)
        same = dkernel and dkernel.split(".")[:2] == kernel.split(".")[:2]
        if not same:
            lines.extend("# " + x for x in lbad)
            n += 1
            lines.append("ok %d %s: Linux TCP's cells and the text # SKIP "
                         "generated on Linux %s, this is %s" %
                         (n, doc, dkernel, kernel))
        else:
            fresh = render(runs, kernel, date) if all(
                not r["errors"] and not r.get("fatal")
                for r in runs.values()) else None
            if fresh is not None and not lbad and not bad:
                if strip_volatile(fresh) != strip_volatile(text):
                    lbad.append("the text differs from what matrix.py "
                                "writes now (regenerate it: %s)" % CMD)
            tap(not lbad, "%s: Linux TCP's cells and the text" % doc, lbad)
    for line in lines:
        print(line)
    print("1..%d" % n)
    return failed


def main():
    global WINDOW
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proto", default="both", choices=["6", "253", "both"])
    ap.add_argument("--state", "-t", action="append", default=[],
                    help="only this row (repeatable)")
    ap.add_argument("--window", type=float, default=WINDOW,
                    help="seconds to wait for replies after each event")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--write", metavar="FILE",
                    help="write the document (both protocols, every state)")
    ap.add_argument("--check", metavar="FILE",
                    help="the test: TAP, compared with Linux TCP and FILE")
    ap.add_argument("--json", metavar="FILE", help="save the raw cells")
    ap.add_argument("--load", metavar="FILE",
                    help="take the cells from a --json file, run nothing")
    args = ap.parse_args()
    WINDOW = args.window

    rows = args.state or STATES
    for r in rows:
        if r not in STATES:
            ap.error("unknown state %s" % r)
    protos = [6, 253] if args.proto == "both" else [int(args.proto)]
    if (args.write or args.check) and not args.load and \
            (len(protos) < 2 or args.state):
        ap.error("--write and --check need both protocols and every state")
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    try:
        pktlib.ensure_tun()
    except OSError as e:
        print("# /dev/net/tun: %s" % e)
    if args.check:
        print("TAP version 13")
    print("# seed %d" % seed)
    runs = {}
    if args.load:
        with open(args.load, encoding="utf-8") as fh:
            runs = json.load(fh)
        protos = []
    for p in protos:
        start = time.monotonic()
        runs[pktlib.PROTO_NAMES[p]] = run_child(p, rows, args.window,
                                               args.verbose, seed)
        print("# %s: %.1f s" % (pktlib.PROTO_NAMES[p],
                               time.monotonic() - start))
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(runs, fh, indent=1, ensure_ascii=False)
    kernel = next(iter(runs.values())).get("kernel", platform.release())
    date = datetime.date.today().isoformat()
    if args.check:
        return 1 if check(runs, args.check, kernel, date) else 0
    for name, r in runs.items():
        if r.get("fatal"):
            print("# %s: %s" % (name, r["fatal"]))
    print_table(runs, rows)
    if args.write:
        if any(r["errors"] or r.get("fatal") for r in runs.values()):
            print("# not writing %s: some cells were not measured" %
                  args.write)
            return 1
        with open(args.write, "w", encoding="utf-8") as fh:
            fh.write(render(runs, kernel, date))
        print("# wrote %s" % args.write)
    return 0


def print_table(runs, rows):
    for row in rows:
        for key in events_of(row):
            name = "%s/%s" % (row, key)
            cells = []
            for p, r in runs.items():
                c = r["cells"].get(name)
                if c is None:
                    cells.append("%s: ERROR %s" % (p, r["errors"].get(name)))
                else:
                    cells.append("%s: %s -> %s" % (p, c[1], c[2]))
            same = len(set(cell_of(runs, name, p) for p in runs)) == 1
            print("# %-26s %s %s" % (name, " " if same else "*",
                                     " | ".join(cells)))


if __name__ == "__main__":
    sys.exit(main())
