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
