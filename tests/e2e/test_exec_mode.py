"""`tend -- CMD`: the scenarios tini and dumb-init users rely on."""
import os
import signal
import subprocess
import time

import pytest

from harness import SLOWDOWN, TEND, Tend, wait_for


def run(*command, grace=None, timeout=20, extra=()):
    args = [TEND] + (["--grace", grace] if grace else []) + list(extra) + ["--"] + list(command)
    return subprocess.run(["unshare", "--pid", "--fork", "--mount-proc"] + args,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("code", [0, 1, 2, 42, 127, 255])
def test_exit_codes_pass_through(code):
    assert run("sh", "-c", f"exit {code}").returncode == code


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGSEGV, signal.SIGUSR1])
def test_death_by_signal_exits_128_plus_n(sig):
    assert run("sh", "-c", f"kill -{int(sig)} $$").returncode == 128 + sig


def test_a_missing_binary_exits_127_with_a_clear_message():
    result = run("no-such-command-xyz")
    assert result.returncode == 127
    assert "failed to exec no-such-command-xyz: No such file or directory" in result.stderr


def test_a_non_executable_file_exits_126():
    assert run("/etc/passwd").returncode == 126


def test_stdout_and_arguments_pass_through_untouched():
    result = run("printf", "%s|", "a b", "c")
    assert result.stdout == "a b|c|"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT,
                                 signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH])
def test_signals_are_forwarded_to_the_whole_process_group(sig):
    # The script's background child records the signal too: it went to the group, not just the leader.
    # The child is Python, not sh: a shell's background job starts with SIGINT and
    # SIGQUIT ignored and may not trap them again.
    name = signal.Signals(sig).name[3:]
    child = ("import signal, os, time; "
             f"signal.signal({int(sig)}, lambda *a: (open('$DIR/got', 'a').write('child\\n'), os._exit(0))); "
             "open('$DIR/ready', 'w').close(); time.sleep(1000)")
    # The trap is set before the child starts: set after, a leader the scheduler
    # left waiting until the child was ready would die of the signal untrapped
    # (a CI run under load lost SIGUSR1 that way).
    script = (f"trap 'echo leader >> $DIR/got; wait; exit 5' {name}; "
              f"/usr/bin/python3 -c \"{child}\" & while :; do sleep 0.05; done")
    with Tend(args=["--", "sh", "-c", script]) as t:
        # The leader sets its trap before starting the child; the child writes 'ready' after its own.
        wait_for(lambda: t.file("ready").exists(), what="the child to start")
        t.signal(sig)
        wait_for(lambda: len(t.read("got").split()) == 2, timeout=5, what=f"{name} to reach leader and child")
        assert sorted(t.read("got").split()) == ["child", "leader"]
        if sig not in (signal.SIGTERM, signal.SIGINT):
            assert t.wait() == 5


def test_a_command_ignoring_sigterm_is_killed_after_the_grace():
    with Tend(args=["--grace", "500ms", "--", "sh", "-c", "trap '' TERM; echo > $DIR/ready; while :; do sleep 0.05; done"]) as t:
        wait_for(lambda: t.file("ready").exists(), what="the command to set its trap")
        start = time.monotonic()
        t.signal(signal.SIGTERM)
        assert t.wait() == 128 + signal.SIGKILL
        assert 0.5 <= time.monotonic() - start < 2.5 * SLOWDOWN


def test_zombies_of_the_command_are_reaped():
    # Each subshell's background sleep is orphaned to PID 1 and must not stay a zombie.
    # A zombie is seen for a moment between its exit and tend's reaping (long on a
    # loaded machine under ASan), so the script waits, boundedly, for no sleep to be
    # left, running or zombie: unreaped ones would stay and make it print 50.
    script = ("for i in $(seq 50); do (sleep 0.01 &); done; "
              "for i in $(seq 200); do [ \"$(ps -eo comm= | grep -c '^sleep$')\" = 0 ] && break; sleep 0.05; done; "
              "ps -eo stat= | grep -c '^Z' || true")
    result = run("sh", "-c", script)
    assert result.returncode == 0
    assert result.stdout.strip() == "0"


def test_when_the_command_exits_the_rest_of_the_namespace_gets_sigterm_first(tmp_path):
    marker = tmp_path / "bg"
    script = (f"setsid sh -c 'trap \"echo termed > {marker}; exit 0\" TERM; echo up > {marker}; "
              f"while :; do sleep 0.05; done' & "
              f"while [ ! -s {marker} ]; do sleep 0.01; done; exit 3")
    result = run("sh", "-c", script)
    assert result.returncode == 3
    assert marker.read_text() == "termed\n"


FORWARDED = ["HUP", "QUIT", "USR1", "USR2", "WINCH", "ALRM", "CONT", "PIPE", "PWR", "URG", "IO", "XCPU",
             "XFSZ", "VTALRM", "PROF", "STKFLT", "TSTP", "TTIN", "TTOU"]


def test_every_catchable_signal_and_a_realtime_one_reaches_the_command():
    """Each forwardable signal, and SIGRTMIN+3 (Docker's STOPSIGNAL for systemd images)."""
    numbers = [int(getattr(signal, "SIG" + name)) for name in FORWARDED] + [signal.SIGRTMIN + 3]
    recorder = ("import signal, os, sys, time\n"
                "got = open(sys.argv[1], 'a', buffering=1)\n"
                f"for n in {numbers!r}:\n"
                "    signal.signal(n, lambda s, f: got.write(f'{s}\\n'))\n"
                "open(sys.argv[2], 'w').close()\n"
                "while True: time.sleep(1)\n")
    with Tend(args=["--", "/usr/bin/python3", "-c", recorder, "$DIR/got", "$DIR/ready"]) as t:
        wait_for(lambda: t.file("ready").exists(), what="the recorder to set its handlers")
        for n in numbers:
            t.signal(n)
            wait_for(lambda: str(int(n)) in t.read("got").split(), 5, what=f"signal {n} to reach the command")
        assert sorted(int(x) for x in t.read("got").split()) == sorted(int(n) for n in numbers)
        t.signal(signal.SIGTERM)
        assert t.wait() == 128 + signal.SIGTERM


def test_a_bare_double_dash_is_a_usage_error_not_config_mode():
    result = subprocess.run([TEND, "--"], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert result.stderr.strip() == "tend: -- needs a command to run: tend [--grace 10s] -- CMD ARGS..."


def test_remap_exit_turns_a_jvm_style_143_into_0():
    assert run("sh", "-c", "exit 143", extra=["--remap-exit", "143:0"]).returncode == 0
    assert run("sh", "-c", "exit 3", extra=["--remap-exit", "143:0", "--remap-exit", "3:7"]).returncode == 7
    assert run("sh", "-c", "exit 4", extra=["--remap-exit", "143:0"]).returncode == 4


def test_rewrite_sends_quit_for_term_as_nginx_wants():
    script = "trap 'echo got-QUIT > $DIR/got; exit 0' QUIT; trap 'echo got-TERM > $DIR/got; exit 9' TERM; " \
             "echo > $DIR/ready; while :; do sleep 0.05; done"
    with Tend(args=["--rewrite", "TERM:QUIT", "--", "sh", "-c", script]) as t:
        wait_for(lambda: t.file("ready").exists(), what="the traps")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        assert t.read("got").strip() == "got-QUIT"


def test_rewrite_to_0_drops_a_signal_and_bad_options_are_usage_errors():
    script = "trap 'echo got-USR1 >> $DIR/got' USR1; echo > $DIR/ready; while :; do sleep 0.05; done"
    with Tend(args=["--rewrite", "USR1:0", "--grace", "200ms", "--", "sh", "-c", script]) as t:
        wait_for(lambda: t.file("ready").exists(), what="the trap")
        t.signal(signal.SIGUSR1)
        t.signal(signal.SIGTERM)
        t.wait()
        assert t.read("got") == ""
    for bad in (["--rewrite", "TERM"], ["--rewrite", "KILL:TERM"], ["--remap-exit", "300:0"], ["--remap-exit", "x:1"]):
        result = subprocess.run([TEND] + bad + ["--", "true"], capture_output=True, text=True, timeout=10)
        assert result.returncode == 2, bad
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# Records the name of every catchable signal it gets, one a line; SIGUSR2 ends it (exit 0).
RECORDER = ("import os, signal, sys, time\n"
            "got = open(sys.argv[1], 'a', buffering=1)\n"
            "def note(n, frame):\n"
            "    if n == signal.SIGUSR2: os._exit(0)\n"
            "    got.write(signal.Signals(n).name[3:] + '\\n')\n"
            "for n in set(range(1, 32)) - {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}:\n"
            "    signal.signal(n, note)\n"
            "open(sys.argv[2], 'w').close()\n"
            "while True: time.sleep(1)\n")


def received(t, marker="WINCH"):
    """What the recorder got, once a marker signal sent after everything else has arrived:
    anything tend added to what it forwarded came before the marker (SIGWINCH: Python runs
    pending handlers in signal-number order, so one with a lower number cannot come after it)."""
    wait_for(lambda: marker in t.read("got").split(), 5, what=f"the marker {marker} to reach the recorder")
    return t.read("got").split()


def test_sigterm_reaches_the_command_alone_without_a_sigcont():
    with Tend(args=["--", "/usr/bin/python3", "-c", RECORDER, "$DIR/got", "$DIR/ready"]) as t:
        wait_for(lambda: t.file("ready").exists(), what="the recorder to set its handlers")
        t.signal(signal.SIGTERM)
        wait_for(lambda: "TERM" in t.read("got").split(), 5, what="SIGTERM to reach the command")
        t.signal(signal.SIGWINCH)
        assert received(t) == ["TERM", "WINCH"]
        t.signal(signal.SIGUSR2)
        assert t.wait() == 0


def test_what_the_command_leaves_behind_gets_sigterm_alone():
    script = "/usr/bin/python3 $DIR/recorder.py $DIR/got $DIR/ready & " \
             "while [ ! -e $DIR/ready ]; do sleep 0.01; done; exit 3"
    with Tend(args=["--", "sh", "-c", script], files={"recorder.py": RECORDER}) as t:
        wait_for(lambda: "TERM" in t.read("got").split(), 10, what="SIGTERM to reach the leftover")
        leftover = wait_for(lambda: t.processes(), what="the leftover recorder")[0]
        os.kill(leftover, signal.SIGWINCH)
        assert received(t) == ["TERM", "WINCH"]
        os.kill(leftover, signal.SIGUSR2)
        assert t.wait() == 3


FAULTS = ["SYS", "ILL", "TRAP", "ABRT", "BUS", "FPE", "SEGV"]


@pytest.mark.parametrize("pid1", [False, True], ids=["not-pid1", "pid1"])
def test_fault_signals_sent_with_kill_are_forwarded_and_tend_lives_on(pid1):
    """A real fault in tend still kills it (tests/unit/signal_mask_test.cpp); one sent with kill(2) is a signal."""
    with Tend(args=["--", "/usr/bin/python3", "-c", RECORDER, "$DIR/got", "$DIR/ready"], namespace=pid1) as t:
        wait_for(lambda: t.file("ready").exists(), what="the recorder to set its handlers")
        for name in FAULTS:
            t.signal(getattr(signal, "SIG" + name))
            wait_for(lambda: name in t.read("got").split(), 5, what=f"SIG{name} to reach the command")
            assert t.process.poll() is None, f"tend died of SIG{name}"
        assert t.read("got").split() == FAULTS
        t.signal(signal.SIGUSR2)
        assert t.wait() == 0
