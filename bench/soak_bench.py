#!/usr/bin/env python3
"""Soak: a service that exits at once, restarted with zero backoff and no
limit, for SECONDS (default 300). Prints restarts per second and tend's RSS
and open fds at the start, the middle and the end: a leak shows as growth.
Prints figures; asserts nothing. Run as root:

    /usr/bin/python3 bench/soak_bench.py [--build build] [--seconds 300]
"""
import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
from harness import Tend, wait_for  # noqa: E402

CONFIG = """
    settings:
      log_level: warning
    services:
      crasher:
        command: [/bin/false]
        min_uptime: 0
        restart: always
        max_restarts: -1
        backoff: {initial: 0}
        output: null
"""


def sample(t):
    restarts = json.loads(t.ctl("--json", "status", "crasher").stdout)[0]["restarts"]
    return restarts, t.rss_kib(), len(os.listdir(f"/proc/{t.pid}/fd"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(HERE.parent / "build"))
    parser.add_argument("--seconds", type=float, default=300)
    args = parser.parse_args()
    os.environ["TEND_BUILD_DIR"] = str(Path(args.build).resolve())
    with Tend(CONFIG) as t:
        wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
        time.sleep(1)  # the measurement's own warm-up: the first restarts allocate what is then reused
        began = time.monotonic()
        points = [("start", began, *sample(t))]
        time.sleep(args.seconds / 2)
        points.append(("middle", time.monotonic(), *sample(t)))
        time.sleep(args.seconds / 2)
        points.append(("end", time.monotonic(), *sample(t)))
        t.signal(signal.SIGTERM)
        t.wait(60)
    print(f"soak: /bin/false restarted with zero backoff for {args.seconds:.0f} s")
    for name, at, restarts, rss, fds in points:
        print(f"  {name:6} t={at - began:6.1f}s restarts={restarts:8d} rss={rss} KiB fds={fds}")
    total = points[-1][2] - points[0][2]
    print(f"  {total / (points[-1][1] - began):.0f} restarts/s; RSS growth {points[-1][3] - points[0][3]} KiB, "
          f"fd growth {points[-1][4] - points[0][4]}")


if __name__ == "__main__":
    main()
