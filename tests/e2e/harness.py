"""Runs the real tend as PID 1 of a fresh PID namespace and looks at it from outside.

Every wait is for a condition with a deadline; nothing sleeps "long enough".
"""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
from pathlib import Path

# Under a sanitizer build (meson -Dsanitize=true, or CI's -Dfuzz=true) tend runs about 3x slower and
# its RSS holds ASan's shadow memory and quarantine: upper bounds on time and
# memory are multiplied by this factor there, and only there (tests/run-all.sh sets it).
SLOWDOWN = float(os.environ.get("TEND_TEST_SLOWDOWN", "1"))
RSS_SLOWDOWN = 8 if SLOWDOWN > 1 else 1

BUILD = Path(os.environ.get("TEND_BUILD_DIR", Path(__file__).resolve().parents[2] / "build"))
TEND = str(BUILD / "src" / "tend")
TENDCTL = str(BUILD / "src" / "tendctl")


def sanitizer_tree():
    """Whether BUILD is built with AddressSanitizer (meson -Dsanitize=true, or -Dfuzz=true)."""
    options = json.loads((BUILD / "meson-info" / "intro-buildoptions.json").read_text())
    return any(o["name"] in ("sanitize", "fuzz") and o["value"] for o in options)


# What the sanitizer runtimes print to stderr when a process runs where /proc belongs
# to another PID namespace (nsenter --mount): they read their options from
# /proc/self/environ, so log_path does not apply, and LeakSanitizer cannot list the
# threads. Warnings about where it runs, not findings about tend.
SANITIZER_WARNING = re.compile(r"^==\d+==(WARNING: |Can't open /proc/\d+/task |LeakSanitizer has encountered a fatal error"
                               r"|HINT: ).*\n|^False positive error reports may follow\n"
                               r"|^For details see https://github.com/google/sanitizers/issues/189\n", re.M)


def without_sanitizer_warnings(stderr):
    return SANITIZER_WARNING.sub("", stderr) if sanitizer_tree() else stderr


def free_ports(count):
    """`count` different TCP ports of 127.0.0.1 that nothing listens on now: test
    files run at once, in two build trees, so none may hold a fixed port."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port():
    return free_ports(1)[0]


def wait_for(condition, timeout=10.0, interval=0.01, what="condition"):
    """Polls `condition` until it returns a truthy value or the deadline passes."""
    timeout *= SLOWDOWN
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def kill_after(process, timeout):
    """Kills `process` if it still runs `timeout` seconds on (scaled as wait_for's),
    so a read of its output that would otherwise block for ever meets the end of
    the pipe and the test fails there, saying what it waited for, instead of
    hanging until the whole file's time is up. Returns the timer (cancel() it to
    keep the process)."""
    timer = threading.Timer(timeout * SLOWDOWN, process.kill)
    timer.daemon = True
    timer.start()
    return timer


def proc_stat(pid):
    """(state, ppid, pgid) of a host pid, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def pid_namespace(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


class Tend:
    """tend as PID 1 of its own PID namespace, with stdout and stderr captured to files."""

    def __init__(self, config=None, args=None, namespace=True, env=None, files=None, wrapper=(),
                 stdout="file", stderr="file"):
        """stdout: "file" (read with .output), "pipe" (the test reads, or leaves unread,
        self.process.stdout) or "devnull"; stderr: "file" (.log) or "stdout" (2>&1)."""
        self.dir = Path(tempfile.mkdtemp(prefix="tend-e2e-"))
        # Services that run as another user reach their notify socket in here.
        os.chmod(self.dir, 0o755)
        for name, content in (files or {}).items():
            (self.dir / name).write_text(content)
        self.config_path = self.dir / "tend.yaml"
        if config is not None:
            self.config_path.write_text(textwrap.dedent(config).replace("$DIR", str(self.dir)))
        args = [a.replace("$DIR", str(self.dir)) for a in args] if args is not None else None
        command = [TEND] + (args if args is not None else ["-c", str(self.config_path)])
        if namespace:
            command = ["unshare", "--pid", "--fork", "--mount-proc"] + command
        command = list(wrapper) + command  # e.g. prlimit: runs first, execs the rest
        self.stdout_path = self.dir / "stdout"
        self.stderr_path = self.dir / "stderr"
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout={"pipe": subprocess.PIPE, "devnull": subprocess.DEVNULL}.get(stdout) or open(self.stdout_path, "wb"),
            stderr=subprocess.STDOUT if stderr == "stdout" else open(self.stderr_path, "wb"),
            env=dict(os.environ, TEND_SOCKET=str(self.dir / "tend.sock"), **(env or {})),
            start_new_session=True,
        )
        self.namespace = namespace
        self.pid = wait_for(self._find_tend, what="tend to start") if namespace else self.process.pid

    def _find_tend(self):
        # tend is PID 1 of its namespace, under unshare --fork (and any wrapper):
        # the descendant running the tend binary. A wrapper's short-lived helpers
        # (mkdir, mount) are passed over.
        todo = [self.process.pid]
        while todo:
            pid = todo.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except (FileNotFoundError, ProcessLookupError):
                children = []
            for child in map(int, children):
                try:
                    if os.readlink(f"/proc/{child}/exe") == os.path.realpath(TEND):
                        return child
                except OSError:
                    pass
                todo.append(child)
        # tend may have run and exited between two looks: nothing left to find.
        return -1 if self.process.poll() is not None else None

    @property
    def log(self):
        return self.stderr_path.read_text(errors="replace")

    @property
    def output(self):
        return self.stdout_path.read_text(errors="replace")

    def file(self, name):
        return self.dir / name

    def read(self, name):
        path = self.dir / name
        return path.read_text() if path.exists() else ""

    def wait_log(self, text, timeout=10.0):
        try:
            return wait_for(lambda: text in self.log, timeout, what=f"log line {text!r}")
        except AssertionError as e:
            raise AssertionError(f"{e}; the log:\n{self.log}") from None

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait(self, timeout=30.0):
        """tend's exit code (unshare passes it through)."""
        try:
            return self.process.wait(timeout=timeout * SLOWDOWN)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"tend did not exit within {timeout}s; log:\n{self.log}")

    def processes(self):
        """Host pids of every process in tend's namespace but tend itself."""
        ns = pid_namespace(self.pid)
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != self.pid and pid_namespace(entry) == ns:
                out.append(int(entry))
        return out

    def status(self, *names):
        """{name: its status entry} from `tendctl --json status`, or None while tend is not answering.
        (Exit 4 says a named service is not running; the JSON is printed all the same.)"""
        result = self.ctl("--json", "status", *names)
        if result.returncode not in (0, 4) or not result.stdout:
            return None
        return {s["name"]: s for s in json.loads(result.stdout)}

    def host_pid(self, pid):
        """The host pid of the process tend's namespace knows as `pid` (what status reports)."""
        if not self.namespace:
            return pid
        for p in self.processes():
            try:
                nspid = [l for l in Path(f"/proc/{p}/status").read_text().splitlines() if l.startswith("NSpid:")]
            except OSError:
                continue
            if nspid and int(nspid[0].split()[-1]) == pid:
                return p
        raise AssertionError(f"no process {pid} in tend's namespace")

    def rss_kib(self):
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return None

    def context_switches(self):
        """tend's context switches so far (voluntary and not): how often it woke."""
        text = Path(f"/proc/{self.pid}/status").read_text()
        return sum(int(l.split()[1]) for l in text.splitlines() if "ctxt_switches" in l)

    def cpu_seconds(self):
        """tend's CPU time so far (user and system), in seconds."""
        text = Path(f"/proc/{self.pid}/stat").read_text()
        fields = text[text.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def idle_over(self, seconds):
        """tend's context switches and CPU seconds over a window of `seconds`, once it has
        settled: no context switch over 1.5 s. A quiet tend wakes once more, 1 to 2 s
        after its last event, to give back pages (src/tend/main.cpp); the gaps before
        that wake are 1 s (a loaded machine's late timer adds a little), so a settled
        tend has had it."""
        def settled():
            before = self.context_switches()
            time.sleep(1.5)
            return self.context_switches() == before

        wait_for(settled, 20, what="tend idle")
        switches, cpu = self.context_switches(), self.cpu_seconds()
        time.sleep(seconds)  # a measurement window, not a wait for a condition
        return self.context_switches() - switches, self.cpu_seconds() - cpu

    def wake_ups_over(self, seconds):
        """tend's context switches over a window of `seconds`, once it has settled."""
        return self.idle_over(seconds)[0]

    def zombies(self):
        return [p for p in self.processes() if (proc_stat(p) or ("?",))[0] == "Z"]

    @property
    def socket(self):
        return str(self.dir / "tend.sock")

    def ctl(self, *args, check=False, timeout=20, user=None, enter=()):
        """Runs tendctl against this tend's socket, from the test's own PID namespace (the
        parent of tend's); `user` runs it as that uid via setpriv; `enter` names namespaces of
        tend's to run it in, as nsenter's options ("--pid", "--mount")."""
        command = [TENDCTL, "-s", self.socket] + list(args)
        if user is not None:
            command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + command
        if enter:
            command = ["nsenter", f"--target={self.pid}"] + list(enter) + ["--"] + command
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout * SLOWDOWN)
        result.stderr = without_sanitizer_warnings(result.stderr)
        if check and result.returncode != 0:
            raise AssertionError(f"{args} failed ({result.returncode}): {result.stderr}")
        return result

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
