"""The Debian package (packaging/debian, built by packaging/deb.sh with
dpkg-buildpackage -us -uc -b): unpacked with dpkg -x into a scratch root, its
tend and tendctl run from there, check every example it ships, and the man
pages, completions and schema are where Debian puts them."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import BUILD, sanitizer_tree

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unpacked():
    if not shutil.which("dpkg-buildpackage") or not shutil.which("dh"):
        pytest.skip("needs dpkg-dev and debhelper (packaging/install-deps.sh --tests)")
    if sanitizer_tree():
        pytest.skip("the package builds its own release tree from the sources: run once, with the release tree")
    out = Path(tempfile.mkdtemp(prefix="tend-deb-"))
    # nocheck: the suite runs the unit tests itself; noopt: this checks what the
    # package holds and that it runs, not the optimizer (-O0 halves its compile).
    # At the lowest CPU priority: the other test files run meanwhile, and their
    # deadlines come before this build's throughput.
    r = subprocess.run(["nice", "-n", "19", str(REPO / "packaging" / "deb.sh"), str(out)], capture_output=True, text=True,
                       env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEB_BUILD_OPTIONS": "nocheck noopt parallel=2"})
    assert r.returncode == 0, r.stdout + r.stderr
    (deb,) = out.glob("tend_*_*.deb")
    root = out / "root"
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    yield root, r.stdout
    shutil.rmtree(out)


def test_the_package_holds_the_programs_man_pages_completions_schema_and_examples(unpacked):
    root, _ = unpacked
    for path in ("usr/bin/tend", "usr/bin/tendctl", "usr/share/man/man8/tend.8.gz", "usr/share/man/man1/tendctl.1.gz",
                 "usr/share/man/man5/tend.yaml.5.gz", "usr/share/bash-completion/completions/tendctl",
                 "usr/share/zsh/vendor-completions/_tendctl", "usr/share/fish/vendor_completions.d/tendctl.fish",
                 "usr/share/tend/tend.schema.json", "usr/share/doc/tend/copyright"):
        assert (root / path).exists(), path
    assert subprocess.run(["file", str(root / "usr/bin/tend")], capture_output=True, text=True).stdout.find(
        "not stripped") < 0
    page = subprocess.run(["man", "-l", str(root / "usr/share/man/man1/tendctl.1.gz")], capture_output=True,
                          text=True, env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
    assert "see and steer a running tend" in page.stdout


def test_the_packaged_tend_runs_and_checks_every_example_it_ships(unpacked):
    root, _ = unpacked
    for program in ("tend", "tendctl"):
        r = subprocess.run([str(root / "usr/bin" / program), "--version"], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.startswith(f"{program} "), r.stderr
    examples = sorted((root / "usr/share/doc/tend/examples").glob("*.yaml"))
    assert len(examples) >= 4
    for example in examples:
        r = subprocess.run([str(root / "usr/bin/tend"), "check", "-c", str(example)], capture_output=True, text=True)
        assert r.returncode == 0, f"{example.name}: {r.stderr}"


def test_lintian_finds_no_error(unpacked):
    _, report = unpacked
    errors = [line for line in report.splitlines() if line.startswith("E: ")]
    assert errors == [], report
