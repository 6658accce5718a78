#!/bin/sh
# Builds tend and runs every test (unit and end-to-end) twice: in the release
# tree, then in a tree built with AddressSanitizer and UndefinedBehaviorSanitizer
# (meson -Dsanitize=true), where any sanitizer report is a failure; then runs
# each libFuzzer target for 45 s (a finding is a failure). Prints the total as
# `N passed, N failed`. Run as root from the repository's top directory.
set -u
cd "$(dirname "$0")/.."

setup() {  # setup DIR [meson options...]
    dir=$1
    shift
    if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
}

setup build || exit 1
ninja -C build || exit 1
meson test -C build --print-errorlogs

setup build-sanitize -Dsanitize=true --buildtype=debugoptimized || exit 1
ninja -C build-sanitize || exit 1
reports="$(pwd)/build-sanitize/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
# Reports go to files, not to the stderr a test may read or discard; every
# finding aborts the process (-fno-sanitize-recover), and summarize.py counts
# each report file as a failure.
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
TEND_TEST_SLOWDOWN=3 \
    meson test -C build-sanitize --print-errorlogs

# The fuzz targets, 45 s each, two at a time, from their seeds (tests/fuzz; clang builds this tree).
if [ -d build-fuzz ]; then
    meson setup --reconfigure build-fuzz -Dfuzz=true >/dev/null || exit 1
else
    CXX=clang++ meson setup build-fuzz -Dfuzz=true --buildtype=debugoptimized >/dev/null || exit 1
fi
ninja -C build-fuzz || exit 1
meson test -C build-fuzz --print-errorlogs

/usr/bin/python3 tests/summarize.py build build-sanitize build-fuzz
