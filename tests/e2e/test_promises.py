"""Promises users rely on under real workloads: leftovers stopped gracefully,
stop order through exited services, exit codes that mean what they say."""
import os
import signal
import subprocess
import time

from harness import TEND, TENDCTL, Tend, wait_for


def test_exec_mode_leftovers_get_sigterm_and_kill_grace_as_dumb_init_does():
    script = 'sh -c "trap \\"echo got-TERM; exit\\" TERM; while :; do sleep 0.05; done" & sleep 0.5'
    with Tend(args=["--", "sh", "-c", script]) as t:
        assert t.wait() == 0, t.log
        assert "got-TERM" in t.output


def test_a_leader_that_exits_leaves_its_child_time_to_clean_up_before_the_restart():
    config = """
        services:
          leader:
            command: >-
              sh -c 'trap "sleep 0.3; echo cleaned >> $DIR/events; exit" TERM; while :; do sleep 0.05; done' &
              echo started >> $DIR/events; sleep 0.3; exit 1
            min_uptime: 0
            backoff: {initial: 10ms}
            stop_timeout: 5s
    """
    with Tend(config) as t:
        wait_for(lambda: t.read("events").split().count("started") >= 2, 10, what="a restart")
        events = t.read("events").split()
        assert events[:3] == ["started", "cleaned", "started"], events
        assert "left in its group get SIGTERM, then SIGKILL after 5s" in t.log
        assert "needed SIGKILL" not in t.log


# Ignores SIGTERM: every stop of it needs SIGKILL after 300ms.
STUBBORN = """
        services:
          stubborn:
            command: "trap '' TERM; touch $DIR/trapped; while :; do sleep 0.05; done"
            min_uptime: 0
            stop_timeout: 300ms
"""


def ignoring_term(t):
    """`running` comes at the spawn, before the shell has run its trap: a TERM
    sent before then ends it."""
    t.wait_log("stubborn: starting -> running")
    wait_for(lambda: (t.dir / "trapped").exists(), 10, what="stubborn to ignore TERM")


def test_an_earlier_escalated_stop_does_not_make_a_clean_shutdown_exit_1():
    config = STUBBORN + """
          fine:
            command: [sleep, '1000']
            min_uptime: 0
    """
    with Tend(config) as t:
        ignoring_term(t)
        assert t.ctl("stop", "stubborn").returncode == 0
        t.wait_log("stubborn needed SIGKILL after stop_timeout 300ms")
        assert "warning: stubborn needed SIGKILL" in t.log
        t.signal(signal.SIGTERM)
        assert t.wait() == 0, t.log


def test_a_shutdown_that_needed_sigkill_exits_1_and_its_last_line_says_why():
    with Tend(STUBBORN) as t:
        ignoring_term(t)
        t.signal(signal.SIGTERM)
        assert t.wait() == 1
        last = t.log.strip().splitlines()[-1]
        assert "Exiting with code 1: stubborn needed SIGKILL after stop_timeout 300ms" in last, t.log


STACK = """
    settings:
      shutdown_timeout: 20s
    services:
      db:
        command: "trap 'echo db-got-TERM >> $DIR/events; exit 0' TERM; while :; do sleep 0.02; done"
        min_uptime: 0
      migrate:
        command: "echo migrated >> $DIR/events"
        depends_on: [db]
        restart: never
        min_uptime: 0
      app:
        command: "trap 'sleep 0.3; echo app-done >> $DIR/events; exit 0' TERM; touch $DIR/app-trapping; while :; do sleep 0.02; done"
        depends_on: [migrate]
        min_uptime: 0
"""


def _stack_up(t):
    t.wait_log("app: starting -> running")
    # Running at once (min_uptime 0): its shell may not have set its trap yet.
    wait_for(lambda: t.file("app-trapping").exists(), 10, what="the app's TERM trap")
    # app waits for migrate to have started, not to have written its line: the
    # two shells run side by side (app's trap came first in a loaded CI run).
    wait_for(lambda: t.read("events").split() == ["migrated"], 10, what="migrate's line, and nothing else yet")


def _app_before_db(t):
    wait_for(lambda: "db-got-TERM" in t.read("events"), 10, what="db to be stopped")
    events = t.read("events").split()
    assert events == ["migrated", "app-done", "db-got-TERM"], events


def test_shutdown_stops_app_before_db_through_a_migrate_job_that_exited():
    with Tend(STACK) as t:
        _stack_up(t)
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        _app_before_db(t)


def test_tendctl_stop_of_db_and_app_keeps_the_same_order():
    with Tend(STACK) as t:
        _stack_up(t)
        assert t.ctl("stop", "db", "app").returncode == 0
        _app_before_db(t)


def test_a_reload_that_removes_the_stack_keeps_the_same_order():
    with Tend(STACK) as t:
        _stack_up(t)
        t.config_path.write_text("services: {}\n")
        assert t.ctl("reload").returncode == 0
        _app_before_db(t)


def test_a_user_service_can_open_dev_stdout_and_dev_stderr():
    config = """
        services:
          nobody:
            command: "echo via-dev-stdout > /dev/stdout && echo via-dev-stderr > /dev/stderr && sleep 1000"
            user: nobody
            min_uptime: 0
    """
    with Tend(config) as t:
        wait_for(lambda: "nobody ! via-dev-stderr" in t.output, 10, what="both lines")
        assert "nobody | via-dev-stdout" in t.output
        assert "Permission denied" not in t.output


def test_tendctl_takes_options_where_people_type_them():
    config = """
        services:
          web:
            command: "echo hello; sleep 1000"
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("web: starting -> running")
        wait_for(lambda: "web | hello" in t.output, 10, what="web's line")
        for args in (["--json", "status"], ["status", "--json"]):
            r = t.ctl(*args)
            assert r.returncode == 0 and r.stdout.lstrip().startswith("["), (args, r.stdout, r.stderr)
        # -s after the command (the harness puts one before it too: the later one wins)
        r = subprocess.run([TENDCTL, "status", "-s", t.socket], capture_output=True, text=True, timeout=10)
        assert r.returncode == 0 and "web" in r.stdout, r.stderr
        r = subprocess.run([TENDCTL, "logs", "web", "--json", "-n", "1", "-s", t.socket],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 0 and '"line":"hello"' in r.stdout.replace(" ", ""), r.stdout
        # kill's order turned round means the same
        r = t.ctl("signal", "web", "USR1")
        assert r.returncode == 0 and "web: sent USR1" in r.stdout, r.stderr


def test_a_relative_tend_socket_means_the_same_file_to_tend_and_tendctl(tmp_path):
    config = tmp_path / "tend.yaml"
    config.write_text("services:\n  one:\n    command: [sleep, '1000']\n    min_uptime: 0\n")
    env = dict(os.environ, TEND_SOCKET="rel.sock")
    tend = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", TEND, "-c", str(config)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: (tmp_path / "rel.sock").exists(), 10, what="the socket in the current directory")
        r = subprocess.run([TENDCTL, "status"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=10)
        assert r.returncode == 0 and "one" in r.stdout, r.stderr
    finally:
        os.killpg(tend.pid, signal.SIGTERM)
        tend.wait(10)


def test_dependants_of_a_service_that_gave_up_are_blocked_and_start_when_it_comes_back():
    config = """
        services:
          db:
            command: "test -e $DIR/ok && exec sleep 1000 || exit 1"
            max_restarts: 0
            min_uptime: 200ms
          app:
            command: [sleep, '1001']
            depends_on: [db]
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("app: blocked: waiting for db: fatal")
        r = t.ctl("status", "app")
        assert r.returncode == 4 and "BLOCKED" in r.stdout and "waiting for db: fatal" in r.stdout, r.stdout
        r = t.ctl("--json", "status", "app")
        assert '"blocked_reason": "waiting for db: fatal"' in r.stdout
        r = t.ctl("health")
        assert r.returncode != 0 and "app is blocked (waiting for db: fatal)" in r.stdout, r.stdout
        assert t.log.count("app: blocked") == 1, "logged once"
        t.file("ok").touch()
        assert t.ctl("start", "db").returncode == 0
        t.wait_log("app: starting -> running")
        assert "app: no longer blocked" in t.log
        assert t.ctl("health").returncode == 0


def test_tend_check_reads_well_for_a_newcomer(tmp_path):
    config = tmp_path / "tend.yaml"
    config.write_text("services:\n  web:\n\tcommand: x\n")
    r = subprocess.run([TEND, "check", "-c", str(config)], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert f"{config}:3:1: tabs are not allowed for indentation; use spaces" in r.stderr
    config.write_text("services:\n  db:\n    command: x\n    stop_timeout: soon\n"
                      "  web:\n    command: y\n    depends_on: [db, webb]\n")
    r = subprocess.run([TEND, "check", "-c", str(config)], capture_output=True, text=True, timeout=10)
    lines = [l for l in r.stderr.splitlines() if str(config) + ":" in l and "errors" not in l]
    assert len(lines) == 2, r.stderr
    assert ":4:19: services.db.stop_timeout" in lines[0]
    assert ":7:22: services.web.depends_on: no such service 'webb'" in lines[1]
    assert "did you mean 'web'" not in r.stderr and "no such service 'db'" not in r.stderr


def test_a_stop_reaches_descendants_that_left_the_group_and_waits_for_them():
    config = """
        services:
          postmaster:
            command: >-
              setsid sh -c 'trap "echo backend-got-TERM >> $DIR/events" TERM; while :; do sleep 0.05; done' &
              setsid sh -c 'trap "" TERM; exec sleep 1000' & exec sleep 1001
            min_uptime: 0
            stop_timeout: 500ms
    """
    with Tend(config) as t:
        t.wait_log("postmaster: starting -> running")

        def backend():
            for p in t.processes():
                try:
                    if open(f"/proc/{p}/cmdline").read().split("\0")[:2] == ["sleep", "1000"]:
                        return p
                except OSError:
                    pass
            return None
        escaped = wait_for(backend, 10, what="the setsid child")
        started = time.monotonic()
        assert t.ctl("stop", "postmaster").returncode == 0
        assert time.monotonic() - started >= 0.4, "waited for the escaped process, up to stop_timeout"
        assert not os.path.exists(f"/proc/{escaped}") or open(f"/proc/{escaped}/stat").read().split(")")[1].split()[0] == "Z"
        assert "postmaster needed SIGKILL after stop_timeout 500ms" in t.log
        assert "backend-got-TERM" in t.read("events"), "the stop signal reached the setsid child too"


def test_with_stderr_a_regular_file_no_log_line_of_tend_is_ever_dropped():
    # 3,001 failed starts as fast as tend can make them: two log lines each,
    # far past the 1 MiB a stalled pipe may queue. A file never stalls, so
    # every one is there.
    config = """
    services:
      crash:
        command: [/bin/false]
        min_uptime: 1h
        max_restarts: 3000
        backoff: {initial: 0}
    """
    with Tend(config) as t:
        wait_for(lambda: "crash: starting -> fatal" in t.log, 60, what="3,000 restarts")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        log = t.log
    assert "dropped" not in log
    assert log.count("crash: stopped -> starting") + log.count("crash: backoff -> starting") == 3001
    assert log.count("-> backoff: exit code 1") == 3000
