"""The HTTP front's streams: supervisord's /logtail/NAME and /mainlogtail (read
by Debian's real `supervisorctl tail -f` and `maintail -f`), Server-Sent Events
at /events, and clearing the kept output; then hostile readers: one that never
reads (dropped past the queue's cap, tend's memory bounded, tendctl answered),
64 followers at once, followers that hang up mid-stream, and a flood followed."""
import http.client
import json
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import xmlrpc.client

import pytest

from harness import SLOWDOWN, TENDCTL, Tend, free_port, kill_after, sanitizer_tree, wait_for

# 20 MB of output in the release tree; a tenth of it where the sanitizers make
# every byte through tend many times dearer (the queues' cap is 256 KiB, so a
# tenth still overflows a stalled follower's queue eight times over).
FLOOD_LINES = 3_000_000 if SLOWDOWN == 1 else 300_000

CONFIG = """
settings:
  http: {{listen: "127.0.0.1:{port}"}}
services:
  talker:
    command: "echo hello; echo oops >&2; exec sleep 1000"
  ticker:
    command: "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done"
  sleeper:
    command: [sleep, "1000"]
    min_uptime: 0
  flood:
    command: "seq 1 {flood}; exec sleep 1000"
    autostart: false
"""

needs_supervisorctl = pytest.mark.skipif(shutil.which("supervisorctl") is None,
                                         reason="supervisorctl (Debian's supervisor) is not installed")


@pytest.fixture
def served():
    port = free_port()
    # stdout to /dev/null: the flood is not written to a file.
    with Tend(CONFIG.format(port=port, flood=FLOOD_LINES), stdout="devnull") as t:
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
        wait_for(lambda: _running(proxy, "talker", "ticker", "sleeper"), 10, what="services running")
        wait_for(lambda: proxy.supervisor.readProcessStderrLog("talker", 0, 0) == "oops\n", 10,
                 what="talker's output")
        yield t, port, proxy


def _running(proxy, *names):
    try:
        return all(proxy.supervisor.getProcessInfo(n)["statename"] == "RUNNING" for n in names)
    except OSError:
        return False


def stream(port, path, timeout=10):
    """An open GET of `path`: (connection, response), the body read as it comes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * SLOWDOWN)
    connection.request("GET", path)
    sock = connection.sock  # http.client lets go of it once the answer says the connection closes after it
    response = connection.getresponse()
    connection.sock = sock
    return connection, response


def read_until(response, predicate, limit=10_000):
    """Lines of the body until one satisfies `predicate` (the socket's timeout bounds the wait)."""
    lines = []
    for _ in range(limit):
        line = response.readline().decode(errors="replace")
        if not line:
            break
        lines.append(line)
        if predicate(line):
            return lines
    raise AssertionError(f"not found in {lines[-20:]}")


def body_ends(response):
    """Whether the body ends (cut or not) before the socket's timeout."""
    try:
        while response.readline():
            pass
    except TimeoutError:
        return False
    except (OSError, http.client.HTTPException):
        pass
    return True


def socket_ends(s):
    """Whether the connection ends (closed or reset) before a timeout."""
    s.settimeout(10 * SLOWDOWN)
    try:
        while s.recv(1 << 20):
            pass
    except TimeoutError:
        return False
    except OSError:
        pass
    return True


def stalled_socket(port, path):
    """A GET of `path` from a client that never reads, with a small receive buffer."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return s


def supervisorctl(port, *args):
    """(exit code, output) of Debian's supervisorctl against tend."""
    run = subprocess.run(["supervisorctl", "-s", f"http://127.0.0.1:{port}", *args], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=30 * SLOWDOWN)
    return run.returncode, run.stdout


def timed_status(t):
    start = time.monotonic()
    assert t.ctl("status", "sleeper").returncode == 0
    return time.monotonic() - start


@needs_supervisorctl
def test_supervisorctl_tail_f_follows_new_lines(served):
    t, port, proxy = served
    ctl = subprocess.Popen(["supervisorctl", "-s", f"http://127.0.0.1:{port}", "tail", "-f", "ticker"],
                           stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    kill_after(ctl, 30)  # its output is read without a timeout
    try:
        assert ctl.stdout.readline() == "==> Press Ctrl-C to exit <==\n"
        ticks = []
        deadline = time.monotonic() + 10 * SLOWDOWN
        while len(ticks) < 15 and time.monotonic() < deadline:
            line = ctl.stdout.readline()
            ticks += [int(w) for w in line.split() if w.isdigit()]
        # The first 1 KiB of kept lines may start mid-line; after it, every tick in order.
        assert len(ticks) >= 15 and ticks[-10:] == list(range(ticks[-10], ticks[-10] + 10)), ticks
    finally:
        ctl.send_signal(signal.SIGINT)
        ctl.wait(10 * SLOWDOWN)
    connection, response = stream(port, "/logtail/talker/stderr")
    assert response.status == 200 and response.getheader("Content-Type") == "text/plain;charset=utf-8"
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.readline() == b"oops\n"
    connection.close()
    for path, status in (("/logtail/nope", 404), ("/logtail/talker/stdin", 404), ("/logtail/", 404)):
        connection, response = stream(port, path)
        assert response.status == status, path
        connection.close()


@needs_supervisorctl
def test_supervisorctl_maintail_shows_tends_own_log(served):
    t, port, proxy = served
    code, out = supervisorctl(port, "maintail")
    assert code == 0 and "HTTP listener at 127.0.0.1:" in out, out
    assert proxy.supervisor.readLog(0, 0) in t.log
    ctl = subprocess.Popen(["supervisorctl", "-s", f"http://127.0.0.1:{port}", "maintail", "-f"],
                           stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    kill_after(ctl, 30)  # its output is read without a timeout
    try:
        assert ctl.stdout.readline() == "==> Press Ctrl-C to exit <==\n"
        t.ctl("reload", check=True)
        line = ""
        while "Reload finished" not in line:
            line = ctl.stdout.readline()
            assert line, "maintail -f ended"
    finally:
        ctl.send_signal(signal.SIGINT)
        ctl.wait(10 * SLOWDOWN)
    assert proxy.supervisor.clearLog() is True
    assert "HTTP listener at" not in proxy.supervisor.readLog(0, 0)


@needs_supervisorctl
def test_supervisorctl_clear_forgets_the_kept_output(served):
    t, port, proxy = served
    ctl = lambda *args: supervisorctl(port, *args)
    assert ctl("tail", "talker") == (0, "hello\n\n")
    assert ctl("clear", "talker") == (0, "talker: cleared\n")
    assert ctl("tail", "talker") == (0, "\n")
    assert ctl("tail", "talker", "stderr") == (0, "\n")
    assert "hello" not in t.ctl("logs", "talker").stdout
    assert ctl("clear", "nope") == (1, "nope: ERROR (no such process)\n")
    assert ctl("tail", "ticker")[1].strip()
    code, out = ctl("clear", "all")
    assert code == 0 and sorted(out.splitlines()) == ["flood: cleared", "sleeper: cleared", "talker: cleared",
                                                       "ticker: cleared"]
    assert proxy.supervisor.clearProcessLogs("ticker") is True
    # tendctl's own way to the same.
    tick = lambda line: int(line.split()[-1])
    wait_for(lambda: "tick" in t.ctl("logs", "ticker").stdout, 5, what="a tick kept")
    last = tick(t.ctl("logs", "ticker", "-n", "1").stdout)
    assert t.ctl("logs", "--clear", "ticker", "sleeper").stdout == "ticker: cleared\nsleeper: cleared\n"
    kept = t.ctl("logs", "ticker").stdout.splitlines()
    assert not kept or tick(kept[0]) > last, (last, kept)
    refused = t.ctl("logs", "--clear", "-f")
    assert refused.returncode != 0 and "excludes" in refused.stderr, refused.stderr
    refused = t.ctl("logs", "--clear", "-n", "3")
    assert refused.returncode != 0 and "'clear' goes without 'lines' and 'follow'" in refused.stderr, refused.stderr


def test_events_are_server_sent_events_of_what_tendctl_events_streams(served):
    t, port, proxy = served
    tendctl = subprocess.Popen([TENDCTL, "-s", t.socket, "--json", "events"], stdout=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    printed = queue.Queue()  # tendctl's events, read beside the test so a wait can end
    threading.Thread(target=lambda: [printed.put(json.loads(line)) for line in tendctl.stdout], daemon=True).start()
    is_running = lambda e: e["service"] == "sleeper" and e["to"] == "running"

    def tendctl_until(done, timeout):
        events = [printed.get(timeout=timeout * SLOWDOWN)]
        while not done(events):
            events.append(printed.get(timeout=timeout * SLOWDOWN))
        return events

    try:
        # tendctl follows once it prints an event. A restart that ended before it
        # had subscribed shows nothing, so the restart is repeated until one shows.
        deadline = time.monotonic() + 30 * SLOWDOWN
        while True:
            assert t.ctl("restart", "sleeper").returncode == 0
            try:
                tendctl_until(lambda es: is_running(es[-1]), 2)
                break
            except queue.Empty:
                assert time.monotonic() < deadline, "tendctl events printed no restart"
        connection, response = stream(port, "/events")
        assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
        # The first bytes come once the stream follows the events.
        assert response.readline() == b": tend events\n" and response.readline() == b"\n"
        assert t.ctl("restart", "sleeper").returncode == 0
        events = []
        while not events or not is_running(events[-1]):
            line = response.readline().decode()
            assert line.startswith("data: ") and response.readline() == b"\n", line
            events.append(json.loads(line[len("data: "):]))
        assert [e["to"] for e in events] == ["stopping", "starting", "running"], events
        strip = lambda es: [(e["kind"], e["service"], e["from"], e["to"], e["reason"]) for e in es]
        # What tendctl still had to print of the restarts above comes first.
        assert strip(tendctl_until(lambda es: strip(es[-3:]) == strip(events), 10)[-3:]) == strip(events)
        connection.close()
    finally:
        tendctl.kill()
        tendctl.wait()
    head = http.client.HTTPConnection("127.0.0.1", port, timeout=10 * SLOWDOWN)
    head.request("HEAD", "/events")
    assert head.getresponse().status == 405


def test_a_reader_that_never_reads_is_dropped_and_tend_stays_small(served):
    t, port, proxy = served
    before = t.rss_kib()
    baseline = min(timed_status(t) for _ in range(3))
    stalled = [stalled_socket(port, "/logtail/flood") for _ in range(4)]
    events = stalled_socket(port, "/events")
    wait_for(lambda: "tick" in proxy.supervisor.readProcessStdoutLog("ticker", -100, 0), 5)
    assert proxy.supervisor.startProcess("flood") is True
    worst = 0
    peak = 0

    def dropped():
        nonlocal worst, peak
        worst = max(worst, timed_status(t))
        peak = max(peak, t.rss_kib())
        return t.log.count("Dropping the HTTP stream to 127.0.0.1") >= 4

    wait_for(dropped, 60, interval=0.2, what="the stalled followers dropped")
    wait_for(lambda: str(FLOOD_LINES) in proxy.supervisor.readProcessStdoutLog("flood", -100, 0), 60,
             what="the flood read to its end")
    print(f"tend RSS {before} KiB before, {peak} KiB at most with 4 stalled followers of a {FLOOD_LINES:,}-line flood, "
          f"{t.rss_kib()} KiB after; tendctl status {baseline * 1000:.0f} ms idle, {worst * 1000:.0f} ms at worst")
    # The flood's kept lines (4 MiB at most) and the queues (256 KiB each) bound it.
    # Not where ASan keeps every freed block in its quarantine (256 MiB): there a
    # 300,000-line flood alone grows RSS by 130 MiB, whatever tend holds.
    if not sanitizer_tree():
        assert peak - before < 16 * 1024
    for s in stalled:  # what the kernel had taken for it, then the end
        assert socket_ends(s)
        s.close()
    events.close()
    assert t.process.poll() is None and _running(proxy, "sleeper")


def test_64_followers_at_once_and_hang_ups_mid_stream(served):
    t, port, proxy = served
    proxy("close")()  # its kept-alive connection would be a 65th from this address
    followers = [stream(port, "/logtail/ticker") for _ in range(32)] + [stream(port, "/events") for _ in range(32)]
    for connection, response in followers[:32]:
        read_until(response, lambda line: line.startswith("tick"))
    assert t.ctl("restart", "sleeper").returncode == 0
    for connection, response in followers[32:]:
        read_until(response, lambda line: '"to":"running"' in line)
    assert timed_status(t) < 5 * SLOWDOWN
    # Hung up while suspended (nothing to send) or mid-line: each place is freed, so 64 more are admitted.
    for connection, response in followers:
        connection.sock.shutdown(socket.SHUT_RDWR)
        connection.close()
    def admitted_again():
        again = []
        try:
            for _ in range(64):
                again.append(stream(port, "/logtail/ticker", timeout=2))
            for connection, response in again:
                read_until(response, lambda line: line.startswith("tick"))
            return True
        except (OSError, http.client.HTTPException, AssertionError):
            return False
        finally:
            for connection, response in again:
                connection.close()
    wait_for(admitted_again, 20, interval=0.5, what="64 followers admitted again")
    assert t.process.poll() is None


def test_a_flood_followed_by_a_reader_that_keeps_up(served):
    t, port, proxy = served
    connection, response = stream(port, "/logtail/flood", timeout=30)
    assert proxy.supervisor.startProcess("flood") is True
    quitter = stream(port, "/logtail/flood")
    read_until(quitter[1], lambda line: True)
    quitter[0].sock.shutdown(socket.SHUT_RDWR)  # gone mid-flood
    quitter[0].close()
    received = 0
    tail = b""
    try:
        while not tail.endswith(f"\n{FLOOD_LINES}\n".encode()):
            data = response.read1(1 << 20)
            if not data:
                break
            received += data.count(b"\n")
            tail = (tail + data)[-16:]
    except (OSError, http.client.HTTPException):
        pass
    last = tail.decode().split("\n")[-2] + "\n" if b"\n" in tail else ""
    # A reader on this loaded machine may fall behind and be dropped: then tend said so.
    assert last == f"{FLOOD_LINES}\n" or "Dropping the HTTP stream" in t.log, (received, last)
    print(f"the follower read {received} of the flood's {FLOOD_LINES:,} lines")
    assert timed_status(t) < 5 * SLOWDOWN and t.process.poll() is None


QUIET = """
settings:
  http: {{listen: "127.0.0.1:{port}"}}
services:
  sleeper: {{command: "echo up; exec sleep 1000", min_uptime: 0}}
"""


def test_idle_followers_cost_tend_no_wake_up():
    port = free_port()
    with Tend(QUIET.format(port=port)) as t:
        wait_for(lambda: (t.status("sleeper") or {}).get("sleeper", {}).get("state") == "running", 10,
                 what="sleeper running")
        followers = [stream(port, path) for path in ("/logtail/sleeper", "/events", "/mainlogtail")]
        assert followers[0][1].readline() == b"up\n"

        assert t.wake_ups_over(3) == 0
        # A line still reaches its follower after the quiet.
        t.ctl("restart", "sleeper", check=True)
        read_until(followers[0][1], lambda line: line == "up\n")


def test_followers_end_when_the_listener_moves_and_tend_shuts_down_with_them_open(served):
    t, port, proxy = served
    moved = free_port()
    old = [stream(port, path) for path in ("/events", "/logtail/ticker", "/mainlogtail")]
    read_until(old[1][1], lambda line: line.startswith("tick"))
    t.config_path.write_text(t.config_path.read_text().replace(f"127.0.0.1:{port}", f"127.0.0.1:{moved}"))
    t.ctl("reload", check=True)
    for connection, response in old:  # closed with the old listener
        assert body_ends(response)
    new = [stream(moved, path) for path in ("/events", "/logtail/ticker")]
    read_until(new[1][1], lambda line: line.startswith("tick"))
    t.signal(signal.SIGTERM)
    assert t.wait(30) == 0


@needs_supervisorctl
def test_supervisorctl_tail_f_over_a_unix_socket():
    config = """
    settings:
      http: {listen: "unix:$DIR/http.sock"}
    services:
      talker: {command: "echo hello; echo oops >&2; exec sleep 1000"}
    """
    with Tend(config) as t:
        url = f"unix://{t.file('http.sock')}"
        wait_for(lambda: t.file("http.sock").exists() and "oops" in t.ctl("logs", "talker").stdout, 10,
                 what="talker's output kept")
        ctl = subprocess.Popen(["supervisorctl", "-s", url, "tail", "-f", "talker", "stderr"], stdout=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
        kill_after(ctl, 30)  # its output is read without a timeout
        try:
            assert ctl.stdout.readline() == "==> Press Ctrl-C to exit <==\n"
            assert ctl.stdout.readline() == "oops\n"
        finally:
            ctl.send_signal(signal.SIGINT)
            ctl.wait(10 * SLOWDOWN)
