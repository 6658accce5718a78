#!/usr/bin/env python3
"""`replicas: N` against the start floor and against N services written out one
by one: time from tend's launch to every instance running, and tend's memory
once they run, all measured in the same invocation (each run does the floor, the
written services and the set in turn, so a machine's drift hits all; medians
printed, with the load average). The start floor is core_bench's: a C loop
(bench/spawn_floor.c) posix_spawning the same N sleeps as PID 1 of a namespace,
both figures net of `unshare` alone (the loop with N=0). Issue 23's target:
1,000 replicas to all running within 1.1x that floor. Prints figures; asserts
nothing. Run as root:

    /usr/bin/python3 bench/replicas_bench.py [--n 1000] [--runs 3] [--no-written]
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
sys.path.insert(0, str(HERE))
from core_bench import log_times, memory_kib, sleep_services  # noqa: E402
from harness import Tend, wait_for  # noqa: E402


def replicated(n):
    return ("settings:\n  log_level: info\n  kill_grace: 1s\nservices:\n"
            f"  s:\n    command: [sleep, '1000']\n    min_uptime: 0\n    replicas: {n}\n")


def start_run(config, n):
    """Seconds from launch to the n-th `-> running` line, and tend's PSS and RSS (KiB) then."""
    begin = time.time()
    with Tend(config) as t:
        wait_for(lambda: len(log_times(t.log, r"-> running")) == n, timeout=120, what="all running")
        elapsed = max(log_times(t.log, r"-> running")) - begin
        pss, rss = memory_kib(t.pid)
        t.signal(signal.SIGTERM)
        t.wait(timeout=120)
    return elapsed, pss, rss


def spawn_floor(n, helpers):
    begin = time.time()
    out = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", str(helpers / "spawn_floor"), str(n)],
                         capture_output=True, text=True, check=True).stdout
    return float(out) - begin


def load():
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-written", action="store_true", help="leave out the N written services")
    args = parser.parse_args()
    n = args.n
    print(f"N={n}, {args.runs} runs; before: {load()}", flush=True)
    written, sets, floors, overheads = [], [], [], []
    with tempfile.TemporaryDirectory() as d:
        helpers = Path(d)
        subprocess.run(["cc", "-O2", "-o", str(helpers / "spawn_floor"), str(HERE / "spawn_floor.c")], check=True)
        for _ in range(args.runs):  # alternated, so a machine's drift hits all alike
            overheads.append(spawn_floor(0, helpers))
            floors.append(spawn_floor(n, helpers))
            if not args.no_written:
                written.append(start_run(sleep_services(n), n))
            sets.append(start_run(replicated(n), n))
    report(n, args.runs, sets, written, floors, overheads)
    print(f"after: {load()}")


def report(n, runs, sets, written, floors, overheads):
    def med(results, i):
        return statistics.median(r[i] for r in results)

    overhead = statistics.median(overheads)
    floor = statistics.median(floors) - overhead
    r = med(sets, 0) - overhead
    print(f"N={n}, median of {runs}: launch to all running, net of unshare ({overhead * 1000:.1f} ms): "
          f"replicas: {n} {r * 1000:.1f} ms, posix_spawn floor {floor * 1000:.1f} ms, "
          f"ratio {r / floor:.2f}x (target <= 1.1x)")
    print("  ratio per run (each against its own floor): " +
          ", ".join(f"{(s[0] - o) / (f - o):.2f}x" for s, f, o in zip(sets, floors, overheads)))
    if written:
        w = med(written, 0) - overhead
        print(f"N={n}: {n} written services {w * 1000:.1f} ms net, {w / floor:.2f}x the floor; "
              f"replicas / written {r / w:.2f}x")
        print(f"N={n}: tend PSS once running: replicas {med(sets, 1) / 1024:.2f} MiB, "
              f"written {med(written, 1) / 1024:.2f} MiB (RSS {med(sets, 2) / 1024:.2f} / {med(written, 2) / 1024:.2f} MiB)")
    print("runs (s, gross): replicas " + ", ".join(f"{x[0]:.3f}" for x in sets) +
          "; floor " + ", ".join(f"{x:.3f}" for x in floors) +
          ("; written " + ", ".join(f"{x[0]:.3f}" for x in written) if written else ""))


if __name__ == "__main__":
    main()
