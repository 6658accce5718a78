#!/usr/bin/env python3
"""`tend import` on hostile sizes: a 1 MiB value, 20,000 sections, and each
shape at a quarter of that size (time should grow 4 times, not 16). Prints
the best of three runs of each, in seconds; asserts nothing.

    /usr/bin/python3 bench/import_bench.py [--build build]
"""
import argparse
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name: (full size, the file for a size)
SHAPES = {
    "a 1 MiB value": (1 << 20, lambda n: "[program:a]\ncommand=/bin/echo " + "x" * n + "\n"),
    "a 1 MiB value of %(": (1 << 20, lambda n: "[program:a]\ncommand=/bin/echo " + "%(" * (n // 2) + "\n"),
    "20,000 sections": (20000, lambda n: "".join(f"[program:p{i}]\ncommand=/bin/true\n" for i in range(n))),
}


def best_of_three(tend, path):
    times = []
    for _ in range(3):
        began = time.monotonic()
        subprocess.run([tend, "import", str(path)], capture_output=True, check=True)
        times.append(time.monotonic() - began)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(HERE.parent / "build"))
    tend = str(Path(parser.parse_args().build).resolve() / "src" / "tend")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (full, text) in SHAPES.items():
            figures = []
            for size in (full // 4, full):
                path = Path(tmp) / "s.conf"
                path.write_text(text(size))
                figures.append(best_of_three(tend, path))
            print(f"{name}: {figures[1]:.3f} s (a quarter of it: {figures[0]:.3f} s, ratio {figures[1] / figures[0]:.1f})")


if __name__ == "__main__":
    main()
