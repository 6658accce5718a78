"""Nothing waits silently: a dependant says what it waits for, and a stop is
not held by a service's frozen children."""
import json
import os
import time

from harness import SLOWDOWN, Tend, wait_for


def test_a_dependant_says_in_status_what_it_waits_for_and_logs_it_once():
    config = """
        services:
          redis:
            command: [sleep, '1000']
            min_uptime: 0
            ready: {exec: [test, -e, $DIR/ready], interval: 100ms}
          worker:
            command: [sleep, '1001']
            min_uptime: 0
            depends_on: {redis: ready}
    """
    with Tend(config) as t:
        wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")

        def waiting():
            s = t.status()
            w = s and s["worker"].get("waiting")
            return w if w and not w.endswith("(0s)") else None
        text = wait_for(waiting, 10, what="worker to say what it waits for")
        assert text.startswith("waiting for redis: not ready yet ("), text
        assert t.status()["worker"]["blocked_reason"] is None
        table = t.ctl("status").stdout
        assert "waiting for redis: not ready yet (" in table, table
        health = t.ctl("--json", "health")
        assert health.returncode != 0
        assert any(p.startswith("worker is waiting for redis: not ready yet (")
                   for p in json.loads(health.stdout)["problems"]), health.stdout
        t.file("ready").write_text("")
        wait_for(lambda: t.status()["worker"]["state"] == "running", 10, what="worker to start")
        assert t.status()["worker"]["waiting"] is None
        assert t.log.count("worker: waiting for redis: not ready yet") == 1, t.log


# Like gunicorn's arbiter: it passes SIGTERM on to its worker and waits for it.
# SIGTERM is blocked and waited for, not handled around signal.pause(): a
# SIGTERM that came between Python's check for signals and pause() would
# leave it asleep until SIGKILL (seen once in CI, the stop just after start).
FROZEN_WORKER = """
import os, signal, sys
worker = os.fork()
if worker == 0:
    os.execvp("sleep", ["sleep", "1000"])
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])  # the parent's only: the worker has exec'd or will with its own
os.kill(worker, signal.SIGSTOP)
os.waitpid(worker, os.WUNTRACED)  # frozen for sure
open(sys.argv[1], "w").write("frozen")
signal.sigwait([signal.SIGTERM])
os.kill(worker, signal.SIGTERM)
os.waitpid(worker, 0)
sys.exit(0)
"""


def test_kill_mode_process_wakes_frozen_children_so_the_stop_is_not_held():
    # The frozen worker would sleep through its SIGTERM until SIGCONT: the arbiter
    # would wait for it until SIGKILL at stop_timeout.
    config = """
        services:
          app:
            command: [/usr/bin/python3, $DIR/arbiter.py, $DIR/frozen]
            kill_mode: process
            stop_timeout: 8s
            min_uptime: 0
    """
    with Tend(config, files={"arbiter.py": FROZEN_WORKER}) as t:
        wait_for(lambda: t.file("frozen").exists(), 10, what="the frozen worker")
        began = time.monotonic()
        r = t.ctl("stop", "app", timeout=60)
        took = time.monotonic() - began
        assert r.returncode == 0, r.stderr
        assert took < 4 * SLOWDOWN, f"the stop took {took:.1f}s: {t.log}"
        # The reply and the log line are written by one event: wait for the line, briefly.
        wait_for(lambda: "app: stopping -> stopped: exit code 0" in t.log, 5, what="the stop in the log")
