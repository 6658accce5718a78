"""tendctl and the control socket against a real tend as PID 1."""
import json
import os
import signal
import socket
import stat
import subprocess
import threading
import time

from harness import SLOWDOWN, TEND, TENDCTL, Tend, wait_for

SERVICES = """
    services:
      db:
        command: [sleep, '1000']
        min_uptime: 200ms
      web:
        command: "trap 'exit 0' TERM; while :; do sleep 0.05; done"
        depends_on: [db]
        min_uptime: 200ms
      job:
        command: [sleep, '1000']
        autostart: false
        min_uptime: 0
      broken:
        command: "exit 1"
        autostart: false
        max_restarts: 1
        backoff: {initial: 10ms}
"""


def request(sock_path, line, timeout=5):
    """Sends raw bytes; returns the decoded reply lines (until EOF or one line)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(line)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return json.loads(data)


def running(t):
    t.wait_log("web: starting -> running")


def test_status_lists_every_service_as_a_table_and_as_json():
    with Tend(SERVICES) as t:
        running(t)
        r = t.ctl("status")
        assert r.returncode == 0
        lines = r.stdout.splitlines()
        assert [line.split()[0] for line in lines] == ["db", "web", "job", "broken"]
        assert lines[0].split()[1] == "RUNNING" and "pid " in lines[0] and "uptime 0:00:0" in lines[0]
        assert lines[2].split()[1] == "STOPPED"
        r = t.ctl("--json", "status", "web")
        data = json.loads(r.stdout)
        assert data[0]["name"] == "web" and data[0]["state"] == "running" and data[0]["pid"] > 1
        assert t.ctl("status", "db", "job").returncode == 4, "a named service is not running"


def test_a_typo_in_a_service_name_is_suggested():
    with Tend(SERVICES) as t:
        running(t)
        r = t.ctl("restart", "webb")
        assert r.returncode == 1
        assert r.stderr == "tendctl: no such service: webb (did you mean web?)\n"


def test_start_stop_restart_reply_once_done():
    with Tend(SERVICES) as t:
        running(t)
        r = t.ctl("start", "job")
        assert (r.returncode, r.stdout) == (0, "job: started\n")
        assert json.loads(t.ctl("--json", "status", "job").stdout)[0]["state"] == "running"

        old_pid = json.loads(t.ctl("--json", "status", "web").stdout)[0]["pid"]
        r = t.ctl("restart", "web")
        assert (r.returncode, r.stdout) == (0, "web: restarted\n")
        after = json.loads(t.ctl("--json", "status", "web").stdout)[0]
        assert after["state"] == "running" and after["pid"] != old_pid

        r = t.ctl("stop", "web")
        assert (r.returncode, r.stdout) == (0, "web: stopped\n")
        assert json.loads(t.ctl("--json", "status", "web").stdout)[0]["state"] == "stopped"


def test_a_stopped_service_stays_down_until_started():
    with Tend("""
        services:
          flappy:
            command: [sleep, '1000']
            restart: always
            min_uptime: 0
    """) as t:
        t.wait_log("flappy: starting -> running")
        assert t.ctl("stop", "flappy").returncode == 0
        status = json.loads(t.ctl("--json", "status", "flappy").stdout)[0]
        assert status["state"] == "stopped" and status["stopped_by_operator"]
        assert t.ctl("health").returncode == 0, "an operator-stopped service does not make tend unhealthy"
        assert t.ctl("start", "flappy").returncode == 0
        assert json.loads(t.ctl("--json", "status", "flappy").stdout)[0]["state"] == "running"


def test_start_of_a_failing_service_reports_the_failure():
    with Tend(SERVICES) as t:
        running(t)
        r = t.ctl("start", "broken")
        assert r.returncode == 1
        assert r.stderr.startswith("tendctl: broken: ")
        assert "exit code 1" in r.stderr


def test_pid_is_the_pid_where_tendctl_runs():
    with Tend(SERVICES) as t:
        running(t)
        inner = t.status("db")["db"]["pid"]
        outside = t.ctl("pid", "db", check=True)
        assert int(outside.stdout) == t.host_pid(inner) != inner, "mapped into the caller's namespace"
        assert open(f"/proc/{int(outside.stdout)}/cmdline").read() == "sleep\x001000\x00"
        assert json.loads(t.ctl("--json", "pid", "db").stdout) == int(outside.stdout)
        inside = t.ctl("pid", "db", enter=("--pid", "--mount"), check=True)
        assert int(inside.stdout) == inner, "inside tend's namespace, tend's own numbers"
        # The host's PID namespace but the container's /proc: no way to map, and it says so.
        r = t.ctl("pid", "db", enter=("--mount",))
        assert r.returncode == 1 and r.stdout == ""
        assert r.stderr == (f"tendctl: cannot give db's pid as this process sees it: /proc here belongs to another PID "
                            f"namespace (entered with nsenter --mount but not --pid?); in tend's PID namespace it is {inner}\n")


def test_no_wait_returns_at_once():
    with Tend(SERVICES) as t:
        running(t)
        r = t.ctl("start", "--no-wait", "job")
        assert (r.returncode, r.stdout) == (0, "job: start requested\n")


def test_signal_pid_wait_health_version_shutdown():
    # db's backoff outlasts the start of the `tendctl wait` that looks for it
    # (slow in the sanitizer tree with other test files running).
    config = SERVICES.replace("min_uptime: 200ms\n      web:", "min_uptime: 200ms\n        backoff: {initial: 3s}\n      web:")
    assert config != SERVICES
    with Tend(config) as t:
        running(t)
        pid = int(t.ctl("pid", "db").stdout)
        assert pid > 1
        assert int(t.ctl("pid").stdout) == t.pid, "tend's own pid, as the caller sees it"
        assert int(t.ctl("pid", enter=("--pid", "--mount")).stdout) == 1, "tend's own pid inside its namespace"
        assert t.ctl("signal", "TERM", "db").stdout == "db: sent TERM\n"
        assert t.ctl("wait", "db", "--state", "backoff", "--timeout", str(10 * SLOWDOWN)).returncode == 0
        assert t.ctl("wait", "db", "--state", "running", "--timeout", str(10 * SLOWDOWN)).returncode == 0
        assert int(t.ctl("pid", "db").stdout) != pid, "db was restarted after dying of the signal"
        r = t.ctl("wait", "job", "--state", "running", "--timeout", "0.2")
        assert r.returncode == 1 and "wait timed out after 200ms" in r.stderr
        assert t.ctl("health").returncode == 0
        assert t.ctl("version").stdout.startswith("0.")
        r = t.ctl("reload")
        assert r.returncode == 0 and "= db\n" in r.stdout, "the config on disk did not change"
        assert t.ctl("shutdown").stdout == "shutting down\n"
        assert t.wait() == 0


def test_health_fails_while_a_service_is_down():
    with Tend("""
        services:
          crashy:
            command: "exit 1"
            max_restarts: 0
    """) as t:
        t.wait_log("crashy: starting -> fatal")
        r = t.ctl("health")
        assert r.returncode == 1
        assert r.stdout == "unhealthy: crashy is fatal\n"


def test_usage_and_connection_errors_have_their_own_exit_codes(tmp_path):
    assert subprocess.run([TENDCTL, "frobnicate"], capture_output=True).returncode == 2
    r = subprocess.run([TENDCTL, "-s", str(tmp_path / "none.sock"), "status"], capture_output=True, text=True)
    assert r.returncode == 3
    assert r.stderr == f"tendctl: cannot connect to {tmp_path}/none.sock: No such file or directory\n"


def test_the_socket_is_0600_and_refuses_other_users():
    with Tend(SERVICES) as t:
        running(t)
        assert stat.S_IMODE(os.stat(t.socket).st_mode) == 0o600
        os.chmod(t.dir, 0o755)
        r = t.ctl("status", user=65534)
        assert r.returncode == 3 and "Permission denied" in r.stderr
        # Even with the file opened up by mistake, SO_PEERCRED keeps the door shut.
        os.chmod(t.socket, 0o666)
        r = t.ctl("status", user=65534)
        assert (r.returncode, r.stderr) == (1, "tendctl: permission denied\n")
        assert t.ctl("status").returncode == 0


def test_members_of_control_group_may_use_the_socket():
    with Tend("""
        settings:
          control_group: nogroup
        services:
          a:
            command: [sleep, '1000']
    """) as t:
        t.wait_log("a: stopped -> starting")
        os.chmod(t.dir, 0o755)
        assert stat.S_IMODE(os.stat(t.socket).st_mode) == 0o660
        r = t.ctl("status", user=65534)  # nobody's primary group is nogroup
        assert r.returncode == 0, r.stderr


def test_malformed_requests_get_errors_and_the_daemon_carries_on():
    with Tend(SERVICES) as t:
        running(t)
        assert request(t.socket, b"not json\n") == {"ok": False, "error": "invalid JSON"}
        assert request(t.socket, b'{"cmd":"launch"}\n') == {"ok": False, "error": "unknown command 'launch'"}
        assert request(t.socket, b'{"cmd":"statuss"}\n')["error"] == "unknown command 'statuss' (did you mean 'status'?)"
        assert request(t.socket, b'{"cmd":"status","args":{"names":5}}\n')["error"] == \
            "argument 'names' must be a list of strings"
        assert request(t.socket, b'{"cmd":"status","args":{"x":' + b"[" * 10000 + b"]" * 10000 + b"}}\n")["error"] \
            .startswith("request nested too deeply")
        assert request(t.socket, b'{"cmd":"status","args":{"x":"' + b"a" * 200000 + b'"}}\n')["error"] == \
            "request too large (over 64 KiB)"
        # Several requests on one connection, answered in order; and later ones,
        # sent after the first replies came, are answered too.
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(t.socket)
            s.sendall(b'{"cmd":"version"}\nbad\n{"cmd":"pid"}\n')
            f = s.makefile("rb")
            replies = [json.loads(f.readline()) for _ in range(3)]
            assert replies[0]["ok"] and not replies[1]["ok"] and replies[2]["result"] == 1
            s.sendall(b'{"cmd":"pid","args":{"names":["db"]}}\n')
            assert json.loads(f.readline())["result"] > 1
            s.sendall(b'{"cmd":"health"}\n')
            assert json.loads(f.readline())["result"]["healthy"] is True
        assert t.ctl("status").returncode == 0


def test_sixty_four_concurrent_clients_are_served():
    with Tend(SERVICES) as t:
        running(t)
        results = []
        barrier = threading.Barrier(64)

        def client():
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(10)
                s.connect(t.socket)
                barrier.wait()
                s.sendall(b'{"cmd":"status"}\n')
                results.append(json.loads(s.makefile("rb").readline()))

        threads = [threading.Thread(target=client) for _ in range(64)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(20)
        assert len(results) == 64
        assert all(r["ok"] and len(r["result"]) == 4 for r in results)


def test_a_client_that_sends_half_a_line_does_not_delay_others():
    with Tend(SERVICES) as t:
        running(t)
        with socket.socket(socket.AF_UNIX) as stuck, socket.socket(socket.AF_UNIX) as silent:
            stuck.connect(t.socket)
            stuck.sendall(b'{"cmd":"sta')
            silent.connect(t.socket)
            begin = time.monotonic()
            r = t.ctl("status")
            assert r.returncode == 0
            assert time.monotonic() - begin < 1.0 * SLOWDOWN


def test_a_client_that_stops_reading_is_dropped_not_waited_for():
    with Tend(SERVICES) as t:
        running(t)
        with socket.socket(socket.AF_UNIX) as greedy:
            greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            greedy.connect(t.socket)
            greedy.sendall(b'{"cmd":"status"}\n' * 20000)  # ~8 MB of replies it never reads
            begin = time.monotonic()
            assert t.ctl("status").returncode == 0
            assert time.monotonic() - begin < 2.0 * SLOWDOWN
            wait_for(lambda: "stopped reading" in t.log, timeout=10, what="the greedy client to be dropped")


def test_killing_tendctl_mid_request_leaves_tend_healthy():
    with Tend(SERVICES) as t:
        running(t)
        waiting = subprocess.Popen([TENDCTL, "-s", t.socket, "wait", "job", "--timeout", "30"])

        def blocked_on_reply():
            # Connected, and asleep reading the reply that will not come for 30 s.
            try:
                fds = [os.readlink(f"/proc/{waiting.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{waiting.pid}/fd")]
                state = open(f"/proc/{waiting.pid}/stat").read().rsplit(")", 1)[1].split()[0]
            except OSError:
                return False
            return any(f.startswith("socket:") for f in fds) and state == "S"
        wait_for(blocked_on_reply, what="tendctl to wait on its reply")
        waiting.kill()
        waiting.wait()
        assert t.ctl("health").returncode == 0
        assert t.ctl("start", "job").returncode == 0


def test_a_second_tend_on_the_same_socket_refuses_and_a_stale_socket_is_replaced(tmp_path):
    with Tend(SERVICES) as t:
        running(t)
        config = tmp_path / "t.yaml"
        config.write_text(f"settings:\n  control_socket: {t.socket}\nservices: {{}}\n")
        r = subprocess.run([TEND, "-c", str(config)], capture_output=True, text=True, timeout=10)
        assert r.returncode == 1
        assert f"control socket {t.socket} is served by a running tend" in r.stderr
    stale = tmp_path / "stale.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(stale))
    s.close()  # the file stays, nobody listens
    with Tend(f"settings:\n  control_socket: {stale}\nservices:\n  a:\n    command: [sleep, '1000']\n") as t:
        wait_for(lambda: subprocess.run([TENDCTL, "-s", str(stale), "status"], capture_output=True).returncode == 0,
                 what="tend to serve the replaced socket")


def test_requests_piling_up_behind_a_waiting_one_are_bounded():
    with Tend(SERVICES) as t:
        running(t)
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(t.socket)
            s.sendall(b'{"cmd":"wait","args":{"names":["job"],"timeout":30}}\n')
            flood = b'{"cmd":"version"}\n' * 70000  # 1.3 MB queued behind the wait
            try:
                s.sendall(flood)
            except (BrokenPipeError, ConnectionResetError):
                pass  # tend may already have hung up
            data = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
            assert b"too many requests waiting; closing" in data
        t.wait_log("over 1048576 bytes of requests waiting")
        assert t.ctl("status").returncode == 0


def test_stopping_several_services_goes_in_reverse_dependency_order():
    config = """
        services:
          db:
            command: "trap 'sleep 0.2; exit 0' TERM; while :; do sleep 0.05; done"
            min_uptime: 0
          web:
            command: "trap 'sleep 0.3; exit 0' TERM; while :; do sleep 0.05; done"
            depends_on: [db]
            min_uptime: 0
          cache:
            command: [sleep, '1000']
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("web: starting -> running")
        # named in the "wrong" order on purpose
        r = t.ctl("stop", "db", "web", "cache")
        assert r.returncode == 0, r.stderr
        log = t.log
        assert log.index("web: stopping -> stopped") < log.index("db: running -> stopping"), log
        # unrelated services do not wait
        assert log.index("cache: running -> stopping") < log.index("web: stopping -> stopped"), log
        states = {s["name"]: s["state"] for s in json.loads(t.ctl("--json", "status").stdout)}
        assert states == {"db": "stopped", "web": "stopped", "cache": "stopped"}


def test_the_socket_answers_while_ten_services_crash_loop_with_no_backoff():
    # Each exit restarts its service at once; a reap that also took the new
    # children's exits never ended, and status took seconds or timed out.
    crashers = "".join(f"""
  crash{i}:
    command: [/bin/sh, -c, 'exit 1']
    min_uptime: 0
    max_restarts: -1
    backoff: {{initial: 0}}
    output: null
""" for i in range(10))
    with Tend("services:\n  web:\n    command: [sleep, '1000']\n    min_uptime: 0\n" + crashers) as t:
        wait_for(lambda: (t.status("web") or {}).get("web", {}).get("state") == "running", 20, what="web running")
        took = []
        for _ in range(5):
            began = time.monotonic()
            assert t.ctl("status", "web").returncode == 0
            took.append(time.monotonic() - began)
        assert max(took) < 2 * SLOWDOWN, took
        # and the crash loops went on meanwhile (how fast depends on the machine's load)
        wait_for(lambda: t.status("crash0")["crash0"]["restarts"] > 10, 10, what="crash0's restarts past 10")
