"""Root file systems without glibc or libsystemd, with the portable bundle
unpacked at /opt/tend: busybox-static and nothing else, or no program at all
(for a test to add its own): what an Alpine, distroless or scratch image offers
tend. Used by the bundle, container and podman tests."""
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from harness import BUILD, wait_for

REPO = Path(__file__).resolve().parents[2]
APPLETS = ("sh", "sleep", "echo", "cat", "mkdir", "httpd", "wget")


@pytest.fixture(scope="module")
def bundle():
    """packaging/bundle.sh run on the build tree: the archive's path."""
    if not shutil.which("patchelf") or not os.path.exists("/bin/busybox"):
        pytest.skip("needs patchelf and busybox-static (packaging/install-deps.sh --tests)")
    out = Path(tempfile.mkdtemp(prefix="tend-bundle-"))
    r = subprocess.run([str(REPO / "packaging" / "bundle.sh"), str(BUILD), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (archive,) = out.glob("tend-*-x86_64.tar.xz")
    yield archive
    shutil.rmtree(out)


def bare_root(archive=None, config=None):
    """A root with no programs: /etc/passwd, /etc/group and /dev/null, the
    bundle at /opt/tend and `config` at /etc/tend/tend.yaml (each where given)."""
    root = Path(tempfile.mkdtemp(prefix="tend-root-"))
    root.chmod(0o755)  # mkdtemp makes it 0700: nobody could not reach /bin
    for d in ("bin", "etc/tend", "run", "proc", "tmp", "dev"):
        (root / d).mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
    (root / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
    if config is not None:
        (root / "etc" / "tend" / "tend.yaml").write_text(config)
    (root / "tmp").chmod(0o1777)
    os.mknod(root / "dev" / "null", 0o20666, os.makedev(1, 3))
    if archive is not None:
        with tarfile.open(archive) as tar:
            tar.extractall(root)
    return root


def busybox_root(archive=None, config=None):
    """bare_root with /bin/busybox (static) and a few of its applets."""
    root = bare_root(archive, config)
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    for applet in APPLETS:
        os.symlink("busybox", root / "bin" / applet)
    return root


def in_root(root, *command):
    """The command run as a container runs it: in a new PID namespace, with its own /proc, chrooted."""
    return ["unshare", "--pid", "--fork", f"--mount-proc={root}/proc", "chroot", str(root)] + list(command)


class TendInRoot:
    """The bundle's tend run in `root` as a container runs it (in_root), on
    /etc/tend/tend.yaml, its output in ROOT/tmp/tend.log. A test that ends
    without stopping it leaves no tend behind: __exit__ kills its session."""

    def __init__(self, root):
        self.root = root
        self._log = open(root / "tmp" / "tend.log", "wb")
        self.process = subprocess.Popen(in_root(root, "/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"),
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        return (self.root / "tmp" / "tend.log").read_text()

    def ctl(self, *args):
        """The bundle's tendctl, run in the root."""
        return subprocess.run(in_root(self.root, "/opt/tend/bin/tendctl", "-s", "/run/tend.sock", *args),
                              capture_output=True, text=True)

    def pid(self):
        """tend's host pid, once it is running in the root."""
        return wait_for(lambda: pid_of(self.root), 10, what="tend's pid")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._log.close()


def pid_of(root, program="/opt/tend/bin/tend"):
    """The host pid of the process running `program` of this root, or None."""
    target = str(root) + program
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.readlink(f"/proc/{entry}/exe") == target:
                return int(entry)
        except OSError:
            pass
    return None


def remove_root(root):
    subprocess.run(["umount", "-l", str(root / "proc")], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)
