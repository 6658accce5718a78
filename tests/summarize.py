#!/usr/bin/env python3
"""Adds up the test cases of `meson test` runs and prints `N passed, N failed`.

Usage: summarize.py LOG... (each `meson test` run's JSON log, BUILD/meson-logs/NAME.json;
the sanitizer reports are read from BUILD/sanitizer-reports once per tree).

Each meson test is a doctest binary or a pytest file; their own summaries give
the case counts. A test that printed no summary (it crashed or timed out) counts
as one failure.
"""
import json
import re
import sys
from pathlib import Path


def counts(entry):
    if entry.get("name", "").split(" / ")[-1].startswith("fuzz-"):  # "tend:fuzz / fuzz-config"
        # A fuzz target's run is one case: it ran its time without a finding, or it did not.
        return (1, 0) if entry.get("result") == "OK" else (0, 1)
    out = entry.get("stdout", "") or ""
    doctest = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", out)
    if doctest:
        passed, failed = int(doctest.group(2)), int(doctest.group(3))
    else:
        tail = out.strip().splitlines()[-1] if out.strip() else ""
        passed = sum(int(n) for n in re.findall(r"(\d+) passed", tail))
        failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", tail))
    if entry.get("result") != "OK" and failed == 0:
        failed = 1  # crashed, timed out, or failed without a summary
    if passed == 0 and failed == 0:
        failed = 1  # ran nothing: not a pass
    return passed, failed


def sanitizer_reports(build):
    """Each report file a sanitizer wrote during the run is one failure."""
    folder = build / "sanitizer-reports"
    reports = sorted(folder.iterdir()) if folder.is_dir() else []
    for report in reports:
        print(f"--- {report}")
        print("\n".join(report.read_text(errors="replace").splitlines()[:40]))
    return len(reports)


def main():
    logs = [Path(p) for p in sys.argv[1:]] or [Path("build/meson-logs/testlog.json")]
    total_passed = total_failed = 0
    trees_read = set()
    for log in logs:
        build = log.parent.parent
        prefix = "" if log == logs[0] else f"{build.name}/{log.stem}/"
        if not log.exists():
            print(f"{prefix}(no test log): 0 passed, 1 failed")
            total_failed += 1
            continue
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            passed, failed = counts(entry)
            print(f"{prefix}{entry['name']}: {passed} passed, {failed} failed")
            total_passed += passed
            total_failed += failed
        if build in trees_read:
            continue
        trees_read.add(build)
        reports = sanitizer_reports(build)
        if reports:
            print(f"{build.name}/sanitizer reports: 0 passed, {reports} failed")
            total_failed += reports
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
