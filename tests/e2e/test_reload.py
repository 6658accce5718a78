"""Reload: edit the config on disk, reload, and only what changed moves."""
import json
import os
from pathlib import Path
import random
import signal
import subprocess
import textwrap

from harness import TENDCTL, Tend, wait_for

BASE = """
    settings:
      shutdown_timeout: 10s
    services:
      db:
        command: [sleep, '1000']
        min_uptime: 0
      web:
        command: [sleep, '1001']
        depends_on: [db]
        min_uptime: 0
      old:
        command: "sleep 1002 & sleep 1003; wait"
        depends_on: [web]
        min_uptime: 0
"""

# db: an in-place change; web: a new command; old removed; worker added.
EDITED = BASE.replace("min_uptime: 0\n      web", "min_uptime: 0\n        stop_timeout: 4s\n      web", 1) \
    .replace("sleep, '1001'", "sleep, '1005'") \
    .replace('old:\n        command: "sleep 1002 & sleep 1003; wait"', "worker:\n        command: [sleep, '1004']")


def status(t):
    def answered():
        r = t.ctl("--json", "status")
        return r if r.returncode == 0 else None
    r = wait_for(answered, 10, what="tend to answer status")
    return {s["name"]: s for s in json.loads(r.stdout)}


def all_running(t, names):
    wait_for(lambda: os.path.exists(t.socket), 10, what="the control socket")

    def check():
        s = status(t)
        return s if sorted(s) == sorted(names) and all(v["state"] == "running" for v in s.values()) else None
    return wait_for(check, 10, what=f"{names} running")


def write(t, config):
    t.config_path.write_text(textwrap.dedent(config))


def host_cmdlines(t):
    out = {}
    for pid in t.processes():
        try:
            out[pid] = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode().strip()
        except OSError:
            pass
    return out


def check_edit_applied(t, before):
    after = all_running(t, ["db", "web", "worker"])
    assert after["db"]["pid"] == before["db"]["pid"], "an in-place change keeps the process"
    assert after["web"]["pid"] != before["web"]["pid"], "a changed command restarts"
    # the removed service and its whole process group are gone
    wait_for(lambda: not any("sleep 100" + n in c for c in host_cmdlines(t).values() for n in "23"),
             5, what="old's processes to go")
    assert any(c == "sleep 1005" for c in host_cmdlines(t).values())
    assert t.zombies() == []


def test_dry_run_prints_the_plan_and_changes_nothing():
    with Tend(BASE) as t:
        before = all_running(t, ["db", "web", "old"])
        write(t, EDITED)
        r = t.ctl("reload", "--dry-run")
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines() == [
            "~ db (stop_timeout changed, applied in place)",
            "~ web (command changed)",
            "+ worker",
            "- old",
        ]
        now = status(t)
        assert sorted(now) == ["db", "old", "web"]
        assert {n: s["pid"] for n, s in now.items()} == {n: s["pid"] for n, s in before.items()}


def test_tendctl_reload_moves_only_what_changed():
    with Tend(BASE) as t:
        before = all_running(t, ["db", "web", "old"])
        write(t, EDITED)
        r = t.ctl("reload")
        assert r.returncode == 0, r.stderr
        assert "~ web (command changed)" in r.stdout and "- old" in r.stdout and "+ worker" in r.stdout
        check_edit_applied(t, before)
        # the removed service stopped before the one it depended on was restarted
        log = t.log
        assert log.index("old: stopping -> stopped") < log.index("web: running -> stopping")
        # worker depends on web: it started only after the new web ran
        assert log.index("web: starting -> running (pid {})".format(status(t)["web"]["pid"])) < \
            log.index("worker: stopped -> starting")


def test_sighup_reloads_too():
    with Tend(BASE) as t:
        before = all_running(t, ["db", "web", "old"])
        write(t, EDITED)
        t.signal(signal.SIGHUP)
        t.wait_log("Reload finished")
        check_edit_applied(t, before)


def test_an_invalid_edit_changes_nothing_and_names_the_place():
    with Tend(BASE) as t:
        before = all_running(t, ["db", "web", "old"])
        write(t, BASE.replace("min_uptime: 0\n      web", "min_uptim: 0\n      web").replace(
            "depends_on: [web]", "depends_on: [wbe]"))
        r = t.ctl("reload")
        assert r.returncode == 1
        path = str(t.config_path)
        assert "nothing changed" in r.stderr
        assert f"{path}:7:5: services.db: unknown key 'min_uptim' (did you mean 'min_uptime'?)" in r.stderr, r.stderr
        assert f"{path}:14:18: services.old.depends_on: no such service 'wbe'" in r.stderr, r.stderr
        t.signal(signal.SIGHUP)
        t.wait_log("the config has errors; nothing changed")
        assert f"{path}:7:5:" in t.log
        now = status(t)
        assert {n: s["pid"] for n, s in now.items()} == {n: s["pid"] for n, s in before.items()}
        assert all(s["state"] == "running" for s in now.values())


def test_operator_stop_survives_a_reload_unless_the_definition_changed():
    with Tend(BASE) as t:
        all_running(t, ["db", "web", "old"])
        t.ctl("stop", "old", check=True)
        t.ctl("stop", "db", "--with-dependants", check=True)  # web depends on it
        write(t, BASE.replace("command: [sleep, '1000']", "command: [sleep, '1010']"))
        r = t.ctl("reload", check=True)
        assert "~ db (command changed)" in r.stdout and "= old" in r.stdout
        wait_for(lambda: status(t)["db"]["state"] == "running", 10, what="db restarted with its new command")
        assert status(t)["old"]["state"] == "stopped", "an unchanged service stopped by the operator stays stopped"
        assert status(t)["old"]["stopped_by_operator"]


def test_restart_counters_and_uptime_survive_an_in_place_change():
    config = BASE + """
      flaky:
        command: "exit 3"
        min_uptime: 1s
        max_restarts: 2
        backoff: {initial: 10ms}
    """
    with Tend(config) as t:
        wait_for(lambda: status(t).get("flaky", {}).get("state") == "fatal", 10, what="flaky to give up")
        restarts = status(t)["flaky"]["restarts"]
        assert restarts >= 1
        write(t, config.replace("max_restarts: 2", "max_restarts: 3"))
        r = t.ctl("reload", check=True)
        assert "~ flaky (max_restarts changed, applied in place)" in r.stdout
        s = status(t)["flaky"]
        assert (s["state"], s["restarts"]) == ("fatal", restarts)


def test_reload_during_shutdown_is_refused():
    config = BASE.replace("command: [sleep, '1000']", "command: \"trap '' TERM; sleep 1000 & wait\"").replace(
        "min_uptime: 0\n      web", "min_uptime: 0\n        stop_timeout: 5s\n      web", 1)
    with Tend(config) as t:
        all_running(t, ["db", "web", "old"])
        t.signal(signal.SIGTERM)
        t.wait_log("db: running -> stopping")
        r = t.ctl("reload")
        assert r.returncode == 1 and "shutting down" in r.stderr


def test_the_control_socket_moves_when_its_setting_changes():
    with Tend(BASE) as t:
        all_running(t, ["db", "web", "old"])
        new_socket = t.file("moved.sock")
        write(t, BASE.replace("shutdown_timeout: 10s", f"shutdown_timeout: 10s\n      control_socket: {new_socket}"))
        r = t.ctl("reload", check=True)
        assert f"~ settings.control_socket ({t.socket} -> {new_socket})" in r.stdout
        wait_for(lambda: not os.path.exists(t.socket), 5, what="the old socket to go")
        assert oct(os.stat(new_socket).st_mode & 0o777) == "0o600"
        r = subprocess.run([TENDCTL, "-s", str(new_socket), "status"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 0 and "db" in r.stdout


def test_a_new_control_group_opens_the_socket_to_it_in_place():
    with Tend(BASE) as t:
        all_running(t, ["db", "web", "old"])
        write(t, BASE.replace("shutdown_timeout: 10s", "shutdown_timeout: 10s\n      control_group: nogroup"))
        r = t.ctl("reload", check=True)
        assert "~ settings.control_group (none -> nogroup)" in r.stdout
        st = os.stat(t.socket)
        assert (oct(st.st_mode & 0o777), st.st_gid) == ("0o660", 65534)
        write(t, BASE)
        t.ctl("reload", check=True)
        assert oct(os.stat(t.socket).st_mode & 0o777) == "0o600"


def connected_unix_streams():
    """Inodes of connected unix stream sockets: a tendctl connection tend has not yet seen close."""
    inodes = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 7 and fields[4] == "0001" and fields[5] == "03":
            inodes.add(fields[6])
    return inodes


def fd_count(pid):
    """tend's open fds, less control connections still closing (a race with the last tendctl's exit)."""
    transient = connected_unix_streams()
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if not (target.startswith("socket:[") and target[8:-1] in transient):
            count += 1
    return count


def test_fifty_random_reloads_leave_no_zombie_no_fd_leak_and_the_expected_set():
    rng = random.Random(4)
    pool = [f"s{i}" for i in range(8)]

    def random_config():
        chosen = sorted(rng.sample(pool, rng.randint(1, len(pool))))
        lines = ["services:"]
        for i, name in enumerate(chosen):
            lines.append(f"  {name}:")
            lines.append(f"    command: [sleep, '{1000 + rng.randint(0, 2)}']")
            lines.append("    min_uptime: 0")
            lines.append(f"    stop_timeout: {rng.choice(['1s', '2s'])}")
            if i > 0 and rng.random() < 0.5:
                lines.append(f"    depends_on: [{rng.choice(chosen[:i])}]")
        return "\n".join(lines) + "\n", chosen

    text, chosen = random_config()
    with Tend(text) as t:
        all_running(t, chosen)
        # tend holds the read ends of each service's two output pipes (2 fds);
        # the write ends are opened for each spawn and closed once the child has them
        fds_base = fd_count(t.pid) - 2 * len(chosen)
        for round_ in range(50):
            text, chosen = random_config()
            t.config_path.write_text(text)
            r = t.ctl("reload")
            assert r.returncode == 0, f"round {round_}: {r.stderr}"
            all_running(t, chosen)
            assert t.zombies() == [], f"round {round_}"
        # one process per service: nothing left of removed or replaced ones
        wait_for(lambda: len(t.processes()) == len(chosen), 5, what="exactly one process per service")
        assert len(t.processes()) == len(chosen)
        assert fd_count(t.pid) == fds_base + 2 * len(chosen)


def test_a_second_reload_while_one_is_stopping_services_is_refused_or_queued():
    slow = BASE.replace('command: "sleep 1002 & sleep 1003; wait"',
                        "command: \"trap '' TERM; sleep 1002 & sleep 1003 & wait\"\n        stop_timeout: 1s")
    with Tend(slow) as t:
        all_running(t, ["db", "web", "old"])
        write(t, EDITED)
        first = subprocess.Popen([TENDCTL, "-s", t.socket, "reload"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        t.wait_log("old: running -> stopping")
        r = t.ctl("reload")
        assert r.returncode == 1 and "a reload is in progress (stopping old, web)" in r.stderr, r.stderr
        t.signal(signal.SIGHUP)
        t.wait_log("reloading again when it has finished")
        out, err = first.communicate(timeout=10)
        assert first.returncode == 0, err
        assert "- old" in out
        t.wait_log("Reload: nothing changed")
        all_running(t, ["db", "web", "worker"])
        assert t.zombies() == []


def test_included_files_are_read_again_and_log_settings_apply_at_once():
    config = """
        settings:
          include: [$DIR/conf.d/*.yaml]
        services:
          db: {command: [sleep, '1000'], min_uptime: 0}
    """
    with Tend(config) as t:
        conf_d = t.file("conf.d")
        conf_d.mkdir()
        all_running(t, ["db"])
        (conf_d / "sidecar.yaml").write_text("services:\n  sidecar: {command: [sleep, '1001'], min_uptime: 0}\n")
        text = t.config_path.read_text().replace("include:", "log_format: json\n  include:")
        t.config_path.write_text(text)
        r = t.ctl("reload", check=True)
        assert "+ sidecar" in r.stdout and "~ settings.log_format (text -> json)" in r.stdout
        all_running(t, ["db", "sidecar"])
        line = t.wait_log('"msg":"Reload finished"')
        entries = [json.loads(l) for l in t.log.splitlines() if l.startswith("{")]
        assert any(e["msg"] == "sidecar: starting -> running (pid {})".format(status(t)["sidecar"]["pid"])
                   for e in entries)
        (conf_d / "sidecar.yaml").write_text("services:\n  sidecar: {command: [sleep, '1001'], min_uptim: 0}\n")
        r = t.ctl("reload")
        assert r.returncode == 1 and f"{conf_d}/sidecar.yaml:2:39: services.sidecar: unknown key 'min_uptim'" in r.stderr, r.stderr
        assert status(t)["sidecar"]["state"] == "running"


def test_a_fatal_service_fixed_by_a_reload_starts_and_keeps_its_earlier_output():
    config = """
        services:
          app:
            command: "echo broken build; exit 1"
            max_restarts: 1
            backoff: {initial: 10ms}
    """
    with Tend(config) as t:
        wait_for(lambda: status(t)["app"]["state"] == "fatal", 10, what="app to give up")
        write(t, config.replace("echo broken build; exit 1", "echo fixed build; exec sleep 1000").replace(
            "max_restarts: 1", "max_restarts: 1\n            min_uptime: 0"))
        r = t.ctl("reload", check=True)
        assert "~ app (command, min_uptime changed)" in r.stdout
        wait_for(lambda: status(t)["app"]["state"] == "running", 10, what="the fixed app to run")
        assert status(t)["app"]["restarts"] == 0, "a new definition starts with fresh counters"
        wait_for(lambda: "fixed build" in t.ctl("logs", "app").stdout, 10, what="the new line")
        assert t.ctl("logs", "app").stdout.startswith("broken build\n"), "lines from before the reload are kept"


def test_the_loop_answers_while_a_reload_reads_a_huge_config():
    # 200,000 unknown keys take about a second to read and check: that happens
    # off the loop, so a status asked meanwhile is answered before the verdict.
    config = """
    services:
      web:
        command: [sleep, '1000']
        min_uptime: 0
    """
    with Tend(config) as t:
        wait_for(lambda: t.ctl("status", "web").returncode == 0, 10, what="web running")
        t.config_path.write_text("services:\n  web:\n    command: [sleep, '1000']\n" +
                                 "".join(f"    key{i}: {i}\n" for i in range(200000)))
        t.signal(signal.SIGHUP)
        t.wait_log("SIGHUP received: reloading")
        assert t.ctl("status").returncode == 0
        assert "the config has errors" not in t.log, "status waited for the reload's read"
        t.wait_log("Reload: the config has errors; nothing changed", 120)
        assert "199900 more errors not shown (the first 100 are above)" in t.log, t.log[-2000:]
        assert t.ctl("status", "web").returncode == 0
