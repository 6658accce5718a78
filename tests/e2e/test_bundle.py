"""The portable bundle (packaging/bundle.sh) in roots with no glibc and no
libsystemd: busybox-static and nothing else; and musl as the root's libc, as in
Alpine, with a service linked against it and no shell. tend runs there as PID 1
of its own PID namespace, with services, `tendctl status` and an orderly stop."""
import os
import platform
import shutil
import signal
import subprocess

import pytest

from harness import BUILD, SLOWDOWN, sanitizer_tree, wait_for
from rootfs import TendInRoot, bare_root, bundle, busybox_root, in_root, pid_of, remove_root  # noqa: F401 (bundle is a fixture)

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

        with TendInRoot(root) as tend:
            def status():
                r = tend.ctl("status")
                return r.stdout if r.returncode == 0 and r.stdout.count("RUNNING") == 2 else None

            out = wait_for(status, 20, what="web and worker running in the root")
            assert "web" in out and "worker" in out
            wait_for(lambda: "worker | tick" in tend.output(), 10, what="the worker's output")

            os.kill(tend.pid(), signal.SIGTERM)
            assert tend.process.wait(30 * SLOWDOWN) == 0, tend.output()
            text = tend.output()
            assert text.index("worker: stopping -> stopped") < text.index("web: stopping -> stopped"), text
            assert "Exiting with code 0" in text
    finally:
        remove_root(root)


MUSL_SERVICE = r"""
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static volatile sig_atomic_t stopping;
static void on_term(int signo) { (void)signo; stopping = 1; }
int main(void) {
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    /* SIGTERM blocked but inside sigsuspend: one between the check and a pause() would be slept through. */
    sigset_t term, before;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &before);
    printf("musl service up as uid %d\n", (int)getuid());
    fflush(stdout);
    while (!stopping) sigsuspend(&before);
    printf("musl service stopping\n");
    return 0;
}
"""

MUSL_CONFIG = """\
services:
  app:
    command: [/usr/bin/musl-service]
    user: nobody
"""


def mapped_files(pid, root):
    """The files a process has mapped, as paths inside `root`."""
    with open(f"/proc/{pid}/maps") as maps:
        return {line.split()[-1].removeprefix(str(root)) for line in maps if "/" in line}


def test_the_bundle_runs_beside_musl_in_an_alpine_like_root(bundle, tmp_path):
    """Alpine's layout: musl's loader at /lib/ld-musl-x86_64.so.1, no glibc, no
    shell. tend brings its own glibc and runs a service linked against musl."""
    if not shutil.which("musl-gcc"):
        pytest.skip("needs musl-tools (packaging/install-deps.sh --tests)")
    root = bare_root(bundle, MUSL_CONFIG)
    try:
        (tmp_path / "service.c").write_text(MUSL_SERVICE)
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "lib").mkdir()
        r = subprocess.run(["musl-gcc", "-O2", "-o", str(root / "usr" / "bin" / "musl-service"),
                            str(tmp_path / "service.c")], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        shutil.copy(os.path.realpath("/lib/ld-musl-x86_64.so.1"), root / "lib" / "ld-musl-x86_64.so.1")
        assert not (root / "bin" / "sh").exists() and not list(root.glob("lib/libc.so*"))

        with TendInRoot(root) as tend:
            wait_for(lambda: "app | musl service up as uid 65534" in tend.output(), 20,
                     what="the musl service's first line")
            wait_for(lambda: "RUNNING" in tend.ctl("status", "app").stdout, 20, what="tendctl status app to say RUNNING")

            tend_pid = tend.pid()
            app_pid = wait_for(lambda: pid_of(root, "/usr/bin/musl-service"), 10, what="the service's pid")
            # Each with its own libc: the service musl from the root, tend glibc from the bundle.
            assert "/lib/ld-musl-x86_64.so.1" in mapped_files(app_pid, root)
            assert not any("libc.so.6" in f for f in mapped_files(app_pid, root))
            assert {"/opt/tend/lib/libc.so.6", "/opt/tend/lib/ld-linux-x86-64.so.2"} <= mapped_files(tend_pid, root)

            os.kill(tend_pid, signal.SIGTERM)
            assert tend.process.wait(30 * SLOWDOWN) == 0, tend.output()
            assert "app | musl service stopping" in tend.output()
            assert "Exiting with code 0" in tend.output()
    finally:
        remove_root(root)


def test_the_bundle_is_under_3_mb_and_needs_no_libm(bundle):
    """The size a user downloads (issue: under 3,000,000 bytes, as tini-static and
    dumb-init are near 1 MB), and a check that tend and tendctl stay off libm.so.6
    (src/util/rounding.cpp): it was 340 KB of the archive. A sanitizer tree's bundle
    carries the sanitizer runtimes (and their libm): its size means nothing."""
    if sanitizer_tree():
        pytest.skip("the sanitizer tree's bundle carries the sanitizer runtimes")
    assert bundle.stat().st_size < 3_000_000, f"{bundle.name}: {bundle.stat().st_size} bytes"
    listing = subprocess.run(["tar", "-tJf", str(bundle)], capture_output=True, text=True, check=True).stdout.split()
    assert "opt/tend/bin/tend" in listing and "opt/tend/lib/libsystemd.so.0" in listing, listing
    assert not [name for name in listing if "libm.so" in name], listing
    # The full tend too (with the HTTP front): pugixml's fmod is tend's own now (on x86: util/rounding.cpp).
    if platform.machine() not in ("x86_64", "i686", "i386"):
        return
    needed = subprocess.run(["readelf", "-d", str(BUILD / "src" / "tend")], capture_output=True, text=True,
                            check=True).stdout
    assert "libsystemd.so.0" in needed and "libm.so" not in needed, needed


def test_the_bundles_tend_refuses_settings_http_plainly_and_starts_nothing(bundle):
    """The bundle has no libmicrohttpd, and its tend no HTTP front (src/tend/http_front_absent.cpp)."""
    root = busybox_root(bundle, "settings:\n  http:\n    listen: 127.0.0.1:9001\n" + CONFIG)
    try:
        r = subprocess.run(in_root(root, "/opt/tend/bin/tend", "-c", "/etc/tend/tend.yaml"),
                           capture_output=True, text=True, timeout=20 * SLOWDOWN)
        assert r.returncode == 1, r
        assert "settings.http: this tend (the portable bundle) has no HTTP front" in r.stderr, r.stderr
        assert "web: stopped -> starting" not in r.stderr, r.stderr
    finally:
        remove_root(root)
