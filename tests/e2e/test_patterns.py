"""Readiness patterns against what a service prints and what a config holds:
lines that made a backtracking engine recurse per character, patterns that
made it backtrack for seconds, and patterns too deep to compile. PID 1 stays
alive and its control socket keeps answering within 50 ms throughout."""
import json
import socket
import subprocess
import time

from harness import SLOWDOWN, TEND, TENDCTL, Tend, wait_for

ANSWER_WITHIN = 0.05 * SLOWDOWN


def status_latency(sock_path):
    """Seconds for one status request over the control socket (None if refused)."""
    began = time.monotonic()
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5 * SLOWDOWN)
            s.connect(sock_path)
            s.sendall(b'{"cmd":"status"}\n')
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    return None
                reply += chunk
    except OSError:
        return None
    assert json.loads(reply)["ok"], reply
    return time.monotonic() - began


def slowest_answer(t, seconds, until=None):
    """The slowest status reply over `seconds` (or until `until()` holds), asking all the time."""
    end = time.monotonic() + seconds * SLOWDOWN
    slowest, asked = 0.0, 0
    while time.monotonic() < end and not (asked >= 10 and until and until()):
        took = status_latency(t.socket)
        assert took is not None, f"tend stopped answering; log:\n{t.log}"
        slowest, asked = max(slowest, took), asked + 1
    assert asked >= 10, "too few requests to judge"
    return slowest


def state(t, name):
    return t.status(name)[name]["state"]


def test_a_40_kb_line_searched_for_readiness_leaves_pid_1_alive_and_answering():
    config = """
        services:
          web:
            command: "printf 'started '; head -c 40000 /dev/zero | tr '\\\\0' x; echo; sleep 0.5; echo 'started on port 80'; exec sleep 1000"
            min_uptime: 0
            ready: {log: 'started.*port'}
          other:
            command: [sleep, '1000']
            min_uptime: 0
    """
    with Tend(config) as t:
        wait_for(lambda: t.status() is not None, 10, what="tend to answer")
        slowest = slowest_answer(t, 10, until=lambda: "web: starting -> running" in t.log)
        t.wait_log("web: starting -> running", 10)
        assert t.process.poll() is None, t.log
        assert slowest < ANSWER_WITHIN, f"a status took {slowest * 1000:.0f} ms"
        assert state(t, "other") == "running"


def test_a_backtracking_pattern_against_long_lines_never_holds_the_loop():
    # In a backtracking engine each of these 27-character lines took seconds.
    config = """
        services:
          web:
            command: "i=0; while [ $i -lt 2000 ]; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaa!; i=$((i+1)); done; echo aaaa; exec sleep 1000"
            min_uptime: 0
            ready: {log: '(a+)+$'}
    """
    with Tend(config) as t:
        wait_for(lambda: t.status() is not None, 10, what="tend to answer")
        slowest = slowest_answer(t, 10, until=lambda: "web: starting -> running" in t.log)
        t.wait_log("web: starting -> running", 10)
        assert slowest < ANSWER_WITHIN, f"a status took {slowest * 1000:.0f} ms"
        assert t.output.count("web | aaaaaaaaaaaaaaaaaaaaaaaaaaa!") == 2000


DEEP = "(" * 50_000 + "a" + ")" * 50_000


def test_a_pattern_of_50000_nested_groups_is_refused_by_its_length_in_check_at_start_and_in_reload(tmp_path):
    # Refused before it is compiled: RE2 would spend time and memory on it first.
    config = f"services:\n  web:\n    command: [sleep, '1000']\n    ready: {{log: '{DEEP}'}}\n"
    path = tmp_path / "deep.yaml"
    path.write_text(config)
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert f"{path}:4:18: services.web.ready.log: invalid regular expression: too long: 100001 bytes, at most 1024" \
        in r.stderr, r.stderr

    with Tend(config) as t:
        assert t.wait() == 2
        assert "services.web.ready.log: invalid regular expression: too long: 100001 bytes, at most 1024" in t.log, t.log

    with Tend("services:\n  one:\n    command: [sleep, '1000']\n    min_uptime: 0\n") as t:
        t.wait_log("one: starting -> running")
        t.config_path.write_text(config)
        reload = subprocess.Popen([TENDCTL, "-s", t.socket, "reload"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        slowest = slowest_answer(t, 5, until=lambda: reload.poll() is not None)
        out, err = reload.communicate(timeout=30 * SLOWDOWN)
        assert reload.returncode != 0
        assert "services.web.ready.log: invalid regular expression: too long: 100001 bytes, at most 1024" in err, err
        assert slowest < ANSWER_WITHIN, f"a status took {slowest * 1000:.0f} ms"
        assert t.process.poll() is None, t.log
        assert state(t, "one") == "running"


def test_a_costly_pattern_against_a_flood_of_lines_skips_lines_rather_than_hold_the_loop():
    # (a|b)*a(a|b){200}c outgrows RE2's DFA cache on such lines; its NFA took
    # 1.2 s on a 64 KiB line. Each search is bounded, and all of them together.
    config = """
        services:
          web:
            command: "python3 -c \\"import random,sys\\nr=random.Random(1)\\nwhile True: sys.stdout.write(''.join(r.choice('abc ') for _ in range(4000))+'\\\\n')\\""
            min_uptime: 0
            ready: {log: '(a|b)*a(a|b){200}c'}
    """
    with Tend(config) as t:
        wait_for(lambda: t.status() is not None, 10, what="tend to answer")
        wait_for(lambda: t.output.count("web | ") > 100, 10, what="the flood to begin")
        slowest = slowest_answer(t, 3)
        assert slowest < ANSWER_WITHIN, f"a status took {slowest * 1000:.0f} ms"
        assert state(t, "web") == "starting"


def test_a_pattern_too_costly_to_search_is_refused_with_its_place(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("services:\n  web:\n    command: [sleep, '1000']\n    ready: {log: '((a|b){30}){30}c'}\n")
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert f"{path}:4:18: services.web.ready.log: invalid regular expression: too complex: 2765 steps per character" \
        in r.stderr, r.stderr
