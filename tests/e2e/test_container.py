"""packaging/container: the Containerfile's layout (a busybox root, the bundle,
its tend.yaml) run with tend as PID 1, stopped the way `docker stop` stops a
container: SIGTERM, then SIGKILL after 10 s. The init task completes first,
the web server serves, the worker starts last and stops first, and tend exits 0
well before the SIGKILL. (Without a container engine, so that it runs wherever
the suite does; test_podman.py builds and runs the image itself.)"""
import os
import signal
import subprocess
import time
import urllib.request


from harness import SLOWDOWN, free_port, wait_for
from rootfs import REPO, TendInRoot, bundle, busybox_root, remove_root  # noqa: F401 (bundle is a fixture)

CONTAINER = REPO / "packaging" / "container"


def test_the_containerfile_names_the_bundle_the_config_and_tend_as_entrypoint():
    text = (CONTAINER / "Containerfile").read_text()
    assert "ADD tend-${TEND_VERSION}-x86_64.tar.xz /" in text
    assert "COPY tend.yaml /etc/tend/tend.yaml" in text
    assert 'ENTRYPOINT ["/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"]' in text


def test_the_container_layout_starts_in_order_serves_and_stops_like_docker_stop(bundle):
    port = free_port()
    config = (CONTAINER / "tend.yaml").read_text().replace("8080", str(port))
    root = busybox_root(bundle, config)
    try:
        with TendInRoot(root) as tend:
            wait_for(lambda: tend.ctl("health").returncode == 0, 30, what="tendctl health to pass (the image's HEALTHCHECK)")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                assert r.read().decode().strip() == "hello from tend"
            wait_for(lambda: "worker | worker tick" in tend.output(), 10, what="the worker's output")
            text = tend.output()
            assert text.index("init: starting -> completed") < text.index("web: starting -> running") \
                < text.index("worker: stopped -> starting"), text

            # docker stop: SIGTERM to PID 1, SIGKILL after 10 s (here: TendInRoot's exit).
            began = time.monotonic()
            os.kill(tend.pid(), signal.SIGTERM)
            try:
                code = tend.process.wait(10)
            except subprocess.TimeoutExpired:
                raise AssertionError("tend was still running 10 s after SIGTERM: docker would SIGKILL it\n" + tend.output())
            assert code == 0, tend.output()
            assert time.monotonic() - began < 10
            text = tend.output()
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
