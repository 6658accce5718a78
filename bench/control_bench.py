#!/usr/bin/env python3
"""Latency of `tendctl status` with 100 and 1000 services, and of
`supervisorctl status` against supervisord with the same 100, in one run.
Needs root and Debian's `supervisor` package. Prints figures; asserts nothing.

    /usr/bin/python3 bench/control_bench.py
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from harness import TENDCTL, Tend, wait_for  # noqa: E402


def timed(command, runs):
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000


def tend_latency(n):
    body = "".join(f"  s{i}:\n    command: [sleep, '1000']\n    min_uptime: 0\n" for i in range(n))
    with Tend("settings:\n  log_level: warning\nservices:\n" + body) as t:
        wait_for(lambda: subprocess.run([TENDCTL, "-s", t.socket, "wait", "all", "--timeout", "1"],
                                        capture_output=True).returncode == 0, timeout=120, what="all running")
        ms = timed([TENDCTL, "-s", t.socket, "status"], 30)
        t.signal(15)
        t.wait(timeout=120)
        return ms


def supervisor_latency(n):
    d = Path(tempfile.mkdtemp(prefix="tend-bench-supervisor-"))
    sock = d / "supervisor.sock"
    programs = "".join(f"[program:s{i}]\ncommand=sleep 1000\nstartsecs=0\n" for i in range(n))
    (d / "supervisord.conf").write_text(
        f"[unix_http_server]\nfile={sock}\n[supervisord]\nlogfile={d}/supervisord.log\npidfile={d}/pid\n"
        f"childlogdir={d}\nnodaemon=true\n[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
        f"[supervisorctl]\nserverurl=unix://{sock}\n" + programs)
    daemon = subprocess.Popen(["supervisord", "-c", str(d / "supervisord.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctl = ["supervisorctl", "-c", str(d / "supervisord.conf"), "status"]
    try:
        wait_for(lambda: subprocess.run(ctl, capture_output=True, text=True).stdout.count("RUNNING") == n,
                 timeout=120, interval=0.2, what="supervisord's programs to run")
        return timed(ctl, 10)
    finally:
        daemon.terminate()
        daemon.wait(timeout=120)
        shutil.rmtree(d, ignore_errors=True)


def main():
    # Starting any process from this script costs milliseconds; /bin/true measures that floor.
    floor = timed(["/bin/true"], 30)
    t100 = tend_latency(100)
    s100 = supervisor_latency(100)
    t1000 = tend_latency(1000)
    print(f"tendctl status, 100 services: {t100:.2f} ms median of 30 (target < 5 ms)")
    print(f"tendctl status, 1000 services: {t1000:.2f} ms median of 30 (target < 20 ms)")
    print(f"supervisorctl status, 100 programs: {s100:.1f} ms median of 10; tendctl is {s100 / t100:.0f}x faster "
          f"(target >= 50x)")
    print(f"process start floor (/bin/true from this script): {floor:.2f} ms; net of it: tendctl 100: "
          f"{t100 - floor:.2f} ms, 1000: {t1000 - floor:.2f} ms, supervisorctl 100: {s100 - floor:.1f} ms, "
          f"ratio {(s100 - floor) / (t100 - floor):.0f}x")


if __name__ == "__main__":
    main()
