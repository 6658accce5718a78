#!/usr/bin/env python3
"""Config validation on hostile sizes: `tend check` of a 200,000-key service
and of a 40,000-error file (each against `tend check` of a 100-service valid
file in the same run), and the latency of `status` requests sent while a
running tend validates the 40,000-error file on SIGHUP (read off the loop on
a thread of its own, so the loop should not stall). Prints figures; asserts nothing.

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
    times = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run([tend, "check", "-c", str(path)], capture_output=True)
        times.append(time.monotonic() - began)
    return statistics.median(times)


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
    print(f"tend check, one service with 200,000 unknown keys: {timed_check(tend, keys) * 1000:.0f} ms")
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
