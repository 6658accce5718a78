"""Readiness, health, one-shot tasks and failure policy, with the real programs
that speak sd_notify (PostgreSQL, redis, systemd-notify) and with probes."""
import os
import shutil
import subprocess
import time

import pytest

from harness import SLOWDOWN, TEND, Tend, free_port, free_ports, wait_for
from test_real_programs import PG_BIN, postgres_dir, sh, psql

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def status(t, *names):
    # Exit 4 says a named service is not running; the JSON is printed all the same.
    wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
    result = t.status(*names)
    assert result is not None, "tend did not answer status"
    return result


def state(t, name):
    return status(t, name)[name]["state"]


@pytest.mark.skipif(not os.path.exists(f"{PG_BIN}/postgres"), reason="packaging/install-deps.sh --tests installs postgresql")
def test_postgresql_says_ready_over_sd_notify_and_its_client_starts_only_then():
    data = postgres_dir()
    out = data.parent / "app.out"  # somewhere the postgres user may write
    # The client runs its query once, without retrying: it works only if it starts after PostgreSQL accepts.
    config = f"""
        services:
          db:
            command: [{PG_BIN}/postgres, -D, {data}, -c, "listen_addresses=", -c, "unix_socket_directories={data}"]
            user: postgres
            stop_signal: INT
            min_uptime: 0
            ready: {{notify: systemd, timeout: 60s}}
          app:
            command: "{sh(data, 'select 42')} > {out} 2>&1; exec sleep 1000"
            user: postgres
            depends_on: {{db: ready}}
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("db: starting -> running", 60)
        assert "db: starting -> running (pid 2): ready" in t.log
        wait_for(lambda: out.exists() and out.read_text(), 30, what="the app's query")
        assert out.read_text().strip() == "42", out.read_text()
        # The app was started only after db said READY=1.
        assert t.log.index("db: starting -> running") < t.log.index("app: stopped -> starting")
        t.signal(15)
        assert t.wait(60) == 0, t.log


def test_redis_supervised_systemd_reports_ready_and_its_status_text():
    port = free_port()
    config = f"""
        services:
          cache:
            command: [{REDIS}, --port, "{port}", --bind, 127.0.0.1, --save, "", --appendonly, "no", --supervised, systemd,
                      --dir, $DIR]
            min_uptime: 0
            ready: {{notify: systemd, timeout: 30s}}
          worker:
            command: sleep 1000
            depends_on:
              cache: {{condition: ready}}
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("cache: starting -> running", 30)
        wait_for(lambda: status(t)["cache"]["status_text"], 10, what="redis's STATUS=")
        assert "ready to accept connections" in status(t)["cache"]["status_text"].lower()
        t.wait_log("worker: stopped -> starting")
        table = t.ctl("status", "cache").stdout
        assert "ready to accept connections" in table.lower()


def test_a_child_may_notify_only_with_notify_access_all_and_a_timeout_fails_the_start():
    # A child of the main process sends from its own pid (systemd-notify, run
    # as root, would claim its parent's pid instead; this one cannot).
    child = ("python3 -c 'import os, socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
             "s.sendto(b\\\"READY=1\\\\nSTATUS=warming up\\\", os.environ[\\\"NOTIFY_SOCKET\\\"])'")
    config = f"""
        services:
          strict:
            command: "sleep 0.2; {child}; exec sleep 1000"
            ready: {{notify: systemd, timeout: 1500ms}}
            max_restarts: 0
            min_uptime: 0
          open:
            command: "sleep 0.2; {child}; exec sleep 1000"
            ready: {{notify: systemd, notify_access: all}}
            min_uptime: 0
          tool:
            command: "sleep 0.2; systemd-notify --ready --status='from systemd-notify'; exec sleep 1000"
            ready: {{notify: systemd}}
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("open: starting -> running")
        assert status(t)["open"]["status_text"] == "warming up"
        t.wait_log("tool: starting -> running")
        assert status(t)["tool"]["status_text"] == "from systemd-notify"
        t.wait_log("not its main process", 10)
        t.wait_log("strict: stopping -> fatal: not ready within 1500ms; gave up after 1 failed start", 10)
        assert state(t, "strict") == "fatal"
        assert t.ctl("health").returncode != 0


def test_readiness_fd_tcp_http_and_log_line():
    config = """
        services:
          s6:
            command: "sleep 0.3; echo > /dev/fd/5; exec sleep 1000"
            ready: {notify: fd, fd: 5}
          tcp:
            command: [python3, -c, "import socket,time; time.sleep(0.4); s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 18766)); s.listen(); time.sleep(1000)"]
            ready: {tcp: 127.0.0.1:18766, interval: 100ms}
          http:
            command: [python3, -m, http.server, --bind, 127.0.0.1, "18767", --directory, $DIR]
            ready: {http: "http://127.0.0.1:18767/", interval: 100ms}
          words:
            command: "sleep 0.2; echo 'starting'; sleep 0.2; echo 'server listening on port 9000'; exec sleep 1000"
            ready: {log: 'listening on port \\d+'}
          after:
            command: sleep 1000
            min_uptime: 0
            depends_on: {s6: ready, tcp: ready, http: ready, words: ready}
    """
    tcp, http = free_ports(2)
    config = config.replace("18766", str(tcp)).replace("18767", str(http))
    with Tend(config, stderr="stdout") as t:  # tend's log and the services' lines in one stream, in order
        wait_for(lambda: "after: stopped -> starting" in t.output, 20, what="after to start")
        out = t.output
        for name in ("s6", "tcp", "http", "words"):
            assert f"{name}: starting -> running" in out
            assert out.index(f"{name}: starting -> running") < out.index("after: stopped -> starting")
        # The log check fired on the matching line, not on the first one.
        assert out.index("words | starting") < out.index("words | server listening") < out.index("words: starting -> running")
        assert t.ctl("health").returncode == 0, t.ctl("health").stdout


def test_a_one_shot_completes_its_dependants_wait_for_it_and_a_failure_blocks_them():
    config = """
        services:
          migrate:
            command: "sleep 0.3; echo migrated > $DIR/migrated"
            type: oneshot
            critical: true
          app:
            command: "cat $DIR/migrated > $DIR/app-saw; exec sleep 1000"
            min_uptime: 0
            depends_on: {migrate: {condition: service_completed_successfully}}
          broken:
            command: "exit 3"
            type: oneshot
            restart: never
          blocked:
            command: sleep 1000
            depends_on: {broken: completed}
          tolerant:
            command: sleep 1000
            min_uptime: 0
            depends_on: {broken: {condition: completed, required: false}}
    """
    with Tend(config) as t:
        t.wait_log("migrate: starting -> completed: exit code 0")
        wait_for(lambda: t.read("app-saw"), 10, what="the app")
        assert t.read("app-saw").strip() == "migrated"
        # A critical one-shot that succeeded is no reason to stop.
        assert t.process.poll() is None
        assert t.ctl("status", "migrate").returncode == 0
        assert "COMPLETED" in t.ctl("status").stdout
        t.wait_log("broken: starting -> failed: exit code 3")
        wait_for(lambda: state(t, "blocked") == "blocked", 5, what="blocked to be blocked")
        assert status(t)["blocked"]["blocked_reason"] == "waiting for broken: failed"
        wait_for(lambda: state(t, "tolerant") == "running", 5, what="tolerant to start anyway")
        assert t.ctl("status", "broken").returncode == 4
        assert "FAILED" in t.ctl("status").stdout


def test_a_critical_one_shot_that_fails_for_good_ends_tend_with_its_code():
    config = """
        services:
          init:
            command: "exit 7"
            type: oneshot
            critical: true
            max_restarts: 1
            backoff: {initial: 50ms}
          web:
            command: sleep 1000
    """
    with Tend(config) as t:
        assert t.wait(20) == 7, t.log
        assert "init: starting -> backoff: exit code 7; restart in 50ms" in t.log
        assert "init: starting -> failed: exit code 7; gave up after 2 failed starts" in t.log


def test_an_unhealthy_service_is_restarted_and_health_reports_it():
    # Five checks apart, stretched in the slower trees: the window in which the health
    # report must name the failing check, before the restart.
    config = f"""
        services:
          api:
            command: sleep 1000
            min_uptime: 0
            health: {{exec: "test -f $DIR/healthy || {{ echo 'no such file'; exit 1; }}", interval: {int(100 * SLOWDOWN)}ms, retries: 5}}
          consumer:
            command: sleep 1000
            min_uptime: 0
            depends_on: {{api: service_healthy}}
    """
    with Tend(config) as t:
        t.wait_log("api: health check failed (1 of 5): exit code 1: no such file")
        assert state(t, "consumer") == "stopped"  # waits for a passing check
        health = t.ctl("health")
        assert health.returncode == 1
        assert "api is unhealthy (" in health.stdout or "api has not passed its health check yet" in health.stdout
        t.wait_log("api: running -> stopping: unhealthy: health check failed 5 times: exit code 1: no such file")
        first_pid = None
        (t.dir / "healthy").write_text("")
        t.wait_log("api: healthy")
        wait_for(lambda: state(t, "consumer") == "running", 10, what="consumer to start once api is healthy")
        s = status(t)["api"]
        assert s["health"] == "healthy"
        assert s["health_check"]["failures"] == 0
        assert s["restarts"] >= 1
        assert t.ctl("health").returncode == 0


SERVER = """
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if os.path.exists(sys.argv[1]) else 503)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", 18768), H).serve_forever()
"""


def test_http_health_check_sees_the_status_code():
    config = """
        services:
          web:
            command: [python3, $DIR/server.py, $DIR/up]
            ready: {tcp: 127.0.0.1:18768, interval: 50ms}
            health: {http: "http://127.0.0.1:18768/healthz", interval: 100ms, retries: 100}
    """
    port = str(free_port())
    with Tend(config.replace("18768", port), files={"server.py": SERVER.replace("18768", port)}) as t:
        t.wait_log("web: health check failed (1 of 100): HTTP 503", 20)
        assert "health: " in t.ctl("status", "web").stdout and "HTTP 503" in t.ctl("status", "web").stdout
        (t.dir / "up").write_text("")
        t.wait_log("web: healthy", 10)


def test_a_crash_loop_over_a_window_goes_fatal_even_past_min_uptime_and_can_end_tend():
    config = """
        settings:
          exit_when: {any_fatal: true}
        services:
          flaky:
            command: "sleep 0.25; exit 1"
            min_uptime: 100ms
            max_restarts: {count: 3, within: 60s}
            backoff: {initial: 10ms}
          other:
            command: sleep 1000
    """
    with Tend(config) as t:
        assert t.wait(30) == 1, t.log
        assert "flaky: running -> fatal: exit code 1; gave up after 4 failures within 1m" in t.log
        assert "Shutting down: flaky gave up (exit_when: any_fatal)" in t.log


def test_on_fatal_shutdown_ends_tend_and_the_watchdog_restarts_a_silent_service():
    config = """
        services:
          silent:
            command: "systemd-notify --ready; exec sleep 1000"
            ready: {notify: systemd, notify_access: all, watchdog: 300ms}
            max_restarts: {count: 1, within: 1m}
            backoff: {initial: 10ms}
            on_fatal: shutdown
    """
    with Tend(config) as t:
        assert t.wait(30) == 1, t.log
        assert "silent: running -> stopping: unhealthy: no WATCHDOG=1 within 300ms; stopping it" in t.log
        assert "silent gave up (on_fatal: shutdown)" in t.log


def test_a_reload_runs_a_changed_one_shot_again_and_leaves_an_unchanged_one_completed():
    config = """
        services:
          seed:
            command: "echo run >> $DIR/seed.runs"
            type: oneshot
          schema:
            command: "echo v1 >> $DIR/schema.runs"
            type: oneshot
    """
    with Tend(config) as t:
        wait_for(lambda: state(t, "seed") == "completed" and state(t, "schema") == "completed", 10,
                 what="both one-shots to complete")
        t.config_path.write_text(t.config_path.read_text().replace("echo v1", "echo v2"))
        result = t.ctl("reload")
        assert result.returncode == 0, result.stderr
        assert "~ schema (command changed)" in result.stdout
        wait_for(lambda: t.read("schema.runs") == "v1\nv2\n", 10, what="schema to run again")
        wait_for(lambda: state(t, "schema") == "completed", 10, what="schema to complete again")
        assert t.read("seed.runs") == "run\n"
        assert state(t, "seed") == "completed"
        assert t.ctl("health").returncode == 0


def test_wait_for_a_condition_and_stop_refuses_to_pull_a_dependency_from_under_running_services():
    config = """
        services:
          db:
            command: "sleep 0.3; echo > /dev/fd/3; exec sleep 1000"
            ready: {notify: fd}
          app:
            command: sleep 1000
            min_uptime: 0
            depends_on: {db: ready}
          init:
            command: "sleep 0.2"
            type: oneshot
    """
    with Tend(config) as t:
        status(t)  # the socket is up
        assert t.ctl("wait", "db", "--for", "ready", "--timeout", "10").returncode == 0
        assert state(t, "db") == "running"
        assert t.ctl("wait", "init", "--for", "service_completed_successfully", "--timeout", "10").returncode == 0
        assert state(t, "init") == "completed"
        wait_for(lambda: state(t, "app") == "running", 10, what="app")
        bad = t.ctl("wait", "db", "--for", "alive")
        assert bad.returncode == 1 and "unknown condition 'alive'" in bad.stderr
        assert t.ctl("wait", "db", "--for", "ready", "--state", "running").returncode == 2

        refused = t.ctl("stop", "db")
        assert refused.returncode == 1
        assert "running services depend on it: app" in refused.stderr
        assert state(t, "db") == "running" and state(t, "app") == "running"
        assert t.ctl("stop", "db", "--with-dependants").returncode == 0
        assert state(t, "db") == "stopped" and state(t, "app") == "stopped"
        assert t.log.index("app: running -> stopping") < t.log.index("db: running -> stopping")


def test_a_hung_readiness_command_is_killed_at_its_timeout():
    config = """
        services:
          web:
            command: sleep 1000
            ready: {exec: "echo $$$$ >> $DIR/probe.pid; exec sleep 1000", interval: 100ms, probe_timeout: 300ms}
    """
    with Tend(config) as t:
        wait_for(lambda: t.read("probe.pid").strip(), 10, what="the first check to start")
        # It hangs; at its timeout it is killed and the next one starts.
        wait_for(lambda: len(t.read("probe.pid").split()) >= 3, 10, what="more checks")
        host_pids = [p for p in t.processes() if open(f"/proc/{p}/cmdline").read().startswith("sleep\0" + "1000")]
        # The service's own sleep and the check running now; the earlier ones were killed.
        assert len(host_pids) <= 2, "hung checks are killed, not piled up"
        assert t.zombies() == []
        assert state(t, "web") == "starting"


def test_a_dependency_cycle_across_includes_is_refused_at_load_and_at_reload():
    files = {"a.yaml": "services:\n  a:\n    command: sleep 1000\n    depends_on: {b: ready}\n",
             "b.yaml": "services:\n  b:\n    command: sleep 1000\n    depends_on: [c]\n"}
    config = """
        settings:
          include: ["*.yaml.d"]
        services:
          c:
            command: sleep 1000
    """
    with Tend(config, files={n + ".d": c for n, c in files.items()}) as t:
        wait_for(lambda: state(t, "c") == "running", 10, what="c")
        (t.dir / "c.yaml.d").write_text("services:\n  c:\n    command: sleep 1000\n    depends_on: [a]\n")
        t.config_path.write_text("settings:\n  include: [\"*.yaml.d\"]\n")
        r = t.ctl("reload")
        assert r.returncode == 1
        assert "dependency cycle" in r.stderr, r.stderr
        assert state(t, "c") == "running"
        checked = subprocess.run([TEND, "check", "-c", str(t.config_path)], capture_output=True, text=True)
        assert checked.returncode == 1
        assert "services.c.depends_on: dependency cycle a -> b -> c -> a" in checked.stderr
    # At load: tend does not start at all.
    with Tend("settings:\n  include: [\"*.yaml.d\"]\n",
              files={**{n + ".d": c for n, c in files.items()},
                     "c.yaml.d": "services:\n  c:\n    command: sleep 1000\n    depends_on: [a]\n"}) as t:
        assert t.wait(10) == 2
        assert "dependency cycle a -> b -> c -> a" in t.log
