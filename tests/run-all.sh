#!/bin/sh
# Builds tend and runs every test (unit and end-to-end), then prints the total
# as `N passed, N failed`. Run as root from the repository's top directory.
set -u
cd "$(dirname "$0")/.."
if [ -d build ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi || exit 1
ninja -C build || exit 1
meson test -C build --print-errorlogs
/usr/bin/python3 tests/summarize.py build
