"""Per-service hardening as the kernel sees it: umask, resource limits and
no_new_privileges, read from /proc/PID/status and /proc/PID/limits."""
import os
import shutil

from harness import Tend, wait_for


def proc_fields(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def proc_limits(pid):
    """{'Max open files': ('1024', '4096'), ...} from /proc/PID/limits."""
    limits = {}
    with open(f"/proc/{pid}/limits") as f:
        next(f)
        for line in f:
            name, soft, hard = line[:26].strip(), line[26:47].strip(), line[47:68].strip()
            limits[name] = (soft, hard)
    return limits


def state_of(t, name):
    """The service's status entry, or None while tend is not answering yet."""
    return (t.status(name) or {}).get(name)


def running_pid(t, name):
    def pid():
        st = state_of(t, name)
        return st["pid"] if st and st["state"] == "running" else None
    return t.host_pid(wait_for(pid, 10, what=f"{name} running"))


def test_umask_limits_and_no_new_privileges_reach_the_service():
    config = """
    services:
      hardened:
        command: [sleep, '1000']
        user: nobody
        umask: "0027"
        limits:
          nofile: 1024
          core: 0
          nproc: {soft: 100, hard: 200}
          memlock: 64KiB
        no_new_privileges: true
        min_uptime: 0
      plain:
        command: [sleep, '1000']
        min_uptime: 0
    """
    with Tend(config) as t:
        pid = running_pid(t, "hardened")
        status = proc_fields(pid)
        assert status["Umask"] == "0027"
        assert status["NoNewPrivs"] == "1"
        assert status["Uid"].split()[0] == "65534"
        limits = proc_limits(pid)
        assert limits["Max open files"] == ("1024", "1024")
        assert limits["Max core file size"] == ("0", "0")
        assert limits["Max processes"] == ("100", "200")
        assert limits["Max locked memory"] == ("65536", "65536")

        # Without the keys, a service gets tend's own: no NoNewPrivs, tend's umask.
        plain = proc_fields(running_pid(t, "plain"))
        assert plain["NoNewPrivs"] == "0"
        assert plain["Umask"] == proc_fields(t.pid)["Umask"]


def test_a_setuid_program_gains_nothing_under_no_new_privileges():
    # A setuid-root copy of id: run by nobody it reports euid 0, unless the
    # kernel ignores the bit, which is what no_new_privileges asks for.
    config = """
    services:
      plain:
        type: oneshot
        command: "echo euid=$($DIR/id-suid -u)"
        autostart: false
        user: nobody
      nnp:
        type: oneshot
        command: "echo euid=$($DIR/id-suid -u)"
        autostart: false
        user: nobody
        no_new_privileges: true
    """
    with Tend(config, files={}) as t:
        wait_for(lambda: state_of(t, "nnp"), 10, what="tend answering")
        suid = t.dir / "id-suid"
        shutil.copy("/usr/bin/id", suid)
        os.chmod(suid, 0o4755)
        t.ctl("start", "plain", "nnp", check=True)
        wait_for(lambda: "nnp | euid=" in t.output and "plain | euid=" in t.output, 10, what="both one-shots")
        assert "plain | euid=0" in t.output, t.output
        assert "nnp | euid=65534" in t.output, t.output


def test_a_limit_that_cannot_be_set_is_a_failed_start_named_in_status():
    config = """
    services:
      greedy:
        command: [sleep, '1000']
        limits: {nofile: unlimited}
        max_restarts: 0
      web:
        command: [sleep, '1000']
        min_uptime: 0
    """
    with Tend(config) as t:
        running_pid(t, "web")

        def fatal():
            st = state_of(t, "greedy")
            return st if st and st["state"] == "fatal" else None

        st = wait_for(fatal, 10, what="greedy to give up")
        assert "failed to set the limit nofile to unlimited: Operation not permitted" in t.log, t.log
        assert st["state"] == "fatal"
        assert t.process.poll() is None


def test_a_bad_limit_is_refused_by_check_with_its_place():
    config = """
    services:
      web:
        command: [sleep, '1000']
        limits: {nofiles: 10, core: '10:5'}
        umask: 999
    """
    with Tend(config, args=["check", "-c", "$DIR/tend.yaml"], namespace=False) as t:
        code = t.wait()
        out = t.log
    assert code == 1, out
    assert "services.web.limits: unknown limit 'nofiles' (did you mean 'nofile'?)" in out
    assert "services.web.limits.core: the soft limit (10) is above the hard one (5)" in out
    assert "services.web.umask: expected an octal mode" in out
