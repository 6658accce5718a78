#!/usr/bin/env python3
"""Adds up the test cases of a `meson test` run and prints `N passed, N failed`.

Each meson test is a doctest binary or a pytest file; their own summaries give
the case counts. A test that printed no summary (it crashed or timed out) counts
as one failure.
"""
import json
import re
import sys
from pathlib import Path


def counts(entry):
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


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else "build")
    log = build / "meson-logs" / "testlog.json"
    total_passed = total_failed = 0
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        passed, failed = counts(entry)
        print(f"{entry['name']}: {passed} passed, {failed} failed")
        total_passed += passed
        total_failed += failed
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
