#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""iop_peer: one end of a connection for selftests/interop.sh (not a test
itself), for the cases that bulk transfer does not reach: a simultaneous
close and a reset.  Either end listens (--listen ADDR:PORT --ready FIFO:
"port N" on the fifo when listening, one connection accepted) or connects
(--connect ADDR:PORT); --proto is the IP protocol (6 Linux TCP, 253 atcp).
It prints "key value" lines.

  close  --sync DIR --role R: write DIR/ready.R, wait for DIR/go, then
         shutdown(SHUT_WR) and, until the other's FIN has been read (recv
         returns 0) and the connection has left FIN-WAIT-1/2 and CLOSING,
         sample the state (TCP_INFO tcpi_state) every millisecond; then
         close.  Prints "states A B ..." (each state once, in the order
         seen) and "eof 1" if the FIN was read.
  abort  --bytes N [--sync DIR]: write (non-blocking) until the send
         buffer has stayed full for 0.2 s or N bytes are written, then
         abort the connection: SO_LINGER {1, 0} and close (RFC 9293
         §3.10.5 ABORT: an RST, no FIN); then create DIR/go.  Prints
         "sent N" (the bytes written).
  recv   [--sync DIR --role R]: (wait for DIR/go as close does, then)
         read until EOF or an error.  Prints "received N" and "end eof"
         or "end ERRNO" (ECONNRESET).
"""

import argparse
import errno
import os
import socket
import struct
import sys
import time

TCP_INFO = 11
STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
          5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
          9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}
CLOSING_STATES = (4, 5, 9, 11)


def addr(a):
    h, p = a.rsplit(":", 1)
    return h, int(p)


def state(s):
    return s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 8)[0]


def connection(args):
    if args.connect:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, args.proto)
        s.settimeout(args.timeout)
        s.connect(addr(args.connect))
        return s
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, args.proto)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(addr(args.listen))
    ls.listen(1)
    with open(args.ready, "w") as f:
        f.write("port %d\n" % ls.getsockname()[1])
    ls.settimeout(args.timeout)
    s, _ = ls.accept()
    ls.close()
    s.settimeout(args.timeout)
    return s


def barrier(args):
    with open(os.path.join(args.sync, "ready." + args.role), "w"):
        pass
    go = os.path.join(args.sync, "go")
    end = time.monotonic() + args.timeout
    while not os.path.exists(go):
        if time.monotonic() > end:
            sys.exit("no go within %d s" % args.timeout)
        time.sleep(0.0005)


def close(s, args):
    barrier(args)
    s.shutdown(socket.SHUT_WR)
    s.setblocking(False)
    seen = []
    eof = False
    end = time.monotonic() + args.timeout
    while time.monotonic() < end:
        st = state(s)
        if not seen or seen[-1] != st:
            seen.append(st)
        if not eof:
            try:
                if s.recv(4096) == b"":
                    eof = True
            except BlockingIOError:
                pass
        if eof and st not in CLOSING_STATES:
            break
        time.sleep(0.001)
    print("states " + " ".join(STATES.get(x, str(x)) for x in seen))
    print("eof %d" % eof)
    s.close()


def abort(s, args):
    # the peer reads nothing until --sync's go: write until the send
    # buffer stays full for 0.2 s (the peer's window closed), so that the
    # abort finds data unsent
    buf = b"x" * 65536
    n = 0
    full = 0
    s.setblocking(False)
    while n < args.bytes and full < 20:
        try:
            n += s.send(buf[:min(len(buf), args.bytes - n)])
            full = 0
        except BlockingIOError:
            full += 1 if n else 0
            time.sleep(0.01)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("sent %d" % n)
    if args.sync:
        with open(os.path.join(args.sync, "go"), "w"):
            pass


def recv(s, args):
    if args.sync:
        barrier(args)
    n = 0
    end = "eof"
    try:
        while True:
            d = s.recv(1 << 16)
            if not d:
                break
            n += len(d)
    except OSError as e:
        end = errno.errorcode.get(e.errno, str(e))
    print("received %d" % n)
    print("end %s" % end)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("close", "abort", "recv"))
    p.add_argument("--proto", type=int, required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--listen")
    g.add_argument("--connect")
    p.add_argument("--ready")
    p.add_argument("--sync")
    p.add_argument("--role")
    p.add_argument("--bytes", type=int, default=1 << 20)
    p.add_argument("--timeout", type=int, default=60)
    args = p.parse_args()
    s = connection(args)
    {"close": close, "abort": abort, "recv": recv}[args.mode](s, args)


if __name__ == "__main__":
    main()
