"""The man pages as `man` shows them: every example line of EXAMPLES stays a
line of its own (scdoc joins indented lines into one paragraph unless they are
fenced), and every page has the sections a reader looks for."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import BUILD

REPO = Path(__file__).resolve().parents[2]
PAGES = ["tend.8", "tendctl.1", "tend.yaml.5"]


def rendered(page):
    built = BUILD / "packaging" / page
    if not built.exists() or not shutil.which("man"):
        pytest.skip("needs scdoc and man-db (packaging/install-deps.sh --tests)")
    r = subprocess.run(["man", "-l", str(built)], capture_output=True, text=True,
                       env=dict(os.environ, MANWIDTH="100", MANPAGER="cat", PAGER="cat"))
    assert r.returncode == 0, r.stderr
    return r.stdout


def fenced_lines(page):
    source = (REPO / "docs" / "man" / f"{page}.scd").read_text()
    section = source.split("# EXAMPLES", 1)[1].split("\n# ", 1)[0] if "# EXAMPLES" in source else ""
    return [l for block in re.findall(r"```\n(.*?)```", section, re.S) for l in block.splitlines() if l]


@pytest.mark.parametrize("page", ["tend.8", "tendctl.1"])
def test_each_example_renders_as_a_line_of_its_own(page):
    examples = fenced_lines(page)
    assert len(examples) >= 4, f"{page} has too few examples"
    lines = [l.strip() for l in rendered(page).splitlines()]
    for example in examples:
        assert example.strip() in lines, f"{page}: {example!r} is not a line of its own in man's output"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_name_synopsis_and_see_also(page):
    text = rendered(page)
    for heading in ("NAME", "SYNOPSIS", "SEE ALSO"):
        assert re.search(rf"^{heading}$", text, re.M), f"{page} has no {heading}"
