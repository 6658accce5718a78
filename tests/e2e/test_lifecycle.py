"""Services start, crash, back off, go fatal; bad configs are refused."""
import json
import re
import signal
import subprocess
from pathlib import Path

from harness import TEND, Tend, proc_stat, wait_for


def test_services_start_in_their_own_process_groups_as_children_of_pid_1():
    with Tend("""
        services:
          a:
            command: [sh, -c, 'echo $$$$ > $DIR/a.pid; exec sleep 1000']
          b:
            command: "echo $$$$ > $DIR/b.pid; exec sleep 1000"
            environment: {GREETING: hi}
    """) as t:
        pids = [int(wait_for(lambda n=n: t.read(n).strip(), what=n)) for n in ("a.pid", "b.pid")]
        for pid in pids:
            host_pid = t.host_pid(pid)
            state, ppid, pgid = proc_stat(host_pid)
            assert ppid == t.pid, "a service is a child of tend"
            assert pgid == host_pid, "a service leads its own process group"
        t.wait_log("a: starting -> running")
        t.wait_log("b: starting -> running")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_a_crashing_service_backs_off_exponentially_and_goes_fatal_after_max_restarts():
    with Tend("""
        services:
          crash:
            command: "echo x >> $DIR/starts; exit 3"
            min_uptime: 1s
            max_restarts: 3
            backoff: {initial: 100ms, max: 250ms, factor: 2}
          steady:
            command: [sleep, '1000']
    """) as t:
        t.wait_log("crash: starting -> fatal", timeout=10)
        assert t.read("starts").count("x") == 4, "one start and max_restarts restarts"
        log = t.log
        assert "crash: starting -> backoff: exit code 3 before min_uptime 1s; restart in 100ms" in log
        assert "restart in 200ms" in log
        assert "restart in 250ms" in log, "the delay is capped at backoff.max"
        assert "gave up after 4 failed starts" in log
        # fatal stays down: no further start after the fatal line
        assert t.read("starts").count("x") == 4
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_a_missing_binary_is_a_service_failure_not_a_crash_of_tend():
    with Tend("""
        services:
          typo:
            command: [/usr/bin/ngnix]
            max_restarts: 0
          fine:
            command: [sleep, '1000']
    """) as t:
        t.wait_log("typo: failed to exec /usr/bin/ngnix: No such file or directory")
        t.wait_log("typo: starting -> fatal")
        t.wait_log("fine: starting -> running")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_a_service_starts_only_after_its_dependency_is_running():
    with Tend("""
        services:
          web:
            command: "date +%s.%N > $DIR/web; exec sleep 1000"
            depends_on: [db]
          db:
            command: "date +%s.%N > $DIR/db; exec sleep 1000"
            min_uptime: 500ms
    """) as t:
        t.wait_log("web: starting -> running")
        db, web = float(t.read("db")), float(t.read("web"))
        # Each stamp is taken by the service's own shell, some milliseconds after
        # its spawn (more on a loaded machine): allow 50 ms of that, not 500.
        assert web - db >= 0.45, "web waited for db's min_uptime"
        log = t.log
        assert log.index("db: starting -> running") < log.index("web: stopped -> starting")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_an_invalid_config_exits_2_with_every_error_and_its_position(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("services:\n  web:\n    command: x\n    restat: always\n    stop_timeout: soon\n")
    result = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", TEND, "-c", str(config)],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert f"{config}:4:5: services.web: unknown key 'restat' (did you mean 'restart'?)" in result.stderr
    assert f"{config}:5:19: services.web.stop_timeout: invalid duration 'soon'" in result.stderr


def test_tend_check_validates_without_running_anything(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("services:\n  a:\n    command: [sleep, '1']\n  b:\n    command: x\n")
    result = subprocess.run([TEND, "check", "-c", str(good)], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == f"{good}: ok, 2 services\n"

    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  a:\n    command: x\n    depends_on: [b]\n  b:\n    command: y\n    depends_on: [a]\n")
    result = subprocess.run([TEND, "check", "-c", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert re.search(r"bad.yaml:7:18: services.b.depends_on: dependency cycle a -> b -> a", result.stderr)
    assert result.stderr.endswith("bad.yaml: 1 error\n")


def test_json_log_format_writes_one_object_per_line():
    with Tend("""
        settings:
          log_format: json
        services:
          a:
            command: [sleep, '1000']
            min_uptime: 0
    """) as t:
        t.wait_log("a: starting -> running")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        lines = [json.loads(line) for line in t.log.splitlines()]
        assert all({"time", "level", "msg"} <= set(line) for line in lines)
        assert any(line["msg"].startswith("a: starting -> running") for line in lines)


def test_usr1_usr2_and_winch_reach_only_the_services_that_ask_for_them():
    config = """
        services:
          asks:
            command: "trap 'echo got USR1' USR1; trap 'echo got WINCH' WINCH; echo ready; while :; do sleep 0.05; done"
            forward_signals: [USR1, WINCH]
            min_uptime: 0
          ignores:
            command: "trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done"
            min_uptime: 0
    """
    with Tend(config) as t:
        wait_for(lambda: t.output.count("| ready") == 2, 10, what="both services ready")
        t.signal(signal.SIGUSR1)
        wait_for(lambda: "asks | got USR1" in t.output, 10, what="asks to get USR1")
        t.signal(signal.SIGWINCH)
        wait_for(lambda: "asks | got WINCH" in t.output, 10, what="asks to get WINCH")
        t.signal(signal.SIGUSR2)
        t.wait_log("SIGUSR2 received: no running service asks for it, ignoring")
        assert "ignores | got" not in t.output
        states = {s["name"]: s["state"] for s in json.loads(t.ctl("--json", "status").stdout)}
        assert states == {"asks": "running", "ignores": "running"}


def test_many_captured_services_fit_under_a_low_open_files_limit_and_services_keep_it():
    body = "".join(f"  s{i}: {{command: [sleep, '1000'], min_uptime: 0}}\n" for i in range(300))
    config = "services:\n  probe: {command: 'ulimit -n; exec sleep 1000', min_uptime: 0}\n" + body
    with Tend(config, wrapper=["prlimit", "--nofile=1024:8192"]) as t:
        def all_running():
            r = t.ctl("--json", "status")
            return r.returncode == 0 and all(s["state"] == "running" for s in json.loads(r.stdout))
        wait_for(all_running, 60, what="301 services with 4 pipe ends each in tend")
        assert "probe | 1024\n" in t.output, "services get the limit tend was started with"
        limits = Path(f"/proc/{t.pid}/limits").read_text()
        assert re.search(r"Max open files\s+8192\s+8192", limits), limits
