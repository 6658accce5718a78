#!/bin/sh
# Builds tend and runs every test (unit and end-to-end) twice: in the release
# tree, and in a tree built with AddressSanitizer and UndefinedBehaviorSanitizer
# (meson -Dsanitize=true), where any sanitizer report is a failure; and runs
# each libFuzzer target for 45 s (a finding is a failure). Prints the total as
# `N passed, N failed`. Run as root from the repository's top directory.
#
# The three trees are built first, with -Dwerror=true: a warning fails CI (and
# only CI: a plain `meson setup` keeps warnings warnings, so a newer compiler's
# new warning does not stop someone building from source). Then each tree's
# tests, one tree after the other: the end-to-end files mostly wait on processes
# and deadlines, so several run at a time (the three that fork thousands of
# processes alone, first: tests/meson.build); the package's build runs at the
# lowest CPU priority. Two trees at once was tried and not kept: on two cores the
# sanitizer tree's timing checks then see a machine too loaded to mean anything.
set -u
cd "$(dirname "$0")/.."
start=$(date +%s)
# Where CI's time goes: each phase's start, in seconds since this script began.
phase() { echo "== run-all: $1 at $(( $(date +%s) - start )) s"; }

setup() {  # setup DIR [meson options...]
    dir=$1
    shift
    if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
}

# The release tree compiles file by file, so a missing #include fails here; the
# other two compile twelve sources as one (--unity, as the quick start and the
# package do), which halves their build: the sanitizer tree 396 s instead of
# about 12 min on two cores.
unity="-Dunity=on -Dunity_size=12"
phase "release build"
setup build -Dwerror=true || exit 1
ninja -C build || exit 1
phase "sanitizer build"
setup build-sanitize -Dwerror=true -Dsanitize=true --buildtype=debugoptimized $unity || exit 1
ninja -C build-sanitize || exit 1
phase "fuzz build"
# The fuzz targets, built by clang (tests/fuzz).
if [ -d build-fuzz ]; then
    meson setup --reconfigure build-fuzz -Dwerror=true -Dfuzz=true $unity >/dev/null || exit 1
else
    CXX=clang++ meson setup build-fuzz -Dwerror=true -Dfuzz=true --buildtype=debugoptimized $unity >/dev/null || exit 1
fi
ninja -C build-fuzz || exit 1

# How many test files run at once in a tree.
jobs=${TEND_TEST_JOBS:-3}

phase "release tests"
meson test -C build --print-errorlogs --num-processes "$jobs"

phase "sanitizer tests"
reports="$(pwd)/build-sanitize/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
# Reports go to files, not to the stderr a test may read or discard; every
# finding aborts the process (-fno-sanitize-recover), and summarize.py counts
# each report file as a failure.
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
TEND_TEST_SLOWDOWN=3 \
    meson test -C build-sanitize --print-errorlogs --num-processes "$jobs"

phase "fuzzing"
# 45 s each, two at a time, from their seeds.
meson test -C build-fuzz --print-errorlogs --num-processes 2

phase "summary"
/usr/bin/python3 tests/summarize.py build build-sanitize build-fuzz
