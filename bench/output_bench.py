#!/usr/bin/env python3
"""Throughput of captured output: 10 writers through tend into a file, against
the same 10 writers writing straight into a file, alternating in one run.
Reports lines/s, MB/s, the ratio (target: tend at least 85% of direct) and
tend's CPU time per MB of output. Prints figures; asserts nothing.

    /usr/bin/python3 bench/output_bench.py [lines-per-writer]

EXTRA, if set, is appended to each service's definition, e.g.
EXTRA=$'    log_buffer_lines: 0\n' to see what the ring of last lines costs;
SETTINGS to the settings, e.g. SETTINGS=$'  log_format: json\n'.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from harness import TEND  # noqa: E402

WRITERS = 10
LINES = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
TEXT = "w{i} line %.0f of a numbered stream, padded to a typical log line length ....."


def writer_argv(i):
    return ["seq", "-f", TEXT.format(i=i), "1", str(LINES)]


def payload_bytes():
    """Bytes the writers produce (without tend's 'wN | ' prefixes)."""
    total = 0
    for i in range(WRITERS):
        fixed = len(TEXT.format(i=i).replace("%.0f", "")) + 1
        total += fixed * LINES + sum(len(str(n)) for n in range(1, LINES + 1))
    return total


def direct(out_path):
    begin = time.perf_counter()
    with open(out_path, "ab") as out:
        procs = [subprocess.Popen(writer_argv(i), stdout=out) for i in range(WRITERS)]
        for p in procs:
            p.wait()
    return time.perf_counter() - begin


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def through_tend(work, out_path, expected):
    config = work / "tend.yaml"
    body = "".join(
        f"  w{i}:\n    command: {writer_argv(i)!r}\n    restart: never\n    min_uptime: 0\n" + os.environ.get("EXTRA", "") for i in range(WRITERS))
    config.write_text("settings:\n  log_level: warning\n" + os.environ.get("SETTINGS", "") + "  control_socket: " + str(work / "tend.sock") +
                      "\nservices:\n" + body.replace("'", '"'))
    with open(out_path, "wb") as out:
        begin = time.perf_counter()
        tend = subprocess.Popen([TEND, "-c", str(config)], stdout=out, stderr=subprocess.DEVNULL)
        while os.path.getsize(out_path) < expected:
            time.sleep(0.002)
            if tend.poll() is not None:
                raise SystemExit("tend exited early")
        elapsed = time.perf_counter() - begin
        cpu = cpu_seconds(tend.pid)
        tend.terminate()
        tend.wait(timeout=60)
    return elapsed, cpu


def main():
    work = Path(tempfile.mkdtemp(prefix="tend-output-bench-"))
    raw = payload_bytes()
    if "json" in os.environ.get("SETTINGS", ""):
        sample = '{{"line":"","service":"w{i}","stream":"stdout","time":"2026-11-23T18:00:00.000Z"}}'
        prefixed = raw + sum(len(sample.format(i=i)) for i in range(WRITERS)) * LINES
    else:
        prefixed = raw + sum(len(f"w{i} | ") for i in range(WRITERS)) * LINES
    lines = WRITERS * LINES
    direct_s, tend_s, cpu_s = [], [], []
    for round_ in range(3):
        path = work / f"direct{round_}.log"
        direct_s.append(direct(path))
        assert os.path.getsize(path) == raw, (os.path.getsize(path), raw)
        path.unlink()
        path = work / f"tend{round_}.log"
        elapsed, cpu = through_tend(work, path, prefixed)
        tend_s.append(elapsed)
        cpu_s.append(cpu)
        path.unlink()
    d, t, c = statistics.median(direct_s), statistics.median(tend_s), statistics.median(cpu_s)
    mb = raw / 1e6
    print(f"{WRITERS} writers x {LINES} lines, {mb:.1f} MB of lines (median of 3 alternating rounds)")
    print(f"  direct to a file : {d:6.3f} s  {lines / d:12,.0f} lines/s  {mb / d:7.1f} MB/s")
    print(f"  through tend     : {t:6.3f} s  {lines / t:12,.0f} lines/s  {mb / t:7.1f} MB/s"
          f"  (includes tend's start, ~{prefixed / 1e6:.1f} MB written with prefixes)")
    print(f"  tend / direct    : {d / t * 100:5.1f}% of the direct rate (target >= 85%)")
    print(f"  tend CPU         : {c:.3f} s, {c / mb * 1000:.2f} ms per MB")


if __name__ == "__main__":
    main()
