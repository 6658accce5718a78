"""Service output: captured, labelled, kept, tailed, and never lost."""
import json
import os
from pathlib import Path
import tempfile
import stat
import re
import select
import signal
import socket
import subprocess
import time

from harness import RSS_SLOWDOWN, TENDCTL, Tend, wait_for

LINES = 100_000


def writers(n, lines=LINES, extra=""):
    out = "services:\n"
    for i in range(n):
        # seq writes through stdio, in 4 KiB blocks: as fast as a program can
        out += f"  w{i}:\n    command: [seq, '-f', 'w{i} line %.0f of a numbered stream', '1', '{lines}']\n"
        out += f"    restart: never\n    min_uptime: 0\n{extra}"
    return out


def crasher(command, backoff):
    """A service that fails over and over, forever, with its output discarded: it keeps tend busy."""
    return (f"  crasher:\n    command: {json.dumps(command)}\n    min_uptime: 0\n    max_restarts: -1\n"
            f"    backoff: {{initial: {backoff}, max: {backoff}}}\n    output: null\n")


def check_streams(text, n, lines=LINES):
    """Every line exactly once, in order per service, none mixing two services."""
    expected_next = {f"w{i}": 1 for i in range(n)}
    for raw in text.splitlines():
        if " | " not in raw:
            raise AssertionError(f"not a service line: {raw[:200]!r}")
        name, line = raw.split(" | ", 1)
        assert name in expected_next, f"unknown prefix in {raw[:200]!r}"
        want = f"{name} line {expected_next[name]} of a numbered stream"
        assert line == want, f"{name}: expected {want!r}, got {line[:200]!r}"
        expected_next[name] += 1
    assert expected_next == {f"w{i}": lines + 1 for i in range(n)}, expected_next


def one_shot(name, command, settings=""):
    """A config with one service that runs `command` (a shell string) once."""
    return f"{settings}services:\n  {name}:\n    command: {json.dumps(command)}\n    restart: never\n    min_uptime: 0\n"


def states(t):
    r = t.ctl("--json", "status")
    return {s["name"]: s["state"] for s in json.loads(r.stdout)} if r.returncode == 0 else {}


def test_ten_fast_writers_lose_nothing_and_never_mix():
    with Tend(writers(10)) as t:
        wait_for(lambda: len(states(t)) == 10 and set(states(t).values()) == {"exited"}, 60, what="writers to finish")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        check_streams(t.output, 10)


def test_stderr_is_marked_and_a_partial_line_is_flushed_when_the_service_exits():
    with Tend(one_shot("mixed", "echo out; echo err >&2; printf 'no newline at exit'")) as t:
        wait_for(lambda: "mixed | no newline at exit\n" in t.output, 10, what="the partial line")
        lines = t.output.splitlines()
        assert "mixed | out" in lines and "mixed ! err" in lines
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_a_one_mebibyte_line_is_cut_into_marked_pieces_and_nothing_is_lost():
    with Tend(one_shot("big", "head -c 1048576 /dev/zero | tr '\\0' x; echo; echo after")) as t:
        wait_for(lambda: "big | after\n" in t.output, 10, what="the line after the big one")
        lines = t.output.splitlines()
        pieces = [l for l in lines if l.startswith("big |") and l != "big | after"]
        assert len(pieces) == 16, [len(p) for p in pieces]
        assert pieces[0].startswith("big | x") and all(p.startswith("big |+ x") for p in pieces[1:])
        joined = pieces[0][len("big | "):] + "".join(p[len("big |+ "):] for p in pieces[1:])
        assert joined == "x" * 1048576
        # `tendctl logs` of one service joins the pieces again
        r = t.ctl("logs", "big")
        assert r.returncode == 0 and r.stdout == "x" * 1048576 + "\nafter\n"


def test_json_format_lines_parse():
    config = one_shot("api", "echo 'plain \"quoted\" text'; echo warn >&2; printf 'bin\\377ary\\n'",
                      settings="settings: {log_format: json}\n")
    with Tend(config) as t:
        wait_for(lambda: t.output.count("\n") >= 3, 10, what="three lines")
        objects = [json.loads(l) for l in t.output.splitlines()]
        assert [(o["service"], o["stream"]) for o in objects if o["stream"] == "stdout"][:1] == [("api", "stdout")]
        by_line = {o["line"]: o for o in objects}
        assert 'plain "quoted" text' in by_line
        assert by_line["warn"]["stream"] == "stderr"
        assert "bin\ufffdary" in by_line, by_line.keys()
        assert all(o["time"].endswith("Z") for o in objects)


def test_tendctl_logs_tail_and_follow_with_several_followers():
    config = """
        services:
          counter:
            command: "i=1; while [ $i -le 20 ]; do echo n$i; i=$((i+1)); done; touch $DIR/printed; while [ -e $DIR/printed ]; do sleep 0.02; done; echo oops >&2; touch $DIR/go; while [ -e $DIR/go ]; do sleep 0.02; done; echo late1; echo late2; sleep 1000"
          other:
            command: "echo from-other; sleep 1000"
    """
    with Tend(config) as t:
        # stdout and stderr are two pipes, and lines written to both at once may be read
        # in either order; the service writes stderr only once tend holds its stdout lines.
        wait_for(lambda: os.path.exists(t.file("printed")), 10, what="counter to write its first lines")
        wait_for(lambda: t.ctl("logs", "counter", "-n", "1").stdout == "n20\n", 10, what="tend to read n20")
        os.unlink(t.file("printed"))
        wait_for(lambda: os.path.exists(t.file("go")), 10, what="counter to write to stderr")
        want = "n17\nn18\nn19\nn20\noops\n"
        wait_for(lambda: t.ctl("logs", "counter", "-n", "5").stdout == want, 10, what="the last five lines")
        r = t.ctl("logs", "counter", "-n", "5")
        assert r.returncode == 0 and r.stdout == want, r.stdout
        r = t.ctl("logs", "-n", "100")
        assert "other | from-other\n" in r.stdout and "counter ! oops\n" in r.stdout and "counter | n1\n" in r.stdout
        r = t.ctl("--json", "logs", "counter", "-n", "1")
        assert json.loads(r.stdout)["stream"] == "stderr"
        assert t.ctl("logs", "nope").returncode == 1

        # -n 1: each follower first prints the last line, which shows it is registered
        followers = [subprocess.Popen([TENDCTL, "-s", t.socket, "logs", "counter", "-n", "1", "-f"],
                                      stdout=subprocess.PIPE) for _ in range(2)]
        for f in followers:
            assert read_lines(f, 1) == ["oops"]
        os.unlink(t.file("go"))
        for f in followers:
            assert read_lines(f, 2) == ["late1", "late2"]
            f.send_signal(signal.SIGINT)
            f.wait(timeout=5)


def read_lines(process, count, timeout=10):
    """The next `count` lines a child prints, waiting for them at most `timeout` seconds."""
    fd = process.stdout.fileno()
    buffered = getattr(process, "_pending", b"")
    deadline = time.time() + timeout
    while buffered.count(b"\n") < count and time.time() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buffered += chunk
    lines = buffered.split(b"\n")
    process._pending = b"\n".join(lines[count:])
    return [l.decode() for l in lines[:count]]


def test_a_follower_that_stops_reading_is_dropped_and_tend_carries_on():
    config = """
        services:
          flood:
            command: "while :; do seq 1 10000; done"
    """
    with Tend(config) as t:
        wait_for(lambda: states(t).get("flood") == "running", 10, what="flood to run")
        with socket.socket(socket.AF_UNIX) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(t.socket)
            s.sendall(b'{"cmd":"logs","args":{"lines":0,"follow":true}}\n')
            t.wait_log("Dropping control client", timeout=30)
            assert states(t)["flood"] == "running"


def watch_while_stuck(t, seconds=5.0):
    """Nobody reads tend's stdout for `seconds`; meanwhile tend must answer
    every status request. Returns (crasher's restart count, tend's RSS in KiB) samples."""
    wait_for(lambda: t.ctl("status").returncode == 0, 10, what="tend to answer")
    samples = []
    start = time.time()
    while time.time() - start < seconds:
        r = t.ctl("--json", "status", timeout=5)
        assert r.returncode == 0, "tend answers while its output is stuck"
        restarts = next(s["restarts"] for s in json.loads(r.stdout) if s["name"] == "crasher")
        samples.append((restarts, t.rss_kib()))
        time.sleep(0.2)  # sampling pace; the window itself is the scenario
    return samples


def drain_until_writers_exit(t, timeout=60):
    """Reads tend's stdout pipe until the w* services have exited and nothing more comes."""
    data = bytearray()
    fd = t.process.stdout.fileno()
    os.set_blocking(fd, False)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            data += os.read(fd, 1 << 20)
        elif {v for n, v in states(t).items() if n.startswith("w")} == {"exited"}:
            if not select.select([fd], [], [], 0.5)[0]:
                return data.decode(errors="replace")
    raise AssertionError(f"writers did not finish within {timeout}s; got {len(data)} bytes")


def test_a_stuck_stdout_reader_blocks_the_services_not_tend_and_loses_nothing():
    config = writers(3, 30_000) + crasher("sleep 0.2; exit 3", "10ms")
    with Tend(config, stdout="pipe") as t:
        # The pipe and tend's bounded queues fill up.
        samples = watch_while_stuck(t)
        restarts = [r for r, _ in samples]
        rss = max(kib for _, kib in samples)
        assert restarts[-1] > restarts[0] + 3, f"tend kept supervising: {restarts}"
        assert any(s == "running" for n, s in states(t).items() if n.startswith("w")), "writers are blocked, not done"
        assert rss < 32 * 1024 * RSS_SLOWDOWN, f"tend's RSS stayed bounded: {rss} KiB"
        # Now drain: every line arrives, exactly once and in order.
        check_streams(drain_until_writers_exit(t), 3, 30_000)


def test_log_file_gets_the_lines_and_rotates():
    config = """
        services:
          filed:
            command: "while [ ! -e $DIR/go ]; do sleep 0.01; done; seq -f 'line %.0f' 1 3000; touch $DIR/done; sleep 1000"
            log_file: $DIR/logs/filed.log
            log_max_size: 8KiB
            log_keep: 2
            output: null
    """
    with Tend(config) as t:
        # the directory appears after tend started (its first open failed); the
        # service writes only once it is there, so the retried open takes every line
        wait_for(lambda: "failed to open log file" in t.log, 10, what="the first open to fail")
        t.file("logs").mkdir()
        t.file("go").touch()
        wait_for(lambda: os.path.exists(t.file("done")), 10, what="the writer to finish")
        log = t.file("logs/filed.log")
        wait_for(lambda: log.exists() and log.read_text().endswith("line 3000\n"), 10, what="the last line in the file")
        rotated = [t.file(f"logs/filed.log.{i}") for i in (1, 2)]
        assert all(p.exists() for p in rotated) and not t.file("logs/filed.log.3").exists()
        assert all(p.stat().st_size <= 8192 for p in [log] + rotated)
        # the newest files hold the newest lines, in order, without a gap
        text = rotated[1].read_text() + rotated[0].read_text() + log.read_text()
        numbers = [int(l.split()[1]) for l in text.splitlines()]
        assert numbers == list(range(numbers[0], 3001))
        assert t.output == "", "output: null keeps it off tend's stdout"
        assert t.ctl("logs", "filed", "-n", "1").stdout == "line 3000\n", "and the ring still has it"


def test_a_log_file_that_cannot_be_opened_is_reported_once_and_the_service_runs_on():
    config = """
        services:
          stubborn:
            command: "while :; do echo tick; sleep 0.05; done"
            log_file: /nonexistent-dir/stubborn.log
            min_uptime: 0
    """
    with Tend(config) as t:
        wait_for(lambda: t.output.count("stubborn | tick") >= 5, 10, what="ticks on stdout")
        assert t.log.count("stubborn: failed to open log file /nonexistent-dir/stubborn.log: No such file or directory") == 1
        assert states(t)["stubborn"] == "running"


def test_a_reload_that_changes_output_restarts_the_service_with_the_new_mode():
    config = """
        services:
          talk:
            command: "echo started; sleep 1000"
            min_uptime: 0
    """
    with Tend(config) as t:
        wait_for(lambda: "talk | started\n" in t.output, 10, what="the first start's line")
        t.config_path.write_text(t.config_path.read_text().replace("min_uptime: 0", "min_uptime: 0\n    output: null"))
        r = t.ctl("reload", check=True)
        assert "~ talk (output changed)" in r.stdout
        wait_for(lambda: states(t).get("talk") == "running", 10, what="talk to run again")
        assert t.output.count("talk | started\n") == 1


def test_idle_tend_sleeps_with_its_pipes_open():
    config = """
        services:
          a: {command: "echo hi; exec sleep 1000", min_uptime: 0}
          b: {command: "echo hi >&2; exec sleep 1000", min_uptime: 0}
    """
    with Tend(config) as t:
        wait_for(lambda: t.output.count("| hi") + t.output.count("! hi") == 2, 10, what="both lines")
        wait_for(lambda: set(states(t).values()) == {"running"}, 10, what="both running")
        assert t.wake_ups_over(1.0) <= 1  # an idle tend must not wake up


def test_a_service_that_closes_its_output_leaves_tend_asleep():
    # Once no process holds a write end, the read ends report EPOLLHUP on every
    # turn: tend must turn their watches off, not spin on them.
    config = """
        services:
          closed: {command: "echo bye; exec sleep 1000 >&- 2>&-", min_uptime: 0}
    """
    with Tend(config) as t:
        wait_for(lambda: "closed | bye" in t.output, 10, what="its last line")
        wait_for(lambda: states(t).get("closed") == "running", 10, what="it to run")
        wake_ups, cpu = t.idle_over(1.0)
        assert wake_ups <= 1  # no wake-up for a pipe nobody writes to
        assert cpu < 0.05  # a loop on EPOLLHUP would take the whole second


def test_a_left_behind_childs_lines_are_kept_and_the_pipe_wakes_again_at_each_restart():
    # The main process exits; its background child (deaf, from the start, to
    # the SIGTERM its group gets) still writes into the pipe, and its lines are
    # captured. The restart waits for the group to be empty, so between runs no
    # process holds a write end: the pipe hangs up, its watch goes off, and the
    # next spawn's new write ends must turn it on again, run after run.
    config = """
        services:
          job:
            command: "trap '' TERM; n=$(cat $TEND_COUNT 2>/dev/null || echo 0); echo $((n+1)) > $TEND_COUNT; echo run $n; (sleep 0.3; echo child of $n) & exit 0"
            restart: always
            min_uptime: 0
            max_restarts: -1
            backoff: {initial: 1s, max: 1s}
            environment: {TEND_COUNT: COUNTFILE}
    """
    with tempfile.TemporaryDirectory() as d:
        with Tend(config.replace("COUNTFILE", str(Path(d) / "count"))) as t:
            wait_for(lambda: "job | child of 2" in t.output, 20, what="three runs and their children")
            out = t.output
            for n in range(3):
                assert out.index(f"job | run {n}\n") < out.index(f"job | child of {n}\n")
            lines = t.ctl("logs", "job", "-n", "20", check=True).stdout
            assert "child of 1" in lines and "run 2" in lines


def test_a_stdout_that_goes_away_is_reported_once_and_tend_carries_on():
    config = """
        services:
          chatty: {command: "while :; do echo tick; sleep 0.01; done", min_uptime: 0}
    """
    with Tend(config, stdout="pipe") as t:
        os.read(t.process.stdout.fileno(), 100)  # output is flowing
        t.process.stdout.close()  # the reader is gone: writes get EPIPE
        t.wait_log("Failed to write service output to stdout: Broken pipe")
        wait_for(lambda: t.ctl("status").returncode == 0, 5, what="tend to answer")
        assert t.log.count("Failed to write service output") == 1
        assert states(t)["chatty"] == "running"
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_stdout_and_stderr_on_one_stuck_pipe_block_neither_tend_nor_mix_lines():
    # 2>&1 into a pipe nobody reads: tend's own log (a crash loop writes plenty)
    # must not block it either, and no log line may land inside a service line.
    config = writers(2, 20_000) + crasher("exit 3", "5ms")
    with Tend(config, stdout="pipe", stderr="stdout") as t:
        restarts = [r for r, _ in watch_while_stuck(t)]
        assert restarts[-1] > restarts[0] + 50, f"tend kept supervising: {restarts[0]} -> {restarts[-1]}"
        t.ctl("stop", "crasher", check=True)
        lines = drain_until_writers_exit(t).splitlines()
        check_streams("\n".join(l for l in lines if l.startswith("w") and " | " in l), 2, 20_000)
        # tend's own lines may have been dropped past 1 MiB queued, but each one that came is whole
        log_line = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+ tend \w+: ")
        broken = [l for l in lines if " tend " in l and not log_line.match(l)]
        assert broken == [], broken[:3]


def test_stdout_on_dev_null_is_fine():
    # epoll refuses /dev/null; tend writes to it as to a file
    with Tend(one_shot("quiet", "seq 1 1000; sleep 1000"), stdout="devnull") as t:
        wait_for(lambda: states(t).get("quiet") in ("starting", "running"), 10, what="quiet to start")
        wait_for(lambda: t.ctl("logs", "quiet", "-n", "1").stdout == "1000\n", 10, what="its last line")
        t.signal(signal.SIGTERM)
        assert t.wait() == 0


def test_a_device_as_log_file_is_written_to_but_never_rotated():
    config = """
        services:
          quiet:
            command: "seq -f 'line %.0f' 1 2000; touch $DIR/done; sleep 1000"
            log_file: $DIR/null
            log_max_size: 4KiB
            output: null
    """
    d = Path(tempfile.mkdtemp(prefix="tend-null-"))
    os.mknod(d / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    with Tend(config.replace("$DIR", str(d))) as t:
        wait_for(lambda: (d / "done").exists(), 10, what="the writer to finish")
        wait_for(lambda: t.ctl("logs", "quiet", "-n", "1").stdout == "line 2000\n", 10, what="the last line")
        assert stat.S_ISCHR(os.lstat(d / "null").st_mode), "still the device"
        assert not (d / "null.1").exists(), "never renamed"
        assert "failed" not in t.log
