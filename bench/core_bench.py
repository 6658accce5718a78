#!/usr/bin/env python3
"""Core benchmarks of tend as PID 1 of a PID namespace, each beside a baseline
measured in the same run. Prints figures; asserts nothing. Run as root:

    /usr/bin/python3 bench/core_bench.py [--build build] [--idle 20]
"""
import argparse
import datetime
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))
from harness import Tend, wait_for  # noqa: E402

def compile_helpers(out):
    for name in ("spawn_floor", "stamp", "restart_floor", "term_sleeper", "shutdown_floor"):
        subprocess.run(["cc", "-O2", "-o", str(out / name), str(HERE / f"{name}.c")], check=True)


def log_times(log, pattern):
    """Wall-clock seconds of every tend log line matching `pattern`."""
    out = []
    for line in log.splitlines():
        if re.search(pattern, line):
            stamp = datetime.datetime.strptime(line.split(" ")[0], "%Y-%m-%dT%H:%M:%S.%f")
            out.append(stamp.replace(tzinfo=datetime.timezone.utc).timestamp())
    return out


def memory_kib(pid):
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
    rss = int(re.search(r"^Rss:\s+(\d+)", rollup, re.M).group(1))
    return pss, rss


def sleep_services(n, extra=""):
    body = "".join(f"  s{i}:\n    command: [sleep, '1000']\n    min_uptime: 0\n{extra}" for i in range(n))
    return "settings:\n  log_level: info\n  kill_grace: 1s\nservices:\n" + body


def bench_start(n, helpers, idle_seconds):
    # Floor: a C loop posix_spawning the same N sleeps, also as PID 1 of a namespace.
    # Both include the cost of unshare and mounting /proc; spawn_floor with N=0
    # measures that alone, and the net figures subtract it.
    def floor_run(count):
        begin = time.time()
        out = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", str(helpers / "spawn_floor"), str(count)],
                             capture_output=True, text=True, check=True).stdout
        return float(out) - begin
    overheads = [floor_run(0) for _ in range(3)]
    floors = [floor_run(n) for _ in range(3)]
    runs = []
    result = {}
    for attempt in range(3):
        begin = time.time()
        with Tend(sleep_services(n)) as t:
            t.wait_log(f"s{n - 1}: starting -> running", timeout=60)
            wait_for(lambda: len(log_times(t.log, r"-> running")) == n, timeout=60, what="all running")
            runs.append(max(log_times(t.log, r"-> running")) - begin)
            if attempt == 0:
                result["pss"], result["rss"] = memory_kib(t.pid)
                # At rest: a second after its last event tend gives back the pages
                # start-up ran (src/process/code_pages.cpp); idle_over waits for it.
                switches, cpu = t.idle_over(idle_seconds)
                result["rest_pss"], result["rest_rss"] = memory_kib(t.pid)
                if idle_seconds:
                    result["idle_cpu"], result["idle_switches"] = cpu, switches
                result.update(status_after_rest(t))
            t.signal(signal.SIGTERM)
            t.wait(timeout=60)
    result["start"] = statistics.median(runs)
    result["floor"] = statistics.median(floors)
    result["overhead"] = statistics.median(overheads)
    return result


def minor_faults(pid):
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2:].split()[7])


def status_after_rest(t):
    """What giving pages back costs the next request: `tendctl status` timed and
    tend's minor faults counted right after another status (warm) and once tend
    is at rest again (its pages released); five of each, medians."""
    def one():
        faults = minor_faults(t.pid)
        begin = time.perf_counter()
        t.ctl("status", check=True)
        return time.perf_counter() - begin, minor_faults(t.pid) - faults
    warm, cold = [], []
    for _ in range(5):
        t.idle_over(0)
        cold.append(one())
        warm.append(one())
    pss, _ = memory_kib(t.pid)
    return {"status_warm": statistics.median(w[0] for w in warm), "faults_warm": statistics.median(w[1] for w in warm),
            "status_cold": statistics.median(c[0] for c in cold), "faults_cold": statistics.median(c[1] for c in cold),
            "status_pss": pss}


def bench_restart_gap(helpers):
    count = 200
    with tempfile.TemporaryDirectory() as d:
        floor_file = Path(d) / "floor"
        subprocess.run([str(helpers / "restart_floor"), str(count), str(helpers / "stamp"), str(floor_file)], check=True)
        floor = gaps(floor_file)
    with Tend(f"""
        services:
          flap:
            command: [{helpers / 'stamp'}, $DIR/stamps]
            restart: always
            min_uptime: 0
            max_restarts: -1
            backoff: {{initial: 0, max: 0}}
    """) as t:
        wait_for(lambda: t.read("stamps").count("\n") >= count, timeout=60, what="restarts")
        t.signal(signal.SIGTERM)
        t.wait()
        tend_gaps = gaps(t.file("stamps"))
    return statistics.median(tend_gaps), statistics.median(floor)


def gaps(path):
    stamps = [tuple(map(int, line.split())) for line in Path(path).read_text().splitlines()]
    return [(b[0] - a[1]) / 1e6 for a, b in zip(stamps, stamps[1:])]


def bench_shutdown(helpers):
    n = 100
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([str(helpers / "shutdown_floor"), str(n), str(helpers / "term_sleeper"), f"{d}/up"],
                             capture_output=True, text=True, check=True).stdout
        floor = float(out)
    service = f"    command: [{helpers / 'term_sleeper'}, $DIR/up]\n    min_uptime: 0\n"
    config = "settings:\n  kill_grace: 1s\nservices:\n" + "".join(f"  s{i}:\n{service}" for i in range(n))
    with Tend(config) as t:
        wait_for(lambda: t.read("up").count("x") == n, timeout=60, what="100 services up")
        begin = time.monotonic()
        t.signal(signal.SIGTERM)
        code = t.wait(timeout=60)
        return time.monotonic() - begin, code, floor


STORM = r"""
import os, sys, time
for i in range(2000):
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
open(sys.argv[1], "w").write(repr(time.monotonic()))
time.sleep(1000)
"""


def bench_storm():
    with Tend("""
        services:
          storm:
            command: [/usr/bin/python3, $DIR/storm.py, $DIR/done]
            min_uptime: 0
    """, files={"storm.py": STORM}) as t:
        most = 0
        ns = os.readlink(f"/proc/{t.pid}/ns/pid")
        last_zombie_seen = None
        while not t.read("done"):
            most = max(most, len(t.zombies()))
        end = float(t.read("done"))
        while True:
            z = t.zombies()
            most = max(most, len(z))
            now = time.monotonic()
            if not z:
                break
            last_zombie_seen = now
            if now - end > 5:
                break
        t.signal(signal.SIGTERM)
        t.wait()
        return (0.0 if last_zombie_seen is None else max(0.0, last_zombie_seen - end)), most


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=20.0, help="idle measurement seconds (at N=100)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        helpers = Path(d)
        compile_helpers(helpers)
        for n in (100, 500):
            r = bench_start(n, helpers, args.idle if n == 100 else 0)
            net_tend, net_floor = r["start"] - r["overhead"], r["floor"] - r["overhead"]
            print(f"N={n}: start-to-running {r['start'] * 1000:.1f} ms, posix_spawn floor {r['floor'] * 1000:.1f} ms "
                  f"(both include {r['overhead'] * 1000:.1f} ms of unshare); net {net_tend * 1000:.1f} vs "
                  f"{net_floor * 1000:.1f} ms, ratio {net_tend / net_floor:.2f}x (target <= 1.3x)")
            print(f"N={n}: tend PSS {r['pss'] / 1024:.2f} MiB, RSS {r['rss'] / 1024:.2f} MiB right after start; "
                  f"at rest PSS {r['rest_pss'] / 1024:.2f} MiB, RSS {r['rest_rss'] / 1024:.2f} MiB; "
                  f"right after a status PSS {r['status_pss'] / 1024:.2f} MiB")
            print(f"N={n}: tendctl status {r['status_warm'] * 1000:.2f} ms with tend warm ({r['faults_warm']:.0f} minor "
                  f"faults in tend), {r['status_cold'] * 1000:.2f} ms at rest ({r['faults_cold']:.0f} faults)")
            if "idle_cpu" in r:
                print(f"N={n}: idle {args.idle:.0f} s at rest: {r['idle_cpu']:.2f} CPU s, {r['idle_switches']} context switches")
        gap, floor = bench_restart_gap(helpers)
        print(f"restart gap (exit to next start, median of 200): tend {gap:.2f} ms, posix_spawn+waitpid floor "
              f"{floor:.2f} ms (target < 10 ms)")
        elapsed, code, floor = bench_shutdown(helpers)
        print(f"shutdown of 100 services that exit 0.5 s after SIGTERM: tend {elapsed:.3f} s to exit (code {code}), "
              f"kill+waitpid floor {floor:.3f} s (target < 0.6 s)")
        lag, most = bench_storm()
        print(f"2000-orphan storm: last zombie seen {lag * 1000:.1f} ms after the storm's end "
              f"(polling /proc, resolution a few ms), at most {most} zombies at once (target < 10 ms)")


if __name__ == "__main__":
    main()
