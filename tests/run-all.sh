#!/bin/sh
# Builds tend and runs every test (unit and end-to-end) twice: in the release
# tree (gcc), and in a tree built by clang with AddressSanitizer and
# UndefinedBehaviorSanitizer (meson -Dfuzz=true, which also instruments every
# area for libFuzzer), where any sanitizer report is a failure; and runs each
# libFuzzer target of that same tree for 45 s (a finding is a failure). Prints
# the total as `N passed, N failed`. Run as root from the repository's top
# directory.
#
# Both trees are built first, with -Dwerror=true: a warning of either compiler
# fails CI (and only CI: a plain `meson setup` keeps warnings warnings, so a
# newer compiler's new warning does not stop someone building from source).
# Then each tree's tests, one tree after the other: the end-to-end files mostly
# wait on processes and deadlines, so several run at a time (the three that
# fork thousands of processes alone, first: tests/meson.build); the package's
# build runs at the lowest CPU priority. Two trees at once was tried and not
# kept: on two cores the sanitizer tree's timing checks then see a machine too
# loaded to mean anything. One sanitizer tree for the tests and the fuzz
# targets, not one each: the libraries compile once for both (CI's longest
# phase was compiling).
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

# The release tree compiles its sources file by file, so a missing #include
# fails here; the checked tree compiles twelve as one (--unity, as the quick
# start and the package do), which halves its build on two cores. The unit
# tests compile a dozen files as one in every tree (tests/meson.build).
unity="-Dunity=on -Dunity_size=12"
phase "release build"
setup build -Dwerror=true || exit 1
ninja -C build || exit 1
phase "checked build"
# clang, the sanitizers and libFuzzer's instrumentation (tests/fuzz), at -O1
# (-O2 builds slower; the unit tests at -O0, tests/meson.build).
if [ -d build-check ]; then
    meson setup --reconfigure build-check -Dwerror=true -Dfuzz=true -Doptimization=1 $unity >/dev/null || exit 1
else
    CXX=clang++ meson setup build-check -Dwerror=true -Dfuzz=true --buildtype=debugoptimized -Doptimization=1 $unity >/dev/null || exit 1
fi
ninja -C build-check || exit 1

# A log left by an earlier run must not be read as this one's (meson test
# writes none when it stops before its first test).
rm -f build/meson-logs/testlog.json build-check/meson-logs/sanitizer.json build-check/meson-logs/fuzz.json

# How many test files run at once in a tree.
jobs=${TEND_TEST_JOBS:-3}

phase "release tests"
meson test -C build --print-errorlogs --num-processes "$jobs"

phase "sanitizer tests"
reports="$(pwd)/build-check/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
# Reports go to files, not to the stderr a test may read or discard; every
# finding aborts the process (-fno-sanitize-recover), and summarize.py counts
# each report file as a failure.
ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
TEND_TEST_SLOWDOWN=3 \
    meson test -C build-check --print-errorlogs --num-processes "$jobs" --no-suite fuzz --logbase sanitizer

phase "fuzzing"
# 45 s each, two at a time, from their seeds.
meson test -C build-check --print-errorlogs --num-processes 2 --suite fuzz --logbase fuzz

phase "summary"
/usr/bin/python3 tests/summarize.py build/meson-logs/testlog.json build-check/meson-logs/sanitizer.json \
    build-check/meson-logs/fuzz.json
