#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""SYN flood: a listener keeps serving while spoofed SYNs pour in.

Namespace A holds the listener (port 7000, backlog 128; 16 with ATCP_REDUCED=1) on 0.0.0.0, a tun
device sf0 (10.99.0.1/24, route to 10.100.0.0/16) and a veth end
10.54.0.1/24; namespace B holds the other veth end 10.54.0.2/24.
build/selftests-helpers/synflood writes SYNs from random 10.100.x.y
sources into sf0 as fast as the VM allows, while B opens legitimate
connections (connect, 1 octet each way, close) one after another.

Checks, for each stack (Linux TCP: tcp_syncookies=1; atcp: syncookies=1):
  - at least 99 % of the legitimate connections succeed;
  - memory stays bounded: the request-socket slab (request_sock_TCP,
    atcp_request_sock) never holds more than the SYN queue allows (backlog
    + 1, plus a slab's worth of per-CPU slack), and the socket slab (TCP,
    ATCP) is back to where it was once the listener is closed;
  - the SYN cookie counters moved: SyncookiesSent > 0, and for atcp
    SyncookiesRecv > 0 (Linux prunes unanswered requests early, so its
    legitimate SYNs may all find room in the SYN queue) (TcpExt in
    /proc/net/netstat; /proc/net/atcp_snmp).

One TAP line per stack; the figures are printed as "# " lines.

  synflood.py [-v tcp|atcp] [--seconds S]
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOOD = os.path.join(TOP, "build", "selftests-helpers", "synflood")
IPPROTO_ATCP = 253
PORT = 7000
REDUCED = os.environ.get("ATCP_REDUCED", "0") == "1"
# The debug kernel takes some 15 spoofed SYNs/s: a smaller queue overflows.
BACKLOG = 16 if REDUCED else 128
SLACK = 256             # per-CPU slabs count as in use in /proc/slabinfo

SERVER = r"""
import socket, sys, threading
proto = int(sys.argv[1])
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", %d))
ls.listen(%d)
ls.settimeout(0.2)
stop = threading.Event()
print("listening", flush=True)
def serve():
    while not stop.is_set():
        try:
            c, _ = ls.accept()
        except OSError:
            continue
        try:
            c.settimeout(5)
            b = c.recv(1)
            if b:
                c.sendall(b)
        except OSError:
            pass
        c.close()
t = threading.Thread(target=serve)
t.start()
sys.stdin.readline()
stop.set()
t.join()
ls.close()
print("closed", flush=True)
sys.stdin.readline()
""" % (PORT, BACKLOG)

CLIENT = r"""
import socket, sys, time
proto, secs = int(sys.argv[1]), float(sys.argv[2])
ok = fail = 0
worst = 0.0
end = time.time() + secs
while time.time() < end:
    t0 = time.time()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    s.settimeout(8)
    try:
        s.connect(("10.54.0.1", %d))
        s.sendall(b"x")
        if s.recv(1) == b"x":
            ok += 1
        else:
            fail += 1
    except OSError as e:
        fail += 1
        print("fail", e, flush=True)
    s.close()
    worst = max(worst, time.time() - t0)
print("result", ok, fail, "%%.3f" %% worst, flush=True)
""" % PORT


def sh(cmd, check=True):
    r = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if check and r.returncode:
        raise RuntimeError("%s: %s" % (cmd, r.stdout.strip()))
    return r.stdout


def slab(names):
    """Active objects of the given caches in /proc/slabinfo."""
    out = {}
    with open("/proc/slabinfo") as f:
        for line in f:
            p = line.split()
            if p and p[0] in names:
                out[p[0]] = int(p[1])
    return [out.get(n, 0) for n in names]


def counters(ns, proto):
    """SyncookiesSent/Recv/Failed of the stack in namespace ns."""
    if proto == 6:
        text = sh("ip netns exec %s cat /proc/net/netstat" % ns).splitlines()
        for i in range(0, len(text) - 1, 2):
            if text[i].startswith("TcpExt:"):
                k = text[i].split()[1:]
                v = [int(x) for x in text[i + 1].split()[1:]]
                d = dict(zip(k, v))
                return [d.get(n, 0) for n in
                        ("SyncookiesSent", "SyncookiesRecv",
                         "SyncookiesFailed")]
        return [0, 0, 0]
    d = {}
    for line in sh("ip netns exec %s cat /proc/net/atcp_snmp" %
                   ns).splitlines():
        p = line.split()
        if len(p) == 2:
            d[p[0]] = int(p[1])
    return [d.get(n, 0) for n in
            ("SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed")]


def run_one(name, proto, secs, n):
    sys.path.insert(0, os.path.join(TOP, "selftests", "pkt"))
    import pktlib                       # noqa: E402 - for ensure_tun()
    pktlib.ensure_tun()
    a, b = "sfa%d" % os.getpid(), "sfb%d" % os.getpid()
    reqc, sockc = (("request_sock_TCP", "TCP") if proto == 6 else
                   ("atcp_request_sock", "ATCP"))
    fails = []
    notes = []
    srv = None
    t0 = time.time()
    phases = []

    def phase(what):
        phases.append("%s %.1f s" % (what, time.time() - t0))

    try:
        # few commands: each costs about a second under TCG
        sh("ip netns add %s && ip netns add %s && ip link add sfv0 netns %s "
           "type veth peer name sfv1 netns %s" % (a, b, a, b))
        knob = ("net/ipv4/tcp_syncookies" if proto == 6 else
                "net/atcp/syncookies")
        sh("ip netns exec %s sh -ec 'ip link set lo up; "
           "ip addr add 10.54.0.1/24 dev sfv0; ip link set sfv0 up; "
           "ip tuntap add dev sf0 mode tun; "
           "ip addr add 10.99.0.1/24 dev sf0; ip link set sf0 up; "
           "ip route add 10.100.0.0/16 dev sf0; "
           "for k in all default sf0; do "
           "echo 0 > /proc/sys/net/ipv4/conf/$k/rp_filter; done; "
           "echo 1 > /proc/sys/%s'" % (a, knob))
        sh("ip netns exec %s sh -ec 'ip link set lo up; "
           "ip addr add 10.54.0.2/24 dev sfv1; ip link set sfv1 up'" % b)
        phase("setup")
        req0, sock0 = slab([reqc, sockc])
        c0 = counters(a, proto)
        srv = subprocess.Popen(["ip", "netns", "exec", a, sys.executable,
                                "-c", SERVER, str(proto)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
        if srv.stdout.readline().strip() != "listening":
            raise RuntimeError("the server did not start")
        flood = subprocess.Popen(["ip", "netns", "exec", a, FLOOD, "sf0",
                                  str(proto), "10.99.0.1", str(PORT),
                                  str(secs)],
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(0.5)          # let the SYN queue fill first
        cli = subprocess.Popen(["ip", "netns", "exec", b, sys.executable,
                                "-c", CLIENT, str(proto), str(secs - 1)],
                               stdout=subprocess.PIPE, text=True)
        peak = 0
        while flood.poll() is None:
            peak = max(peak, slab([reqc])[0])
            time.sleep(0.5)
        fout = flood.stdout.read().split()
        phase("flood")
        cout, _ = cli.communicate(timeout=60)
        phase("client")
        peak = max(peak, slab([reqc])[0])
        req1, sock1 = slab([reqc, sockc])
        c1 = counters(a, proto)
        srv.stdin.write("close\n")
        srv.stdin.flush()
        srv.stdout.readline()
        time.sleep(1)
        req2, sock2 = slab([reqc, sockc])
        phase("close")

        sent, took = int(fout[1]), float(fout[3])
        res = [l for l in cout.splitlines() if l.startswith("result")]
        if not res:
            raise RuntimeError("client: " + cout)
        ok, bad, worst = int(res[0].split()[1]), int(res[0].split()[2]), \
            res[0].split()[3]
        total = ok + bad
        pct = 100.0 * ok / total if total else 0.0
        cd = [y - x for x, y in zip(c0, c1)]
        notes.append("%s: %d SYNs in %.1f s (%.0f/s); legitimate %d/%d "
                     "(%.1f %%), slowest %s s" %
                     (name, sent, took, sent / took, ok, total, pct, worst))
        notes.append("%s: %s before %d, peak %d, after %d, listener closed "
                     "%d; %s before %d, after %d, listener closed %d" %
                     (name, reqc, req0, peak, req1, req2, sockc, sock0, sock1,
                      sock2))
        notes.append("%s: SyncookiesSent +%d, SyncookiesRecv +%d, "
                     "SyncookiesFailed +%d" % (name, cd[0], cd[1], cd[2]))
        for l in cout.splitlines():
            if l.startswith("fail"):
                notes.append("%s: client %s" % (name, l))
        if total < n:
            fails.append("only %d legitimate connections (want >= %d)" %
                         (total, n))
        if pct < 99.0:
            fails.append("%.1f %% of the legitimate connections succeeded "
                         "(want >= 99 %%)" % pct)
        if peak - req0 > BACKLOG + 1 + SLACK:
            fails.append("%s grew by %d (SYN queue bound %d + slack %d)" %
                         (reqc, peak - req0, BACKLOG + 1, SLACK))
        if req2 - req0 > SLACK:
            fails.append("%s kept %d objects after the listener closed" %
                         (reqc, req2 - req0))
        if sock2 - sock0 > SLACK:
            fails.append("%s kept %d objects after the listener closed" %
                         (sockc, sock2 - sock0))
        # atcp's SYN queue stays full of the flood's entries for their
        # synack_retries, so legitimate SYNs get cookies; Linux prunes
        # unanswered entries early (reqsk_timer_handler), so a legitimate
        # SYN may find room: its SyncookiesRecv may stay 0.
        if cd[0] <= 0 or (proto != 6 and cd[1] <= 0):
            fails.append("no SYN cookies counted (sent +%d, recv +%d)" %
                         (cd[0], cd[1]))
    except Exception as e:          # noqa: BLE001 - reported as a failure
        fails.append(str(e))
    finally:
        if srv and srv.poll() is None:
            srv.kill()
        sh("ip netns del %s" % a, check=False)
        sh("ip netns del %s" % b, check=False)
        phase("cleanup")
        notes.append("%s: times: %s" % (name, ", ".join(phases)))
    return fails, notes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", choices=("tcp", "atcp"))
    ap.add_argument("--seconds", type=float, default=4 if REDUCED else 6)
    args = ap.parse_args()
    variants = [("tcp", 6), ("atcp", IPPROTO_ATCP)]
    if REDUCED:
        variants = variants[1:]
    if args.v:
        variants = [v for v in variants if v[0] == args.v]
    # a handful of legitimate connections at least, whatever the VM's speed
    n = 3 if REDUCED else 10
    print("TAP version 13")
    print("1..%d" % len(variants))
    bad = 0
    for i, (name, proto) in enumerate(variants, 1):
        fails, notes = run_one(name, proto, args.seconds, n)
        for l in notes:
            print("# " + l)
        for f in fails:
            print("# FAIL %s: %s" % (name, f))
        print("%sok %d synflood/%s" % ("not " if fails else "", i, name))
        bad += bool(fails)
        sys.stdout.flush()
    print("%d passed, %d failed" % (len(variants) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
