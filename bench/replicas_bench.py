#!/usr/bin/env python3
"""`replicas: N` against N services written out one by one: time from tend's
launch to every instance running, and tend's memory once they run, measured in
the same invocation (runs alternate, medians printed). Also the posix_spawn
floor of core_bench for scale. Prints figures; asserts nothing. Run as root:

    /usr/bin/python3 bench/replicas_bench.py [--n 1000] [--runs 3]
"""
import argparse
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.n
    written, sets = [], []
    for _ in range(args.runs):  # alternated, so a machine's drift hits both alike
        written.append(start_run(sleep_services(n), n))
        sets.append(start_run(replicated(n), n))
    with tempfile.TemporaryDirectory() as d:
        helpers = Path(d)
        subprocess.run(["cc", "-O2", "-o", str(helpers / "spawn_floor"), str(HERE / "spawn_floor.c")], check=True)
        overhead = statistics.median(spawn_floor(0, helpers) for _ in range(args.runs))
        floor = statistics.median(spawn_floor(n, helpers) for _ in range(args.runs))

    def med(runs, i):
        return statistics.median(r[i] for r in runs)

    w, r = med(written, 0), med(sets, 0)
    print(f"N={n}, median of {args.runs}: launch to all running: replicas: {n} {r * 1000:.1f} ms, "
          f"{n} written services {w * 1000:.1f} ms, ratio {r / w:.2f}x (target <= 1.1x)")
    print(f"N={n}: posix_spawn floor {floor * 1000:.1f} ms (unshare alone {overhead * 1000:.1f} ms); net of unshare "
          f"replicas {(r - overhead) / (floor - overhead):.2f}x the floor, written {(w - overhead) / (floor - overhead):.2f}x")
    print(f"N={n}: tend PSS once running: replicas {med(sets, 1) / 1024:.2f} MiB, written {med(written, 1) / 1024:.2f} MiB "
          f"(RSS {med(sets, 2) / 1024:.2f} / {med(written, 2) / 1024:.2f} MiB)")
    print("runs (s): replicas " + ", ".join(f"{x[0]:.3f}" for x in sets) +
          "; written " + ", ".join(f"{x[0]:.3f}" for x in written))


if __name__ == "__main__":
    main()
