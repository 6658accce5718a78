"""Inputs that must never kill, fool or stall PID 1: huge dependency chains,
configs that are not files, ids that do not fit, services that were SIGSTOPped."""
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

from harness import SLOWDOWN, TEND, TENDCTL, Tend, proc_stat, wait_for

CHAIN_LENGTH = 50_000


def chain_config(length, closed=False):
    """s0 depends on s1, s1 on s2, ...; `closed` makes the last depend on s0."""
    lines = ["services:"]
    for i in range(length):
        lines += [f"  s{i}:", "    command: [sleep, '1000']", "    autostart: false"]
        if i + 1 < length or closed:
            lines.append(f"    depends_on: [s{(i + 1) % length}]")
    return "\n".join(lines) + "\n"


ONE = "services:\n  one:\n    command: [sleep, '1000']\n    min_uptime: 0\n"


def one_is_running(t):
    r = t.ctl("status", "one")
    return r.returncode == 0 and "RUNNING" in r.stdout


def test_check_walks_a_50000_service_chain_and_reports_a_50000_service_cycle(tmp_path):
    chain = tmp_path / "chain.yaml"
    chain.write_text(chain_config(CHAIN_LENGTH))
    r = subprocess.run([TEND, "check", "-c", str(chain)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"ok, {CHAIN_LENGTH} services" in r.stdout

    chain.write_text(chain_config(CHAIN_LENGTH, closed=True))
    r = subprocess.run([TEND, "check", "-c", str(chain)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "dependency cycle s0 -> s1 -> s2 -> " in r.stderr


def test_a_50000_service_chain_is_reloaded_dry_run_real_and_by_sighup_with_pid_1_alive():
    with Tend(ONE) as t:
        wait_for(lambda: one_is_running(t), 10, what="one running")
        pid = t.ctl("pid", "one", check=True).stdout.strip()
        t.config_path.write_text(chain_config(CHAIN_LENGTH) + ONE.split("\n", 1)[1])

        dry = t.ctl("reload", "--dry-run", timeout=120)
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.count("+ s") == CHAIN_LENGTH

        real = t.ctl("--json", "reload", timeout=120)
        assert real.returncode == 0, real.stderr
        assert sum(1 for s in json.loads(real.stdout)["services"] if s["change"] == "added") == CHAIN_LENGTH
        assert json.loads(t.ctl("--json", "status", "s49999").stdout)[0]["state"] == "stopped"

        # back to one service by SIGHUP: 50,000 removals, in reverse dependency order
        t.config_path.write_text(ONE)
        t.signal(signal.SIGHUP)
        t.wait_log("Reload finished", 120)
        assert t.process.poll() is None, "PID 1 is alive"
        assert t.ctl("status", "s0").returncode != 0
        assert t.ctl("pid", "one", check=True).stdout.strip() == pid, "the unchanged service kept running"
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_a_wait_on_a_service_that_a_reload_removes_is_answered_removed_by_reload():
    config = ONE + "  gone:\n    command: [sleep, '1000']\n    autostart: false\n"
    with Tend(config) as t:
        wait_for(lambda: one_is_running(t), 10, what="one running")
        waiter = subprocess.Popen([TENDCTL, "-s", t.socket, "wait", "gone", "--timeout", "60"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: _has_client(t), 10, what="the waiter to connect")
        started = time.monotonic()
        t.config_path.write_text(ONE)
        assert t.ctl("reload").returncode == 0
        _, err = waiter.communicate(timeout=10)
        assert waiter.returncode != 0
        assert "gone: removed by reload" in err
        assert time.monotonic() - started < 5 * SLOWDOWN, "answered when the service went, not at the timeout"
        assert t.process.poll() is None


def _has_client(t):
    """tend holds a second socket besides its listener: a client is connected."""
    fds = os.listdir(f"/proc/{t.pid}/fd")
    sockets = [fd for fd in fds if os.readlink(f"/proc/{t.pid}/fd/{fd}").startswith("socket:")]
    return len(sockets) >= 2


def _storm(sock_path, names, stop, counts):
    """Random pipelined requests, several per write, until `stop` is set."""
    rng = random.Random(7)
    commands = ["status", "wait", "start", "stop", "restart", "pid", "logs", "signal", "health"]
    while not stop.is_set():
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(5)
                s.connect(sock_path)
                batch = b""
                for _ in range(rng.randint(1, 8)):
                    cmd = rng.choice(commands)
                    args = {"names": rng.sample(names, rng.randint(1, 3))}
                    if cmd == "wait":
                        args.update(state=rng.choice(["running", "stopped"]), timeout=0.5)
                    if cmd in ("start", "stop", "restart"):
                        args.update(timeout=0.5, wait=rng.random() < 0.7)
                    if cmd == "signal":
                        args["signal"] = "CONT"
                    if cmd == "logs":
                        args["lines"] = 3
                    batch += json.dumps({"cmd": cmd, "args": args}).encode() + b"\n"
                s.sendall(batch)
                # read one reply, or none: a client may also go away mid-request
                if rng.random() < 0.7:
                    s.recv(65536)
                counts["sent"] += 1
        except (OSError, socket.timeout):
            counts["errors"] += 1


def test_a_storm_of_pipelined_requests_during_100_reloads_that_add_and_remove_services():
    pool = [f"p{i}" for i in range(12)]
    rng = random.Random(11)

    def config_with(names):
        text = ONE
        for name in names:
            text += f"  {name}:\n    command: [sleep, '1000']\n    min_uptime: 0\n"
            if rng.random() < 0.3 and name != names[0]:
                text += f"    depends_on: [{names[0]}]\n"
        return text

    with Tend(config_with(pool[:6])) as t:
        wait_for(lambda: one_is_running(t), 10, what="one running")
        stop, counts = threading.Event(), {"sent": 0, "errors": 0}
        workers = [threading.Thread(target=_storm, args=(t.socket, pool, stop, counts)) for _ in range(3)]
        for w in workers:
            w.start()
        try:
            for _ in range(100):
                t.config_path.write_text(config_with(sorted(rng.sample(pool, rng.randint(0, len(pool))))))
                wait_for(lambda: t.ctl("reload", timeout=30).returncode == 0, 30, interval=0.05,
                         what="a reload to be accepted")
        finally:
            stop.set()
            for w in workers:
                w.join(30)
        assert counts["sent"] > 100, counts
        assert t.process.poll() is None, "PID 1 is alive"
        assert one_is_running(t)
        t.signal(signal.SIGTERM)
        assert t.wait() in (0, 1)
        assert "Failed to handle event" not in t.log


def _replace_config(t, kind):
    path = t.config_path
    path.unlink()
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.symlink("/dev/zero", path)
    elif kind == "empty":
        path.write_text("# half-written\n")
    elif kind == "include-device":
        path.write_text(ONE.replace("services:", "settings:\n  include: [/dev/zero]\nservices:", 1))
    elif kind == "missing":
        pass


def test_a_config_that_cannot_be_a_config_changes_nothing_at_reload():
    expected = {
        "directory": "a directory, not a regular file",
        "fifo": "a FIFO, not a regular file",
        "device": "a character device, not a regular file",
        "empty": "the config file is empty; to remove every service, write 'services: {}'",
        "include-device": "/dev/zero: cannot read config: a character device, not a regular file",
        "missing": "cannot read config: No such file or directory",
    }
    with Tend(ONE) as t:
        wait_for(lambda: one_is_running(t), 10, what="one running")
        pid = t.ctl("pid", "one", check=True).stdout.strip()
        for kind, message in expected.items():
            _replace_config(t, kind)
            started = time.monotonic()
            r = t.ctl("reload", timeout=10)
            assert time.monotonic() - started < 5 * SLOWDOWN, f"{kind}: PID 1 did not block"
            assert r.returncode == 1, (kind, r.stdout)
            assert "the config has errors; nothing changed" in r.stderr and message in r.stderr, (kind, r.stderr)
            if t.config_path.is_dir():
                t.config_path.rmdir()
            elif t.config_path.exists() or t.config_path.is_symlink():
                t.config_path.unlink()
            t.config_path.write_text(ONE)
            assert t.ctl("pid", "one", check=True).stdout.strip() == pid, f"{kind}: nothing changed"
        # SIGHUP with a FIFO: logged, and tend goes on answering
        t.config_path.unlink()
        os.mkfifo(t.config_path)
        t.signal(signal.SIGHUP)
        t.wait_log("a FIFO, not a regular file")
        assert one_is_running(t)
        # an explicit empty map does remove every service
        t.config_path.unlink()
        t.config_path.write_text("services: {}\n")
        assert t.ctl("reload").returncode == 0
        assert t.ctl("status", "one").returncode != 0


def test_check_refuses_a_fifo_and_an_oversized_file_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    r = subprocess.run([TEND, "check", "-c", str(fifo)], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1 and "a FIFO, not a regular file" in r.stderr
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (17 << 20) + "\n")
    r = subprocess.run([TEND, "check", "-c", str(big)], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1 and "larger than 16 MiB" in r.stderr


def execed(t, argv):
    """Whether a process in tend's namespace runs `argv` (a forked child that has exec'd it)."""
    for pid in t.processes():
        try:
            if open(f"/proc/{pid}/cmdline").read().split("\0")[:-1] == argv:
                return True
        except OSError:
            pass  # gone since the listing
    return False


def test_a_sigstopped_service_gets_sigcont_after_its_stop_signal_and_stops_at_once():
    # SIGSTOP only once the shell has set its trap and its one child has exec'd:
    # stopped before the trap, SIGTERM takes its default action (no handler
    # output); stopped in dash's vfork of a child, the shell stays in D state,
    # never T; a child stopped between fork and exec catches SIGTERM in the
    # shell's handler, then clears the trap and execs, unharmed (the group
    # outlives stop_timeout). After this the shell only waits.
    config = """
        services:
          frozen:
            command: "trap 'echo cleaned-up; exit 0' TERM; sleep 1000 & echo trapped; wait"
            min_uptime: 0
            stop_timeout: 30s
    """
    with Tend(config) as t:
        pid = wait_for(lambda: t.ctl("pid", "frozen").stdout.strip(), 10, what="frozen to run")
        wait_for(lambda: "frozen | trapped" in t.output and execed(t, ["sleep", "1000"]), 10,
                 what="the service's trap and child")
        leader = int(pid)  # tendctl pid prints it as this namespace sees it
        os.killpg(os.getpgid(leader), signal.SIGSTOP)
        wait_for(lambda: proc_stat(leader)[0] == "T", 5, what="the service to be stopped")
        started = time.monotonic()
        assert t.ctl("stop", "frozen", timeout=40).returncode == 0
        assert time.monotonic() - started < 5 * SLOWDOWN, "stopped in milliseconds, not after stop_timeout"
        wait_for(lambda: "frozen | cleaned-up" in t.output, 5, what="the TERM handler's output")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0, "no SIGKILL was needed"


def test_fault_signals_sent_with_kill_to_tend_not_pid_1_are_ignored_and_kill_nothing():
    """A real fault in tend still crashes it (tests/unit/signal_mask_test.cpp)."""
    with Tend(ONE, namespace=False) as t:
        wait_for(lambda: one_is_running(t), 10, what="one to run")
        pid = t.ctl("pid", "one").stdout.strip()
        for sig in (signal.SIGSYS, signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGBUS,
                    signal.SIGFPE, signal.SIGSEGV):
            t.signal(sig)
            assert t.ctl("status", "one").returncode == 0, f"tend answers after {sig.name}"
        assert t.process.poll() is None
        assert t.ctl("pid", "one").stdout.strip() == pid, "the service was left alone"
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_tend_started_with_fds_0_1_2_closed_puts_dev_null_there_first():
    config = """
        services:
          inherits:
            command: "echo to-stdout; echo to-stderr >&2; f=$(readlink /proc/$$$$/fd/1); echo $f > $DIR/fd1; sleep 1000"
            output: inherit
            min_uptime: 0
    """
    with Tend(config, wrapper=["sh", "-c", 'exec "$@" <&- >&- 2>&-', "sh"]) as t:
        wait_for(lambda: "/dev/null" in t.read("fd1"), 10, what="the service to describe its stdout")
        for fd in (0, 1, 2):
            assert os.readlink(f"/proc/{t.pid}/fd/{fd}") == "/dev/null", fd
        # the control socket is not one of them, and it answers
        assert one_line_status(t) == "RUNNING"
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def one_line_status(t):
    return t.ctl("status", "inherits").stdout.split()[1]


def test_check_rejects_a_uid_that_does_not_fit_with_its_position(tmp_path):
    config = tmp_path / "tend.yaml"
    config.write_text("services:\n  web:\n    command: [sleep, '1']\n    user: \"4294967296\"\n"
                      "  db:\n    command: [sleep, '1']\n    user: root\n    group: \"4294967295\"\n")
    r = subprocess.run([TEND, "check", "-c", str(config)], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert f"{config}:4:11: services.web.user: invalid uid 4294967296 (ids are 0..4294967294)" in r.stderr
    assert f"{config}:8:12: services.db.group: invalid gid 4294967295 (ids are 0..4294967294)" in r.stderr
