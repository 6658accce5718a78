#!/usr/bin/env python3
"""`supervisorctl status` of 100 services against tend and against a real
supervisord running the same services, in the same run, next to
supervisorctl's own floor: `supervisorctl -s http://127.0.0.1:1 version`,
which starts, finds nothing listening and exits (Python's start-up and the
client's imports, no server). Times are hyperfine's (`-N`, warm-up runs
first), in `--rounds` rounds that take the two servers in turn, first one then
the other, so a change of the machine's load weighs on both alike. On a busy
machine the wall times are noisy; the CPU times are steadier: supervisorctl's
own (hyperfine's user + system) and each server's per call, read from
/proc/PID/schedstat around its runs.
Prints figures and ratios; asserts nothing. Needs root (tend runs as PID 1 of
a PID namespace), supervisord and hyperfine.

    /usr/bin/python3 bench/supervisorctl_bench.py [--services 100] [--runs 10] [--rounds 3]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import xmlrpc.client
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from harness import Tend, free_ports, wait_for  # noqa: E402
from test_supervisorctl_compare import Supervisord, tend_config  # noqa: E402


def cpu_ns(pid):
    """Time the process's threads spent on a CPU."""
    return sum(int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
               for task in os.listdir(f"/proc/{pid}/task"))


def all_running(url, n):
    try:
        infos = xmlrpc.client.ServerProxy(f"{url}/RPC2").supervisor.getAllProcessInfo()
    except OSError:
        return False
    return len(infos) == n and all(i["statename"] == "RUNNING" for i in infos)


def hyperfine(command, runs, warmup, ignore_failure=False):
    """The wall times in ms of `command`'s runs with hyperfine -N, and its mean CPU time (user and system) in ms."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        run = subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                              *(["-i"] if ignore_failure else []), "--export-json", out.name, " ".join(command)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit(f"hyperfine failed: {run.stderr}")
        result = json.loads(Path(out.name).read_text())["results"][0]
        return [t * 1000 for t in result["times"]], (result["user"] + result["system"]) * 1000


def mean_sd(times):
    return statistics.mean(times), statistics.stdev(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10, help="runs of each command per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    for program in ("supervisord", "supervisorctl", "hyperfine"):
        if shutil.which(program) is None:
            sys.exit(f"{program} is not installed")
    services = {f"s{i:03}": ("exec sleep 1000", True, 1) for i in range(args.services)}
    sv_port, tend_port = free_ports(2)
    supervisord = Supervisord(sv_port, 5, services)
    tend = None
    try:
        # tend's log at warning: its lines of 100 starts are not what is measured.
        config = tend_config(f"127.0.0.1:{tend_port}", 5, services)
        tend = Tend(config.replace("settings:\n", "settings:\n  log_level: warning\n"))
        urls = {"supervisord": f"http://127.0.0.1:{sv_port}", "tend": f"http://127.0.0.1:{tend_port}"}
        for url in urls.values():
            wait_for(lambda: all_running(url, args.services), 120, interval=0.2, what=f"{url}: every service running")
        ctl_conf = supervisord.dir / "supervisorctl.conf"
        ctl_conf.write_text("[supervisorctl]\n")
        ctl = ["supervisorctl", "-c", str(ctl_conf), "-s"]
        print("load average before: %.2f %.2f %.2f" % os.getloadavg())
        servers = [("supervisord", supervisord.process.pid), ("tend", tend.pid)]
        times = {"floor": [], "supervisord": [], "tend": []}
        client_cpu = {"floor": [], "supervisord": [], "tend": []}
        server_cpu = {"supervisord": 0, "tend": 0}
        for round_ in range(args.rounds):
            wall, cpu = hyperfine(ctl + ["http://127.0.0.1:1", "version"], args.runs, args.warmup, ignore_failure=True)
            times["floor"] += wall
            client_cpu["floor"].append(cpu)
            for name, pid in servers if round_ % 2 == 0 else reversed(servers):
                before = cpu_ns(pid)
                wall, cpu = hyperfine(ctl + [urls[name], "status"], args.runs, args.warmup)
                server_cpu[name] += cpu_ns(pid) - before
                times[name] += wall
                client_cpu[name].append(cpu)
        floor, floor_sd = mean_sd(times["floor"])
        floor_cpu = statistics.mean(client_cpu["floor"])
        print(f"supervisorctl floor (version, nothing listening): {floor:.1f} ± {floor_sd:.1f} ms; "
              f"its CPU {floor_cpu:.1f} ms")
        work = {}
        for name, _ in servers:
            mean, sd = mean_sd(times[name])
            server_ms = server_cpu[name] / ((args.runs + args.warmup) * args.rounds) / 1e6
            ctl_ms = statistics.mean(client_cpu[name])
            work[name] = ctl_ms + server_ms
            print(f"status of {args.services} against {name}: {mean:.1f} ± {sd:.1f} ms ({mean / floor:.2f}x the "
                  f"floor); supervisorctl's CPU {ctl_ms:.1f} ms ({ctl_ms - floor_cpu:.1f} over the floor's), "
                  f"{name}'s CPU per call {server_ms:.2f} ms")
        sv, td = statistics.mean(times["supervisord"]), statistics.mean(times["tend"])
        print(f"tend / supervisord: wall {td / sv:.2f}x; CPU of client and server {work['tend']:.1f} / "
              f"{work['supervisord']:.1f} ms = {work['tend'] / work['supervisord']:.2f}x")
        print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    finally:
        if tend:
            tend.kill()
        supervisord.kill()
        shutil.rmtree(supervisord.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
