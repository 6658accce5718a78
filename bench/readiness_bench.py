#!/usr/bin/env python3
"""Readiness benchmark: LEVELS x WIDTH services (default 10 x 20 = 200) in a
dependency chain, each level waiting for every service of the one before to
be ready (`depends_on: {...: ready}`); each
service says READY=1 over sd_notify 10 ms after it starts. Measures tend's
time from its start to the last service ready against a floor in the same
run: a C program (bench/ready_floor.c) starting the same chain level by level
and waiting for the same messages. Also tend's CPU per readiness message.
Prints figures; asserts nothing. Run as root:

    /usr/bin/python3 bench/readiness_bench.py [--build build] [--levels 10] [--width 20]
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
from harness import Tend, wait_for  # noqa: E402
from core_bench import log_times  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def chain_config(levels, width, helper):
    out = ["settings:\n  log_level: info\n  kill_grace: 1s\nservices:\n"]
    for level in range(levels):
        for i in range(width):
            # Each level waits for every service of the level before, as the floor does.
            deps = "" if level == 0 else "    depends_on: {" + ", ".join(
                f"l{level - 1}s{j}: ready" for j in range(width)) + "}\n"
            out.append(f"  l{level}s{i}:\n    command: [{helper}, '10']\n    min_uptime: 0\n"
                       f"    ready: {{notify: systemd}}\n{deps}")
    return "".join(out)


def cpu_ticks(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(HERE.parent / "build"))
    parser.add_argument("--levels", type=int, default=10)
    parser.add_argument("--width", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["TEND_BUILD_DIR"] = str(Path(args.build).resolve())
    helpers = Path(tempfile.mkdtemp(prefix="tend-bench-"))
    for name in ("notify_ready", "ready_floor"):
        subprocess.run(["cc", "-O2", "-o", str(helpers / name), str(HERE / f"{name}.c")], check=True)
    n = args.levels * args.width

    floors = []
    for _ in range(args.runs):
        begin = time.time()
        out = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", str(helpers / "ready_floor"),
                              str(args.levels), str(args.width), str(helpers / "notify_ready")],
                             capture_output=True, text=True, check=True).stdout
        floors.append(float(out) - begin)

    runs, cpu = [], []
    for _ in range(args.runs):
        begin = time.time()
        with Tend(chain_config(args.levels, args.width, helpers / "notify_ready")) as t:
            wait_for(lambda: len(log_times(t.log, r"-> running")) == n, timeout=120, what="all ready")
            runs.append(max(log_times(t.log, r"-> running")) - begin)
            cpu.append(cpu_ticks(t.pid) / TICKS)
            t.signal(signal.SIGTERM)
            t.wait(timeout=60)

    tend, floor = statistics.median(runs), statistics.median(floors)
    print(f"{n} services, {args.levels} levels of {args.width}, each ready via sd_notify 10 ms after start")
    print(f"  start to all ready: tend {tend * 1000:.1f} ms, floor {floor * 1000:.1f} ms, "
          f"ratio {tend / floor:.2f}x (target <= 1.2x)")
    print(f"  tend CPU to all ready (incl. spawning): {statistics.median(cpu) * 1000:.0f} ms, "
          f"{statistics.median(cpu) * 1e6 / n:.0f} us per service (spawn + readiness message + dependency check)")


if __name__ == "__main__":
    main()
