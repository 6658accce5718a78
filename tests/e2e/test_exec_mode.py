"""`tend -- CMD`: the scenarios tini and dumb-init users rely on."""
import signal
import subprocess
import time

import pytest

from harness import SLOWDOWN, TEND, Tend, wait_for


def run(*command, grace=None, timeout=20):
    args = [TEND] + (["--grace", grace] if grace else []) + ["--"] + list(command)
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
    script = (f"/usr/bin/python3 -c \"{child}\" & "
              f"trap 'echo leader >> $DIR/got; wait; exit 5' {name}; while :; do sleep 0.05; done")
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
    script = "for i in $(seq 50); do (sleep 0.01 &); done; sleep 0.5; ps -eo stat= | grep -c '^Z' || true"
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
