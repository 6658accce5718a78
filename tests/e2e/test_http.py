"""The HTTP front (settings.http): probes, /metrics checked by promtool, access
rules, and hostile clients that must never stall or crash PID 1: huge headers
and bodies, an endless slowloris request, 1,000 connections, garbage bytes,
bad auth, paths with ../ and NULs. After each, tend still supervises (a
crashing service keeps being restarted) and the control socket answers."""
import base64
import http.client
import os
import resource
import shutil
import socket
import subprocess
import time

import pytest

from harness import RSS_SLOWDOWN, SLOWDOWN, Tend, free_port, wait_for


def config(listen, extra=""):
    return f"""
    settings:
      http: {{listen: "{listen}"{extra}}}
    services:
      sleeper:
        command: [sleep, "1000"]
        min_uptime: 0
      flaky:
        command: "exit 3"
        min_uptime: 0
        max_restarts: -1
        backoff: {{initial: 300ms, max: 300ms}}
    """


def get(port, path, headers=None, timeout=10):
    """(status, body) of a GET over a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * SLOWDOWN)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def answers(port):
    try:
        return get(port, "/health/sleeper")
    except OSError:
        return None


def restarts(t, name):
    status = t.status(name)
    return status[name]["restarts"] if status else -1


def still_supervising(t, port):
    """Since the attack: the control socket answers, flaky was restarted again, HTTP answers."""
    before = restarts(t, "flaky")
    assert before >= 0, t.log
    wait_for(lambda: restarts(t, "flaky") > before, 10, what="flaky restarted again")
    assert answers(port) == (200, "ok\n")
    assert t.process.poll() is None


def connection_closed(sock, timeout):
    """Whether the peer closes `sock` within `timeout`s (reading and dropping what it sends)."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + timeout * SLOWDOWN
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


@pytest.fixture
def served():
    port = free_port()
    with Tend(config(f"127.0.0.1:{port}")) as t:
        wait_for(lambda: answers(port), 10, what="the HTTP listener")
        wait_for(lambda: restarts(t, "flaky") >= 1, 10, what="flaky restarted")
        yield t, port


def test_probes_answer_200_or_503_with_a_one_line_reason_and_404_for_an_unknown_name(served):
    t, port = served
    assert get(port, "/health/sleeper") == (200, "ok\n")
    # flaky spends its time in backoff; a probe may meet it in its moment of running.
    status, body = wait_for(lambda: (r := get(port, "/healthz"))[0] == 503 and r, 10, what="/healthz 503")
    assert body.startswith("flaky is ") and body.count("\n") == 1, body
    health = t.ctl("health")
    assert health.returncode != 0 and "flaky is " in health.stdout + health.stderr
    status, body = wait_for(lambda: (r := get(port, "/health/flaky"))[0] == 503 and r, 10, what="503")
    assert status == 503 and body.startswith("flaky is "), body
    assert get(port, "/health/nope") == (404, "no such service: nope\n")
    assert get(port, "/nowhere")[0] == 404
    t.ctl("stop", "flaky", check=True)
    assert get(port, "/healthz") == (200, "ok\n")
    assert get(port, "/readyz") == (200, "ok\n")


def metric(text, line_start):
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {line_start} in:\n{text}")


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian's prometheus) is not installed")
def test_metrics_pass_promtool_and_count_what_tend_did(served):
    t, port = served
    t.ctl("status", check=True)
    status, text = get(port, "/metrics")
    assert status == 200
    check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr + text
    labels = '{service="sleeper",group="sleeper"}'
    assert metric(text, "tend_service_up" + labels) == 1
    assert metric(text, "tend_service_ready" + labels) == 1
    assert metric(text, 'tend_service_state{service="sleeper",group="sleeper",state="running"}') == 1
    assert metric(text, "tend_service_resident_memory_bytes" + labels) > 0
    assert metric(text, 'tend_service_restarts_total{service="flaky",group="flaky"}') >= 1
    assert metric(text, 'tend_service_last_exit_code{service="flaky",group="flaky"}') == 3
    assert metric(text, 'tend_requests_total{front="control"}') >= 1
    assert metric(text, 'tend_requests_total{front="http"}') >= 1
    assert metric(text, "process_resident_memory_bytes") > 0
    assert metric(text, "process_open_fds") > 0


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian's prometheus) is not installed")
def test_output_lines_and_bytes_are_counted_per_service_and_stream():
    port = free_port()
    # 7 lines on stdout ("line N" and its newline: 7 bytes each); on stderr 2 lines ("e" and its newline)
    # and a partial one ("e": a line once its newline comes or the process exits; its byte at once).
    script = "for i in 1 2 3 4 5 6 7; do echo line $i; done; echo e >&2; echo e >&2; printf e >&2; exec sleep 1000"
    with Tend(config(f"127.0.0.1:{port}") + f"""
      talker:
        command: [sh, -c, "{script}"]
        min_uptime: 0
      quiet:
        command: [sleep, "1000"]
        output: inherit
    """) as t:
        wait_for(lambda: answers(port), 10, what="the HTTP listener")
        labels = '{service="talker",group="talker",stream="%s"}'

        def counted():
            text = get(port, "/metrics")[1]
            return (metric(text, "tend_service_output_bytes_total" + labels % "stderr") == 5
                    and metric(text, "tend_service_output_lines_total" + labels % "stdout") == 7 and text)

        text = wait_for(counted, 10, what="talker's lines counted")
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stdout + check.stderr + text
        assert metric(text, "tend_service_output_lines_total" + labels % "stderr") == 2
        assert metric(text, "tend_service_output_bytes_total" + labels % "stdout") == 49
        assert metric(text, "tend_service_output_bytes_total" + labels % "stderr") == 5
        assert 'tend_service_output_lines_total{service="quiet"' not in text  # not captured: no sample


def test_huge_headers_a_huge_body_and_too_many_fields_are_refused(served):
    t, port = served
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        assert connection_closed(s, 10)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(100)) + b"\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 431")
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + b"z" * 65536)
        assert s.recv(100).startswith(b"HTTP/1.1 413")  # refused by its length, before any body is read
        assert connection_closed(s, 10)
    still_supervising(t, port)


def test_an_endless_slowloris_request_is_dropped(served):
    t, port = served
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < 20 * SLOWDOWN:
            try:
                s.sendall(b"X-a: b\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if connection_closed(s, 0.5):
                closed = True
                break
        assert closed, "a request that never ends was kept"
        assert time.monotonic() - start < 15 * SLOWDOWN
    still_supervising(t, port)


def test_a_thousand_connections_leave_pid_1_serving(served):
    t, port = served
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    sockets = []
    try:
        for _ in range(1000):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            sockets.append(s)
        # With every slot taken or refused, the control socket still answers and services are still restarted.
        before = restarts(t, "flaky")
        wait_for(lambda: restarts(t, "flaky") > before, 10, what="flaky restarted under 1,000 connections")
    finally:
        for s in sockets:
            s.close()
    wait_for(lambda: answers(port) == (200, "ok\n"), 15, what="HTTP answering again")
    still_supervising(t, port)


def test_garbage_bytes_and_nul_or_dot_dot_paths_get_errors_not_a_crash(served):
    t, port = served
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(os.urandom(4096) + b"\r\n\r\n")
        assert connection_closed(s, 10)
    with socket.create_connection(("127.0.0.1", port)) as s:
        # A raw NUL ends the path where libmicrohttpd reads it: "sle", which names nothing.
        s.sendall(b"GET /health/sle\x00eper HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = s.recv(200)
        assert reply.startswith((b"HTTP/1.1 400", b"HTTP/1.1 404")) or reply == b"", reply
    status, body = get(port, "/health/../../etc/passwd")
    assert status == 404
    assert get(port, "/health/sleeper%00x") == (404, "no such page: /?\n")
    status, body = get(port, "/health/x%0aeper")
    assert status == 404 and body.count("\n") == 1, body
    status, body = get(port, "/health/x%22%5C")
    assert (status, body) == (404, 'no such service: x"\\\n')
    still_supervising(t, port)


def test_off_loopback_basic_auth_is_required_and_checked():
    port = free_port()
    extra = ', user: prom, password_file: "$DIR/password"'
    with Tend(config(f"0.0.0.0:{port}", extra), files={"password": "s3cret\n"}) as t:
        wait_for(lambda: answers(port), 10, what="the HTTP listener")
        assert answers(port)[0] == 401

        def auth(user, password):
            return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

        assert get(port, "/healthz", auth("prom", "wrong"))[0] == 401
        assert get(port, "/healthz", auth("prom2", "s3cret"))[0] == 401
        assert get(port, "/healthz", {"Authorization": "Basic !!!"})[0] == 401
        assert get(port, "/health/sleeper", auth("prom", "s3cret")) == (200, "ok\n")
        still = t.ctl("status", "sleeper")
        assert still.returncode == 0

        # A reload that names another password file reads it; one that cannot be
        # read keeps the listener and the password it had.
        t.file("rotated").write_text("rotated")
        t.config_path.write_text(t.config_path.read_text().replace("/password", "/rotated"))
        t.ctl("reload", check=True)
        assert get(port, "/healthz", auth("prom", "s3cret"))[0] == 401
        assert get(port, "/health/sleeper", auth("prom", "rotated")) == (200, "ok\n")
        t.config_path.write_text(t.config_path.read_text().replace("/rotated", "/missing"))
        reload = t.ctl("reload")
        assert "settings.http.password_file: failed to open" in reload.stdout + reload.stderr, reload
        assert get(port, "/health/sleeper", auth("prom", "rotated")) == (200, "ok\n")


def test_tend_check_refuses_an_address_off_loopback_without_auth(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text('settings:\n  http: {listen: "0.0.0.0:9001"}\nservices:\n  a:\n    command: [x]\n')
    from harness import TEND
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "t.yaml:2:18: settings.http.listen: 0.0.0.0:9001 is reachable from other hosts" in r.stderr


def unix_get(path, url, user=None):
    command = ["curl", "-s", "-o", "/dev/stderr", "-w", "%{http_code}", "--max-time", "10", "--unix-socket", path,
               "http://tend" + url]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + command
    r = subprocess.run(command, capture_output=True, text=True, timeout=30)
    return r.stdout, r.stderr


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_unix_socket_admits_the_operator_and_not_other_users_and_moves_on_reload():
    with Tend(config("unix:$DIR/http.sock")) as t:
        sock = str(t.file("http.sock"))
        wait_for(lambda: os.path.exists(sock), 10, what="the HTTP socket")
        assert unix_get(sock, "/health/sleeper") == ("200", "ok\n")
        assert oct(os.stat(sock).st_mode & 0o777) == "0o600"
        code, _ = unix_get(sock, "/health/sleeper", user=65534)
        assert code == "000"  # refused: the socket is root's
        port = free_port()
        t.config_path.write_text(t.config_path.read_text().replace(f"unix:{sock}", f"127.0.0.1:{port}"))
        t.ctl("reload", check=True)
        assert answers(port) == (200, "ok\n")
        assert not os.path.exists(sock)


def test_an_idle_listener_costs_no_wake_up():
    port = free_port()
    idle = """
    settings:
      http: {listen: "127.0.0.1:%d"}
    services:
      sleeper:
        command: [sleep, "1000"]
        min_uptime: 0
    """ % port
    with Tend(idle) as t:
        wait_for(lambda: answers(port), 10, what="the HTTP listener")
        get(port, "/metrics")
        wait_for(lambda: t.status("sleeper")["sleeper"]["state"] == "running", 10, what="sleeper running")

        assert t.wake_ups_over(3) == 0


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus (Debian's package) is not installed")
def test_a_real_prometheus_server_scrapes_tend_and_its_query_api_returns_the_values(served, tmp_path):
    import json
    import urllib.parse
    import urllib.request

    t, port = served
    prometheus_port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
        f"scrape_configs:\n  - job_name: tend\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
    server = subprocess.Popen(
        ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def query(expression):
            url = f"http://127.0.0.1:{prometheus_port}/api/v1/query?query=" + urllib.parse.quote(expression)
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    return json.load(reply)["data"]["result"]
            except OSError:
                return None

        up = wait_for(lambda: query('tend_service_up{service="sleeper"}'), 60, interval=0.5, what="a scrape")
        assert up[0]["value"][1] == "1"
        assert up[0]["metric"]["job"] == "tend"
        exit_code = wait_for(lambda: query('tend_service_last_exit_code{service="flaky"}'), 30, interval=0.5,
                             what="flaky's exit code")
        assert exit_code[0]["value"][1] == "3"
        target_up = wait_for(lambda: query('up{job="tend"}'), 30, interval=0.5, what="the target's up")
        assert target_up[0]["value"][1] == "1"
        # sleeper prints nothing: its counters are there, at 0.
        lines = wait_for(lambda: query('tend_service_output_lines_total{service="sleeper",stream="stdout"}'), 30,
                         interval=0.5, what="sleeper's line count")
        assert lines[0]["value"][1] == "0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_one_client_address_holds_at_most_64_connections(served):
    t, port = served
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
    try:
        # tend counts a connection once libmicrohttpd has accepted it: wait for the 65th to be refused.
        def refused():
            try:
                get(port, "/health/sleeper", timeout=2)
                return False
            except (ConnectionError, http.client.HTTPException, OSError):
                return True

        wait_for(refused, 10, what="the 65th connection refused")
    finally:
        for s in held:
            s.close()
    wait_for(lambda: answers(port) == (200, "ok\n"), 10, what="HTTP answering again")
    still_supervising(t, port)


def test_request_bodies_held_at_once_are_capped_for_the_whole_front(served):
    """Many connections each announce 1 MiB and trickle it: past 8 MiB
    held in all, more bodies get 503 at once; tend's RSS stays bounded and the
    control socket answers throughout."""
    t, port = served
    rss_before = t.rss_kib()
    announced = 1024 * 1024
    held = []
    try:
        # 64 connections (one address's most), each announcing 1 MiB and sending 64 KiB of it.
        for _ in range(64):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                      b"Content-Length: %d\r\n\r\n" % announced + b"<" * 65536)
            held.append(s)
        busy = 0
        for s in held:
            s.settimeout(0.05)
            try:
                reply = s.recv(200)
            except socket.timeout:
                continue
            if reply.startswith(b"HTTP/1.1 503"):
                busy += 1
                assert b"busy: the HTTP front holds its limit of request bodies (8388608 bytes" in reply + s.recv(400)
        # 8 MiB / 1 MiB: 8 bodies are admitted, every other one is refused.
        assert busy == 64 - 8, busy
        assert t.ctl("status").returncode == 0
        rss_kib = t.rss_kib()
        assert rss_kib - rss_before < 16 * 1024 * RSS_SLOWDOWN, (rss_before, rss_kib)
        # An XML-RPC call waits its turn: busy now...
        status = post_rpc(port)
        assert status == 503
    finally:
        for s in held:
            s.close()
    # ...and served once the trickling clients are gone.
    wait_for(lambda: post_rpc(port) == 200, 10, what="an XML-RPC call served again")
    still_supervising(t, port)


def post_rpc(port):
    body = b"<?xml version='1.0'?><methodCall><methodName>supervisor.getState</methodName><params/></methodCall>"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10 * SLOWDOWN)
    try:
        connection.request("POST", "/RPC2", body=body, headers={"Content-Type": "text/xml"})
        return connection.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return None
    finally:
        connection.close()
