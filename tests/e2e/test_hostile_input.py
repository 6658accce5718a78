"""Inputs that must never kill, fool or stall PID 1: huge dependency chains,
configs that are not files, ids that do not fit, services that were SIGSTOPped."""
import json
import os
import signal
import subprocess

from harness import TEND, Tend, wait_for

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
