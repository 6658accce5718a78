#!/usr/bin/env python3
"""Idle cost of scheduled jobs: tend with 1,000 jobs due once a year, and the
baseline of tend with one plain service, each watched for SECONDS (default 10)
with nothing due. Prints tend's wake-ups (voluntary + involuntary context
switches of PID 1's thread) in each, and RSS; asserts nothing. Run as root:

    /usr/bin/python3 bench/schedule_bench.py [--build build] [--seconds 10]
"""
import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
from harness import Tend, wait_for  # noqa: E402

BASELINE = """
    settings: {log_level: warning}
    services:
      web: {command: [sleep, '100000'], output: null}
"""


def jobs(n):
    lines = ["settings: {log_level: warning}", "services:", "  web: {command: [sleep, '100000'], output: null}"]
    lines += [f"  job{i}: {{command: [/bin/true], schedule: '{i % 60} {i % 24} 1 1 *', output: null}}" for i in range(n)]
    return "\n".join(lines) + "\n"


def switches(pid):
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])


def idle_wakeups(config, seconds):
    with Tend(config) as t:
        wait_for(lambda: os.path.exists(t.socket), 30, what="the control socket")
        wait_for(lambda: (t.status() or {}).get("web", {}).get("state") == "running", 30, what="web running")
        time.sleep(1)  # settle: the status request's own wake-ups end
        before = switches(t.pid)
        time.sleep(seconds)
        return switches(t.pid) - before, t.rss_kib()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(HERE.parent / "build"))
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    os.environ["TEND_BUILD_DIR"] = str(Path(args.build).resolve())
    base, base_rss = idle_wakeups(BASELINE, args.seconds)
    many, many_rss = idle_wakeups(jobs(1000), args.seconds)
    print(f"idle for {args.seconds:.0f} s, tend's context switches:")
    print(f"  one service (baseline):           {base:5d}  rss {base_rss} KiB")
    print(f"  one service + 1,000 yearly jobs:  {many:5d}  rss {many_rss} KiB")


if __name__ == "__main__":
    main()
