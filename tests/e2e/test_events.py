"""tendctl events: the state changes, health changes and reloads an operator
would watch, as they happen, in words and as JSON lines. A watcher that stops
reading is dropped past the connection's output bound, as any client is
(tests/unit/stream_connection_test.cpp: a slow reader's output is bounded)."""
import json
import subprocess
import threading
import time

from harness import SLOWDOWN, TENDCTL, Tend, wait_for

CONFIG = """
services:
  marker:  # restarted until a watcher shows it: then the watcher follows
    command: [sleep, '1000']
    min_uptime: 0
  web:
    command: [sleep, '1000']
    min_uptime: 0
  checked:
    command: [sleep, '1000']
    min_uptime: 0
    health: {exec: [test, -e, $DIR/healthy], interval: 200ms, retries: 1}
"""


class Watcher:
    """`tendctl events` running beside the test, its lines collected as they come
    by a thread, so a wait for a line that never comes ends at its deadline."""

    def __init__(self, t, *options):
        self.process = subprocess.Popen([TENDCTL, "-s", t.socket, *options, "events"], stdout=subprocess.PIPE,
                                        text=True)
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()
        self._following(t)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _following(self, t):
        """Returns once the watcher prints events. A restart that ended before its
        request reached tend shows nothing, so `marker` is restarted until one shows."""
        deadline = time.monotonic() + 30 * SLOWDOWN
        while True:
            t.ctl("restart", "marker", check=True)
            try:
                return wait_for(lambda: any("marker" in line for line in self.lines), 2)
            except AssertionError:
                assert time.monotonic() < deadline, "tendctl events printed no restart of marker"

    def until(self, predicate, what):
        return wait_for(lambda: predicate(list(self.lines)) and list(self.lines), 10, what=f"{what} in {self.lines}")

    def close(self):
        self.process.kill()
        self.process.wait()


def up(t):
    """`web` running and `checked` started. `checked` fails its check until the test
    creates the file, so it spends most of each run "unhealthy" and is "running"
    only between a spawn and its first check: a poll may never see it there."""
    def ready():
        status = t.status() or {}
        return (status.get("web", {}).get("state") == "running"
                and status.get("checked", {}).get("state") in ("running", "unhealthy"))
    wait_for(ready, 10, what="web running and checked started")


def test_events_in_words_show_a_restart_as_it_happens():
    with Tend(CONFIG) as t:
        up(t)
        watcher = Watcher(t)
        try:
            t.ctl("restart", "web", check=True)
            lines = watcher.until(lambda ls: any("web: starting -> running" in l for l in ls), "web running again")
            assert any("web: running -> stopping" in l for l in lines), lines
            assert any("web: stopping -> stopped" in l or "web: stopping -> starting" in l for l in lines), lines
        finally:
            watcher.close()


def test_events_as_json_lines_carry_health_and_reload():
    with Tend(CONFIG) as t:
        up(t)
        watcher = Watcher(t, "--json")
        try:
            t.file("healthy").write_text("")
            events = lambda ls: [json.loads(l) for l in ls]
            watcher.until(lambda ls: any(e["kind"] == "health" and e["to"] == "healthy" for e in events(ls)),
                          "a health event")
            health = [e for e in events(watcher.lines) if e["kind"] == "health"][-1]
            # A failed check restarts it, and its check starts over: "starting" or "unhealthy" before.
            assert health["service"] == "checked" and health["from"] in ("starting", "unhealthy"), health
            assert health["time"][:4].isdigit() and health["time"][10] == "T", health
            t.ctl("reload", check=True)
            watcher.until(lambda ls: any(e["kind"] == "reload" for e in events(ls)), "a reload event")
        finally:
            watcher.close()
