"""Promises users rely on under real workloads: leftovers stopped gracefully,
stop order through exited services, exit codes that mean what they say."""
import os
import signal
import subprocess
import time

from harness import TEND, Tend, wait_for


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


def test_an_earlier_escalated_stop_does_not_make_a_clean_shutdown_exit_1():
    config = """
        services:
          stubborn:
            command: "trap '' TERM; while :; do sleep 0.05; done"
            min_uptime: 0
            stop_timeout: 300ms
          fine:
            command: [sleep, '1000']
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("stubborn: starting -> running")
        assert t.ctl("stop", "stubborn").returncode == 0
        t.wait_log("stubborn needed SIGKILL after stop_timeout 300ms")
        assert "warning: stubborn needed SIGKILL" in t.log
        t.signal(signal.SIGTERM)
        assert t.wait() == 0, t.log


def test_a_shutdown_that_needed_sigkill_exits_1_and_its_last_line_says_why():
    config = """
        services:
          stubborn:
            command: "trap '' TERM; while :; do sleep 0.05; done"
            min_uptime: 0
            stop_timeout: 300ms
    """
    with Tend(config) as t:
        t.wait_log("stubborn: starting -> running")
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
        command: "trap 'sleep 0.3; echo app-done >> $DIR/events; exit 0' TERM; while :; do sleep 0.02; done"
        depends_on: [migrate]
        min_uptime: 0
"""


def _stack_up(t):
    t.wait_log("app: starting -> running")
    assert t.read("events").split() == ["migrated"]


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
