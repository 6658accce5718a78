"""Debian's real supervisorctl against a real supervisord and against tend,
side by side: the same small shell programs under each, the same commands
typed to both, and their outputs and exit codes compared line by line.

supervisord runs as a plain child of the test (not PID 1), from a
supervisord.conf made here, listening on a free TCP port and a unix socket.
Only what must differ between two supervisors is normalised, by NORMALISE
below (pids, uptimes, each one's own address), or said where it is done (the
time of day, the version); where tend answers otherwise on purpose, the test
asserts both answers, as docs/control-protocol.md's "What differs from
supervisord" lists them."""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness import SLOWDOWN, Tend, free_ports, wait_for

pytestmark = [
    pytest.mark.skipif(shutil.which("supervisord") is None, reason="supervisord (Debian's supervisor) is not installed"),
    pytest.mark.skipif(shutil.which("supervisorctl") is None, reason="supervisorctl (Debian's supervisor) is not installed"),
]

# name: (shell command, autostart, number of processes). The same programs run
# under both; hupper says when its trap is set, so a HUP never finds it without.
SERVICES = {
    "sleeper": ("exec sleep 1000", True, 1),
    "talker": ("echo hello; echo oops >&2; exec sleep 1000", True, 1),
    "hupper": ("trap 'echo hup' HUP; echo ready; while :; do sleep 0.2; done", True, 1),
    "idle": ("exec sleep 1000", False, 1),
    "worker": ("exec sleep 1000", True, 2),
}

# Both take their programs as running at once (startsecs=0, min_uptime: 0),
# stop them with SIGTERM to the process group (tend's default kill_mode), and
# never restart them on their own while a test looks.
SUPERVISORD_PROGRAM = """
[program:{name}]
command=/bin/sh -c "{command}"
autostart={autostart}
autorestart=false
startsecs=0
stopasgroup=true
killasgroup=true
stopwaitsecs={stop_timeout}
numprocs={count}
process_name={process_name}
"""

TEND_SERVICE = """
  {name}:
    command: "{command}"
    autostart: {autostart}
    restart: never
    min_uptime: 0
    stop_timeout: {stop_timeout}s
"""

# Pids, uptimes and each supervisor's own address differ from one supervisor
# to the other and from run to run: nothing else is changed before two
# outputs are compared.
NORMALISE = [
    (re.compile(r"\bpid \d+"), "pid N"),
    (re.compile(r"\buptime \d+:\d\d:\d\d"), "uptime H:MM:SS"),
    (re.compile(r"http://127\.0\.0\.1:\d+|unix://\S+\.sock"), "URL"),
]
# supervisord's description of a process it stopped is when (`Dec 06 08:16 PM`);
# tend's is how it ended (`signal SIGTERM`), as "What differs from supervisord" says.
SUPERVISORD_STOPPED = re.compile(r"^(\S+ +STOPPED +)[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M$")
TEND_STOPPED = re.compile(r"^(\S+ +STOPPED +)(signal SIG[A-Z]+|exit code \d+)$")
VERSION = re.compile(r"^\d+\.\d+(\.\d+)?\S*$")


def normalise(text):
    lines = []
    for line in text.splitlines():
        for pattern, replacement in NORMALISE:
            line = pattern.sub(replacement, line)
        lines.append(line)
    return lines


def stopped_as_when(lines):
    """supervisord's lines with the time of a stop made `STOPPED (ended)`."""
    return [SUPERVISORD_STOPPED.sub(r"\1(ended)", line) for line in lines]


def stopped_as_how(lines):
    """tend's lines with how a stopped process ended made `STOPPED (ended)`."""
    return [TEND_STOPPED.sub(r"\1(ended)", line) for line in lines]


def supervisord_conf(port, directory, stop_timeout, services):
    programs = "".join(SUPERVISORD_PROGRAM.format(
        name=name, command=command, autostart=str(autostart).lower(), count=count, stop_timeout=stop_timeout,
        process_name=f"{name}-%(process_num)d" if count > 1 else "%(program_name)s")
        for name, (command, autostart, count) in services.items())
    return f"""
[supervisord]
nodaemon=true
logfile={directory}/supervisord.log
pidfile={directory}/supervisord.pid
childlogdir={directory}

[inet_http_server]
port=127.0.0.1:{port}

[unix_http_server]
file={directory}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
{programs}"""


def tend_config(listen, stop_timeout, services):
    body = "".join(TEND_SERVICE.format(name=name, command=command, autostart=str(autostart).lower(),
                                       stop_timeout=stop_timeout) + (f"    replicas: {count}\n" if count > 1 else "")
                   for name, (command, autostart, count) in services.items())
    return f'settings:\n  http: {{listen: "{listen}"}}\nservices:{body}'


def session_members(sid):
    """Pids of the processes of session `sid` (supervisord puts each program in a process group of its own)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if entry.isdigit() and int(text[text.rindex(")") + 2:].split()[3]) == sid:
            pids.append(int(entry))
    return pids


class UnixTransport(xmlrpc.client.Transport):
    """xmlrpc.client's HTTP over a unix socket (as supervisorctl's own transport does)."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        connection = http.client.HTTPConnection("localhost")
        connection.connect = lambda: setattr(connection, "sock", _unix_socket(self.path))
        return connection


def _unix_socket(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s


class Supervisord:
    """The real supervisord, a child of the test in a session of its own, from a made supervisord.conf."""

    def __init__(self, port, stop_timeout, services):
        self.dir = Path(tempfile.mkdtemp(prefix="supervisord-e2e-"))
        self.port = port
        self.stop_timeout = stop_timeout
        self.conf = self.dir / "supervisord.conf"
        self.write(services)
        self.process = subprocess.Popen(["supervisord", "-n", "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                                        stdout=open(self.dir / "output", "wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def write(self, services):
        self.conf.write_text(supervisord_conf(self.port, self.dir, self.stop_timeout, services))

    @property
    def socket(self):
        return self.dir / "supervisor.sock"

    def wait(self, timeout=30.0):
        return self.process.wait(timeout=timeout * SLOWDOWN)

    def kill(self):
        # Its programs are in its session: all killed at once, rather than waiting for its shutdown.
        for pid in session_members(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()


class Pair:
    """supervisord and tend running the same services, and supervisorctl for both."""

    def __init__(self, services=SERVICES, stop_timeout=None, tend_unix=False):
        self.stop_timeout = stop_timeout or round(5 * SLOWDOWN)
        self.services = services
        sv_port, tend_port = free_ports(2)
        self.supervisord = Supervisord(sv_port, self.stop_timeout, services)
        try:
            self.listen = "unix:$DIR/http.sock" if tend_unix else f"127.0.0.1:{tend_port}"
            self.tend = Tend(tend_config(self.listen, self.stop_timeout, services))
        except BaseException:
            self.supervisord.kill()
            raise
        self.urls = (f"http://127.0.0.1:{sv_port}",
                     f"unix://{self.tend.dir}/http.sock" if tend_unix else f"http://127.0.0.1:{tend_port}")
        # supervisorctl reads a config file even when -s names the server: this one, not /etc's or the cwd's.
        self.ctl_conf = self.supervisord.dir / "supervisorctl.conf"
        self.ctl_conf.write_text("[supervisorctl]\n")
        self.pool = ThreadPoolExecutor(2)

    def proxies(self):
        """xmlrpc.client proxies of (supervisord, tend)."""
        return tuple(xmlrpc.client.ServerProxy("http://localhost/RPC2", UnixTransport(url[len("unix://"):]))
                     if url.startswith("unix://") else xmlrpc.client.ServerProxy(f"{url}/RPC2") for url in self.urls)

    def ctl(self, url, *args):
        """(exit code, stdout and stderr) of supervisorctl against `url`."""
        run = subprocess.run(["supervisorctl", "-c", str(self.ctl_conf), "-s", url, *args], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60 * SLOWDOWN)
        return run.returncode, run.stdout

    def both(self, *args, urls=None):
        """supervisorctl's answers from (supervisord, tend), asked at once."""
        futures = [self.pool.submit(self.ctl, url, *args) for url in (urls or self.urls)]
        return tuple(f.result() for f in futures)

    def same(self, *args, urls=None):
        """Asserts both answer `args` alike (exit code, and lines after NORMALISE); returns the lines."""
        (sv_code, sv_out), (tend_code, tend_out) = self.both(*args, urls=urls)
        assert normalise(tend_out) == normalise(sv_out), f"supervisorctl {' '.join(args)}"
        assert tend_code == sv_code, f"supervisorctl {' '.join(args)}: exit codes, {sv_out!r} and {tend_out!r}"
        return normalise(sv_out)

    def settled(self):
        """Both up, every autostart process RUNNING and the programs' first lines written."""
        wait_for(lambda: all(_settled(p, self.services) for p in self.proxies()), 20,
                 what="both supervisors to run every autostart program")

    def close(self):
        self.pool.shutdown()
        self.tend.kill()
        self.supervisord.kill()
        shutil.rmtree(self.supervisord.dir, ignore_errors=True)


def _settled(proxy, services):
    try:
        infos = proxy.supervisor.getAllProcessInfo()
        if not all(i["statename"] == "RUNNING" for i in infos if services[i["group"]][1]):
            return False
        if "hupper" in services and proxy.supervisor.readProcessStdoutLog("hupper", 0, 0) != "ready\n":
            return False
        return "talker" not in services or proxy.supervisor.readProcessStderrLog("talker", 0, 0) == "oops\n"
    except (OSError, xmlrpc.client.Fault):
        return False


def settled_pair(**options):
    p = Pair(**options)
    try:
        p.settled()
    except BaseException:
        p.close()
        raise
    return p


@pytest.fixture
def pair():
    p = settled_pair()
    yield p
    p.close()


@pytest.fixture(scope="module")
def steady():
    """One pair for the tests that start and stop nothing: fewer supervisords to start."""
    p = settled_pair()
    yield p
    p.close()


# Each supervisorctl costs about 0.25 s of CPU (Python and pkg_resources), on
# both sides: one command per case, the cases that only repeat another left out.


def test_status_pid_avail_and_version(steady):
    all_lines = steady.same("status")  # idle is not started: exit 3
    assert [line.split()[:2] for line in all_lines] == [
        ["hupper", "RUNNING"], ["idle", "STOPPED"], ["sleeper", "RUNNING"], ["talker", "RUNNING"],
        ["worker:worker-0", "RUNNING"], ["worker:worker-1", "RUNNING"]]
    steady.same("status", "sleeper", "worker:worker-1", "nope", "nope:*")  # exit 4
    steady.same("status", "worker:*")
    steady.same("avail")
    steady.same("pid", "nope")
    # A pid is a number, 0 for a process that is not running (exit 7).
    for args, shape, code in ((("pid", "sleeper"), r"[1-9]\d*\n", 0), (("pid", "idle"), r"0\n", 7)):
        answers = steady.both(*args)
        assert all(c == code and re.fullmatch(shape, out) for c, out in answers), (args, answers)
    # supervisord's own pid, and tend's: 1, as PID 1 of its namespace (documented).
    (sv_code, sv_out), tend_answer = steady.both("pid")
    assert sv_code == 0 and re.fullmatch(r"[1-9]\d*\n", sv_out) and tend_answer == (0, "1\n")
    # Each one's own version number.
    (sv_code, sv_out), (tend_code, tend_out) = steady.both("version")
    assert sv_code == tend_code == 0 and VERSION.match(sv_out.strip()) and VERSION.match(tend_out.strip())


def test_tail_clear_and_maintail(steady):
    steady.same("tail", "talker")
    steady.same("tail", "talker", "stderr")
    steady.same("tail", "nope")
    steady.same("clear", "talker")
    steady.same("tail", "talker")
    # maintail: each one's own log, so only its shape: lines that name the
    # programs (supervisord: "spawned: 'sleeper'"; tend: "sleeper: ... running"), then a blank one.
    for code, out in steady.both("maintail"):
        assert code == 0 and out.endswith("\n\n") and len(out.splitlines()) > 2 and "sleeper" in out, out


def test_signals(steady):
    steady.same("signal", "HUP", "hupper")
    proxies = steady.proxies()
    wait_for(lambda: all(p.supervisor.readProcessStdoutLog("hupper", 0, 0) == "ready\nhup\n" for p in proxies), 10,
             what="hupper's trap to run under both")
    steady.same("tail", "hupper")
    steady.same("signal", "HUP", "idle")  # not running: exit 7
    steady.same("signal", "BOGUS", "hupper")
    steady.same("signal", "HUP", "nope")


def test_xmlrpc_client_results(steady):
    sv, tend = steady.proxies()
    sv_infos, tend_infos = sv.supervisor.getAllProcessInfo(), tend.supervisor.getAllProcessInfo()
    assert [(i["group"], i["name"], i["statename"], i["state"]) for i in tend_infos] == \
           [(i["group"], i["name"], i["statename"], i["state"]) for i in sv_infos]
    for sv_info, tend_info in zip(sv_infos, tend_infos):
        assert {k: type(v) for k, v in tend_info.items()} == {k: type(v) for k, v in sv_info.items()}

    def fault(proxy, method, *args):
        with pytest.raises(xmlrpc.client.Fault) as caught:
            getattr(proxy.supervisor, method)(*args)
        return caught.value.faultCode, caught.value.faultString

    for name in ("nope", "worker", "worker:*", "worker:", "all", "", "nope:nope", "worker:worker-7", ":sleeper"):
        assert fault(tend, "getProcessInfo", name) == fault(sv, "getProcessInfo", name), name
    for method, args in (("startProcess", ("sleeper",)), ("stopProcess", ("idle",)), ("startProcess", ("nope",)),
                         ("signalProcess", ("sleeper", "BOGUS")), ("readProcessStdoutLog", ("nope", 0, 0))):
        assert fault(tend, method, *args) == fault(sv, method, *args), method
    assert tend.supervisor.getState() == sv.supervisor.getState()
    assert tend.supervisor.getAPIVersion() == sv.supervisor.getAPIVersion() == "3.0"
    # supervisord's older names of the log methods, which it still answers to.
    for method, args in (("readProcessLog", ("talker", 0, 0)), ("tailProcessLog", ("talker", 0, 100)),
                         ("clearProcessLog", ("sleeper",))):
        assert getattr(tend.supervisor, method)(*args) == getattr(sv.supervisor, method)(*args), method
    assert isinstance(tend.supervisor.readMainLog(0, 0), str)
    # Documented: the identification, and the few methods tend does not offer.
    assert (sv.supervisor.getIdentification(), tend.supervisor.getIdentification()) == ("supervisor", "tend")
    missing = set(sv.system.listMethods()) - set(tend.system.listMethods())
    assert missing == {"supervisor.sendProcessStdin", "supervisor.sendRemoteCommEvent", "system.methodSignature"}
    # Config info: the fields tend fills have supervisord's types.
    sv_config = {c["name"]: c for c in sv.supervisor.getAllConfigInfo()}
    for config in tend.supervisor.getAllConfigInfo():
        assert {k: type(v) for k, v in config.items()} == {k: type(sv_config[config["name"]][k]) for k in config}, config


def test_start_stop_restart_and_their_errors(pair):
    pair.same("start", "sleeper")  # already started: exit 0
    pair.same("stop", "idle")  # not running: exit 0
    pair.same("start", "nope")  # exit 1
    pair.same("stop", "sleeper")
    # A stopped process: supervisord tells when, tend how it ended (documented).
    (sv_code, sv_out), (tend_code, tend_out) = pair.both("status", "sleeper")
    assert sv_code == tend_code == 3
    assert SUPERVISORD_STOPPED.match(sv_out.rstrip("\n")) and TEND_STOPPED.match(tend_out.rstrip("\n")), (sv_out, tend_out)
    assert stopped_as_how(normalise(tend_out)) == stopped_as_when(normalise(sv_out))
    pair.same("start", "sleeper")
    pair.same("restart", "sleeper")

    # A group or "all": supervisord reports each process as its stop or start
    # ends, so the order of those lines is its own; they are compared sorted.
    def same_sorted(*args):
        (sv_code, sv_out), (tend_code, tend_out) = pair.both(*args)
        assert (tend_code, sorted(normalise(tend_out))) == (sv_code, sorted(normalise(sv_out))), args

    same_sorted("stop", "worker:*")
    same_sorted("start", "worker:*")
    # Documented: a replicas set's bare name is the whole set to tend, no process to supervisord.
    assert pair.both("stop", "worker") == ((1, "worker: ERROR (no such process)\n"), (0, "worker: stopped\n"))
    assert pair.both("start", "worker") == ((1, "worker: ERROR (no such process)\n"), (0, "worker: started\n"))

    same_sorted("stop", "all")
    (sv_code, sv_out), (tend_code, tend_out) = pair.both("status")
    assert sv_code == tend_code == 3
    assert stopped_as_how(normalise(tend_out)) == stopped_as_when(normalise(sv_out))
    same_sorted("start", "all")
    same_sorted("restart", "all")


def test_status_over_unix_sockets():
    p = settled_pair(tend_unix=True)
    try:
        urls = (f"unix://{p.supervisord.socket}", p.urls[1])
        assert len(p.same("status", urls=urls)) == 6
        p.same("status", "talker", "worker:*", urls=urls)
    finally:
        p.close()


def test_reread_and_update_after_an_edited_config(pair):
    assert pair.same("reread") == ["No config updates to processes"]
    # idle goes, fresh comes (not started on its own), sleeper's command changes.
    services = dict(SERVICES)
    services["fresh"] = services.pop("idle")
    services["sleeper"] = ("exec sleep 1001", True, 1)
    pair.supervisord.write(services)
    pair.tend.config_path.write_text(tend_config(pair.listen, pair.stop_timeout, services))
    assert pair.same("reread") == ["fresh: available", "idle: disappeared", "sleeper: changed"]
    assert pair.same("update") == ["idle: stopped", "idle: removed process group", "sleeper: stopped",
                                   "sleeper: updated process group", "fresh: added process group"]
    pair.services = services
    pair.settled()
    assert [line.split()[:2] for line in pair.same("status")] == [
        ["fresh", "STOPPED"], ["hupper", "RUNNING"], ["sleeper", "RUNNING"], ["talker", "RUNNING"],
        ["worker:worker-0", "RUNNING"], ["worker:worker-1", "RUNNING"]]


def test_shutdown_exit_codes_and_messages():
    # lingerer takes a while to end after SIGTERM (then exits 0, before the
    # stop timeout): both stay shutting down that long, where a second shutdown meets them.
    linger = round(3 * SLOWDOWN)
    services = {"lingerer": (f"trap 'sleep {linger}; exit 0' TERM; echo ready; while :; do sleep 0.2; done", True, 1),
                "sleeper": SERVICES["sleeper"]}
    p = Pair(services, stop_timeout=linger + round(10 * SLOWDOWN))
    try:
        wait_for(lambda: all(_settled(proxy, services) and proxy.supervisor.readProcessStdoutLog("lingerer", 0, 0)
                             for proxy in p.proxies()), 20, what="both running lingerer")
        assert p.same("shutdown") == ["Shut down"]
        assert p.same("shutdown") == ["ERROR: already shutting down"]
        assert p.supervisord.wait(linger + 30) == 0
        assert p.tend.wait(linger + 30) == 0
        assert p.same("status") == ["URL refused connection"]  # exit 4
        assert p.same("shutdown") == ["ERROR: URL refused connection (already shut down?)"]
    finally:
        p.close()
