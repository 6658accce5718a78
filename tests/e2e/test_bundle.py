"""The portable bundle (packaging/bundle.sh) in a root with no glibc and no
libsystemd: busybox-static and nothing else. tend runs there as PID 1 of its
own PID namespace, with a service, `tendctl status` and an orderly stop."""
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from harness import BUILD, SLOWDOWN, wait_for

REPO = Path(__file__).resolve().parents[2]
CONFIG = """\
services:
  web:
    command: [/bin/sleep, '1000']
    user: nobody
  worker:
    command: "while true; do echo tick; sleep 1; done"
    depends_on: [web]
"""


@pytest.fixture(scope="module")
def bundle():
    if not shutil.which("patchelf") or not os.path.exists("/bin/busybox"):
        pytest.skip("needs patchelf and busybox-static (packaging/install-deps.sh)")
    out = Path(tempfile.mkdtemp(prefix="tend-bundle-"))
    r = subprocess.run([str(REPO / "packaging" / "bundle.sh"), str(BUILD), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (archive,) = out.glob("tend-*-x86_64.tar.gz")
    yield archive
    shutil.rmtree(out)


def busybox_root(archive):
    """/bin/busybox (static) with a few applets, /etc/passwd and /dev/null; the bundle at /opt/tend."""
    root = Path(tempfile.mkdtemp(prefix="tend-root-"))
    root.chmod(0o755)  # mkdtemp makes it 0700: nobody could not reach /bin
    for d in ("bin", "etc", "run", "proc", "tmp", "dev"):
        (root / d).mkdir()
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    for applet in ("sh", "sleep", "echo", "cat"):
        os.symlink("busybox", root / "bin" / applet)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
    (root / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    (root / "etc" / "tend.yaml").write_text(CONFIG)
    os.mknod(root / "dev" / "null", 0o20666, os.makedev(1, 3))
    with tarfile.open(archive) as tar:
        tar.extractall(root)
    return root


def in_root(root, *command, **kwargs):
    # A PID namespace with its own /proc inside the root, as a container has.
    return ["unshare", "--pid", "--fork", f"--mount-proc={root}/proc", "chroot", str(root)] + list(command)


def test_the_bundle_runs_tend_as_pid_1_in_a_root_without_glibc(bundle):
    root = busybox_root(bundle)
    try:
        libcs = [p for p in root.rglob("libc.so*") if not str(p).startswith(str(root / "opt" / "tend"))]
        assert libcs == [] and not (root / "lib").exists() and not (root / "usr").exists()
        r = subprocess.run(in_root(root, "/opt/tend/bin/tend", "--version"), capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.startswith("tend "), r.stderr
        r = subprocess.run(in_root(root, "/opt/tend/bin/tend", "check", "-c", "/etc/tend.yaml"),
                           capture_output=True, text=True)
        assert r.returncode == 0 and "ok, 2 services" in r.stdout, r.stderr

        log = open(root / "tmp" / "tend.log", "wb")
        tend = subprocess.Popen(in_root(root, "/opt/tend/bin/tend", "-c", "/etc/tend.yaml"),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def status():
            r = subprocess.run(in_root(root, "/opt/tend/bin/tendctl", "-s", "/run/tend.sock", "status"),
                               capture_output=True, text=True)
            return r.stdout if r.returncode == 0 and r.stdout.count("RUNNING") == 2 else None

        out = wait_for(status, 20, what="web and worker running in the root")
        assert "web" in out and "worker" in out
        output = lambda: (root / "tmp" / "tend.log").read_text()
        wait_for(lambda: "worker | tick" in output(), 10, what="the worker's output")

        # tend is the descendant of unshare running the bundle's binary.
        def tend_pid():
            for entry in os.listdir("/proc"):
                try:
                    if entry.isdigit() and os.readlink(f"/proc/{entry}/exe") == str(root / "opt/tend/bin/tend"):
                        return int(entry)
                except OSError:
                    pass
            return None

        os.kill(wait_for(tend_pid, 10, what="tend's pid"), signal.SIGTERM)
        assert tend.wait(30 * SLOWDOWN) == 0, output()
        text = output()
        assert text.index("worker: stopping -> stopped") < text.index("web: stopping -> stopped"), text
        assert "Exiting with code 0" in text
    finally:
        subprocess.run(["umount", "-l", str(root / "proc")], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
