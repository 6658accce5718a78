#!/bin/sh
# Runs one libFuzzer target for SECONDS (default 60): bench/fuzz.sh TARGET [SECONDS]
# TARGET is config, protocol, parsers, lines, import, probes, xmlrpc, cron or http. Builds build-fuzz with clang on
# first use. The corpus grows in build-fuzz/tests/fuzz/corpus-TARGET; a crash
# leaves crash-* in the current directory: turn it into a unit regression test.
set -eu
cd "$(dirname "$0")/.."
target=${1:?usage: bench/fuzz.sh config|protocol|parsers|lines|import|probes|xmlrpc|cron|http [SECONDS]}
seconds=${2:-60}
if [ ! -d build-fuzz ]; then
    CXX=clang++ meson setup build-fuzz -Dfuzz=true --buildtype=debugoptimized >/dev/null
fi
meson configure build-fuzz -Dfuzz_seconds="$seconds" >/dev/null
ninja -C build-fuzz "tests/fuzz/fuzz-$target"
exec meson test -C build-fuzz --print-errorlogs "fuzz-$target"
