# SPDX-License-Identifier: GPL-2.0
"""pktlib: a scripted remote TCP peer on a tun device.

The stack under test (Linux TCP, IP protocol 6, or atcp, IP protocol 253)
owns 10.99.0.1/24 on a tun device (IFF_TUN|IFF_NO_PI) in a network namespace
of its own; the scripted peer is 10.99.0.2.  A scenario injects hand-built
IPv4 segments into the tun fd (they reach the stack as if sent by 10.99.0.2)
and checks, segment by segment, what the stack sends back.  The header on the
wire is the RFC 9293 header for both protocols; checksums always cover the
pseudo-header with the protocol number under test, both ways (a segment from
the stack with a bad checksum fails the test).

A scenario is a file selftests/pkt/scenarios/NN_name.py with

    def run(t):                 # t: Context for one protocol
        ...
    DIFFERS = {"tcp": "why"}    # optional: this protocol is meant to behave
                                # differently (the reason is printed)
    TIMEOUT = 60                # optional: seconds before the driver kills it

Connections ("flows").  A Flow is one 4-tuple seen from the peer: lport (the
stack's port), pport (the peer's port), peer_isn (the peer's ISN, random by
default) and isn (the stack's ISN, recorded from the first SYN the stack
sends on the flow).  t starts with a flow lport=5000, pport=random; t.flow()
makes a new one and makes it current; every call takes flow= to use another.
  t.isn, t.peer_isn      the current flow's ISNs
  t.rel(n), t.prel(n)    isn+n, peer_isn+n (mod 2**32)
Sequence numbers may be given as plain ints (taken mod 2**32).

Injecting (peer -> stack):
  t.inject(flags, seq, ack=None, wnd=65535, urg=0, opts=(), data=b"", ...)
    flags: letters of S A F R P U E C ("SA" = SYN,ACK, "" = none)
    opts:  ("mss", 1460), "nop", "eol", ("ws", 7), "sackok", ("ts", v, e),
           ("raw", b"...") (bytes as-is), (kind, b"value"); padded to 4 bytes
           with EOL unless doff= is given
    malformed: doff=N (data offset field), csum=N | "bad", csum_proto=N
           (pseudo-header protocol), ip_len=N, ip_csum=N, truncate=N (cut
           the IP packet to N bytes), reserved=N (the 4 reserved bits)
  t.packet(...) builds the same IP packet without sending it
  t.inject_raw(pkt) sends any bytes; t.fragments(pkt, size) cuts an IP
  packet into IP fragments (a list, inject them in any order)

Expecting (stack -> peer):
  seg = t.expect(flags, seq="*", ack="*", wnd="*", urg="*", data=b"",
                 opts="*", timeout=3)
    takes the next segment of the flow and compares every given field;
    "*" = don't care, a callable = predicate; PSH is ignored unless flags
    names it; data=b"" by default (data="*" to ignore); opts are compared
    without NOP/EOL.  skip=True skips non-matching segments of the flow.
    Returns a Segment (.seq .ack .flags .wnd .urg .opts .data .time .len,
    .opt("mss")).  A SYN from the stack records the flow's ISN.
  t.expect_nothing(duration)  no segment at all (any flow) for duration, and
                              no other packet (ICMP...) to the peer since
                              the last expect_nothing
  t.drain()                   forget what was received so far
  t.pending()                 how many segments wait to be expected
  t.ioctl_int(s, name, req)   an int-returning ioctl (SIOCOUTQ...), traced
  t.collect(duration)         the flow's segments from the stack during
                              duration seconds (a list, maybe empty)

Local sockets (same process, the stack under test):
  t.socket(), t.bind(s, port), t.listen(s, n), t.accept(s), t.connect(s)
  (non-blocking, EINPROGRESS; records the local port in the flow),
  t.wait_connected(s), t.send(s, data), t.recv(s, n), t.recv_exact(s, data),
  t.close(s), t.shutdown(s, how), t.setsockopt(...), t.getsockopt(...);
  all but close take errno=E to expect that failure instead of success.
  t.call(what, fn, errno=None) runs any other local call fn() the same way
  (traced, errno=E expects that failure), e.g. recv(MSG_OOB) or an ioctl.
  t.state(s) (TCP_INFO tcpi_state as an RFC name), t.expect_state(s, name),
  t.proc_state(flow=...) and t.expect_proc_state(name) (from /proc/net/tcp
  or /proc/net/atcp, e.g. for TIME-WAIT after the socket is gone).
  t.snmp(name) reads an atcp counter from /proc/net/atcp_snmp;
  t.counter(name, tcp_name=) that, or Linux's TcpExt counter (t.tcpext).
  t.listener(port) and t.handshake(ls) / t.active_open() are shortcuts;
  t.handshake(ls, sackok=True) offers SACK-permitted (t.synack.sackok: the
  stack offered it back); t.syn_sent() is a connect up to its SYN, and
  t.active_open(s=s, opts=...) completes it.  t.flight(s, data, mss) sends
  data and expects its segments; t.abort(s) closes with a RST.  t.sack(on,
  dsack=) sets SACK/D-SACK for the stack; pktlib.sack_opt(p, (a, b), ...)
  is an expected SACK option; t.sack_peer(data) gives seg() and ack() for a
  peer sending data out of order.

Checks: t.check(cond, msg), t.check_eq(actual, expected, what),
t.check_time(actual, expected, tol=, rel=, what=), t.check_timer(actual,
expected, what=) (late by up to 0.5 s, early by 0.15 s), t.fail(msg),
t.skip(msg).  t.rto(s) is the socket's RTO in seconds (TCP_INFO).
Setup: t.sysctl("net.ipv4.tcp_sack", 0) (restored at the end),
t.set_mtu(n), t.note(msg) (a "# " diagnostic line), t.proto, t.name
("tcp"/"atcp"), t.is_tcp.
"""

import ctypes
import errno as E
import fcntl
import os
import random
import select
import socket
import struct
import sys
import threading
import time
import traceback

PEER = "10.99.0.2"
LOCAL = "10.99.0.1"
DEV = "pkt0"
PROTO_NAMES = {6: "tcp", 253: "atcp"}
M32 = 0xFFFFFFFF
DEFAULT_TIMEOUT = 3.0 * float(os.environ.get("PKT_TIMEOUT_SCALE", "1"))

FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08,
             "A": 0x10, "U": 0x20, "E": 0x40, "C": 0x80}
CTL_ORDER = "SFRPAUEC"
CTL_NAMES = {"S": "SYN", "F": "FIN", "R": "RST", "P": "PSH", "A": "ACK",
             "U": "URG", "E": "ECE", "C": "CWR"}

# tcpi_state values (include/net/tcp_states.h) as RFC 9293 state names.
TCP_STATES = {1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECEIVED",
              4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT", 7: "CLOSED",
              8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING",
              12: "SYN-RECEIVED"}

SOL_TCP = 6
SHUT_RD, SHUT_WR, SHUT_RDWR = socket.SHUT_RD, socket.SHUT_WR, socket.SHUT_RDWR
TCP_INFO = 11
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IFF_UP = 0x1
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCSIFADDR = 0x8916
SIOCSIFNETMASK = 0x891C
SIOCSIFMTU = 0x8922
CLONE_NEWNET = 0x40000000

# Sysctls applied before every scenario, restored after it.  Linux TCP gets
# a plain RFC 9293 header (no timestamps, SACK, window scaling or ECN; atcp
# neither: its own sysctls for them off) and no behaviours outside RFC 9293/5681/6298 that
# would send segments on their own (tail loss probes, autocorking, cached
# per-destination metrics).
BASELINE = {
    6: [("net.ipv4.tcp_timestamps", 0), ("net.ipv4.tcp_sack", 0),
        ("net.ipv4.tcp_window_scaling", 0), ("net.ipv4.tcp_ecn", 0),
        ("net.ipv4.tcp_early_retrans", 0), ("net.ipv4.tcp_autocorking", 0),
        ("net.ipv4.tcp_no_metrics_save", 1),
        # Linux >= 6.5 retransmits the first SYNs at linear intervals.
        ("?net.ipv4.tcp_syn_linear_timeouts", 0)],
    253: [("net.atcp.timestamps", 0), ("net.atcp.sack", 0),
          ("net.atcp.window_scaling", 0)],
}


class Failure(Exception):
    """An expectation did not hold."""


class Skip(Exception):
    """The scenario cannot run here."""


def csum16(data):
    """Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4_csum(src, dst, proto, seg):
    """Checksum of seg (checksum field included as is) over the pseudo-header
    with protocol number proto; 0 means a correct checksum is in place."""
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, proto, len(seg))
    return csum16(ph + seg)


def flags_str(bits):
    return "".join(c for c in CTL_ORDER if bits & FLAG_BITS[c])


def flags_bits(flags):
    b = 0
    for c in flags:
        if c not in FLAG_BITS:
            raise ValueError("unknown TCP flag %r in %r" % (c, flags))
        b |= FLAG_BITS[c]
    return b


def ctl_names(flags):
    return ",".join(CTL_NAMES[c] for c in CTL_ORDER if c in flags) or "none"


def encode_opts(opts):
    out = b""
    for o in opts:
        if isinstance(o, str):
            o = (o,)
        k = o[0]
        if k == "nop":
            out += b"\x01"
        elif k == "eol":
            out += b"\x00"
        elif k == "mss":
            out += struct.pack("!BBH", 2, 4, o[1])
        elif k == "ws":
            out += struct.pack("!BBB", 3, 3, o[1])
        elif k == "sackok":
            out += b"\x04\x02"
        elif k == "sack":
            out += struct.pack("!BB", 5, 2 + 8 * len(o[1]))
            for left, right in o[1]:
                out += struct.pack("!II", left & M32, right & M32)
        elif k == "ts":
            out += struct.pack("!BBII", 8, 10, o[1] & M32, o[2] & M32)
        elif k == "raw":
            out += bytes(o[1])
        elif isinstance(k, int):
            out += struct.pack("!BB", k, 2 + len(o[1])) + bytes(o[1])
        else:
            raise ValueError("unknown option %r" % (o,))
    return out


def parse_opts(b):
    """Options as a list of tuples; ("bad", bytes) marks a malformed tail."""
    res = []
    i = 0
    while i < len(b):
        k = b[i]
        if k == 0:
            res.append(("eol",))
            break
        if k == 1:
            res.append(("nop",))
            i += 1
            continue
        if i + 1 >= len(b) or b[i + 1] < 2 or i + b[i + 1] > len(b):
            res.append(("bad", bytes(b[i:])))
            break
        n = b[i + 1]
        v = bytes(b[i + 2:i + n])
        if k == 2 and n == 4:
            res.append(("mss", struct.unpack("!H", v)[0]))
        elif k == 3 and n == 3:
            res.append(("ws", v[0]))
        elif k == 4 and n == 2:
            res.append(("sackok",))
        elif k == 5 and (n - 2) % 8 == 0:
            res.append(("sack", [struct.unpack("!II", v[j:j + 8])
                                 for j in range(0, len(v), 8)]))
        elif k == 8 and n == 10:
            res.append(("ts",) + struct.unpack("!II", v))
        else:
            res.append((k, v))
        i += n
    return res


def fmt_opts(opts):
    out = []
    for o in opts:
        if len(o) == 1:
            out.append(str(o[0]).upper())
        elif o[0] == "raw":
            out.append("RAW:" + bytes(o[1]).hex())
        elif isinstance(o[0], int):
            out.append("%d:%s" % (o[0], bytes(o[1]).hex()))
        else:
            out.append("%s:%s" % (str(o[0]).upper(),
                                   ",".join(str(x) for x in o[1:])))
    return " ".join(out)


def norm_opts(opts):
    res = []
    for o in opts:
        if isinstance(o, str):
            o = (o,)
        if o[0] not in ("nop", "eol"):
            res.append(tuple(o))
    return res


def sack_opt(base, *edges):
    """An expected option list of one SACK option: edges (left, right)
    relative to base, e.g. sack_opt(p, (10, 20), (30, 40))."""
    return [("sack", [((base + a) & M32, (base + b) & M32)
                      for a, b in edges])]


def rel_str(v, base, tag):
    if base is None:
        return str(v)
    d = (v - base) & M32
    if d >= 1 << 31:
        d -= 1 << 32
    return "%s%+d [%d]" % (tag, d, v)


class Segment:
    """A TCP segment (parsed from the wire)."""

    def __init__(self, src, dst, sport, dport, seq, ack, flags, wnd, urg,
                 opts, data, doff=5, csum_ok=True, time_=0.0, raw=b""):
        self.src, self.dst = src, dst
        self.sport, self.dport = sport, dport
        self.seq, self.ack, self.flags = seq, ack, flags
        self.wnd, self.urg, self.opts, self.data = wnd, urg, opts, data
        self.doff, self.csum_ok = doff, csum_ok
        self.time, self.raw = time_, raw

    @property
    def len(self):
        """SEG.LEN: data octets plus one for SYN and one for FIN."""
        return len(self.data) + ("S" in self.flags) + ("F" in self.flags)

    def opt(self, name):
        for o in self.opts:
            if o[0] == name:
                return o[1] if len(o) == 2 else o[1:]
        return None


def parse_tcp(pkt, proto, time_=0.0):
    """Parse an IPv4 packet carrying the TCP header; returns a Segment or
    raises ValueError."""
    ihl = (pkt[0] & 0xF) * 4
    tot = struct.unpack("!H", pkt[2:4])[0]
    src = socket.inet_ntoa(pkt[12:16])
    dst = socket.inet_ntoa(pkt[16:20])
    seg = pkt[ihl:tot]
    if len(seg) < 20:
        raise ValueError("%d-byte segment" % len(seg))
    sport, dport, seq, ack, off, fl, wnd, _, urg = \
        struct.unpack("!HHIIBBHHH", seg[:20])
    doff = off >> 4
    if doff < 5 or doff * 4 > len(seg):
        raise ValueError("data offset %d in a %d-byte segment" %
                         (doff, len(seg)))
    ok = l4_csum(src, dst, proto, seg) == 0
    return Segment(src, dst, sport, dport, seq, ack, flags_str(fl), wnd, urg,
                   parse_opts(seg[20:doff * 4]), bytes(seg[doff * 4:]), doff,
                   ok, time_, bytes(pkt))


def fmt_seg(seg, from_stack, flow):
    """RFC 9293 figure notation, with numbers relative to the ISNs."""
    if flow is None:
        sb = ab = None
    elif from_stack:
        sb, ab = flow.isn, flow.peer_isn
    else:
        sb, ab = flow.peer_isn, flow.isn
    st, at = ("L", "P") if from_stack else ("P", "L")
    out = "<SEQ=%s>" % rel_str(seg.seq, sb, st)
    if "A" in seg.flags or seg.ack:
        out += "<ACK=%s>" % rel_str(seg.ack, ab, at)
    out += "<CTL=%s><WND=%d>" % (ctl_names(seg.flags), seg.wnd)
    if "U" in seg.flags or seg.urg:
        out += "<URG=%d>" % seg.urg
    if seg.opts:
        out += "<OPT=%s>" % fmt_opts(seg.opts)
    if seg.data:
        d = seg.data[:16]
        out += "<DATA=%d %r%s>" % (len(seg.data), d,
                                   "..." if len(seg.data) > 16 else "")
    if flow is None or (from_stack and (seg.sport, seg.dport) !=
                        (flow.lport, flow.pport)):
        out += " %s:%d>%s:%d" % (seg.src, seg.sport, seg.dst, seg.dport)
    if not seg.csum_ok:
        out += " BAD-CHECKSUM"
    return out


def fmt_spec(spec, flow):
    def f(name, v, base, tag):
        if v == "*":
            return "<%s=*>" % name
        if callable(v):
            return "<%s=%s>" % (name, getattr(v, "__name__", "?"))
        if isinstance(v, int) and base is not False:
            return "<%s=%s>" % (name, rel_str(v & M32, base, tag))
        return "<%s=%s>" % (name, v)
    out = f("SEQ", spec["seq"], flow.isn, "L")
    out += f("ACK", spec["ack"], flow.peer_isn, "P")
    out += "<CTL=%s%s>" % (ctl_names(spec["flags"]),
                          "" if "P" in spec["flags"] else " (PSH ignored)")
    out += f("WND", spec["wnd"], False, "")
    if spec["urg"] != "*":
        out += f("URG", spec["urg"], False, "")
    if spec["opts"] != "*":
        out += "<OPT=%s>" % fmt_opts(spec["opts"])
    d = spec["data"]
    if d == "*":
        out += "<DATA=*>"
    elif callable(d):
        out += "<DATA=%s>" % getattr(d, "__name__", "?")
    elif d:
        out += "<DATA=%d %r%s>" % (len(d), d[:16],
                                   "..." if len(d) > 16 else "")
    return out


class Flow:
    """One connection's 4-tuple and ISNs, seen from the peer."""

    def __init__(self, lport, pport, peer_isn):
        self.lport, self.pport, self.peer_isn = lport, pport, peer_isn
        self.isn = None

    def __repr__(self):
        return "flow %s:%s <- %s:%s" % (LOCAL, self.lport, PEER, self.pport)


def _ifreq(name, payload=b""):
    return struct.pack("16s", name.encode()) + payload.ljust(24, b"\0")


def _sin(ip):
    return struct.pack("HH4s8s", socket.AF_INET, 0, socket.inet_aton(ip),
                       b"")


def _short(r):
    if isinstance(r, (bytes, bytearray)):
        return "%d bytes %r%s" % (len(r), bytes(r[:16]),
                                  "..." if len(r) > 16 else "")
    if isinstance(r, tuple) and r and isinstance(r[0], socket.socket):
        return "fd %d from %s:%d" % ((r[0].fileno(),) + tuple(r[1]))
    if isinstance(r, socket.socket):
        return "fd %d" % r.fileno()
    return "ok" if r is None else repr(r)


def ensure_tun():
    """Make sure /dev/net/tun exists (modprobe tun, mknod 10:200)."""
    if os.path.exists("/dev/net/tun"):
        return
    for d in ("/sbin", "/usr/sbin", "/bin", "/usr/bin"):
        if os.path.exists(d + "/modprobe"):
            os.spawnv(os.P_WAIT, d + "/modprobe", ["modprobe", "-q", "tun"])
            break
    if not os.path.exists("/dev/net/tun"):
        os.makedirs("/dev/net", exist_ok=True)
        os.mknod("/dev/net/tun", 0o20666, os.makedev(10, 200))


def unshare_net():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "unshare(CLONE_NEWNET): " + os.strerror(err))


def write_file(path, value):
    with open(path, "w") as f:
        f.write(str(value))


class Context:
    """One scenario run against one protocol, in its own network namespace."""

    def __init__(self, proto, name="", seed=None, verbose=False):
        self.proto = proto
        self.name = PROTO_NAMES.get(proto, str(proto))
        self.is_tcp = proto == 6
        self.scenario = name
        self.verbose = verbose
        self.rng = random.Random(seed)
        self.fd = None
        self.t0 = time.monotonic()
        self._cv = threading.Condition()
        self._segs = []
        self._other = []
        self._unexpected = []
        self.bad = []
        self.trace = []
        self._flows = []
        self._socks = []
        self._saved = []
        self._stop = False
        self._thread = None
        self._ip_id = self.rng.randrange(1, 0xFFFF)
        self.cur = None

    # -- setup / teardown -------------------------------------------------
    def setup(self):
        for p in ("/proc/sys/net/ipv6/conf/default/disable_ipv6",
                  "/proc/sys/net/ipv6/conf/all/disable_ipv6"):
            try:
                write_file(p, 1)
            except OSError:
                pass
        self.fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        fcntl.ioctl(self.fd, TUNSETIFF,
                    _ifreq(DEV, struct.pack("H", IFF_TUN | IFF_NO_PI)))
        self._ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._if_up("lo")
        fcntl.ioctl(self._ctl, SIOCSIFADDR, _ifreq(DEV, _sin(LOCAL)))
        fcntl.ioctl(self._ctl, SIOCSIFNETMASK,
                    _ifreq(DEV, _sin("255.255.255.0")))
        self.set_mtu(1500)
        self._if_up(DEV)
        for k, v in BASELINE.get(self.proto, []):
            if k.startswith("?"):
                k = k[1:]
                if not os.path.exists("/proc/sys/" + k.replace(".", "/")):
                    continue
            self.sysctl(k, v)
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()
        self.flow(lport=5000)

    def _if_up(self, name):
        r = fcntl.ioctl(self._ctl, SIOCGIFFLAGS, _ifreq(name))
        fl = struct.unpack("16sH", r[:18])[1]
        fcntl.ioctl(self._ctl, SIOCSIFFLAGS,
                    _ifreq(name, struct.pack("H", fl | IFF_UP)))

    def set_mtu(self, mtu):
        """Set the tun device's MTU."""
        fcntl.ioctl(self._ctl, SIOCSIFMTU, _ifreq(DEV, struct.pack("i", mtu)))

    def teardown(self):
        for s in self._socks:
            try:
                # Abort (SO_LINGER {1,0}): no orphan outlives the scenario.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        for path, old in reversed(self._saved):
            try:
                write_file(path, old)
            except OSError:
                pass
        self._stop = True
        if self._thread:
            self._thread.join(1)
        if self.fd is not None:
            os.close(self.fd)

    def sysctl(self, name, value):
        """Write a sysctl ("net.ipv4.tcp_sack" or "net/ipv4/tcp_sack");
        the old value is restored after the scenario."""
        path = "/proc/sys/" + (name.replace(".", "/")
                               if "/" not in name else name)
        try:
            with open(path) as f:
                old = f.read().strip()
        except OSError as e:
            self.fail("sysctl %s: %s" % (name, e.strerror))
        self._saved.append((path, old))
        try:
            write_file(path, value)
        except OSError as e:
            self.fail("sysctl %s=%s: %s" % (name, value, e.strerror))
        return old

    # -- flows ------------------------------------------------------------
    def flow(self, lport=None, pport=None, peer_isn=None):
        """A new flow (made current).  lport defaults to the current flow's,
        pport and peer_isn are random unless given."""
        if lport is None:
            lport = self.cur.lport if self.cur else 5000
        if pport is None:
            used = {f.pport for f in self._flows}
            pport = self.rng.randrange(20000, 60000)
            while pport in used:
                pport = self.rng.randrange(20000, 60000)
        if peer_isn is None:
            peer_isn = self.rng.randrange(0, 1 << 32)
        f = Flow(lport, pport, peer_isn & M32)
        self._flows.append(f)
        self.cur = f
        return f

    def use(self, flow):
        self.cur = flow
        return flow

    @property
    def isn(self):
        return self.cur.isn

    @property
    def peer_isn(self):
        return self.cur.peer_isn

    def rel(self, n=0, flow=None):
        """The stack's ISN + n."""
        f = flow or self.cur
        if f.isn is None:
            self.fail("rel(): the stack's ISN on %r is not known yet" % f)
        return (f.isn + n) & M32

    def prel(self, n=0, flow=None):
        """The peer's ISN + n."""
        f = flow or self.cur
        return (f.peer_isn + n) & M32

    def _flow_of(self, seg, from_stack):
        for f in reversed(self._flows):
            if from_stack and (seg.sport, seg.dport) == (f.lport, f.pport):
                return f
            if not from_stack and (seg.dport, seg.sport) == (f.lport, f.pport):
                return f
        return None

    # -- diagnostics ------------------------------------------------------
    def note(self, msg):
        for line in str(msg).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def fail(self, msg):
        raise Failure(msg)

    def skip(self, msg):
        raise Skip(msg)

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)

    def check_eq(self, actual, expected, what):
        if actual != expected:
            self.fail("%s: got %r, expected %r" % (what, actual, expected))

    def check_time(self, actual, expected, tol=0.5, rel=0.5, what="time"):
        """|actual - expected| <= max(tol, rel * expected), in seconds."""
        lim = max(tol, rel * expected)
        if abs(actual - expected) > lim:
            self.fail("%s: %.3f s, expected %.3f s +- %.3f s" %
                      (what, actual, expected, lim))
        self.note("%s: %.3f s (expected %.3f s +- %.3f s)" %
                  (what, actual, expected, lim))

    def check_timer(self, actual, expected, what="time", early=0.15,
                    late=0.5):
        """A timer's effect seen on the wire: it fires late rather than
        early (the guest may not run for a while), and the segment before
        it may have been read late.  expected - max(early, 10%) <= actual
        <= expected + max(late, 25%), in seconds."""
        lo = expected - max(early, 0.1 * expected)
        hi = expected + max(late, 0.25 * expected)
        if not lo <= actual <= hi:
            self.fail("%s: %.3f s, expected %.3f s (%.3f..%.3f)" %
                      (what, actual, expected, lo, hi))
        self.note("%s: %.3f s (expected %.3f s, %.3f..%.3f)" %
                  (what, actual, expected, lo, hi))

    def now(self):
        return time.monotonic()

    def dump_trace(self, last=60):
        lines = []
        for when, kind, obj in self.trace[-last:]:
            ts = "%8.3f" % (when - self.t0)
            if kind in ("in", "out"):
                st = kind == "out"
                lines.append("%s %s --> %s" %
                             (ts, "stack" if st else "peer ",
                              fmt_seg(obj, st, self._flow_of(obj, st))))
            else:
                lines.append("%s %s" % (ts, obj))
        return lines

    # -- the tun reader ---------------------------------------------------
    def _reader(self):
        while not self._stop:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.05)
            except (InterruptedError, ValueError, OSError):
                return
            if not r:
                continue
            while True:
                try:
                    pkt = os.read(self.fd, 65600)
                except BlockingIOError:
                    break
                except OSError:
                    return
                self._handle(pkt, time.monotonic())

    def _handle(self, pkt, now):
        desc = None
        seg = None
        to_peer = False
        if len(pkt) < 20 or pkt[0] >> 4 != 4:
            desc = "non-IPv4 packet (%d bytes)" % len(pkt)
        else:
            ihl = (pkt[0] & 0xF) * 4
            tot = struct.unpack("!H", pkt[2:4])[0]
            proto = pkt[9]
            dst = socket.inet_ntoa(pkt[16:20])
            to_peer = dst == PEER
            frag = struct.unpack("!H", pkt[6:8])[0] & 0x3FFF
            if proto == self.proto and dst == PEER:
                if ihl < 20 or tot != len(pkt) or csum16(pkt[:ihl]):
                    self.bad.append("malformed IP header from the stack: %s"
                                    % pkt[:ihl].hex())
                elif frag:
                    desc = "IP fragment from the stack (%d bytes)" % len(pkt)
                    self.bad.append(desc)
                else:
                    try:
                        seg = parse_tcp(pkt, self.proto, now)
                    except ValueError as e:
                        self.bad.append("malformed segment from the stack: %s"
                                        % e)
                        desc = "malformed segment %s" % pkt.hex()
            elif proto == 1 and len(pkt) >= ihl + 8:
                t, c = pkt[ihl], pkt[ihl + 1]
                desc = "ICMP type %d code %d to %s" % (t, c, dst)
                inner = pkt[ihl + 8:]
                if len(inner) >= 20:
                    desc += " (about IP proto %d %s -> %s)" % (
                        inner[9], socket.inet_ntoa(inner[12:16]),
                        socket.inet_ntoa(inner[16:20]))
            else:
                desc = "IP proto %d packet to %s (%d bytes)" % (
                    proto, dst, len(pkt))
        with self._cv:
            if seg is not None:
                if not seg.csum_ok:
                    self.bad.append("bad checksum (pseudo-header protocol %d)"
                                    " from the stack: %s" %
                                    (self.proto, pkt.hex()))
                for o in seg.opts:
                    if o[0] == "bad":
                        self.bad.append("malformed options from the stack: "
                                        + o[1].hex())
                self._segs.append(seg)
                self.trace.append((now, "out", seg))
            elif desc:
                self._other.append(desc)
                if to_peer:
                    self._unexpected.append(desc)
                self.trace.append((now, "other", "stack --> " + desc))
            self._cv.notify_all()

    # -- injecting --------------------------------------------------------
    def packet(self, flags, seq, ack=None, wnd=65535, urg=0, opts=(),
               data=b"", flow=None, sport=None, dport=None, doff=None,
               csum=None, csum_proto=None, reserved=0, ip_len=None,
               ip_csum=None, ident=None, df=True, ttl=64, truncate=None,
               src=PEER, dst=LOCAL, tos=0):
        """Build an IPv4 packet carrying one segment from the peer."""
        f = flow or self.cur
        if ack is None:
            if "A" in flags:
                raise ValueError("ACK flag without an ack= value")
            ack = 0
        o = encode_opts(opts)
        if doff is None:
            o += b"\0" * (-len(o) % 4)
            doff = 5 + len(o) // 4
        sport = f.pport if sport is None else sport
        dport = f.lport if dport is None else dport
        if isinstance(data, str):
            data = data.encode()
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & M32, ack & M32,
                          (doff << 4) | (reserved & 0xF), flags_bits(flags),
                          wnd, 0, urg)
        seg = hdr + o + bytes(data)
        c = l4_csum(src, dst, self.proto if csum_proto is None
                    else csum_proto, seg)
        if csum == "bad":
            c ^= 0x5A5A
        elif csum is not None:
            c = csum
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
        pkt = self._ip(seg, self.proto, src, dst, ip_len, ip_csum, ident, df,
                       ttl, tos=tos)
        if truncate is not None:
            pkt = pkt[:truncate]
        return pkt

    def _ip(self, payload, proto, src, dst, ip_len=None, ip_csum=None,
            ident=None, df=True, ttl=64, frag=0, tos=0):
        if ident is None:
            self._ip_id = (self._ip_id + 1) & 0xFFFF
            ident = self._ip_id
        tot = 20 + len(payload) if ip_len is None else ip_len
        h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tot, ident,
                        (0x4000 if df else 0) | frag, ttl, proto, 0,
                        socket.inet_aton(src), socket.inet_aton(dst))
        c = csum16(h) if ip_csum is None else ip_csum
        return h[:10] + struct.pack("!H", c) + h[12:] + payload

    def inject(self, flags, seq, ack=None, **kw):
        """Send one segment from the peer; returns the IP packet."""
        pkt = self.packet(flags, seq, ack, **kw)
        self.inject_raw(pkt)
        return pkt

    def inject_raw(self, pkt, note=None):
        """Write raw bytes (an IPv4 packet) into the tun device."""
        now = time.monotonic()
        with self._cv:
            try:
                seg = parse_tcp(pkt, self.proto, now)
                if pkt[9] != self.proto:
                    raise ValueError
                entry = (now, "in", seg)
                if note:
                    entry = (now, "note", "peer  --> " + note + " " +
                             fmt_seg(seg, False, self._flow_of(seg, False)))
            except (ValueError, struct.error, IndexError, OSError):
                entry = (now, "note", "peer  --> %s (%d bytes)" %
                         (note or "raw packet", len(pkt)))
            self.trace.append(entry)
        try:
            os.write(self.fd, pkt)
        except OSError as e:
            self.fail("writing %d bytes to the tun: %s" % (len(pkt),
                                                          e.strerror))

    def fragments(self, pkt, size):
        """Cut an IPv4 packet's payload into fragments of size octets
        (a multiple of 8, except the last); returns the fragment packets."""
        if size % 8:
            raise ValueError("fragment size must be a multiple of 8")
        ihl = (pkt[0] & 0xF) * 4
        hdr, body = bytearray(pkt[:ihl]), pkt[ihl:]
        out = []
        for off in range(0, len(body), size):
            part = body[off:off + size]
            h = bytearray(hdr)
            mf = 0x2000 if off + size < len(body) else 0
            struct.pack_into("!H", h, 2, ihl + len(part))
            struct.pack_into("!H", h, 6, mf | (off // 8))
            struct.pack_into("!H", h, 10, 0)
            struct.pack_into("!H", h, 10, csum16(bytes(h)))
            out.append(bytes(h) + part)
        return out

    # -- expecting --------------------------------------------------------
    def _take(self, flow, timeout):
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for i, s in enumerate(self._segs):
                    if flow is None or (s.sport, s.dport) == \
                            (flow.lport, flow.pport):
                        return self._segs.pop(i)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cv.wait(left)

    def _mismatch(self, seg, spec):
        bad = []
        fl = spec["flags"]
        got = seg.flags if "P" in fl else seg.flags.replace("P", "")
        if set(got) != set(fl):
            bad.append("CTL")
        for name, key, v in (("SEQ", "seq", seg.seq), ("ACK", "ack", seg.ack),
                             ("WND", "wnd", seg.wnd), ("URG", "urg", seg.urg)):
            want = spec[key]
            if want == "*":
                continue
            if callable(want):
                if not want(v):
                    bad.append(name)
            elif (want & M32) != v:
                bad.append(name)
        d = spec["data"]
        if d != "*":
            if callable(d):
                if not d(seg.data):
                    bad.append("DATA")
            elif bytes(d) != seg.data:
                bad.append("DATA")
        if spec["opts"] != "*" and norm_opts(spec["opts"]) != \
                norm_opts(seg.opts):
            bad.append("OPT")
        return bad

    def expect(self, flags, seq="*", ack="*", wnd="*", urg="*", data=b"",
               opts="*", timeout=None, flow=None, skip=False):
        """The next segment the stack sends on the flow must match."""
        f = flow or self.cur
        if isinstance(data, str) and data != "*":
            data = data.encode()
        spec = dict(flags=flags, seq=seq, ack=ack, wnd=wnd, urg=urg,
                    data=data, opts=opts)
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        skipped = []
        while True:
            seg = self._take(f, max(0.0, deadline - time.monotonic()))
            if seg is None:
                self.fail("expected within %.1f s on %r:\n  expected: %s\n"
                          "  actual:   nothing%s%s" %
                          (timeout, f, fmt_spec(spec, f),
                           "".join("\n  skipped:  " + fmt_seg(s, True, f)
                                   for s in skipped),
                           self._others()))
            if not seg.csum_ok:
                self.fail("segment with a bad checksum from the stack: " +
                          fmt_seg(seg, True, f))
            bad = self._mismatch(seg, spec)
            if not bad:
                break
            if not skip:
                self.fail("segment on %r does not match:\n"
                          "  expected: %s\n  actual:   %s\n  differs:  %s%s" %
                          (f, fmt_spec(spec, f), fmt_seg(seg, True, f),
                           ", ".join(bad), self._others()))
            skipped.append(seg)
        if "S" in seg.flags and (f.isn is None or seq == "*"):
            f.isn = seg.seq
        return seg

    def _others(self):
        if not self._other:
            return ""
        return "\n  other packets from the stack: " + "; ".join(
            self._other[-5:])

    def expect_nothing(self, duration, flow=None):
        """No segment from the stack (on any flow, or on flow) for duration
        seconds."""
        seg = self._take(flow, duration)
        if seg is not None:
            f = flow or self._flow_of(seg, True) or self.cur
            self.fail("expected nothing for %.1f s, got %s" %
                      (duration, fmt_seg(seg, True, f)))
        with self._cv:
            odd, self._unexpected = self._unexpected, []
        if odd:
            self.fail("expected nothing for %.1f s, got: %s" %
                      (duration, "; ".join(odd[:5])))

    def drain(self, flow=None, quiet=0.0):
        """Forget the segments received so far (after waiting quiet s)."""
        if quiet:
            time.sleep(quiet)
        with self._cv:
            if flow is None:
                self._segs.clear()
            else:
                self._segs = [s for s in self._segs if (s.sport, s.dport) !=
                              (flow.lport, flow.pport)]

    def pending(self, flow=None):
        """How many segments (of flow, or of any flow) have arrived and not
        been taken by expect() yet."""
        with self._cv:
            return sum(1 for s in self._segs if flow is None or
                       (s.sport, s.dport) == (flow.lport, flow.pport))

    def collect(self, duration, flow=None):
        """The segments the stack sends on the flow within duration
        seconds, in order (a segment with a bad checksum fails)."""
        f = flow or self.cur
        deadline = time.monotonic() + duration
        segs = []
        while True:
            seg = self._take(f, max(0.0, deadline - time.monotonic()))
            if seg is None:
                return segs
            if not seg.csum_ok:
                self.fail("segment with a bad checksum from the stack: " +
                          fmt_seg(seg, True, f))
            segs.append(seg)

    # -- local sockets ----------------------------------------------------
    def call(self, what, fn, errno=None):
        """Run a local call fn() (traced as what); errno=E expects that
        failure.  Returns fn()'s result (None on the expected failure)."""
        return self._call(what, fn, errno)

    def ioctl_int(self, s, name, request):
        """An ioctl that returns an int (SIOCOUTQ, SIOCATMARK...), traced
        as ioctl(fd, name)."""
        r = self._call("ioctl(fd %d, %s)" % (s.fileno(), name),
                       lambda: fcntl.ioctl(s.fileno(), request, b"\0" * 4))
        return struct.unpack("i", r)[0]

    def _call(self, what, fn, err=None):
        now = time.monotonic()
        try:
            r = fn()
        except OSError as e:
            self.trace.append((now, "note", "local %s: %s" %
                               (what, E.errorcode.get(e.errno, e.errno))))
            if err is not None and e.errno == err:
                return None
            self.fail("%s: %s%s" % (what, E.errorcode.get(e.errno, e.errno),
                                    "" if err is None else
                                    ", expected " + E.errorcode[err]))
        self.trace.append((now, "note", "local %s: %s" % (what, _short(r))))
        if err is not None:
            self.fail("%s returned %r, expected %s" %
                      (what, r, E.errorcode[err]))
        return r

    def _poll(self, s, ev, timeout):
        p = select.poll()
        p.register(s, ev)
        return p.poll(int(timeout * 1000))

    def socket(self, errno=None):
        s = self._call("socket(AF_INET, SOCK_STREAM, %d)" % self.proto,
                       lambda: socket.socket(socket.AF_INET,
                                             socket.SOCK_STREAM, self.proto),
                       errno)
        if s is not None:
            self._socks.append(s)
        return s

    def bind(self, s, port, addr="0.0.0.0", errno=None):
        return self._call("bind(fd %d, %s:%d)" % (s.fileno(), addr, port),
                          lambda: s.bind((addr, port)), errno)

    def listen(self, s, backlog=8, errno=None):
        return self._call("listen(fd %d)" % s.fileno(),
                          lambda: s.listen(backlog), errno)

    def listener(self, port=None, backlog=8):
        """socket + SO_REUSEADDR + bind + listen; port defaults to the
        current flow's lport."""
        s = self.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.bind(s, self.cur.lport if port is None else port)
        self.listen(s, backlog)
        return s

    def accept(self, s, timeout=None, errno=None, flow=None):
        """accept(); returns the connected socket.  errno=EAGAIN checks that
        nothing is queued (non-blocking)."""
        f = flow or self.cur
        if errno == E.EAGAIN:
            s.setblocking(False)
            try:
                return self._call("accept(fd %d)" % s.fileno(),
                                  lambda: s.accept(), errno)
            finally:
                s.setblocking(True)
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        if not self._poll(s, select.POLLIN, timeout):
            self.fail("accept: no connection within %.1f s" % timeout)
        r = self._call("accept(fd %d)" % s.fileno(), lambda: s.accept(), errno)
        if r is None:
            return None
        c, addr = r
        self._socks.append(c)
        self.check_eq(addr, (PEER, f.pport), "accept(): peer address")
        return c

    def connect(self, s, port=None, errno=E.EINPROGRESS, flow=None):
        """Non-blocking connect to the peer (the flow's pport); records the
        local port in the flow."""
        f = flow or self.cur
        if port is not None:
            f.pport = port
        s.setblocking(False)
        rc = s.connect_ex((PEER, f.pport))
        s.setblocking(True)
        self.trace.append((time.monotonic(), "note",
                           "local connect(fd %d, %s:%d): %s" %
                           (s.fileno(), PEER, f.pport,
                            E.errorcode.get(rc, rc) if rc else "ok")))
        if rc != (errno or 0):
            self.fail("connect(%s:%d): %s, expected %s" %
                      (PEER, f.pport, E.errorcode.get(rc, rc) if rc else
                       "success", E.errorcode.get(errno, "success")))
        f.lport = s.getsockname()[1]
        return rc

    def wait_connected(self, s, timeout=None, errno=0):
        """Wait for a non-blocking connect to finish; SO_ERROR must be
        errno (0 = connected)."""
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        if not self._poll(s, select.POLLOUT, timeout):
            self.fail("connect did not complete within %.1f s" % timeout)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err != errno:
            self.fail("connect: SO_ERROR %s, expected %s" %
                      (E.errorcode.get(err, err) if err else 0,
                       E.errorcode.get(errno, errno) if errno else 0))

    def send(self, s, data, errno=None, flags=0, partial=False):
        """Non-blocking send; all of data must be accepted unless partial."""
        if isinstance(data, str):
            data = data.encode()
        n = self._call("send(fd %d, %d bytes)" % (s.fileno(), len(data)),
                       lambda: s.send(data, flags | socket.MSG_DONTWAIT),
                       errno)
        if n is not None and not partial and n != len(data):
            self.fail("send: %d of %d bytes accepted" % (n, len(data)))
        return n

    def recv(self, s, n=65536, timeout=None, errno=None, flags=0):
        """Wait for the socket to become readable (unless errno is EAGAIN)
        and recv without blocking."""
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        if errno != E.EAGAIN and not self._poll(s, select.POLLIN, timeout):
            self.fail("recv: socket not readable within %.1f s" % timeout)
        return self._call("recv(fd %d)" % s.fileno(),
                          lambda: s.recv(n, flags | socket.MSG_DONTWAIT),
                          errno)

    def recv_exact(self, s, expected, timeout=None):
        """Read exactly len(expected) bytes, which must equal expected, and
        check that nothing more is readable."""
        if isinstance(expected, str):
            expected = expected.encode()
        got = b""
        while len(got) < len(expected):
            d = self.recv(s, len(expected) - len(got), timeout)
            if not d:
                self.fail("recv: EOF after %r, expected %r" % (got, expected))
            got += d
        self.check_eq(got, expected, "received data")
        self.recv(s, errno=E.EAGAIN)
        return got

    def close(self, s):
        if s in self._socks:
            self._socks.remove(s)
        s.close()

    def shutdown(self, s, how=SHUT_WR, errno=None):
        return self._call("shutdown(fd %d, %d)" % (s.fileno(), how),
                          lambda: s.shutdown(how), errno)

    def setsockopt(self, s, level, opt, value, errno=None):
        return self._call("setsockopt(%d, %d)" % (level, opt),
                          lambda: s.setsockopt(level, opt, value), errno)

    def getsockopt(self, s, level, opt, buflen=None, errno=None):
        if buflen is None:
            return self._call("getsockopt(%d, %d)" % (level, opt),
                              lambda: s.getsockopt(level, opt), errno)
        return self._call("getsockopt(%d, %d)" % (level, opt),
                          lambda: s.getsockopt(level, opt, buflen), errno)

    def tcp_info(self, s):
        return self.getsockopt(s, SOL_TCP, TCP_INFO, 104)

    def rto(self, s):
        """The socket's current RTO (TCP_INFO tcpi_rto), in seconds."""
        return struct.unpack_from("I", self.tcp_info(s), 8)[0] / 1e6

    def state(self, s, trace=True):
        """The socket's state from TCP_INFO, as an RFC 9293 name."""
        try:
            st = s.getsockopt(SOL_TCP, TCP_INFO, 104)[0]
        except OSError as e:
            self.fail("getsockopt(TCP_INFO): %s" %
                      E.errorcode.get(e.errno, e.errno))
        name = TCP_STATES.get(st, "state-%d" % st)
        if trace:
            self.trace.append((time.monotonic(), "note", "local fd %d is %s"
                               % (s.fileno(), name)))
        return name

    def expect_state(self, s, name, timeout=None):
        """The socket reaches state name (TCP_INFO) within timeout."""
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            st = self.state(s, trace=False)
            if st == name:
                break
            if time.monotonic() > deadline:
                self.fail("fd %d: state %s, expected %s" %
                          (s.fileno(), st, name))
            time.sleep(0.01)
        self.trace.append((time.monotonic(), "note", "local fd %d is %s" %
                           (s.fileno(), name)))

    def proc_state(self, flow=None):
        """The state of flow's connection in /proc/net/tcp (or
        /proc/net/atcp), or None if it is not listed."""
        f = flow or self.cur
        if self.is_tcp:
            with open("/proc/net/tcp") as fh:
                lines = fh.read().splitlines()[1:]
            for line in lines:
                p = line.split()
                lp = int(p[1].split(":")[1], 16)
                rp = int(p[2].split(":")[1], 16)
                if (lp, rp) == (f.lport, f.pport):
                    return TCP_STATES.get(int(p[3], 16), p[3])
            return None
        try:
            with open("/proc/net/atcp") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError as e:
            self.fail("/proc/net/atcp: " + e.strerror)
        for line in lines:
            p = line.split()
            if len(p) < 4:
                continue
            if (p[1], p[2]) == ("%s:%d" % (LOCAL, f.lport),
                                "%s:%d" % (PEER, f.pport)):
                return p[3]
        return None

    def expect_proc_state(self, name, flow=None, timeout=None):
        """flow's connection is listed in state name (None: not listed)
        within timeout."""
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            st = self.proc_state(flow)
            if st == name:
                self.trace.append((time.monotonic(), "note",
                                   "local %r is %s in /proc/net/%s" %
                                   (flow or self.cur, name, self.name)))
                return
            if time.monotonic() > deadline:
                self.fail("%r in /proc/net/%s: %s, expected %s" %
                          (flow or self.cur, self.name, st, name))
            time.sleep(0.01)

    def snmp(self, name):
        """An atcp counter from /proc/net/atcp_snmp (atcp runs only)."""
        try:
            with open("/proc/net/atcp_snmp") as fh:
                for line in fh:
                    p = line.split()
                    if len(p) == 2 and p[0] == name:
                        return int(p[1])
        except OSError as e:
            self.fail("/proc/net/atcp_snmp: " + e.strerror)
        self.fail("/proc/net/atcp_snmp has no counter " + name)

    def tcpext(self, name):
        """A Linux TCP counter (TcpExt in /proc/net/netstat)."""
        with open("/proc/net/netstat") as fh:
            lines = fh.read().splitlines()
        for k, v in zip(lines[::2], lines[1::2]):
            if k.startswith("TcpExt:"):
                return int(dict(zip(k.split()[1:], v.split()[1:]))[name])
        self.fail("/proc/net/netstat has no TcpExt")

    def counter(self, name, tcp_name=None):
        """atcp's counter name (t.snmp), or on Linux TCP its TcpExt
        counter tcp_name (by default the same name)."""
        if self.is_tcp:
            return self.tcpext(tcp_name or name)
        return self.snmp(name)

    # -- shortcuts --------------------------------------------------------
    def handshake(self, ls, wnd=65535, mss=1460, ack_wnd=None, flow=None,
                  sackok=False, rtt=0):
        """Passive open on listener ls: SYN, SYN,ACK, ACK, accept().
        Returns the accepted socket; the flow's ISNs are known after.
        sackok: the SYN offers SACK-permitted; self.synack is the
        SYN,ACK (its options, .sackok, tell what the stack offered).
        rtt: seconds the ACK waits, so the first RTT sample (and the
        RTO, RFC 6298 §2.2) is that large."""
        f = flow or self.cur
        opts = [("mss", mss)] if mss else []
        if sackok:
            opts.append("sackok")
        self.inject("S", f.peer_isn, wnd=wnd, flow=f, opts=opts)
        self.synack = self.expect("SA", ack=f.peer_isn + 1,
                                  wnd=lambda w: w > 0, flow=f, opts="*")
        self.synack.sackok = any(o[0] == "sackok"
                                 for o in self.synack.opts)
        if rtt:
            time.sleep(rtt)
        self.inject("A", f.peer_isn + 1, f.isn + 1, flow=f,
                    wnd=wnd if ack_wnd is None else ack_wnd)
        return self.accept(ls, flow=f)

    def flight(self, s, data, mss, ack_first=True):
        """TCP_NODELAY on s, send data; expect it from SND.UNA in
        segments of mss.  ack_first: the first is ACKed as soon as seen
        (Linux under TCG may hold the rest back until an ACK comes);
        self.first_acked is when.  Returns the segments."""
        f = self.cur
        p = f.peer_isn + 1
        self.setsockopt(s, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send(s, data)
        segs = []
        for i in range((len(data) + mss - 1) // mss):
            segs.append(self.expect("A", seq=self.rel(1 + i * mss), ack=p,
                                    data=data[i * mss:(i + 1) * mss]))
            if i == 0 and ack_first:
                self.inject("A", p, self.rel(1 + mss))
                self.first_acked = self.now()
        return segs

    def sack_peer(self, data):
        """A peer sending data out of order: seg(a, b) injects data[a:b]
        at offset a past its SYN; ack(n, *edges) expects the ACK of
        offset n with those SACK blocks (offsets; none if none)."""
        p = self.peer_isn + 1

        def seg(a, b):
            self.inject("A", p + a, self.rel(1), data=data[a:b])

        def ack(n, *edges):
            self.expect("A", seq=self.rel(1), ack=p + n,
                        opts=sack_opt(p, *edges) if edges else [],
                        timeout=1)
        return seg, ack

    def abort(self, s):
        """Close with SO_LINGER {1, 0}: a RST, no orphan left
        retransmitting to a peer that is gone."""
        self.setsockopt(s, socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
        self.close(s)

    def sack(self, on=True, dsack=None):
        """SACK (RFC 2018) on or off for the stack under test: Linux's
        tcp_sack (and tcp_comp_sack_nr 0: no compressed SACK ACKs) or
        net.atcp.sack; dsack: D-SACK (RFC 2883) too (tcp_dsack or
        net.atcp.dsack), unchanged if None."""
        if self.is_tcp:
            self.sysctl("net.ipv4.tcp_sack", int(on))
            self.sysctl("net.ipv4.tcp_comp_sack_nr", 0)
            if dsack is not None:
                self.sysctl("net.ipv4.tcp_dsack", int(dsack))
        else:
            self.sysctl("net.atcp.sack", int(on))
            if dsack is not None:
                self.sysctl("net.atcp.dsack", int(dsack))

    def syn_sent(self):
        """A new flow, a socket and its non-blocking connect: returns
        (socket, the SYN it sent)."""
        self.flow()
        s = self.socket()
        self.connect(s)
        return s, self.expect("S")

    def active_open(self, wnd=65535, mss=1460, flow=None, s=None,
                    opts=None):
        """socket + non-blocking connect + SYN, SYN,ACK, ACK; s: a
        socket whose SYN was seen already (syn_sent()).  opts: the
        SYN,ACK's options (default the MSS only).  Returns the socket;
        self.ack is the ACK of the SYN,ACK."""
        f = flow or self.cur
        if s is None:
            s = self.socket()
            self.connect(s, flow=f)
            self.expect("S", flow=f)
        if opts is None:
            opts = [("mss", mss)] if mss else ()
        self.inject("SA", f.peer_isn, f.isn + 1, wnd=wnd, flow=f, opts=opts)
        self.ack = self.expect("A", seq=f.isn + 1, ack=f.peer_isn + 1,
                               flow=f)
        self.wait_connected(s)
        return s


def start_child(fn, out=None):
    """Fork a child that runs fn() (its stdout to the file out, if given)
    and sends back the text fn returns.  Returns (pid, the pipe's read
    end) for end_child()."""
    sys.stdout.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        if out is not None:
            os.dup2(out.fileno(), 1)
            sys.stdout = os.fdopen(1, "w")
        try:
            data = fn().encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            sys.stdout.flush()
            os._exit(0)
    os.close(w)
    return pid, r


def end_child(pid, r, deadline=None):
    """Read what a start_child() child returns: (the text, "" if it died,
    timed_out).  It is killed if still running at deadline (monotonic); a
    child done already is read to its end."""
    out, timed_out = b"", False
    while True:
        left = None if deadline is None else \
            max(0.0, deadline - time.monotonic())
        if not select.select([r], [], [], left)[0]:
            os.kill(pid, 9)
            timed_out = True
            break
        chunk = os.read(r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return out.decode(errors="replace"), timed_out


def in_child(fn, timeout=None):
    """Run fn() in a forked child (where it may unshare its network
    namespace) and return (the text fn returned, "" if the child died,
    timed_out).  The child is killed after timeout seconds."""
    pid, r = start_child(fn)
    return end_child(pid, r, None if timeout is None else
                     time.monotonic() + timeout)


def run_one(mod, name, proto, seed, verbose):
    """Run one scenario for one protocol in a fresh network namespace (call
    in a child process).  Returns ("ok" | "fail" | "skip", reason)."""
    t = None
    try:
        unshare_net()
        t = Context(proto, name, seed, verbose)
        t.setup()
        mod.run(t)
        if t.bad:
            raise Failure("protocol errors from the stack:\n  " +
                          "\n  ".join(t.bad[:10]))
        res = ("ok", "")
    except Failure as e:
        res = ("fail", str(e))
    except Skip as e:
        res = ("skip", str(e))
    except Exception:
        res = ("fail", traceback.format_exc())
    if res[0] == "fail":
        for line in res[1].splitlines():
            print("# " + line)
    if t is not None and (res[0] == "fail" or verbose):
        print("# trace (L = the stack's ISN, P = the peer's):")
        for line in t.dump_trace():
            print("#   " + line)
    sys.stdout.flush()
    if t is not None:
        try:
            t.teardown()
        except Exception:
            pass
    return res
