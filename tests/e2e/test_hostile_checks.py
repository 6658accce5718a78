"""Readiness, notify and probes driven by a hostile or careless program: a
stranger's notify messages, a notify flood, a readiness fd that never ends its
line, an unsafe notify directory, probes that leave children behind or print
without end, and a reload that changes `health:`. PID 1 is neither fooled nor
held, and its control socket answers throughout."""
import os
import textwrap
import time
from pathlib import Path

from harness import RSS_SLOWDOWN, SLOWDOWN, Tend, wait_for

# Sends to another service's notify socket, as any process of the same user can.
ATTACK = """
import os, socket, sys, time
target, progress, mode = sys.argv[1], sys.argv[2], sys.argv[3]
while not os.path.exists(target):
    time.sleep(0.01)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if mode == "once":
    for _ in range(5):
        s.sendto(b"READY=1\\nWATCHDOG=trigger\\nSTATUS=owned by a stranger", target)
    open(progress, "w").write("sent")
    time.sleep(1000)
s.setblocking(False)
sent = 0
while not os.path.exists(progress + ".stop"):
    try:
        s.sendto(b"READY=1\\nSTATUS=flood", target)
        sent += 1
        if sent % 1000 == 0:
            open(progress, "w").write(str(sent))
    except BlockingIOError:
        time.sleep(0.0005)
open(progress, "w").write(str(sent))
time.sleep(1000)
"""

# Writes to the readiness fd without ever a newline, as fast as the pipe takes it.
ENDLESS = """
import os, sys, time
open(sys.argv[1], "w").write("writing")
chunk = b"x" * 65536
try:
    while True:
        os.write(5, chunk)
except OSError as e:
    open(sys.argv[1], "w").write("stopped: " + e.strerror)
time.sleep(1000)
"""


def answers(t, within=1.0):
    """tendctl status gets its answer within `within` seconds (more under the sanitizer)."""
    began = time.monotonic()
    result = t.ctl("--json", "status")
    took = time.monotonic() - began
    assert result.returncode in (0, 4), result.stderr
    assert took < within * SLOWDOWN, f"status took {took:.2f}s"
    return result


def status(t):
    wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
    result = t.status()
    assert result is not None, "tend did not answer status"
    return result


def cmdlines(t):
    out = []
    for pid in t.processes():
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:2])
        except OSError:
            pass
    return out


def memfd_bytes(pid):
    """What tend holds in memfds: their sizes, summed."""
    total = 0
    fds = Path(f"/proc/{pid}/fd")
    for fd in os.listdir(fds):
        try:
            if os.readlink(fds / fd).startswith("/memfd:"):
                total += os.stat(fds / fd).st_size
        except OSError:
            pass
    return total


def test_notify_access_all_ignores_a_message_from_another_service():
    config = """
        services:
          victim:
            command: sleep 1000
            ready: {notify: systemd, notify_access: all, watchdog: 10s, timeout: 60s}
          attacker:
            command: [python3, $DIR/attack.py, $DIR/tend.sock.notify/victim, $DIR/progress, once]
    """
    with Tend(config, files={"attack.py": ATTACK}) as t:
        wait_for(lambda: t.read("progress") == "sent", 10, what="the stranger's messages to be sent")
        t.wait_log("victim: notify message from pid ")
        assert "not one of its processes (or gone before it was read), ignored" in t.log
        answers(t)
        s = status(t)["victim"]
        assert s["state"] == "starting"
        assert s["status_text"] is None
        assert "victim: starting -> running" not in t.log
        assert "WATCHDOG=trigger" not in t.log


def test_a_notify_flood_from_a_stranger_logs_one_line_then_a_count():
    config = """
        services:
          victim:
            command: sleep 1000
            ready: {notify: systemd, timeout: 60s}
          flood:
            command: [python3, $DIR/attack.py, $DIR/tend.sock.notify/victim, $DIR/progress, flood]
    """
    with Tend(config, files={"attack.py": ATTACK}) as t:
        wait_for(lambda: t.read("progress"), 10, what="the flood to begin")
        t.wait_log("victim: notify message from pid ")
        # The window is 10 s: its end brings the count, with the flood going on.
        deadline = time.monotonic() + 15 * SLOWDOWN
        while "more notify warning(s) suppressed in the last 10s" not in t.log:
            assert time.monotonic() < deadline, f"no count of suppressed warnings; log size {len(t.log)}"
            answers(t)
            time.sleep(0.2)
        (t.dir / "progress.stop").write_text("")
        sent = int(wait_for(lambda: t.read("progress").isdigit() and t.read("progress"), 10, what="the count sent"))
        log_bytes = t.stderr_path.stat().st_size + t.stdout_path.stat().st_size
        assert sent > 10000, sent
        assert log_bytes < 16 * 1024, f"{log_bytes} bytes of log for {sent} messages"
        assert t.log.count("victim: notify message from pid ") <= 3
        assert status(t)["victim"]["state"] == "starting"


def test_a_readiness_fd_written_without_a_newline_does_not_keep_tend_busy():
    config = """
        services:
          endless:
            command: [python3, $DIR/endless.py, $DIR/progress]
            ready: {notify: fd, fd: 5, timeout: 60s}
    """
    with Tend(config, files={"endless.py": ENDLESS}) as t:
        wait_for(lambda: t.read("progress"), 10, what="the writer to begin")
        before = t.cpu_seconds()
        window = 2.0
        deadline = time.monotonic() + window
        while time.monotonic() < deadline:  # a window of measure, the control socket asked all along
            answers(t)
            time.sleep(0.1)
        used = t.cpu_seconds() - before
        assert used < 0.2 * window * SLOWDOWN, f"tend used {used:.2f}s of CPU in {window}s"
        t.wait_log("endless: 65536 bytes on its readiness fd without a newline; no longer read "
                   "(it cannot become ready through it)")
        assert t.read("progress") == "stopped: Broken pipe"
        assert status(t)["endless"]["state"] == "starting"


def test_a_notify_directory_that_is_a_symlink_or_open_to_others_is_refused():
    config = """
        services:
          first:
            command: sleep 1000
            autostart: false
            ready: {notify: systemd, timeout: 60s}
          second:
            command: sleep 1000
            autostart: false
            ready: {notify: systemd, timeout: 60s}
    """
    with Tend(config) as t:
        wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
        elsewhere = t.dir / "elsewhere"
        elsewhere.mkdir()
        notify_dir = t.dir / "tend.sock.notify"
        notify_dir.symlink_to(elsewhere)
        t.ctl("start", "--no-wait", "first")
        t.wait_log(f"first: the notify socket directory {notify_dir} is a symbolic link; tend does not follow it "
                   "(remove it and tend makes the directory itself): Too many levels of symbolic links")
        assert os.listdir(elsewhere) == []
        answers(t)

        notify_dir.unlink()
        notify_dir.mkdir()
        os.chmod(notify_dir, 0o777)
        t.ctl("start", "--no-wait", "second")
        t.wait_log(f"second: the notify socket directory {notify_dir} is writable by others (mode 0777); tend "
                   "refuses it (make it 0755, or remove it and tend makes it): Operation not permitted")
        assert os.listdir(notify_dir) == []

        os.chmod(notify_dir, 0o755)
        wait_for(lambda: os.path.exists(notify_dir / "second"), 15, what="second's socket once the directory is safe")


def test_a_probe_that_leaves_children_behind_has_them_killed():
    config = """
        services:
          web:
            command: sleep 1000
            health: {exec: "sleep 100 & setsid sleep 101 & echo run >> $DIR/runs", interval: 100ms, retries: 3}
    """
    with Tend(config) as t:
        wait_for(lambda: t.read("runs").count("run") >= 30, 20, what="30 runs of the probe")
        answers(t)
        left = [c for c in cmdlines(t) if c[:1] == [b"sleep"] and c[1:] in ([b"100"], [b"101"])]
        # At most what the probe running now started.
        assert len(left) <= 2, f"{len(left)} sleeps left behind by {t.read('runs').count('run')} probes"
        assert status(t)["web"]["health"] == "healthy"


def test_a_probe_that_times_out_has_its_escaped_children_killed_too():
    # Both sleeps 1000 leave the probe's session. The first is still the probe's
    # child when the probe times out; the second, started by a subshell that
    # exits at once, has been adopted by tend (PID 1) and is found only by the
    # output pipe it still holds.
    config = """
        services:
          web:
            command: sleep 999
            health: {exec: "echo run >> $DIR/runs; setsid sleep 1000 & (setsid sleep 1000 &); exec sleep 1001",
                     interval: 100ms, timeout: 1s, retries: 1000}
    """

    def left():
        return [c for c in cmdlines(t) if c[:1] == [b"sleep"] and c[1:] in ([b"1000"], [b"1001"])]
    with Tend(config) as t:
        wait_for(lambda: t.read("runs").count("run") >= 4, 20, what="4 timed-out runs of the probe")
        answers(t)
        # At most what the probe running now started; those before it die with their timeout.
        try:
            wait_for(lambda: len(left()) <= 3, 5, what="the sleeps of the timed-out probes to be killed")
        except AssertionError as e:
            raise AssertionError(f"{e}: {len(left())} sleeps left by {t.read('runs').count('run')} probes") from None
        assert "timed out after 1s" in status(t)["web"]["health_check"]["output"]


def test_a_probe_that_prints_a_gibibyte_costs_tend_no_memory():
    config = """
        services:
          web:
            command: sleep 1000
            health: {exec: "head -c 1073741824 /dev/zero; echo; echo all printed", interval: 1s, timeout: 60s}
    """
    with Tend(config) as t:
        wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")
        rss_before = t.rss_kib()
        most_held = 0

        def healthy():
            nonlocal most_held
            most_held = max(most_held, memfd_bytes(t.pid))
            s = t.status()
            return s and s["web"]["health"] == "healthy"
        wait_for(healthy, 60, interval=0.05, what="the probe to pass")
        most_held = max(most_held, memfd_bytes(t.pid))
        answers(t)
        grown = t.rss_kib() - rss_before
        assert most_held < 1024 * 1024, f"tend held {most_held} bytes of probe output in memfds"
        assert grown < 16 * 1024 * RSS_SLOWDOWN, f"tend's RSS grew by {grown} KiB"
        assert status(t)["web"]["health_check"]["output"] == "exit code 0"


def write_config(t, config):
    t.config_path.write_text(textwrap.dedent(config).replace("$DIR", str(t.dir)))


def reload(t):
    r = t.ctl("reload")
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


def test_a_reload_that_adds_a_health_check_runs_it():
    config = """
        services:
          web:
            command: sleep 1000
    """
    with Tend(config) as t:
        wait_for(lambda: status(t)["web"]["state"] == "running", 10, what="web to run")
        assert status(t)["web"]["health"] is None
        write_config(t, config.replace("command: sleep 1000", "command: sleep 1000\n"
                                       "            health: {exec: 'test -f $DIR/ok', interval: 100ms, retries: 1000}"))
        assert "~ web (health changed, applied in place)" in reload(t)
        t.wait_log("web: health check failed (1 of 1000): exit code 1")
        assert t.ctl("health").returncode != 0
        (t.dir / "ok").write_text("")
        wait_for(lambda: status(t)["web"]["health"] == "healthy", 10, what="the added check to pass")
        assert t.ctl("health").returncode == 0
        assert status(t)["web"]["restarts"] == 0


def test_a_reload_that_changes_a_health_check_runs_the_new_one():
    config = """
        services:
          web:
            command: sleep 1000
            health: {exec: "test -f $DIR/old", interval: 100ms, retries: 1000}
          consumer:
            command: sleep 1000
            depends_on: {web: healthy}
    """
    with Tend(config) as t:
        t.wait_log("web: health check failed (1 of 1000): exit code 1")
        (t.dir / "new").write_text("")
        write_config(t, config.replace("$DIR/old", "$DIR/new"))
        assert "~ web (health changed, applied in place)" in reload(t)
        wait_for(lambda: status(t)["web"]["health"] == "healthy", 10, what="the new check to pass")
        wait_for(lambda: status(t)["consumer"]["state"] == "running", 10, what="the dependant to start")
        assert t.ctl("health").returncode == 0


def test_a_reload_that_removes_a_health_check_stops_it():
    config = """
        services:
          web:
            command: sleep 1000
            health: {exec: "test -f $DIR/ok", interval: 100ms, retries: 1000}
    """
    with Tend(config) as t:
        t.wait_log("web: health check failed (1 of 1000): exit code 1")
        write_config(t, config.replace('            health: {exec: "test -f $DIR/ok", interval: 100ms, retries: 1000}\n',
                                       ""))
        assert "~ web (health changed, applied in place)" in reload(t)
        s = status(t)["web"]
        assert s["health"] is None
        assert "health_check" not in s
        assert t.ctl("health").returncode == 0
        t.wait_log("web: health check removed")
        answers(t)
