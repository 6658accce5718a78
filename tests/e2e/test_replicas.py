"""replicas: N copies of a service, as an operator sees them: distinct
TEND_REPLICA in each process's environment, one status row each, the set
addressed by its base name, and a reload that changes only the count."""
import textwrap
from pathlib import Path

from harness import Tend, wait_for

CONFIG = """
services:
  w:
    command: [sleep, '1000']
    replicas: {n}
    environment: {{SLOT: "slot ${{TEND_REPLICA}} of ${{TEND_SERVICE}}"}}
"""


def running(t):
    status = t.status() or {}
    return {name: s["pid"] for name, s in status.items() if s["state"] == "running"}


def environ(t, pid):
    raw = Path(f"/proc/{t.host_pid(pid)}/environ").read_bytes().split(b"\0")
    return dict(e.decode().split("=", 1) for e in raw if b"=" in e)


def reload_with(t, n):
    (t.dir / "tend.yaml").write_text(textwrap.dedent(CONFIG.format(n=n)))
    return t.ctl("reload", check=True).stdout


def test_each_instance_gets_its_own_name_and_replica_number():
    with Tend(CONFIG.format(n=3)) as t:
        wait_for(lambda: len(running(t)) == 3, 10, what="three instances")
        pids = running(t)
        assert set(pids) == {"w-0", "w-1", "w-2"}
        for name, pid in pids.items():
            env = environ(t, pid)
            assert env["TEND_REPLICA"] == name[-1] and env["TEND_SERVICE"] == name
            assert env["SLOT"] == f"slot {name[-1]} of {name}"


def test_the_base_name_addresses_every_instance_and_an_instance_name_one():
    with Tend(CONFIG.format(n=3)) as t:
        wait_for(lambda: len(running(t)) == 3, 10, what="three instances")
        rows = t.ctl("status", "w", check=True).stdout.splitlines()
        assert [r.split()[0] for r in rows] == ["w-0", "w-1", "w-2"]
        before = running(t)
        t.ctl("restart", "w-1", check=True)
        wait_for(lambda: len(running(t)) == 3 and running(t)["w-1"] != before["w-1"], 10, what="w-1 restarted")
        after = running(t)
        assert after["w-0"] == before["w-0"] and after["w-2"] == before["w-2"]


def test_a_reload_that_changes_only_replicas_keeps_the_survivors():
    with Tend(CONFIG.format(n=3)) as t:
        wait_for(lambda: len(running(t)) == 3, 10, what="three instances")
        first = running(t)
        plan = reload_with(t, 5)
        assert "+ w-3" in plan and "+ w-4" in plan and "= w-0" in plan
        wait_for(lambda: len(running(t)) == 5, 10, what="five instances")
        assert {k: v for k, v in running(t).items() if k in first} == first
        plan = reload_with(t, 2)
        assert "- w-2" in plan and "- w-4" in plan
        wait_for(lambda: set(running(t)) == {"w-0", "w-1"}, 10, what="two instances")
        assert running(t) == {"w-0": first["w-0"], "w-1": first["w-1"]}


def scale(t, name, n):
    return t.ctl("scale", name, str(n))


def test_scale_up_and_down_live_keeps_the_survivors():
    with Tend(CONFIG.format(n=3)) as t:
        wait_for(lambda: len(running(t)) == 3, 10, what="three instances")
        first = running(t)
        r = scale(t, "w", 5)
        assert r.returncode == 0 and r.stdout == "w: 3 -> 5 instances\n", r.stderr
        wait_for(lambda: len(running(t)) == 5, 10, what="five instances")
        assert {k: v for k, v in running(t).items() if k in first} == first
        assert environ(t, running(t)["w-4"])["SLOT"] == "slot 4 of w-4"
        r = scale(t, "w", 2)
        assert r.returncode == 0 and r.stdout == "w: 5 -> 2 instances\n", r.stderr
        # Replied once the surplus were down: no wait needed.
        assert running(t) == {"w-0": first["w-0"], "w-1": first["w-1"]}
        assert set(t.status()) == {"w-0", "w-1"}
        # Highest first, as stopping the set is.
        stops = [line for line in t.log.splitlines() if "-> stopping" in line]
        order = [n for line in stops for n in ("w-2", "w-3", "w-4") if f" {n}: " in line]
        assert order == ["w-4", "w-3", "w-2"], stops


def test_a_reload_after_a_scale_runs_the_configs_count_again():
    with Tend(CONFIG.format(n=2)) as t:
        wait_for(lambda: len(running(t)) == 2, 10, what="two instances")
        assert scale(t, "w", 4).returncode == 0
        wait_for(lambda: len(running(t)) == 4, 10, what="four instances")
        plan = t.ctl("reload", check=True).stdout
        assert "- w-2" in plan and "- w-3" in plan
        wait_for(lambda: set(running(t)) == {"w-0", "w-1"}, 10, what="two again")


def test_replicas_zero_is_addressable_and_scales_up():
    with Tend(CONFIG.format(n=0)) as t:
        wait_for(lambda: t.status() is not None, 10, what="tend answering")
        r = t.ctl("status", "w")
        assert r.returncode == 0 and r.stdout.split()[:2] == ["w", "EMPTY"], (r.stdout, r.stderr)
        assert scale(t, "w", 3).returncode == 0
        wait_for(lambda: len(running(t)) == 3, 10, what="three instances")
        assert t.ctl("stop", "w").returncode == 0
        assert scale(t, "w", 0).returncode == 0
        assert t.status() == {"w": t.status()["w"]} and t.status()["w"]["state"] == "empty"


def test_scale_refuses_what_it_cannot_do_and_tend_carries_on():
    config = CONFIG.format(n=2) + "  web:\n    command: [sleep, '1000']\n"
    with Tend(config) as t:
        wait_for(lambda: len(running(t)) == 3, 10, what="three services")
        cases = {
            ("w", "-1"): "cannot scale w to -1: expected a whole number of instances from 0 to 10000",
            ("w", "1000000"): "cannot scale w to 1000000: expected a whole number of instances from 0 to 10000",
            ("w", "99999999999999999999999"): "expected a whole number of instances from 0 to 10000",
            ("w", "three"): "argument 'count' must be a whole number of instances",
            ("ww", "3"): "no such service: ww",
            ("web", "3"): "web is not a replicas: set",
            ("w-1", "3"): "w-1 is an instance of w: scale the set (tendctl scale w N)",
        }
        for (name, n), said in cases.items():
            r = t.ctl("scale", name, n)
            assert r.returncode == 1 and said in r.stderr, (name, n, r.stderr)
        assert t.ctl("scale", "w").returncode == 2  # no count: a usage error
        assert len(running(t)) == 3


def test_scale_during_shutdown_is_refused():
    config = """
services:
  w:
    command: [sh, -c, 'trap "" TERM; while :; do sleep 0.1; done']
    replicas: 1
    stop_timeout: 5s
"""
    with Tend(config) as t:
        wait_for(lambda: len(running(t)) == 1, 10, what="one instance")
        t.ctl("shutdown", check=True)
        r = scale(t, "w", 3)
        assert r.returncode == 1 and "tend is shutting down" in r.stderr, r.stderr


def test_a_dependant_of_the_set_is_not_restarted_by_a_reload_or_a_scale():
    config = CONFIG + "  web:\n    command: [sleep, '1000']\n    depends_on: [w]\n"
    with Tend(config.format(n=2)) as t:
        wait_for(lambda: len(running(t)) == 3, 10, what="two instances and web")
        web = running(t)["web"]
        (t.dir / "tend.yaml").write_text(textwrap.dedent(config.format(n=3)))
        plan = t.ctl("reload", check=True).stdout
        assert "+ w-2" in plan and "web (depends_on changed, applied in place)" in plan, plan
        wait_for(lambda: len(running(t)) == 4, 10, what="three instances and web")
        assert scale(t, "w", 1).returncode == 0
        assert scale(t, "w", 0).returncode == 0
        assert scale(t, "w", 2).returncode == 0
        wait_for(lambda: len(running(t)) == 3, 10, what="two instances and web")
        assert running(t)["web"] == web
