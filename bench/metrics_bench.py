#!/usr/bin/env python3
"""tend's CPU per /metrics scrape with 100 and 1,000 services (each a running
`sleep`), next to its CPU per /healthz (the HTTP front's own cost, the
baseline) in the same run. CPU is read from /proc/TEND/schedstat (nanoseconds
on the CPU, not ticks) around `--scrapes` scrapes over one kept-alive
connection. Needs root. Prints figures; asserts nothing.

    /usr/bin/python3 bench/metrics_bench.py [--baseline-build DIR] [--scrapes N]

--baseline-build DIR runs another build's tend (e.g. main's) through the same
steps in the same invocation, so the two are compared under the same load.
"""
import argparse
import http.client
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
import harness  # noqa: E402
from harness import TENDCTL, Tend, free_port, wait_for  # noqa: E402


def services(n, port):
    body = "".join(f"  s{i}:\n    command: [sleep, '1000']\n    min_uptime: 0\n" for i in range(n))
    return f"settings:\n  log_level: warning\n  http: {{listen: \"127.0.0.1:{port}\"}}\nservices:\n" + body


def cpu_ns(pid):
    """Time tend's threads spent on a CPU (tend has one)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
    return total


def per_request_ms(pid, port, path, count):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for _ in range(5):  # warm: pages touched, the connection's pool made
            connection.request("GET", path)
            connection.getresponse().read()
        before = cpu_ns(pid)
        size = 0
        for _ in range(count):
            connection.request("GET", path)
            reply = connection.getresponse()
            size = len(reply.read())
            # tend closes a connection after some answers (libmicrohttpd's keep-alive); reconnect then.
            if reply.will_close:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return (cpu_ns(pid) - before) / count / 1e6, size
    finally:
        connection.close()


def measure(build, n, scrapes):
    harness.TEND = str(Path(build) / "src" / "tend")
    port = free_port()
    with Tend(services(n, port)) as t:
        wait_for(lambda: subprocess.run([TENDCTL, "-s", t.socket, "wait", "all", "--timeout", "1"],
                                        capture_output=True).returncode == 0, timeout=180, what="all running")
        health, _ = per_request_ms(t.pid, port, "/healthz", scrapes)
        metrics, size = per_request_ms(t.pid, port, "/metrics", scrapes)
        t.signal(15)
        t.wait(timeout=180)
    return health, metrics, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-build", type=Path)
    parser.add_argument("--scrapes", type=int, default=100)
    args = parser.parse_args()
    builds = [("this build", Path(harness.BUILD))]
    if args.baseline_build:
        builds.append(("baseline build", args.baseline_build))
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    results = {}
    for n in (100, 1000):
        for name, build in builds:
            health, metrics, size = measure(build, n, args.scrapes)
            results[(name, n)] = metrics
            print(f"{n:5} services, {name:14}: /metrics {metrics:6.2f} ms CPU ({size} bytes), "
                  f"/healthz {health:5.3f} ms CPU, ratio {metrics / health:6.1f}x")
        if args.baseline_build:
            ratio = results[("this build", n)] / results[("baseline build", n)]
            print(f"{n:5} services: this build's /metrics CPU is {ratio:.2f}x the baseline build's")
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
