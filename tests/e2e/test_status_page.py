"""The status page at `/` (settings.http): rendered by headless Chromium with
the live states and a service's hostile output as text; its buttons change a
service's state (clicked through the DevTools protocol over a pipe, standard
library only); a screenshot kept under the build dir; the CSRF rules (token,
Origin, Sec-Fetch-Site, Host) and hostile POSTs, after which tend still
supervises."""
import base64
import http.client
import json
import os
import re
import select
import shutil
import socket
import signal
import subprocess
import tempfile
import time

import pytest

from harness import BUILD, SLOWDOWN, Tend, free_port, wait_for

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium (Debian's chromium) is not installed")
ARTEFACTS = BUILD / "test-artefacts"

HOSTILE = "<script>document.title='pwned'</script> \"quoted\" 'single' & <b id=bold>bold</b>"


def config(listen, extra_services=""):
    return f"""
    settings:
      http: {{listen: "{listen}"}}
    services:
      sleeper:
        command: [sleep, "1000"]
      noisy:
        command: [sh, -c, 'printf "%s\\n" "$0"; exec sleep 1000', {json.dumps(HOSTILE)}]
      idle:
        command: [sleep, "1000"]
        autostart: false
    {extra_services}"""


def request(port, method, path, headers=None, body=None, timeout=10):
    """(status, body) over a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * SLOWDOWN)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def healthy(port):
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:  # not listening yet
        return False


def page_token(port):
    status, page = request(port, "GET", "/")
    assert status == 200, page
    return re.search(r'<meta name="tend-token" content="([0-9a-f]{64})">', page).group(1)


def state(t, name):
    status = t.status(name)
    return status[name]["state"] if status else None


@pytest.fixture
def served():
    port = free_port()
    with Tend(config(f"127.0.0.1:{port}")) as t:
        wait_for(lambda: healthy(port), 10, what="the HTTP listener")
        wait_for(lambda: HOSTILE in t.output, 10, what="noisy's output")
        yield t, port


def dump_dom(url):
    # Chromium's helper processes may still write to the profile as it is removed.
    with tempfile.TemporaryDirectory(prefix="tend-chromium-", ignore_cleanup_errors=True) as profile:
        result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 f"--user-data-dir={profile}", "--dump-dom", url],
                                capture_output=True, text=True, timeout=60 * SLOWDOWN)
    assert result.returncode == 0, result.stderr
    return result.stdout


@needs_chromium
def test_chromium_renders_every_service_state_and_hostile_output_as_text(served):
    t, port = served
    dom = dump_dom(f"http://127.0.0.1:{port}/")
    assert '<tr id="svc-sleeper" data-state="running">' in dom, dom
    assert '<tr id="svc-noisy" data-state="running">' in dom
    assert '<tr id="svc-idle" data-state="stopped">' in dom
    # The output is text in a <pre>: no element of it, its script never ran.
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt; \"quoted\" 'single' &amp; &lt;b id=bold&gt;" in dom, dom
    assert 'id="bold"' not in dom and "<title>pwned" not in dom
    assert dom.count("<script") == 1


class DevTools:
    """Chromium driven through --remote-debugging-pipe: JSON messages, each ended by NUL,
    read from its fd 4 and written to its fd 3."""

    def __init__(self):
        self.profile = tempfile.TemporaryDirectory(prefix="tend-chromium-", ignore_cleanup_errors=True)
        to_chromium, self.commands = os.pipe()
        self.replies, from_chromium = os.pipe()
        # Out of the way of 3 and 4, which the shell's redirections then fill.
        ends = [os.dup(to_chromium) if to_chromium > 9 else os.dup2(to_chromium, 20),
                os.dup(from_chromium) if from_chromium > 9 else os.dup2(from_chromium, 21)]
        os.close(to_chromium)
        os.close(from_chromium)
        arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe",
                     f"--user-data-dir={self.profile.name}", "--window-size=1280,800", "about:blank"]
        # bash: dash takes only one-digit fds in redirections.
        self.process = subprocess.Popen(["bash", "-c", f'exec "$0" "$@" 3<&{ends[0]} 4>&{ends[1]}', CHROMIUM] + arguments,
                                        pass_fds=ends, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        for fd in ends:
            os.close(fd)
        self.buffer = b""
        self.next_id = 1
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def call(self, method, params=None, session=None, timeout=30):
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.next_id += 1
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout * SLOWDOWN
        while True:
            while b"\0" in self.buffer:
                text, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(text)
                if reply.get("id") == message["id"]:
                    assert "error" not in reply, reply
                    return reply["result"]
            left = deadline - time.monotonic()
            assert left > 0, f"no reply to {method}"
            if select.select([self.replies], [], [], left)[0]:
                chunk = os.read(self.replies, 1 << 20)
                assert chunk, "chromium closed its DevTools pipe"
                self.buffer += chunk

    def page(self, method, params=None):
        return self.call(method, params, session=self.session)

    def evaluate(self, expression):
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # its helper processes too
        except ProcessLookupError:
            pass
        self.process.wait()
        os.close(self.commands)
        os.close(self.replies)
        self.profile.cleanup()


@pytest.fixture
def browser():
    devtools = DevTools()
    try:
        yield devtools
    finally:
        devtools.close()


def row_state(browser, name):
    try:
        return browser.evaluate(f"(document.getElementById('svc-{name}') || {{dataset: {{}}}}).dataset.state || ''")
    except AssertionError:  # asked while the page was being replaced
        return ""


@needs_chromium
def test_a_button_press_stops_and_starts_a_service_and_a_screenshot_is_kept(served, browser, capsys):
    t, port = served
    browser.page("Page.navigate", {"url": f"http://127.0.0.1:{port}/"})
    wait_for(lambda: row_state(browser, "sleeper") == "running", 20, 0.1, what="the page")
    browser.evaluate("document.querySelector('#svc-sleeper button[data-act=stop]').click()")
    wait_for(lambda: state(t, "sleeper") == "stopped", 20, 0.1, what="sleeper stopped by the button")
    # The page catches up by itself: the click refreshes it, then every 2 s.
    wait_for(lambda: row_state(browser, "sleeper") == "stopped", 20, 0.1, what="the page to show sleeper stopped")
    assert browser.evaluate("document.getElementById('note').textContent") == "stopping sleeper"
    browser.evaluate("document.querySelector('#svc-idle button[data-act=start]').click()")
    wait_for(lambda: state(t, "idle") == "running", 20, 0.1, what="idle started by the button")
    wait_for(lambda: row_state(browser, "idle") == "running", 20, 0.1, what="the page to show idle running")
    # noisy's output stayed text through the refreshes.
    assert browser.evaluate("document.title") != "pwned"
    assert browser.evaluate("document.getElementById('bold') === null")
    assert "&lt;script&gt;" in browser.evaluate("document.querySelector('#svc-noisy pre').innerHTML")
    ARTEFACTS.mkdir(exist_ok=True)
    shot = ARTEFACTS / "status_page.png"
    shot.write_bytes(base64.b64decode(browser.page("Page.captureScreenshot", {"format": "png"})["data"]))
    with capsys.disabled():
        print(f"\nstatus page screenshot: {shot}")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 5000


def test_a_post_needs_the_token_and_must_not_come_from_another_origin(served):
    t, port = served
    token = page_token(port)
    stop = "/action/stop/sleeper"
    refusals = [
        ({}, "refused: no X-Tend-Token header"),
        ({"X-Tend-Token": "0" * 64}, "refused: wrong X-Tend-Token"),
        ({"X-Tend-Token": token, "Origin": "http://evil.example"}, "refused: a request from another origin"),
        ({"X-Tend-Token": token, "Origin": "null"}, "refused: a request from another origin"),
        ({"X-Tend-Token": token, "Sec-Fetch-Site": "cross-site"}, "refused: a request from another site"),
        ({"X-Tend-Token": token, "Host": f"rebound.example:{port}", "Origin": f"http://rebound.example:{port}"},
         "refused: Host rebound.example"),
    ]
    for headers, why in refusals:
        status, body = request(port, "POST", stop, headers)
        assert status == 403 and body.startswith(why), (headers, status, body)
    assert state(t, "sleeper") == "running"
    # The page itself is not served under a name that could be rebound.
    assert request(port, "GET", "/", {"Host": "rebound.example"})[0] == 403
    assert request(port, "GET", "/nowhere")[0] == 404
    assert request(port, "GET", stop)[0] == 405
    assert request(port, "POST", "/", {"X-Tend-Token": token})[0] == 405
    assert request(port, "POST", "/action/kill/sleeper", {"X-Tend-Token": token})[0] == 404
    assert request(port, "POST", "/action/stop/nope", {"X-Tend-Token": token}) == (404, "no such service: nope\n")
    same_origin = {"X-Tend-Token": token, "Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"}
    assert request(port, "POST", stop, same_origin) == (200, "stopping sleeper\n")
    wait_for(lambda: state(t, "sleeper") == "stopped", 10, what="sleeper stopped")
    # curl, as an operator's script would: the token is all it needs.
    curl = shutil.which("curl")
    if curl:
        out = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                              f"http://127.0.0.1:{port}/action/start/sleeper"], capture_output=True, text=True)
        assert out.stdout == "403"
        out = subprocess.run([curl, "-s", "-X", "POST", "-H", f"X-Tend-Token: {token}",
                              f"http://127.0.0.1:{port}/action/start/sleeper"], capture_output=True, text=True)
        assert out.stdout == "starting sleeper\n"
        wait_for(lambda: state(t, "sleeper") == "running", 10, what="sleeper started")
    # The token stays the same from page to page (and through all of the above).
    assert page_token(port) == token


def raw(port, data, timeout=5):
    """Sends `data`, returns what comes back until the peer closes or `timeout`."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout * SLOWDOWN)
    try:
        sock.sendall(data)
        got = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            got += chunk
        return got
    finally:
        sock.close()


def test_huge_and_malformed_posts_leave_tend_supervising(served):
    t, port = served
    token = page_token(port)
    # 2 MiB in chunks (no length to refuse it by): read and dropped past 1 MiB, then 413.
    chunk = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
    answer = raw(port, b"POST /action/stop/sleeper HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                       b"X-Tend-Token: " + token.encode() + b"\r\n\r\n" + chunk * 32 + b"0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer
    answer = raw(port, b"POST /action/stop/sleeper HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999\r\n"
                       b"X-Tend-Token: " + token.encode() + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer
    for junk in [b"POST /action/stop/" + b"s" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"POST /action/stop/sleeper%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tend-Token: " + token.encode() + b"\r\n\r\n",
                 b"POST /action/stop/%3Cscript%3E HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tend-Token: " + token.encode() + b"\r\n\r\n",
                 b"POST /action/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tend-Token: " + token.encode() + b"\r\n\r\n",
                 b"POST /action/stop/sleeper HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                 b"POST /action/stop/sleeper HTTP/1.1\r\nX-Tend-Token: \x00\xff\r\n\r\n",
                 bytes(range(256)) * 64]:
        raw(port, junk, timeout=2)
    answer = raw(port, b"POST /action/stop/%3Cscript%3E HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                       b"X-Tend-Token: " + token.encode() + b"\r\n\r\n")
    # Echoed as plain text that a browser must not sniff as HTML.
    assert b"no such service: <script>" in answer and b"X-Content-Type-Options: nosniff" in answer, answer
    assert b"Content-Type: text/plain" in answer
    assert state(t, "sleeper") == "running", t.log
    assert t.process.poll() is None
    assert page_token(port) == token
    assert t.status() is not None


@needs_chromium
def test_a_page_of_100_services_is_measured(browser, capsys):
    port = free_port()
    many = "".join(f"""
      svc{i:03}:
        command: [sh, -c, 'for n in 1 2 3 4 5 6; do echo "line $$n of a service that says a fair amount"; done; exec sleep 1000']
    """ for i in range(100))
    with Tend(config(f"127.0.0.1:{port}", many)) as t:
        wait_for(lambda: healthy(port), 30, what="all services up")
        wait_for(lambda: request(port, "GET", "/")[1].count("line 6 of") == 100, 30, what="every service's output")
        started = time.monotonic()
        for _ in range(20):
            status, page = request(port, "GET", "/")
        served_ms = (time.monotonic() - started) / 20 * 1000
        def mean_ms(path):
            started = time.monotonic()
            for _ in range(20):
                request(port, "GET", path)
            return (time.monotonic() - started) / 20 * 1000
        probe_ms, metrics_ms = mean_ms("/healthz"), mean_ms("/metrics")
        started = time.monotonic()
        dom = dump_dom(f"http://127.0.0.1:{port}/")
        rendered_s = time.monotonic() - started
        started = time.monotonic()
        dump_dom("about:blank")
        blank_s = time.monotonic() - started
        assert dom.count('data-state="running"') == 102, dom[:2000]  # all but idle
        browser.page("Page.navigate", {"url": f"http://127.0.0.1:{port}/"})
        wait_for(lambda: row_state(browser, "svc099") == "running", 30, 0.05, what="the page in chromium")
        wait_for(lambda: browser.evaluate("document.readyState") == "complete", 30, 0.05, what="the page loaded")
        load_ms = browser.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        # What each 2 s refresh costs the browser: the page's own fetch, parse and swap.
        refresh_ms = browser.evaluate("""(async () => {
            const t0 = performance.now();
            const html = await (await fetch(location.pathname, {cache: 'no-store'})).text();
            const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('services');
            document.getElementById('services').replaceWith(document.importNode(fresh, true));
            return performance.now() - t0; })()""")
        with capsys.disabled():
            print(f"\n100 services: page {len(page.encode())} bytes, served in {served_ms:.1f} ms (a /healthz "
                  f"{probe_ms:.1f} ms, /metrics {metrics_ms:.1f} ms), chromium --dump-dom {rendered_s:.2f} s (of about:blank {blank_s:.2f} s), "
                  f"loaded in {load_ms:.0f} ms from navigation, a refresh {refresh_ms:.0f} ms, "
                  f"load {os.getloadavg()[0]:.1f}")
        assert len(page.encode()) < 200_000


def test_the_page_and_its_actions_follow_the_fronts_access_rules():
    port = free_port()
    with Tend(config(f"0.0.0.0:{port}").replace('listen: "0.0.0.0', 'user: op, password_file: "$DIR/password", '
                                                 'listen: "0.0.0.0'), files={"password": "s3cret\n"}) as t:
        auth = {"Authorization": "Basic " + base64.b64encode(b"op:s3cret").decode()}
        wait_for(lambda: healthy_with(port, auth), 10, what="the HTTP listener")
        assert request(port, "GET", "/")[0] == 401
        assert request(port, "POST", "/action/stop/sleeper")[0] == 401
        # With basic auth, any Host may be used (a name behind a proxy): a rebound name has no password.
        status, page = request(port, "GET", "/", dict(auth, Host="tend.example"))
        assert status == 200
        token = re.search(r'name="tend-token" content="([0-9a-f]{64})"', page).group(1)
        assert request(port, "POST", "/action/stop/sleeper", dict(auth, Host="tend.example", **{"X-Tend-Token": token,
                       "Origin": "https://tend.example"})) == (200, "stopping sleeper\n")
        wait_for(lambda: state(t, "sleeper") == "stopped", 10, what="sleeper stopped")
    sock = "/tmp/tend-page-%d.sock" % os.getpid()
    with Tend(config(f"unix:{sock}")) as t:
        def curl(*args, user=None):
            command = ["curl", "-s", "--unix-socket", sock] + list(args)
            if user is not None:
                command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + command
            return subprocess.run(command, capture_output=True, text=True).stdout
        wait_for(lambda: "tend-token" in curl("http://localhost/"), 10, what="the page on the unix socket")
        token = re.search(r'name="tend-token" content="([0-9a-f]{64})"', curl("http://localhost/")).group(1)
        assert curl("-X", "POST", "-H", f"X-Tend-Token: {token}", "http://localhost/action/stop/sleeper",
                    user=65534) == ""  # not served: disconnected
        assert curl("-X", "POST", "-H", f"X-Tend-Token: {token}", "http://localhost/action/stop/sleeper") == \
            "stopping sleeper\n"
        wait_for(lambda: state(t, "sleeper") == "stopped", 10, what="sleeper stopped")


def healthy_with(port, headers):
    try:
        return request(port, "GET", "/healthz", headers)[0] == 200
    except OSError:
        return False
