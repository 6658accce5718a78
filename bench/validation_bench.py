#!/usr/bin/env python3
"""Config validation on hostile sizes: `tend check` of a 200,000-key service
and of a 40,000-error file (each against `tend check` of a 100-service valid
file in the same run), and the latency of `status` requests sent while a
running tend validates the 40,000-error file on SIGHUP (read off the loop on
a thread of its own, so the loop should not stall). Prints figures; asserts nothing.
For the 200,000-key file it also prints the split between yaml-cpp's work (its
load and free of the file, by bench/yaml_load_bench.cpp, built here with g++)
and tend's own, and the CPU time beside the wall time.

    /usr/bin/python3 bench/validation_bench.py [--build build]
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
from harness import Tend, wait_for  # noqa: E402


def timed_check(tend, path, runs=3):
    return timed_check_cpu(tend, path, runs)[0]


def timed_check_cpu(tend, path, runs=3):
    """Median wall and median CPU (user + system) seconds of `tend check`."""
    times, cpu = [], []
    for _ in range(runs):
        before = os.times()
        began = time.monotonic()
        subprocess.run([tend, "check", "-c", str(path)], capture_output=True)
        times.append(time.monotonic() - began)
        after = os.times()
        cpu.append(after.children_user - before.children_user + after.children_system - before.children_system)
    return statistics.median(times), statistics.median(cpu)


def yaml_cpp_share(path, workdir, runs=3):
    """Median wall seconds of yaml-cpp's load and free of `path`, or None without g++."""
    binary = workdir / "yaml_load_bench"
    build = subprocess.run(["g++", "-O2", "-std=c++20", f"-I{HERE.parent / 'include'}", str(HERE / "yaml_load_bench.cpp"),
                            str(HERE.parent / "src" / "util" / "huge_page_heap.cpp"), "-l:libyaml-cpp.a", "-o", str(binary)],
                           capture_output=True, text=True)
    if build.returncode != 0:
        print(f"(yaml_load_bench not built: {build.stderr.strip()[:200]})")
        return None
    loads, frees = [], []
    for _ in range(runs):
        out = subprocess.run([str(binary), str(path)], capture_output=True, text=True, check=True).stdout.split()
        loads.append(float(out[1]) / 1000)
        frees.append(float(out[4]) / 1000)
    return statistics.median(loads), statistics.median(frees)


def status_latency(sock):
    began = time.monotonic()
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(sock)
        s.sendall(b'{"cmd":"version"}\n')
        s.recv(4096)
    return time.monotonic() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(HERE.parent / "build"))
    args = parser.parse_args()
    build = Path(args.build).resolve()
    os.environ["TEND_BUILD_DIR"] = str(build)
    tend = str(build / "src" / "tend")
    d = Path(tempfile.mkdtemp(prefix="tend-validation-"))
    keys = d / "keys.yaml"
    keys.write_text("services:\n  a:\n    command: x\n" + "".join(f"    key{i}: {i}\n" for i in range(200000)))
    errors = d / "errors.yaml"
    errors.write_text("services:\n" + "".join(f"  s{i}:\n    comand: x\n" for i in range(40000)))
    valid = d / "valid.yaml"
    valid.write_text("services:\n" + "".join(f"  s{i}:\n    command: [sleep, '1000']\n" for i in range(100)))

    base = timed_check(tend, valid)
    print(f"tend check, 100 valid services (baseline): {base * 1000:.0f} ms")
    wall, cpu = timed_check_cpu(tend, keys)
    print(f"tend check, one service with 200,000 unknown keys: {wall * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU)")
    share = yaml_cpp_share(keys, d)
    if share:
        load, free = share
        print(f"  of which yaml-cpp: load {load * 1000:.0f} ms + free {free * 1000:.0f} ms; tend's own work: "
              f"{(wall - load - free) * 1000:.0f} ms")
    print(f"tend check, 40,000 services with a misspelt key (80,000 errors): {timed_check(tend, errors) * 1000:.0f} ms")

    with Tend("services:\n  web:\n    command: [sleep, '1000']\n") as t:
        wait_for(lambda: os.path.exists(t.socket), 10, what="the socket")
        idle = statistics.median(status_latency(t.socket) for _ in range(20))
        t.config_path.write_text(errors.read_text())
        latencies = []
        stop = threading.Event()

        def probe():
            while not stop.is_set():
                latencies.append(status_latency(t.socket))

        prober = threading.Thread(target=probe)
        prober.start()
        time.sleep(0.2)
        t.signal(signal.SIGHUP)
        wait_for(lambda: "nothing changed" in t.log, 60, what="the reload to be refused")
        time.sleep(0.2)
        stop.set()
        prober.join()
        print(f"control request latency: idle {idle * 1000:.1f} ms; while a SIGHUP validates the 80,000-error "
              f"file: max {max(latencies) * 1000:.0f} ms over {len(latencies)} requests")


if __name__ == "__main__":
    main()
