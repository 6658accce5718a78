"""SIGTERM to PID 1: reverse dependency order, stop_timeout, the sweep, exit codes."""
import os
import signal
import subprocess
import time

from harness import SLOWDOWN, TEND, Tend, proc_stat, wait_for


def stoppable(name, extra=""):
    # Records its own stop in a shared file, so the order is seen from the services' side.
    return f"""
          {name}:
            command: "trap 'echo {name} >> $DIR/stops; exit 0' TERM; echo {name} >> $DIR/starts; while :; do sleep 0.05; done"
            min_uptime: 100ms
{extra}"""


def test_sigterm_stops_services_in_reverse_dependency_order():
    config = "services:" + stoppable("db") + stoppable("app", "            depends_on: [db]\n") + \
        stoppable("web", "            depends_on: [app]\n") + stoppable("cache")
    with Tend(config) as t:
        wait_for(lambda: len(t.read("starts").split()) == 4, what="four services to start")
        starts = t.read("starts").split()
        assert starts.index("db") < starts.index("app") < starts.index("web")
        t.wait_log("web: starting -> running")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        stops = t.read("stops").split()
        assert sorted(stops) == ["app", "cache", "db", "web"]
        assert stops.index("web") < stops.index("app") < stops.index("db")


def test_a_service_ignoring_sigterm_is_killed_after_stop_timeout_and_tend_exits_1():
    with Tend("""
        settings:
          shutdown_timeout: 30s
        services:
          stubborn:
            command: "trap '' TERM; echo up > $DIR/up; while :; do sleep 0.05; done"
            stop_timeout: 1s
          polite:
            command: [sleep, '1000']
    """) as t:
        wait_for(lambda: t.read("up"), what="the service to start")
        start = time.monotonic()
        t.signal(signal.SIGTERM)
        code = t.wait()
        elapsed = time.monotonic() - start
        assert code == 1, "a service needed SIGKILL"
        assert 1.0 <= elapsed < 3.0 * SLOWDOWN, f"stop_timeout 1s, then SIGKILL at once (took {elapsed:.2f}s)"
        assert "stubborn: stopping -> stopped: signal SIGKILL" in t.log
        assert "polite: stopping -> stopped: signal SIGTERM" in t.log


def test_a_service_counts_as_stopped_only_when_its_whole_group_is_gone():
    # The leader exits on SIGTERM at once; its child in the same group ignores
    # SIGTERM and must be SIGKILLed after stop_timeout before the service is stopped.
    with Tend("""
        services:
          leader:
            command: "sh -c 'trap \\"\\" TERM; echo $$$$ > $DIR/child; while :; do sleep 0.05; done' & wait"
            stop_timeout: 700ms
            min_uptime: 5s
    """) as t:
        wait_for(lambda: t.read("child"), what="the child to start")
        start = time.monotonic()
        t.signal(signal.SIGTERM)
        assert t.wait() == 1
        assert time.monotonic() - start >= 0.7
        log = t.log
        assert log.index("leader: starting -> stopping") < log.index("leader: stopping -> stopped: signal SIGTERM")


def test_a_grandchild_that_escaped_with_setsid_gets_sigterm_in_the_sweep():
    # Its parent (the subshell) is gone before the stop, so no walk from the main
    # process finds it: only the sweep does (a stop reaches the ones it can find).
    with Tend("""
        settings:
          kill_grace: 2s
        services:
          parent:
            command: "(setsid sh -c 'trap \\"echo swept > $DIR/escapee; exit 0\\" TERM; echo up > $DIR/escapee; while :; do sleep 0.05; done' &); exec sleep 1000"
    """) as t:
        wait_for(lambda: t.read("escapee") == "up\n", what="the escapee to start")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        assert t.read("escapee") == "swept\n", "the sweep sent SIGTERM, not the kernel's SIGKILL"


def test_not_pid_1_the_sweep_reaches_escaped_descendants_and_nothing_else(tmp_path):
    # tend as a plain process (a subreaper): an escaped grandchild must still be gone
    # after tend exits, and an unrelated process of ours must survive.
    bystander = subprocess.Popen(["sleep", "1000"])
    config = tmp_path / "tend.yaml"
    config.write_text(f"""
settings:
  kill_grace: 300ms
services:
  parent:
    command: "(setsid sh -c 'trap \\"\\" TERM; echo $$$$ > {tmp_path}/escapee; while :; do sleep 0.05; done' &); exec sleep 1000"
""")
    tend = subprocess.Popen([TEND, "-c", str(config)], stderr=subprocess.PIPE, text=True)
    try:
        escapee = int(wait_for(lambda: (tmp_path / "escapee").exists() and (tmp_path / "escapee").read_text().strip(),
                               what="the escapee"))
        tend.send_signal(signal.SIGTERM)
        assert tend.wait(timeout=10) == 0
        assert proc_stat(escapee) is None, "the escaped grandchild was killed and reaped"
        assert bystander.poll() is None, "kill(-1) was not used outside a PID namespace"
    finally:
        bystander.kill()
        bystander.wait()
        tend.kill()


def test_a_repeated_sigterm_changes_nothing():
    with Tend("""
        services:
          slow:
            command: "trap 'sleep 0.5; exit 0' TERM; echo up > $DIR/up; while :; do sleep 0.05; done"
            stop_timeout: 5s
    """) as t:
        wait_for(lambda: t.read("up"), what="start")
        t.signal(signal.SIGTERM)
        t.wait_log("slow: starting -> stopping")
        t.signal(signal.SIGTERM)
        t.signal(signal.SIGTERM)
        assert t.wait() == 0, "the service still stopped cleanly, with no SIGKILL"
        assert "SIGKILL" not in t.log


def test_a_second_sigint_skips_the_grace_period():
    with Tend("""
        services:
          stubborn:
            command: "trap '' TERM INT; echo up > $DIR/up; while :; do sleep 0.05; done"
            stop_timeout: 20s
    """) as t:
        wait_for(lambda: t.read("up"), what="start")
        t.signal(signal.SIGINT)
        t.wait_log("stubborn: starting -> stopping")
        start = time.monotonic()
        t.signal(signal.SIGINT)
        t.wait(timeout=5)
        assert time.monotonic() - start < 2 * SLOWDOWN, "no 20s grace after the second SIGINT"
        assert "Second SIGINT" in t.log


def test_shutdown_timeout_bounds_the_whole_shutdown():
    with Tend("""
        settings:
          shutdown_timeout: 1s
        services:
          stubborn:
            command: "trap '' TERM; echo up > $DIR/up; while :; do sleep 0.05; done"
            stop_timeout: 30s
    """) as t:
        wait_for(lambda: t.read("up"), what="start")
        start = time.monotonic()
        t.signal(signal.SIGTERM)
        assert t.wait() == 1
        assert time.monotonic() - start < 2.5 * SLOWDOWN
        assert "Shutdown took longer than shutdown_timeout 1s" in t.log


def test_a_critical_service_exit_shuts_tend_down_with_its_exit_code():
    with Tend("""
        services:
          main:
            command: "echo up > $DIR/up; sleep 0.3; exit 7"
            critical: true
            restart: never
          sidecar:
            command: "trap 'echo sidecar >> $DIR/stops; exit 0' TERM; while :; do sleep 0.05; done"
    """) as t:
        assert t.wait() == 7
        assert t.read("stops") == "sidecar\n", "the other services were stopped in order"
        assert "Shutting down: critical service main ended" in t.log


def test_a_critical_service_killed_by_a_signal_gives_128_plus_n():
    with Tend("""
        services:
          main:
            command: "kill -USR1 $$$$"
            critical: true
            restart: never
    """) as t:
        assert t.wait() == 128 + signal.SIGUSR1


def test_a_critical_service_that_goes_fatal_shuts_tend_down():
    with Tend("""
        services:
          main:
            command: "exit 4"
            critical: true
            max_restarts: 1
            backoff: {initial: 10ms}
    """) as t:
        assert t.wait() == 4
        assert "main: starting -> fatal" in t.log
