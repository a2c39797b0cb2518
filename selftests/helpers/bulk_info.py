#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bulk_info: one-way bulk transfer helper of selftests/window_scale.sh
(not a test itself).  The receiver reads until EOF; the sender writes
--bytes while its main thread samples TCP_INFO every 2 ms.  Both print
"key value" lines: what the test checks (window scale shifts, options,
the largest flight, the largest send window, SO_RCVBUF at the end).
TCP_INFO is sampled every --sample seconds (2 ms by default).

  bulk_info.py recv --proto P --listen ADDR:PORT --ready FIFO
  bulk_info.py send --proto P --connect ADDR:PORT --bytes N
"""

import argparse
import socket
import struct
import sys
import threading
import time

TCP_INFO = 11


def info(s):
    b = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 232)
    d = {"options": b[5], "snd_wscale": b[6] & 0xF, "rcv_wscale": b[6] >> 4}
    (d["snd_mss"],) = struct.unpack_from("I", b, 16)
    (d["rcv_space"],) = struct.unpack_from("I", b, 96)
    (d["bytes_acked"],) = struct.unpack_from("Q", b, 120)
    if len(b) >= 216:
        (d["bytes_sent"], d["bytes_retrans"]) = struct.unpack_from("QQ", b,
                                                                   200)
    if len(b) >= 232:
        (d["snd_wnd"],) = struct.unpack_from("I", b, 228)
    return d


def addr(a):
    h, p = a.rsplit(":", 1)
    return h, int(p)


def recv(args):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, args.proto)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(addr(args.listen))
    ls.listen(1)
    with open(args.ready, "w") as f:
        f.write("port %d\n" % ls.getsockname()[1])
    ls.settimeout(60)
    c, _ = ls.accept()
    c.settimeout(60)
    rcvbuf0 = c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    n = 0
    t0 = time.monotonic()
    ws = 0
    while True:
        d = c.recv(1 << 18)
        if not d:
            break
        n += len(d)
        ws = max(ws, info(c)["rcv_wscale"])
    dt = time.monotonic() - t0
    i = info(c)
    print("recv_bytes %d" % n)
    print("recv_MBps %.2f" % (n / dt / 1e6))
    print("rcv_wscale %d" % ws)
    print("options %d" % i["options"])
    print("rcvbuf_start %d" % rcvbuf0)
    print("rcvbuf_end %d" % c.getsockopt(socket.SOL_SOCKET,
                                          socket.SO_RCVBUF))
    c.close()


def send(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, args.proto)
    s.settimeout(60)
    s.connect(addr(args.connect))
    err = []

    def writer():
        buf = b"z" * 65536
        left = args.bytes
        try:
            while left > 0:
                left -= s.send(buf[:min(left, len(buf))])
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    th = threading.Thread(target=writer)
    th.start()
    flight = wnd = 0
    while th.is_alive():
        i = info(s)
        if "bytes_sent" in i:
            flight = max(flight, i["bytes_sent"] - i["bytes_retrans"] -
                         i["bytes_acked"])
        wnd = max(wnd, i.get("snd_wnd", 0))
        time.sleep(args.sample)
    th.join()
    i = info(s)
    print("snd_wscale %d" % i["snd_wscale"])
    print("options %d" % i["options"])
    print("max_flight %d" % flight)
    print("max_snd_wnd %d" % wnd)
    if err:
        print("error %s" % err[0])
        sys.exit(1)
    s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("send", "recv"))
    ap.add_argument("--proto", type=int, default=253)
    ap.add_argument("--listen")
    ap.add_argument("--ready")
    ap.add_argument("--connect")
    ap.add_argument("--bytes", type=int, default=8 << 20)
    ap.add_argument("--sample", type=float, default=0.002,
                    help="seconds between TCP_INFO samples")
    args = ap.parse_args()
    (recv if args.mode == "recv" else send)(args)


if __name__ == "__main__":
    main()
