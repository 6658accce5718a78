"""The portable bundle (packaging/bundle.sh) in a root with no glibc and no
libsystemd: busybox-static and nothing else. tend runs there as PID 1 of its
own PID namespace, with a service, `tendctl status` and an orderly stop."""
import os
import signal
import subprocess


from harness import SLOWDOWN, wait_for
from rootfs import bundle, busybox_root, in_root, pid_of, remove_root  # noqa: F401 (bundle is a fixture)

CONFIG = """\
services:
  web:
    command: [/bin/sleep, '1000']
    user: nobody
  worker:
    command: "while true; do echo tick; sleep 1; done"
    depends_on: [web]
"""


def test_the_bundle_runs_tend_as_pid_1_in_a_root_without_glibc(bundle):
    root = busybox_root(bundle, CONFIG)
    try:
        libcs = [p for p in root.rglob("libc.so*") if not str(p).startswith(str(root / "opt" / "tend"))]
        assert libcs == [] and not (root / "lib").exists() and not (root / "usr").exists()
        r = subprocess.run(in_root(root, "/opt/tend/bin/tend", "--version"), capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.startswith("tend "), r.stderr
        r = subprocess.run(in_root(root, "/opt/tend/bin/tend", "check", "-c", "/etc/tend/tend.yaml"),
                           capture_output=True, text=True)
        assert r.returncode == 0 and "ok, 2 services" in r.stdout, r.stderr

        log = open(root / "tmp" / "tend.log", "wb")
        tend = subprocess.Popen(in_root(root, "/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def status():
            r = subprocess.run(in_root(root, "/opt/tend/bin/tendctl", "-s", "/run/tend.sock", "status"),
                               capture_output=True, text=True)
            return r.stdout if r.returncode == 0 and r.stdout.count("RUNNING") == 2 else None

        out = wait_for(status, 20, what="web and worker running in the root")
        assert "web" in out and "worker" in out
        output = lambda: (root / "tmp" / "tend.log").read_text()
        wait_for(lambda: "worker | tick" in output(), 10, what="the worker's output")

        os.kill(wait_for(lambda: pid_of(root), 10, what="tend's pid"), signal.SIGTERM)
        assert tend.wait(30 * SLOWDOWN) == 0, output()
        text = output()
        assert text.index("worker: stopping -> stopped") < text.index("web: stopping -> stopped"), text
        assert "Exiting with code 0" in text
    finally:
        remove_root(root)
