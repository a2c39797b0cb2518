#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run the scripted-peer scenarios (selftests/pkt/scenarios/NN_name.py) as
TAP: one result per (scenario, protocol), e.g. "ok 3 03_rst_closed_port/tcp".
Each run happens in a forked child in a network namespace of its own.

    run.py [--proto 6|253|both] [-v] [--seed N] [--list] [scenario ...]

A scenario is selected by its name, its number ("03") or name/proto
("03_rst_closed_port/tcp"); -t NAME (from selftests/run NAME:CASE) does the
same.  A scenario that says BACKGROUND = True (minutes of waiting for a
clock) starts before the others and reports after them.  Exit status 0
when every selected test passed.
"""

import argparse
import importlib.util
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pktlib  # noqa: E402


def load(path):
    name = os.path.basename(path)[:-3]
    spec = importlib.util.spec_from_file_location("scenario_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return name, mod


def selected(name, pname, sels):
    if not sels:
        return True
    for s in sels:
        base, _, proto = s.partition("/")
        if proto and proto != pname:
            continue
        if base == name or name.startswith(base + "_") or \
                name.split("_", 1)[0] == base:
            return True
    return False


def scenario(mod, name, proto, seed, verbose):
    """The child's work: "RESULT SECONDS FIRST-LINE-OF-WHY"."""
    def child():
        start = time.monotonic()
        res, why = pktlib.run_one(mod, name, proto, seed, verbose)
        return "%s %.1f %s" % (res, time.monotonic() - start,
                               why.splitlines()[0] if why else "")
    return child


def outcome(out, timed_out, timeout, el):
    """(result, why, seconds) of a child's text; el if it said none."""
    if timed_out:
        return "fail", "TIMEOUT after %d s" % timeout, el
    if not out:
        return "fail", "the child died", el
    res, secs, why = out.split(" ", 2)
    return res, why, float(secs)


def run_child(mod, name, proto, seed, verbose, timeout):
    start = time.monotonic()
    out, timed_out = pktlib.in_child(scenario(mod, name, proto, seed,
                                              verbose), timeout)
    return outcome(out, timed_out, timeout, time.monotonic() - start)


class Background:
    """A scenario that mostly waits (BACKGROUND = True: a cookie or TIME-WAIT
    clock of minutes) runs in a child started before the others, in its own
    namespace as they are; what it prints is kept in a file and shown with
    its result, after the rest."""

    def __init__(self, mod, name, proto, seed, verbose, timeout):
        self.log = tempfile.TemporaryFile("w+")
        self.timeout = timeout
        self.start = time.monotonic()
        self.pid, self.r = pktlib.start_child(
            scenario(mod, name, proto, seed, verbose), self.log)

    def result(self):
        out, timed_out = pktlib.end_child(self.pid, self.r,
                                          self.start + self.timeout)
        self.log.seek(0)
        sys.stdout.write(self.log.read())
        return outcome(out, timed_out, self.timeout,
                       time.monotonic() - self.start)


def report(i, full, res, why, el):
    print("# %s: %.1f s" % (full, el))
    if res == "ok":
        print("ok %d %s" % (i, full))
    elif res == "skip":
        print("ok %d %s # SKIP %s" % (i, full, why))
    else:
        if why.startswith(("TIMEOUT", "the child died")):
            print("# " + why)
        print("not ok %d %s" % (i, full))
    sys.stdout.flush()
    return res not in ("ok", "skip")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proto", default="both", choices=["6", "253", "both"])
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the segment trace of passing tests too")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-t", dest="cases", action="append", default=[],
                    help="a scenario to run (as from selftests/run NAME:CASE)")
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()

    protos = [6, 253] if args.proto == "both" else [int(args.proto)]
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    sels = args.scenarios + args.cases
    sdir = os.path.join(HERE, "scenarios")
    mods = [load(os.path.join(sdir, f)) for f in sorted(os.listdir(sdir))
            if f.endswith(".py") and f[:2].isdigit()]
    tests = [(n, m, p) for n, m in mods for p in protos
             if selected(n, pktlib.PROTO_NAMES[p], sels)]
    if args.list:
        for n, m, p in tests:
            print("%s/%s" % (n, pktlib.PROTO_NAMES[p]))
        return 0
    if not tests:
        print("no scenario matches %s" % " ".join(sels))
        return 1

    try:
        pktlib.ensure_tun()
    except OSError as e:
        print("# /dev/net/tun: %s" % e)
    print("TAP version 13")
    print("1..%d" % len(tests))
    print("# seed %d (run.py --seed %d reproduces the peer's choices)" %
          (seed, seed))
    # each run's seed by its place in the list; the waiting scenarios
    # start first and report last
    runs = [(seed + k, n, m, p) for k, (n, m, p) in enumerate(tests, 1)]
    bg = {}
    for sd, n, m, p in runs:
        if getattr(m, "BACKGROUND", False):
            bg[(n, p)] = Background(m, n, p, sd, args.verbose,
                                    getattr(m, "TIMEOUT", 60))
    order = [r for r in runs if (r[1], r[3]) not in bg] + \
        [r for r in runs if (r[1], r[3]) in bg]
    failed = 0
    for i, (sd, n, m, p) in enumerate(order, 1):
        pname = pktlib.PROTO_NAMES[p]
        full = "%s/%s" % (n, pname)
        print("# %s%s" % (full, " (in the background since the start)"
                          if (n, p) in bg else ""))
        why_differs = getattr(m, "DIFFERS", {}).get(pname)
        if why_differs:
            print("# %s differs from the other protocol on purpose: %s" %
                  (full, why_differs))
        if (n, p) in bg:
            res, why, el = bg[(n, p)].result()
        else:
            res, why, el = run_child(m, n, p, sd, args.verbose,
                                     getattr(m, "TIMEOUT", 60))
        failed += report(i, full, res, why, el)
    print("# %d of %d failed" % (failed, len(tests)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
