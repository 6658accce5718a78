"""packaging/container: the Containerfile's layout (a busybox root, the bundle,
its tend.yaml) run with tend as PID 1, stopped the way `docker stop` stops a
container: SIGTERM, then SIGKILL after 10 s. The init task completes first,
the web server serves, the worker starts last and stops first, and tend exits 0
well before the SIGKILL. (Without a container engine, so that it runs wherever
the suite does; test_podman.py builds and runs the image itself.)"""
import os
import signal
import socket
import subprocess
import time
import urllib.request


from harness import SLOWDOWN, wait_for
from rootfs import REPO, bundle, busybox_root, in_root, pid_of, remove_root  # noqa: F401 (bundle is a fixture)

CONTAINER = REPO / "packaging" / "container"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_containerfile_names_the_bundle_the_config_and_tend_as_entrypoint():
    text = (CONTAINER / "Containerfile").read_text()
    assert "ADD tend-${TEND_VERSION}-x86_64.tar.gz /" in text
    assert "COPY tend.yaml /etc/tend/tend.yaml" in text
    assert 'ENTRYPOINT ["/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"]' in text


def test_the_container_layout_starts_in_order_serves_and_stops_like_docker_stop(bundle):
    port = free_port()
    config = (CONTAINER / "tend.yaml").read_text().replace("8080", str(port))
    root = busybox_root(bundle, config)
    try:
        log = open(root / "tmp" / "tend.log", "wb")
        tend = subprocess.Popen(in_root(root, "/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        output = lambda: (root / "tmp" / "tend.log").read_text()

        def health():
            r = subprocess.run(in_root(root, "/opt/tend/bin/tendctl", "-s", "/run/tend.sock", "health"),
                               capture_output=True, text=True)
            return r.returncode == 0

        wait_for(health, 30, what="tendctl health to pass (the image's HEALTHCHECK)")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.read().decode().strip() == "hello from tend"
        wait_for(lambda: "worker | worker tick" in output(), 10, what="the worker's output")
        text = output()
        assert text.index("init: starting -> completed") < text.index("web: starting -> running") \
            < text.index("worker: stopped -> starting"), text

        # docker stop: SIGTERM to PID 1, SIGKILL after 10 s.
        began = time.monotonic()
        os.kill(wait_for(lambda: pid_of(root), 10, what="tend's pid"), signal.SIGTERM)
        try:
            code = tend.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(tend.pid, signal.SIGKILL)
            raise AssertionError("tend was still running 10 s after SIGTERM: docker would SIGKILL it\n" + output())
        assert code == 0, output()
        assert time.monotonic() - began < 10
        text = output()
        assert "worker | worker draining" in text
        assert text.index("worker: stopping -> stopped") < text.index("web: stopping -> stopped"), text
        assert "Exiting with code 0" in text
    finally:
        remove_root(root)


def test_the_pod_probes_tendctl_health_and_its_grace_period_outlasts_tends_shutdown():
    import yaml

    pod = yaml.safe_load((REPO / "packaging" / "kubernetes" / "pod.yaml").read_text())
    config = yaml.safe_load((CONTAINER / "tend.yaml").read_text())
    (container,) = pod["spec"]["containers"]
    assert container["command"] == ["/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"] == ["/opt/tend/bin/tendctl", "health"]
    shutdown_timeout = int(config["settings"]["shutdown_timeout"].rstrip("s"))
    kill_grace = int(config["settings"]["kill_grace"].rstrip("s"))
    assert pod["spec"]["terminationGracePeriodSeconds"] > shutdown_timeout + kill_grace
