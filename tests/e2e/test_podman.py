"""packaging/container and packaging/kubernetes under a real container engine:
the Containerfile built by podman on a local busybox base (no registry is
reachable), run with `podman run` and stopped with `podman stop`; a local root
run with `podman run --rootfs`; the pod of packaging/kubernetes/pod.yaml run by
`podman kube play`. Each checks tend is PID 1, the image's health check passes,
the page is served, and the stop is ordered and ends with exit code 0.

podman runs with storage of its own (a temporary directory, the vfs driver) and
no network, so nothing is left in the machine's own containers or networks.
"""
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from harness import SLOWDOWN, wait_for
from rootfs import REPO, bundle, busybox_root, remove_root  # noqa: F401 (bundle is a fixture)

CONTAINER = REPO / "packaging" / "container"
# podman asks for nofile and nproc limits above what a process without
# CAP_SYS_RESOURCE may set (as in some sandboxes); lower ones are always allowed.
CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "{runtime}"
"""
# `docker stop`'s and `podman stop`'s default: SIGKILL 10 s after SIGTERM.
STOP_TIMEOUT = 10
BASE = "localhost/tend-test-base:1"  # the busybox root, imported
IMAGE = "localhost/tend-test-demo:1"  # packaging/container built on it


class Podman:
    """podman with its own storage, configuration and runtime."""

    def __init__(self, home):
        self.home = home
        self.conf = home / "containers.conf"
        # podman reads the file at every call, so it must be there from the start,
        # naming a runtime this machine has (crun is only recommended by Debian's podman).
        self.use_runtime(next((r for r in ("crun", "runc") if shutil.which(r)), "runc"))

    def __call__(self, *args, check=True, timeout=120):
        command = ["podman", "--root", str(self.home / "root"), "--runroot", str(self.home / "run"),
                   "--storage-driver", "vfs", *args]
        r = subprocess.run(command, capture_output=True, text=True, timeout=timeout * SLOWDOWN,
                           env={**os.environ, "CONTAINERS_CONF": str(self.conf)})
        if check:
            assert r.returncode == 0, f"{' '.join(args)}: exit {r.returncode}\n{r.stderr}"
        return r

    def use_runtime(self, runtime):
        self.conf.write_text(CONTAINERS_CONF.format(runtime=runtime))

    def exec(self, container, *command):
        return self("exec", container, *command, check=False)


def base_image_tar(home):
    """The busybox root (no bundle, no config) as a tar that `podman import` takes."""
    root = busybox_root()
    try:
        path = home / "base.tar"
        with tarfile.open(path, "w") as tar:
            tar.add(root, arcname=".")
        return path
    finally:
        remove_root(root)


@pytest.fixture(scope="module")
def podman():
    """A Podman whose runtime is one that can start a container on this machine
    (crun, podman's default, refuses hosts that mount cgroup v1 and v2 side by
    side with controllers on v2; runc takes them), with the busybox base
    imported as BASE."""
    if not shutil.which("podman"):
        pytest.skip("needs podman (packaging/install-deps.sh --tests)")
    home = Path(tempfile.mkdtemp(prefix="tend-podman-"))
    p = Podman(home)
    try:
        p("import", str(base_image_tar(home)), BASE)
        refusals = []
        for runtime in ("crun", "runc"):
            if not shutil.which(runtime):
                continue
            p.use_runtime(runtime)
            r = p("run", "--rm", "--network", "none", BASE, "/bin/echo", check=False)
            if r.returncode == 0:
                break
            refusals.append(f"{runtime}: {r.stderr.strip()}")
        else:
            raise AssertionError("no OCI runtime could start a container:\n" + "\n".join(refusals))
        yield p
    finally:
        for what in (("pod", "rm", "-af", "-t", "0"), ("rm", "-af", "-t", "0"), ("rmi", "-af")):
            p(*what, check=False)
        subprocess.run(["umount", "-R", "-l", str(home / "run")], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def image(podman, bundle):
    """packaging/container/Containerfile built as its header says, on the local base."""
    context = podman.home / "context"
    shutil.copytree(CONTAINER, context)
    shutil.copy(bundle, context)
    # docker format: the OCI image format has no HEALTHCHECK (podman drops it, with a warning).
    podman("build", "--format", "docker", "--from", BASE, "-t", IMAGE, "-f", str(context / "Containerfile"), str(context))
    return IMAGE


def state(podman, container):
    return podman("inspect", container, "--format", "{{.State.Status}} {{.State.ExitCode}}").stdout.split()


def check_runs_as_pid1_healthy_and_serving(podman, container):
    cmdline = podman.exec(container, "cat", "/proc/1/cmdline").stdout
    assert cmdline.split("\0")[:3] == ["/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"], cmdline
    wait_for(lambda: podman("healthcheck", "run", container, check=False).returncode == 0, 30,
             what="the image's health check (tendctl health) to pass")
    page = podman.exec(container, "wget", "-qO-", "http://127.0.0.1:8080/")
    assert page.stdout.strip() == "hello from tend", page.stderr
    status = podman.exec(container, "/opt/tend/bin/tendctl", "status").stdout
    assert "init" in status and "COMPLETED" in status, status
    wait_for(lambda: "worker | worker tick" in podman("logs", container).stdout, 10, what="the worker's output")


def stop_and_check_the_order(podman, container, *stop):
    """Runs the engine's `stop` command (SIGTERM, SIGKILL at STOP_TIMEOUT), then
    checks tend stopped in time, in order, with exit code 0."""
    began = time.monotonic()
    podman(*stop, "-t", str(STOP_TIMEOUT))
    took = time.monotonic() - began
    assert state(podman, container) == ["exited", "0"]
    assert took < STOP_TIMEOUT, f"the stop took {took:.1f}s: the engine had to SIGKILL tend"
    r = podman("logs", container)
    logs = r.stdout + r.stderr
    assert "Shutting down: SIGTERM received" in logs, logs
    assert "worker | worker draining" in logs, logs
    assert logs.index("worker: stopping -> stopped") < logs.index("web: stopping -> stopped"), logs
    assert "Exiting with code 0" in logs, logs
    assert logs.index("init: starting -> completed") < logs.index("web: stopped -> starting") \
        < logs.index("worker: stopped -> starting"), logs


def test_the_built_image_runs_tend_as_pid1_and_podman_stop_stops_it_in_order(podman, image):
    (inspected,) = json.loads(podman("image", "inspect", image).stdout)
    assert inspected["Config"]["Entrypoint"] == ["/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"], inspected
    assert inspected["Config"]["StopSignal"] == "SIGTERM", inspected
    assert inspected["Healthcheck"]["Test"] == ["CMD", "/opt/tend/bin/tendctl", "health"], inspected
    podman("run", "-d", "--name", "demo", "--network", "none", image)
    check_runs_as_pid1_healthy_and_serving(podman, "demo")
    stop_and_check_the_order(podman, "demo", "stop", "demo")


def test_a_local_root_runs_under_podman_run_rootfs(podman, bundle):
    root = busybox_root(bundle, (CONTAINER / "tend.yaml").read_text())
    try:
        podman("run", "-d", "--name", "rootfs", "--network", "none", "--health-cmd", "/opt/tend/bin/tendctl health",
               "--rootfs", str(root), "/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml")
        check_runs_as_pid1_healthy_and_serving(podman, "rootfs")
        stop_and_check_the_order(podman, "rootfs", "stop", "rootfs")
        podman("rm", "rootfs")
    finally:
        remove_root(root)


def test_the_kubernetes_pod_runs_under_podman_kube_play(podman, image):
    if not shutil.which("catatonit"):
        pytest.skip("podman kube play needs catatonit for the pod's infra container (packaging/install-deps.sh --tests)")
    import yaml

    spec = yaml.safe_load((REPO / "packaging" / "kubernetes" / "pod.yaml").read_text())
    (app,) = spec["spec"]["containers"]
    app["image"] = image
    # The test runs without a network (nothing added to the machine's CNI
    # config); podman refuses a declared port there, and nothing here uses it.
    del app["ports"]
    pod = podman.home / "pod.yaml"
    pod.write_text(yaml.safe_dump(spec))
    podman("kube", "play", "--network", "none", str(pod))
    try:
        container = "tend-demo-app"  # the pod's name, a dash, the container's name
        check_runs_as_pid1_healthy_and_serving(podman, container)
        stop_and_check_the_order(podman, container, "pod", "stop", "tend-demo")
    finally:
        podman("kube", "down", str(pod), check=False)
    assert "tend-demo" not in podman("pod", "ps", "--format", "{{.Name}}").stdout
