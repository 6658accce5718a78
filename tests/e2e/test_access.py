"""Who gets in, and how much one client may take: the operator is never
locked out, access checks use the kernel's word, and the protocol refuses
what it documents as refused."""
import json
import os
import socket
import subprocess
import time

from harness import SLOWDOWN, Tend, kill_after, wait_for
from test_control import request

SERVICES = """
    settings:
      control_group: nogroup
    services:
      web:
        command: [sleep, '1000']
        min_uptime: 0
      db:
        command: [sleep, '1000']
        min_uptime: 0
"""

HOLDER = """
import socket, sys, time
sockets = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.setblocking(False)
    sockets.append(s)
# A refusal is written at accept; an accepted connection stays silent. Count
# until the numbers stop moving (tend has accepted or refused every one).
refused, last = {}, -1
while len(refused) != last:
    last = len(refused)
    time.sleep(0.3)
    for i, s in enumerate(sockets):
        if i in refused:
            continue
        try:
            refused[i] = s.recv(4096).decode()
        except BlockingIOError:
            pass
held = len(sockets) - len(refused)
print(held, len(refused), list(refused.values())[:1], flush=True)
time.sleep(1000)
"""


def up(t):
    wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
    wait_for(lambda: t.ctl("wait", "web", "db", "--timeout", "10").returncode == 0, 20, what="both running")


def hold(t, count, user=None):
    """Opens `count` idle connections (as `user`) and keeps them; returns (process, held, refused, first refusal)."""
    command = ["/usr/bin/python3", "-c", HOLDER, t.socket, str(count)]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + command
    p = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    guard = kill_after(p, 30)  # an answer that never comes ends the read
    held, refused, first = p.stdout.readline().split(" ", 2)
    guard.cancel()
    return p, int(held), int(refused), first


def test_another_user_cannot_take_every_slot_and_the_operator_always_gets_an_answer():
    with Tend(SERVICES) as t:
        up(t)
        p, held, refused, first = hold(t, 300, user=65534)  # nobody, in nogroup
        try:
            assert held == 64, "one uid holds at most 64 connections"
            assert refused == 236 and "too many connections from uid 65534" in first
            for cmd in ("status", "health"):
                r = t.ctl(cmd)
                assert r.returncode == 0, r.stderr
        finally:
            p.kill()


def test_the_operator_flooding_itself_still_gets_in_by_closing_its_oldest_idle_connection():
    with Tend(SERVICES) as t:
        up(t)
        p, held, refused, _ = hold(t, 256)
        try:
            assert held == 256 and refused == 0
            r = t.ctl("status")
            assert r.returncode == 0, r.stderr
            assert "closing idle connection" in t.log
        finally:
            p.kill()


def test_a_supplementary_group_from_outside_the_pid_namespace_is_honoured():
    # tendctl runs outside tend's PID namespace, where its pid means nothing to
    # tend: the group must come from SO_PEERGROUPS, not /proc/PID/status.
    with Tend(SERVICES) as t:
        up(t)
        os.chmod(t.dir, 0o755)
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=1", "--groups=65534",
                            os.environ.get("TENDCTL", t.ctl.__globals__["TENDCTL"]), "-s", t.socket, "status"],
                           capture_output=True, text=True, timeout=20 * SLOWDOWN)
        assert r.returncode == 0, r.stderr
        denied = subprocess.run(["setpriv", "--reuid=65534", "--regid=1", "--clear-groups",
                                 t.ctl.__globals__["TENDCTL"], "-s", t.socket, "status"],
                                capture_output=True, text=True, timeout=20 * SLOWDOWN)
        # Without the group the socket file's mode already refuses it (0660, root:nogroup).
        assert denied.returncode != 0 and "ermission denied" in denied.stderr


def test_names_with_all_and_a_typo_do_nothing_and_start_of_a_running_service_is_done_at_once():
    with Tend(SERVICES) as t:
        up(t)
        r = t.ctl("stop", "all", "dbb")
        assert r.returncode == 1 and "no such service: dbb (did you mean db?)" in r.stderr
        assert json.loads(t.ctl("--json", "status").stdout)[0]["state"] == "running"
        assert all(s["state"] == "running" for s in json.loads(t.ctl("--json", "status").stdout))
        began = time.monotonic()
        r = t.ctl("start", "web")
        assert r.returncode == 0, r.stderr
        assert time.monotonic() - began < 5 * SLOWDOWN, "a running service's start is done at once"
        pid = json.loads(t.ctl("--json", "pid", "web").stdout)
        assert t.ctl("restart", "web").returncode == 0
        assert json.loads(t.ctl("--json", "pid", "web").stdout) != pid, "restart is the way to bounce it"


def test_a_request_line_over_the_limit_is_answered_and_the_connection_closed():
    with Tend(SERVICES) as t:
        up(t)
        line = b'{"cmd":"status","args":{"x":"' + b"a" * 100000 + b'"}}\n{"cmd":"version"}\n'
        data = b""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(t.socket)
            try:
                s.sendall(line)
            except (BrokenPipeError, ConnectionResetError):
                pass  # tend answered and closed before taking all of it
            try:
                while chunk := s.recv(65536):
                    data += chunk
            except ConnectionResetError:
                pass
        replies = [json.loads(x) for x in data.splitlines()]
        assert replies == [{"ok": False, "error": "request too large (over 64 KiB)"}], "closed: the version request is not answered"


def test_a_pipelined_burst_is_answered_a_little_per_turn_so_another_client_comes_first():
    # 3,000 requests in one write, each a misspelt name looked up among 2,000
    # services (with its did-you-mean). Answered all at once, every reply would
    # be in A's socket before B's connection was looked at; answered 16 per
    # turn, B's reply comes while most of A's are still to be written.
    count = 3000
    config = "services:\n" + "".join(f"  s{i}:\n    command: [sleep, '1000']\n    autostart: false\n"
                                     for i in range(2000))
    with Tend(config) as t:
        wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
        with socket.socket(socket.AF_UNIX) as a:
            a.connect(t.socket)
            a.sendall(b'{"cmd":"status","args":{"names":["s12345"]}}\n' * count)
            # tend has begun on A's burst once A has a reply (a blocking peek:
            # polling would leave tend time to finish the burst).
            a.settimeout(10 * SLOWDOWN)
            assert a.recv(1, socket.MSG_PEEK)
            assert request(t.socket, b'{"cmd":"version"}\n')["ok"]
            a.setblocking(False)
            replies = b""
            try:
                while chunk := a.recv(1 << 20):
                    replies += chunk
            except BlockingIOError:
                pass
            assert b"no such service: s12345" in replies
            assert replies.count(b"\n") < count, "B was answered only after all of A's burst"