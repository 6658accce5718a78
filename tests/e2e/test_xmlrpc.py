"""supervisord's XML-RPC at /RPC2 on the HTTP front: Python's xmlrpc.client
for the methods, Debian's real supervisorctl for what a supervisord user
types, and hostile bodies (huge, deeply nested, entity expansion, malformed,
wrong types, endless multicalls, a half-sent body) after which tend still
supervises and answers others."""
import shutil
import socket
import subprocess
import threading
import time
import xmlrpc.client

import pytest

from harness import SLOWDOWN, Tend, free_port, wait_for

CONFIG = """
settings:
  http: {{listen: "127.0.0.1:{port}"}}
services:
  sleeper:
    command: [sleep, "1000"]
    min_uptime: 0
  talker:
    command: "echo hello; echo oops >&2; exec sleep 1000"
    min_uptime: 500ms
  worker:
    command: [sleep, "1000"]
    replicas: 2
    min_uptime: 0
  broken:
    command: [/nonexistent/program]
    autostart: false
    max_restarts: 1
    backoff: {{initial: 100ms, max: 100ms}}
"""


@pytest.fixture
def served():
    port = free_port()
    with Tend(CONFIG.format(port=port)) as t:
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
        wait_for(lambda: _all_running(proxy), 10, what="every autostart service running")
        yield t, port, proxy


def _all_running(proxy):
    try:
        infos = proxy.supervisor.getAllProcessInfo()
    except OSError:
        return False
    return all(i["statename"] == "RUNNING" for i in infos if i["name"] != "broken")


def fault_of(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value.faultCode, caught.value.faultString


def post(port, body, headers=b"", timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout * SLOWDOWN) as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n%s\r\n"
                  % (len(body), headers) + body)
        reply = b""
        while b"</methodResponse>" not in reply and not reply.startswith(b"HTTP/1.1 4"):
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        return reply


def oversized_headers_reply(port, length):
    """The reply to a request announcing `length` bytes of body, sent without it:
    tend answers from the headers (sending the body after the 413 races with
    tend's close: the client then gets EPIPE instead of the reply)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10 * SLOWDOWN) as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % length)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        return reply


def test_process_info_groups_and_state_codes_are_supervisords(served):
    t, port, proxy = served
    assert proxy.supervisor.getAPIVersion() == "3.0"
    assert proxy.supervisor.getIdentification() == "tend"
    assert proxy.supervisor.getState() == {"statecode": 1, "statename": "RUNNING"}
    assert proxy.supervisor.getPID() == 1
    infos = {f'{i["group"]}:{i["name"]}': i for i in proxy.supervisor.getAllProcessInfo()}
    assert list(infos) == ["broken:broken", "sleeper:sleeper", "talker:talker", "worker:worker-0", "worker:worker-1"]
    sleeper = infos["sleeper:sleeper"]
    assert sleeper["state"] == 20 and sleeper["statename"] == "RUNNING" and sleeper["pid"] > 1
    assert sleeper["description"].startswith(f'pid {sleeper["pid"]}, uptime 0:00:')
    assert set(sleeper) == {"name", "group", "start", "stop", "now", "state", "statename", "spawnerr", "exitstatus",
                            "logfile", "stdout_logfile", "stderr_logfile", "pid", "description"}
    assert infos["broken:broken"]["state"] == 0 and infos["broken:broken"]["description"] == "Not started"
    assert proxy.supervisor.getProcessInfo("worker:worker-1")["group"] == "worker"
    assert fault_of(lambda: proxy.supervisor.getProcessInfo("nope")) == (10, "BAD_NAME: nope")
    assert "supervisor.startProcess" in proxy.system.listMethods()
    assert fault_of(lambda: proxy.supervisor.noSuchMethod()) == (1, "UNKNOWN_METHOD")
    assert fault_of(lambda: proxy.system.methodHelp("x")) == (4, "SIGNATURE_UNSUPPORTED")


def test_start_stop_signal_and_their_faults(served):
    t, port, proxy = served
    assert proxy.supervisor.stopProcess("sleeper") is True
    assert proxy.supervisor.getProcessInfo("sleeper")["statename"] == "STOPPED"
    assert fault_of(lambda: proxy.supervisor.stopProcess("sleeper")) == (70, "NOT_RUNNING: sleeper")
    assert proxy.supervisor.startProcess("sleeper") is True
    assert fault_of(lambda: proxy.supervisor.startProcess("sleeper")) == (60, "ALREADY_STARTED: sleeper")
    # The wait for talker's min_uptime holds its connection, not the loop: others are answered meanwhile.
    assert proxy.supervisor.stopProcess("talker") is True
    assert proxy.supervisor.startProcess("talker", True) is True
    assert proxy.supervisor.getProcessInfo("talker")["statename"] == "RUNNING"
    assert fault_of(lambda: proxy.supervisor.startProcess("broken")) == (40, "ABNORMAL_TERMINATION: broken")
    results = proxy.supervisor.stopProcessGroup("worker")
    assert [(r["name"], r["status"], r["description"]) for r in results] == [("worker-0", 80, "OK"), ("worker-1", 80, "OK")]
    assert len(proxy.supervisor.startProcessGroup("worker")) == 2
    assert proxy.supervisor.signalProcess("sleeper", "HUP") is True
    assert fault_of(lambda: proxy.supervisor.signalProcess("sleeper", "BOGUS")) == (11, "BAD_SIGNAL: BOGUS")
    assert fault_of(lambda: proxy.supervisor.startProcess(3)) == (2, "INCORRECT_PARAMETERS")
    multi = proxy.system.multicall([{"methodName": "supervisor.getAPIVersion", "params": []},
                                    {"methodName": "supervisor.stopProcess", "params": ["sleeper"]},
                                    {"methodName": "supervisor.getProcessInfo", "params": ["nope"]}])
    assert multi[0] == ["3.0"] and multi[1] == [True] and multi[2]["faultCode"] == 10


def test_output_is_read_and_tailed_from_the_kept_lines(served):
    t, port, proxy = served
    assert proxy.supervisor.readProcessStdoutLog("talker", -1600, 0) == "hello\n"
    assert proxy.supervisor.readProcessStderrLog("talker", 0, 0) == "oops\n"
    assert proxy.supervisor.tailProcessStdoutLog("talker", 0, 3) == ["lo\n", 6, True]
    assert "HTTP listener at 127.0.0.1:" in proxy.supervisor.readLog(0, 0)  # tend's own log, kept in memory


@pytest.mark.skipif(shutil.which("supervisorctl") is None, reason="supervisorctl (Debian's supervisor) is not installed")
def test_the_real_supervisorctl_works(served):
    t, port, proxy = served

    def ctl(*args):
        run = subprocess.run(["supervisorctl", "-s", f"http://127.0.0.1:{port}", *args], capture_output=True,
                             text=True, timeout=60 * SLOWDOWN)
        return run.returncode, run.stdout

    code, out = ctl("status")
    assert code == 3, out  # broken is not running: supervisorctl's own exit status for that
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["broken", "sleeper", "talker", "worker:worker-0", "worker:worker-1"]
    assert lines[1].split()[1] == "RUNNING" and "pid " in lines[1]
    assert ctl("status", "sleeper")[1].split()[:2] == ["sleeper", "RUNNING"]
    assert ctl("stop", "sleeper") == (0, "sleeper: stopped\n")
    assert ctl("stop", "sleeper") == (0, "sleeper: ERROR (not running)\n")
    assert ctl("start", "sleeper") == (0, "sleeper: started\n")
    assert ctl("restart", "worker:*") == (0, "worker:worker-0: stopped\nworker:worker-1: stopped\n"
                                             "worker:worker-0: started\nworker:worker-1: started\n")
    assert ctl("signal", "HUP", "sleeper") == (0, "sleeper: signalled\n")
    assert ctl("tail", "talker") == (0, "hello\n\n")
    assert ctl("tail", "talker", "stderr") == (0, "oops\n\n")
    assert ctl("pid", "sleeper")[1].strip() == str(proxy.supervisor.getProcessInfo("sleeper")["pid"])
    assert ctl("pid") == (0, "1\n")
    assert ctl("start", "nope") == (1, "nope: ERROR (no such process)\n")
    assert ctl("avail")[1].splitlines()[1].split() == ["sleeper", "in", "use", "auto", "999:999"]
    assert ctl("reread") == (0, "No config updates to processes\n")
    assert ctl("shutdown") == (0, "Shut down\n")
    assert t.wait(30 * SLOWDOWN) == 0


def test_hostile_bodies_are_refused_and_tend_answers_others(served):
    t, port, proxy = served
    assert oversized_headers_reply(port, 1024 * 1024 + 1).startswith(b"HTTP/1.1 413")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><methodCall><methodName>&c;</methodName></methodCall>')
    assert b"a DOCTYPE is not accepted" in post(port, laughs)
    deep = b"<methodCall><methodName>system.multicall</methodName><params><param>" + \
        b"<value><array><data>" * 5000 + b"</data></array></value>" * 5000 + b"</param></params></methodCall>"
    assert b"nested deeper than 32" in post(port, deep)
    assert b"not well-formed XML" in post(port, b"<methodCall><methodName>x</methodName><params>")
    many = xmlrpc.client.dumps((list(range(10_000)),), "supervisor.getProcessInfo").encode()
    assert b"INCORRECT_PARAMETERS" in post(port, many)
    calls = [{"methodName": "supervisor.getState", "params": []}] * 4_000
    endless = xmlrpc.client.dumps((calls,), "system.multicall").encode()
    assert len(endless) < 1024 * 1024
    assert post(port, endless).count(b"RUNNING") == 4_000
    nested = [{"methodName": "system.multicall", "params": [[]]}]
    assert proxy.system.multicall(nested)[0]["faultCode"] == 2
    # Half a body, then silence: dropped after the request timeout; others are answered meanwhile.
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<methodCall>")
        assert proxy.supervisor.getState()["statename"] == "RUNNING"
        s.settimeout(20 * SLOWDOWN)
        assert s.recv(100) == b""
    assert proxy.supervisor.getProcessInfo("sleeper")["statename"] == "RUNNING"
    assert t.process.poll() is None


def test_a_waiting_start_holds_its_connection_not_the_loop():
    port = free_port()
    config = f"""
    settings:
      http: {{listen: "127.0.0.1:{port}"}}
    services:
      slow:
        command: [sleep, "1000"]
        min_uptime: 2s
        autostart: false
    """
    with Tend(config) as t:
        url = f"http://127.0.0.1:{port}/RPC2"
        wait_for(lambda: _answers(url), 10, what="the HTTP listener")
        result = {}
        waiter = threading.Thread(target=lambda: result.update(
            started=xmlrpc.client.ServerProxy(url).supervisor.startProcess("slow", True)))
        waiter.start()
        proxy = xmlrpc.client.ServerProxy(url)
        wait_for(lambda: proxy.supervisor.getProcessInfo("slow")["statename"] == "STARTING", 10, what="STARTING")
        began = time.monotonic()
        assert proxy.supervisor.getState()["statename"] == "RUNNING"
        assert time.monotonic() - began < 1 * SLOWDOWN
        assert "started" not in result
        waiter.join(20 * SLOWDOWN)
        assert result == {"started": True}
        assert proxy.supervisor.getProcessInfo("slow")["statename"] == "RUNNING"


def _answers(url):
    try:
        return xmlrpc.client.ServerProxy(url).supervisor.getAPIVersion() == "3.0"
    except OSError:
        return False
