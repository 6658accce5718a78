"""schedule: jobs as an operator sees them: runs at their times with labelled
output, no overlap under forbid, a timeout that stops an overrunning run,
last and next runs in status, a run started by hand, and a step of the wall
clock heard by the real kernel timer."""
import subprocess
import threading
import time

import pytest

from harness import SLOWDOWN, TEND, Tend, wait_for

RECORDING_JOB = """
services:
  job:
    command: [/bin/sh, -c, 'echo "start $(date +%s.%N)" >> $DIR/runs; sleep {sleep}; echo "end $(date +%s.%N)" >> $DIR/runs; echo ran']
    schedule: "@every 1s"
"""


def runs(t):
    """(start, end) of each run in the file, end None while it goes."""
    path = t.file("runs")
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        kind, at = line.split()
        if kind == "start":
            out.append([float(at), None])
        elif out:
            out[-1][1] = float(at)
    return out


def test_an_every_second_job_runs_again_and_again_with_labelled_output():
    with Tend(RECORDING_JOB.format(sleep="0.1")) as t:
        began = time.monotonic()
        wait_for(lambda: len([r for r in runs(t) if r[1]]) >= 3, 5, what="three runs")
        assert time.monotonic() - began < 4 * SLOWDOWN + 1
        assert "job | ran" in t.output
        assert "job: scheduled run starts" in t.log


def test_forbid_skips_a_due_run_while_the_last_still_goes_so_runs_never_overlap():
    with Tend(RECORDING_JOB.format(sleep="1.5")) as t:
        wait_for(lambda: len([r for r in runs(t) if r[1]]) >= 2, 10, what="two whole runs")
        done = [r for r in runs(t) if r[1]]
        for earlier, later in zip(done, done[1:]):
            assert later[0] >= earlier[1], f"a run began before the last ended: {done}"
        assert "job: the run is skipped: the last run is still going (pid" in t.log, t.log


def test_status_shows_the_last_run_and_the_next_and_start_runs_the_job_now():
    config = """
        services:
          report:
            command: [/bin/sh, -c, 'echo made > $DIR/made']
            schedule: "0 0 1 1 *"
    """
    with Tend(config) as t:
        wait_for(lambda: t.status() and "report" in t.status(), 10, what="status")
        row = t.ctl("status", "report").stdout
        assert "next " in row and "last run" not in row, row
        assert "-01-01T00:00:00" in t.status()["report"]["job"]["next"]
        t.ctl("start", "report", check=True)
        wait_for(lambda: t.file("made").exists(), 10, what="the run started by hand")
        wait_for(lambda: t.status()["report"]["state"] == "completed", 10, what="the run's end")
        row = t.ctl("status", "report").stdout
        assert "last run " in row and " completed" in row and "next " in row, row
        last = t.status()["report"]["job"]["last"]
        assert last["result"].startswith("completed") and last["seconds"] < 10


def test_a_run_past_its_timeout_is_stopped_and_counted_as_failed():
    config = """
        services:
          stuck:
            command: [sleep, '1000']
            type: oneshot
            timeout: 1s
    """
    with Tend(config) as t:
        wait_for(lambda: "stuck: the run has gone on for 1s, its timeout: stopping it" in t.log, 10,
                 what="the timeout")
        wait_for(lambda: (t.status()["stuck"]["job"]["last"] or {}).get("result") == "failed: timed out after 1s", 10,
                 what="the run's result")
        assert t.status()["stuck"]["pid"] is None


def set_clock_to_itself():
    """Setting the clock to what it reads is a set all the same: the kernel tells every
    TFD_TIMER_CANCEL_ON_SET timer, and no other program sees time move."""
    try:
        time.clock_settime(time.CLOCK_REALTIME, time.clock_gettime(time.CLOCK_REALTIME))
    except PermissionError:
        pytest.skip("setting the clock needs CAP_SYS_TIME")


def test_a_set_of_the_wall_clock_is_heard_and_the_jobs_go_on():
    # A cron job's times are wall times: with one defined, tend watches the clock.
    config = "settings: {log_level: debug}\n" + RECORDING_JOB.format(sleep="0") + \
        "  hourly:\n    command: [/bin/true]\n    schedule: '0 * * * *'\n"
    with Tend(config) as t:
        wait_for(lambda: len(runs(t)) >= 1, 10, what="a first run")
        set_clock_to_itself()
        # Moved by nothing: said at debug level only (a time sync may set it many times a second).
        wait_for(lambda: "The wall clock was set (moved under a second): scheduled jobs re-aimed" in t.log, 10,
                 what="the step heard")
        seen = len(runs(t))
        wait_for(lambda: len(runs(t)) >= seen + 2, 10, what="runs after the step")


def test_a_tend_without_cron_jobs_sleeps_through_sets_of_the_clock():
    """A virtual machine's time sync was seen setting the clock ten times a second;
    a tend with no cron job has no reason to hear of it. (Each set here is to what
    the clock reads, five a second for a few seconds: no program sees time move.)"""
    # An @every job keeps elapsed time: the clock is nothing to it either.
    with Tend("services:\n  web:\n    command: [sleep, '1000']\n  every:\n    command: [/bin/true]\n    schedule: '@every 1h'\n") as t:
        wait_for(lambda: (t.status() or {}).get("web", {}).get("state") == "running", 10, what="web running")
        set_clock_to_itself()
        stop = threading.Event()
        def keep_setting():
            while not stop.wait(0.2):
                time.clock_settime(time.CLOCK_REALTIME, time.clock_gettime(time.CLOCK_REALTIME))
        setter = threading.Thread(target=keep_setting)
        setter.start()
        try:
            assert t.wake_ups_over(1.0) == 0
        finally:
            stop.set()
            setter.join()
        assert "wall clock" not in t.log


def test_tend_check_names_a_bad_schedule_field_and_a_dependency_on_a_job(tmp_path):
    path = tmp_path / "tend.yaml"
    path.write_text("services:\n  job:\n    command: [x]\n    schedule: '*/61 * * * *'\n"
                    "  web:\n    command: [w]\n    depends_on: [job]\n")
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True)
    assert r.returncode != 0
    assert f"{path}:4:15: services.job.schedule: minute 61 is out of range 0-59" in r.stderr, r.stderr
    path.write_text("services:\n  job:\n    command: [x]\n    schedule: '@hourly'\n"
                    "  web:\n    command: [w]\n    depends_on: [job]\n")
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True)
    assert "services.web.depends_on: job is a scheduled job: it is never running" in r.stderr, r.stderr


SCHEDULED_SET = """
services:
  job:
    command: [/bin/sh, -c, 'echo "$TEND_REPLICA $TEND_SERVICE" >> $DIR/runs-${TEND_REPLICA}']
    schedule: "@every 1s"
    replicas: 2
"""


def runs_of(t, replica):
    """The (TEND_REPLICA, TEND_SERVICE) each run of instance `replica` wrote."""
    return [tuple(line.split()) for line in t.read(f"runs-{replica}").splitlines()]


def all_ran(t, replicas, times):
    return all(len(runs_of(t, r)) >= times for r in replicas)


def test_a_scheduled_set_runs_each_instance_on_schedule_and_scales_up_and_down():
    with Tend(SCHEDULED_SET) as t:
        wait_for(lambda: all_ran(t, [0, 1], 2), 6, what="two runs of each instance")
        for r in (0, 1):
            assert set(runs_of(t, r)) == {(str(r), f"job-{r}")}, runs_of(t, r)
        # One status row each, every one a job with a last run and a next.
        status = t.status()
        assert set(status) == {"job-0", "job-1"}, status
        wait_for(lambda: all((t.status()[n]["job"] or {}).get("last") for n in ("job-0", "job-1")), 5,
                 what="a last run in each row")
        for name, row in t.status().items():
            assert row["job"]["next"], row
        rows = t.ctl("status", "job", check=True).stdout.splitlines()
        assert [r.split()[0] for r in rows] == ["job-0", "job-1"], rows
        assert all("next " in r and "last run " in r for r in rows), rows

        r = t.ctl("scale", "job", "4")
        assert r.returncode == 0 and r.stdout == "job: 2 -> 4 instances\n", r.stderr
        wait_for(lambda: all_ran(t, [2, 3], 2), 6, what="two runs of each new instance")
        for r in (2, 3):
            assert set(runs_of(t, r)) == {(str(r), f"job-{r}")}, runs_of(t, r)
        assert set(t.status()) == {"job-0", "job-1", "job-2", "job-3"}

        r = t.ctl("scale", "job", "1")
        assert r.returncode == 0 and r.stdout == "job: 4 -> 1 instances\n", r.stderr
        assert set(t.status()) == {"job-0"}
        gone = {r: len(runs_of(t, r)) for r in (1, 2, 3)}
        # job-0 goes on; the removed instances run no more.
        seen = len(runs_of(t, 0))
        wait_for(lambda: len(runs_of(t, 0)) >= seen + 2, 6, what="job-0 running on")
        assert {r: len(runs_of(t, r)) for r in (1, 2, 3)} == gone
        assert [r.split()[0] for r in t.ctl("status", "job", check=True).stdout.splitlines()] == ["job-0"]


def test_a_scheduled_set_scaled_to_zero_is_empty_and_scales_back():
    with Tend(SCHEDULED_SET) as t:
        wait_for(lambda: all_ran(t, [0, 1], 1), 6, what="a run of each instance")
        assert t.ctl("scale", "job", "0").returncode == 0
        assert t.status()["job"]["state"] == "empty"
        r = t.ctl("scale", "job", "3")
        assert r.returncode == 0 and r.stdout == "job: 0 -> 3 instances\n", r.stderr
        wait_for(lambda: all_ran(t, [2], 1), 6, what="the new job-2's run")
        assert set(t.status()) == {"job-0", "job-1", "job-2"}
