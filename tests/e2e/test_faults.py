"""Fault injection: each fault leaves tend alive, answering, with no zombie,
and with as many fds and about as much memory as before."""
import json
import os
import resource
import signal
import socket
import subprocess
import time

from harness import RSS_SLOWDOWN, SLOWDOWN, Tend, wait_for

BASE = """
    services:
      web:
        command: [sleep, '1000']
        min_uptime: 0
"""


def fds(t):
    return len(os.listdir(f"/proc/{t.pid}/fd"))


class Steady:
    """What must be the same after a fault as before it."""

    def __init__(self, t):
        self.t = t
        wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
        wait_for(lambda: t.ctl("status", "web").returncode == 0, 10, what="web running")
        self.fds = fds(t)
        self.rss = t.rss_kib()

    def check(self, rss_slack_kib=4096):
        t = self.t
        assert t.process.poll() is None, f"tend died:\n{t.log}"
        r = t.ctl("status")
        assert r.returncode == 0, r.stderr
        wait_for(lambda: not t.zombies(), 10, what="no zombie")
        # A leak shows as growth; the baseline may have held the connection of
        # the tendctl call just before it, not yet closed.
        wait_for(lambda: fds(t) <= self.fds, 10, what=f"fd count back to {self.fds} (is {fds(t)})")
        assert t.rss_kib() - self.rss < rss_slack_kib * RSS_SLOWDOWN, (self.rss, t.rss_kib())


def test_a_service_forking_ten_thousand_children():
    config = BASE + """
      forker:
        command: "i=0; while [ $i -lt 10000 ]; do ( : ) & i=$((i+1)); done; wait; echo done > $DIR/forked; exec sleep 1000"
        min_uptime: 0
    """
    with Tend(config) as t:
        s = Steady(t)
        wait_for(lambda: t.read("forked"), 120, what="10,000 children forked and gone")
        s.check()


def test_a_thousand_control_connections_opened_and_dropped():
    with Tend(BASE) as t:
        s = Steady(t)
        for i in range(1000):
            c = socket.socket(socket.AF_UNIX)
            c.connect(t.socket)
            if i % 2:
                c.sendall(b'{"cmd":"status"}\n')  # half of them ask and leave before the answer
            c.close()
        s.check()


def test_a_log_follower_that_never_reads():
    config = BASE + """
      chatty:
        command: "while :; do echo 'a line of output that the follower never takes'; done"
    """
    with Tend(config) as t:
        s = Steady(t)
        follower = subprocess.Popen([t.ctl.__globals__["TENDCTL"], "-s", t.socket, "logs", "-f", "chatty"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: "stopped reading" in t.log, 30, what="the follower to be dropped")
            began = time.monotonic()
            assert t.ctl("status").returncode == 0
            assert time.monotonic() - began < 2 * SLOWDOWN
        finally:
            follower.kill()
            follower.wait()
        t.ctl("stop", "chatty", check=True)
        s.check(rss_slack_kib=16384)


def test_ten_thousand_sighups():
    with Tend(BASE) as t:
        s = Steady(t)
        for _ in range(10000):
            os.kill(t.pid, signal.SIGHUP)
        wait_for(lambda: "Reload finished" in t.log, 10, what="a reload")
        # Signals coalesce; whatever ran, the last reload finishes and tend is idle again.
        wait_for(lambda: t.ctl("reload").returncode == 0, 30, what="reloads to settle")
        s.check()


def test_the_config_deleted_or_unreadable_before_a_reload():
    with Tend(BASE) as t:
        s = Steady(t)
        text = t.config_path.read_text()
        t.config_path.unlink()
        r = t.ctl("reload")
        assert r.returncode == 1 and "No such file or directory" in r.stderr
        # Root reads any file whatever its mode: a directory in its place is what cannot be read.
        t.config_path.mkdir()
        r = t.ctl("reload")
        assert r.returncode == 1 and "a directory" in r.stderr
        t.config_path.rmdir()
        t.config_path.write_text(text)
        assert t.ctl("reload").returncode == 0
        s.check()


def test_tend_with_its_stdout_closed():
    config = BASE + """
      talker:
        command: "while :; do echo still talking; sleep 0.01; done"
        min_uptime: 0
    """
    with Tend(config, stdout="pipe") as t:
        s = Steady(t)
        t.process.stdout.close()  # nobody reads tend's stdout any more
        wait_for(lambda: "EPIPE" in t.log or "Broken pipe" in t.log, 20, what="tend to notice")
        assert t.ctl("restart", "talker").returncode == 0
        s.check()


def test_no_process_allowed_for_a_service_user():
    # With RLIMIT_NPROC 0, nobody may run no process: the service's exec (or its
    # shell's first fork) fails every time; it goes fatal, and the rest runs on.
    config = BASE + """
      limited:
        command: "sleep 1000"
        user: nobody
        max_restarts: 2
        backoff: {initial: 10ms}
    """
    with Tend(config, wrapper=("prlimit", "--nproc=0:0")) as t:
        s = Steady(t)

        def limited():
            state = json.loads(t.ctl("--json", "status", "limited").stdout)[0]
            return state if state["state"] == "fatal" else None

        st = wait_for(limited, 20, what="limited to give up")
        assert "gave up after 3 failed starts" in st["fatal_reason"], st
        s.check()


PIDS_CGROUP = "/sys/fs/cgroup/pids"


def test_tends_own_fork_failing_under_a_pids_limit():
    if not os.access(PIDS_CGROUP, os.W_OK):
        import pytest
        pytest.skip("no writable pids cgroup (v1) here")
    group = f"{PIDS_CGROUP}/tend-e2e-{os.getpid()}"
    os.mkdir(group)
    try:
        # unshare, tend and web fit; the five others cannot all be forked.
        open(f"{group}/pids.max", "w").write("5")
        config = BASE + "".join(f"""
      extra{i}:
        command: [sleep, '1000']
        min_uptime: 0
        max_restarts: 1
        backoff: {{initial: 10ms}}
""" for i in range(5))
        wrapper = ("sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh")
        with Tend(config, wrapper=wrapper) as t:
            wait_for(lambda: "failed to fork: Resource temporarily unavailable" in t.log, 20, what="a failed fork")
            wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
            assert t.process.poll() is None
            wait_for(lambda: "FATAL" in t.ctl("status").stdout, 20, what="a service that could not be forked to give up")
            s = Steady(t)  # web and tend are fine
            # A reload's read wants a thread of its own; with no room for one
            # it is read on the loop, and the reload still goes through.
            t.config_path.write_text(config[:config.index("      extra4:")])  # extra4 is the last service
            t.signal(signal.SIGHUP)
            t.wait_log("Reload finished")
            assert "doing the work on the event loop instead" in t.log, t.log
            assert "Reload: - extra4" in t.log and "extra4" not in t.status(), t.log
            open(f"{group}/pids.max", "w").write("max")
            fatal = [x["name"] for x in json.loads(t.ctl("--json", "status").stdout) if x["state"] == "fatal"]
            assert t.ctl("start", *fatal).returncode == 0, "with room again, they start"
            t.ctl("stop", *fatal, check=True)
            s.check()
            t.signal(signal.SIGTERM)
            assert t.wait() == 0
    finally:
        # The processes of a killed tend leave the group as they are reaped.
        wait_for(lambda: not open(f"{group}/cgroup.procs").read().strip(), 10, what="the group to empty")
        os.rmdir(group)


# Mounts a 64 KiB tmpfs at small/ beside the config (the last argument), in a
# mount namespace of tend's own, then runs the rest.
SMALL_FS = ("unshare", "--mount", "sh", "-c",
            'for a; do last=$a; done; d=$(dirname "$last")/small; mkdir -p "$d" && '
            'mount -t tmpfs -o size=64k tmpfs "$d" && exec "$@"', "sh")


def test_a_log_file_on_a_full_filesystem():
    config = BASE + """
      writer:
        command: "while :; do echo 'a line for a log file on a tiny filesystem'; done"
        log_file: $DIR/small/writer.log
        log_keep: 0
        output: null
        min_uptime: 0
    """
    with Tend(config, wrapper=SMALL_FS) as t:
        s = Steady(t)
        t.wait_log("writer: failed to write log file", 20)
        assert "No space left on device" in t.log
        assert t.log.count("failed to write log file") == 1, "reported once, not per line"
        assert t.ctl("status", "writer").returncode == 0, "the service runs on"
        t.ctl("stop", "writer", check=True)
        s.check()
