#!/usr/bin/env python3
"""Latency of `tendctl status` with 100 and 1000 services, and of
`supervisorctl status` against supervisord with the same 100, in one run.
Needs root and Debian's `supervisor` package. Prints figures; asserts nothing.

    /usr/bin/python3 bench/control_bench.py

--runit: instead, `tendctl status` of 100 services against runit's `sv status`
of 100 services, in one hyperfine run (Debian's `hyperfine` and `runit`; runit
is not made the machine's init: runsvdir runs over a temporary directory).
--baseline-build DIR adds another build's tend and tendctl to the same run.

    /usr/bin/python3 bench/control_bench.py --runit [--baseline-build DIR]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
import harness  # noqa: E402
from harness import TENDCTL, Tend, wait_for  # noqa: E402


def timed(command, runs):
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000


def tend_latency(n):
    with Tend(sleep_services(n)) as t:
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


def sleep_services(n):
    body = "".join(f"  s{i}:\n    command: [sleep, '1000']\n    min_uptime: 0\n" for i in range(n))
    return "settings:\n  log_level: warning\nservices:\n" + body


def start_tend(build, n):
    """tend of `build` as PID 1 of a namespace with n sleep services, all running."""
    harness.TEND = str(Path(build) / "src" / "tend")
    t = Tend(sleep_services(n))
    ctl = str(Path(build) / "src" / "tendctl")
    try:
        wait_for(lambda: subprocess.run([ctl, "-s", t.socket, "wait", "all", "--timeout", "1"],
                                        capture_output=True).returncode == 0, timeout=120, what="all running")
    except BaseException:
        t.kill()
        raise
    return t, ctl


def start_runsvdir(n):
    d = Path(tempfile.mkdtemp(prefix="tend-bench-runit-"))
    for i in range(n):
        service = d / f"s{i}"
        service.mkdir()
        (service / "run").write_text("#!/bin/sh\nexec sleep 1000\n")
        (service / "run").chmod(0o755)
    daemon = subprocess.Popen(["runsvdir", str(d)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    dirs = [str(d / f"s{i}") for i in range(n)]
    try:
        wait_for(lambda: subprocess.run(["sv", "status"] + dirs, capture_output=True, text=True).stdout.count("run: ") == n,
                 timeout=120, interval=0.2, what="runsvdir's services to run")
    except BaseException:
        stop_runsvdir(d, daemon, dirs)
        raise
    return d, daemon, dirs


def stop_runsvdir(d, daemon, dirs):
    subprocess.run(["sv", "force-stop"] + dirs, capture_output=True)
    subprocess.run(["sv", "exit"] + dirs, capture_output=True)
    # runsvdir's children are runsv; SIGHUP makes it tell them to exit, then it exits itself.
    daemon.send_signal(1)
    try:
        daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(daemon.pid, 9)
        daemon.wait()
    shutil.rmtree(d, ignore_errors=True)


def versus_runit(n, baseline_build):
    tends = []
    runit = None
    try:
        tends.append(start_tend(Path(harness.BUILD), n))
        if baseline_build:
            tends.append(start_tend(baseline_build, n))
        runit = start_runsvdir(n)
        commands = [f"{ctl} -s {t.socket} status" for t, ctl in tends] + ["sv status " + " ".join(runit[2])]
        out = Path(runit[0]) / "hyperfine.json"
        argv = ["hyperfine", "-N", "--warmup", "50", "--runs", "1000", "--export-json", str(out)] + commands
        shown = " ".join(f"'{a}'" if " " in a else a for a in argv[:-1]) + f" 'sv status {runit[0]}/s0 ... s{n - 1}'"
        print("$ " + shown)
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        results = json.loads(out.read_text())["results"]
        sv = results[-1]
        names = ["tendctl status"] + (["tendctl status (baseline build)"] if baseline_build else [])
        for name, r in zip(names, results):
            print(f"{name}, {n} services: mean {r['mean'] * 1000:.2f} ms, median {r['median'] * 1000:.2f} ms, "
                  f"{r['mean'] / sv['mean']:.2f}x sv (median {r['median'] / sv['median']:.2f}x; target <= 0.8x)")
        print(f"sv status, {n} services: mean {sv['mean'] * 1000:.2f} ms, median {sv['median'] * 1000:.2f} ms")
    finally:
        if runit:
            stop_runsvdir(*runit)
        for t, _ in tends:
            t.signal(15)
            t.wait(timeout=120)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runit", action="store_true", help="tendctl status against runit's sv status, hyperfine")
    parser.add_argument("--baseline-build", help="another build directory, measured in the same hyperfine run")
    args = parser.parse_args()
    if args.runit:
        versus_runit(100, args.baseline_build)
        return
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
