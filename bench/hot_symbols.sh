#!/bin/bash
# Writes src/tend/hot_symbols.txt: the functions of tend that a running tend
# calls (starting services, their output, restarts, a health check, a
# dependency, tendctl's status, logs, restart, stop, start and reload, then
# SIGTERM), for the linker to place side by side (meson option hot_order).
# Run after a change that renames or adds much of what runs; a stale list
# costs resident memory, never correctness. Needs valgrind. Run as root:
#
#     bash bench/hot_symbols.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
tend=$PWD/$build/src/tend
tendctl=$PWD/$build/src/tendctl
work=$(mktemp -d /tmp/tend-hot-XXXXXX)
trap 'rm -rf "$work"' EXIT
{
    echo "settings:"
    echo "  control_socket: $work/tend.sock"
    echo "services:"
    for i in $(seq 0 49); do printf '  s%d:\n    command: [sleep, "100000"]\n' "$i"; done
    for i in $(seq 0 9); do printf '  talk%d:\n    command: [sh, -c, "while :; do echo line; sleep 0.05; done"]\n' "$i"; done
    printf '  flaky:\n    command: [sh, -c, "sleep 0.3; exit 3"]\n    restart: always\n'
    printf '  web:\n    command: [sleep, "100000"]\n    depends_on: [s0]\n    health:\n      exec: [true]\n      interval: 1s\n'
} > "$work/tend.yaml"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/calls" "$tend" -c "$work/tend.yaml" > "$work/log" 2>&1 &
traced=$!
for _ in $(seq 1 300); do
    "$tendctl" -s "$work/tend.sock" status > /dev/null 2>&1 && break
    sleep 0.2
done
# Until flaky has failed and been restarted twice (web's health check runs every
# second meanwhile, the talkers print); bounded, as valgrind is slow.
for _ in $(seq 1 100); do
    [ "$(grep -c 'flaky: .*-> backoff' "$work/log")" -ge 2 ] && break
    sleep 0.2
done
for command in status "status --json" "logs talk0" "restart s1" "stop s2" "start s2" reload; do
    # shellcheck disable=SC2086
    "$tendctl" -s "$work/tend.sock" $command > /dev/null 2>&1 || true
done
# Until the restarted and started services run again.
for _ in $(seq 1 100); do
    [ "$("$tendctl" -s "$work/tend.sock" status s1 s2 2>/dev/null | grep -c RUNNING)" -eq 2 ] && break
    sleep 0.2
done
# Then quiet: with the busy services stopped, tend gives back its pages a second
# after its last event (src/process/code_pages.cpp); what runs after that, and
# the status that wakes it, belong in the list too. Waits (bounded) for tend's
# context switches to stop for 2 s, which the release itself ends.
for name in flaky web talk0 talk1 talk2 talk3 talk4 talk5 talk6 talk7 talk8 talk9; do
    "$tendctl" -s "$work/tend.sock" stop "$name" > /dev/null 2>&1 || true
done
switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$traced/status"; }
quiet() {
    for _ in $(seq 1 30); do
        before=$(switches)
        sleep 2
        [ "$(switches)" = "$before" ] && return
    done
}
quiet
# Everything so far in one profile; from here on, what a running tend does
# after it gave its pages back (a status, a restart, a service's death, the
# next release) in a second one, whose functions the list names first: laid
# side by side at the front, they are what faults back in at rest.
callgrind_control -d "$traced" > /dev/null 2>&1
"$tendctl" -s "$work/tend.sock" status > /dev/null 2>&1 || true
"$tendctl" -s "$work/tend.sock" restart s3 > /dev/null 2>&1 || true
pkill -KILL -P "$traced" -f "sleep 100000" -n || true
for _ in $(seq 1 100); do
    [ "$("$tendctl" -s "$work/tend.sock" status 2>/dev/null | grep -c RUNNING)" -ge 50 ] && break
    sleep 0.2
done
quiet
"$tendctl" -s "$work/tend.sock" status > /dev/null 2>&1 || true
callgrind_control -d "$traced" > /dev/null 2>&1
kill -TERM "$traced"
wait "$traced" || true
grep -q "RUNNING\|-> running" "$work/log" || { echo "tend did not start its services:" >&2; cat "$work/log" >&2; exit 1; }
# Every function named in the profile that tend's binary defines, by its
# mangled name (what the linker orders).
# The steady profile is the second dump (calls.2; calls.1 is the first, calls the end).
names() { grep -hE "^c?fn=\([0-9]+\) " "$@" | sed -E "s/^c?fn=\(([0-9]+)\) //" | sort -u; }
nm --defined-only "$tend" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u > "$work/defined"
[ -s "$work/calls.2" ] || { echo "no steady profile ($work/calls.2): callgrind_control -d failed" >&2; exit 1; }
names "$work/calls.2" | comm -12 - "$work/defined" > "$work/steady"
names "$work"/calls* | comm -12 - "$work/defined" | comm -23 - "$work/steady" > "$work/rest"
cat "$work/steady" "$work/rest" > src/tend/hot_symbols.txt
echo "src/tend/hot_symbols.txt: $(wc -l < src/tend/hot_symbols.txt) functions, the first $(wc -l < "$work/steady") what a running tend does"
