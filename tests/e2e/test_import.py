"""`tend import supervisord.conf` on supervisord configs of the shapes people
have: supervisord's own sample, its test fixtures' shapes (includes, numprocs,
groups, event listeners), a typical container config (nginx + php-fpm + cron).
Each import is a valid tend.yaml; and an imported config runs."""
import json
import subprocess
from pathlib import Path

import pytest

from harness import TEND, Tend, wait_for

CONFS = Path(__file__).resolve().parent / "supervisord"


def imported(path, *flags):
    r = subprocess.run([TEND, "import", *flags, str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def check(tmp_path, text):
    out = tmp_path / "tend.yaml"
    out.write_text(text)
    return subprocess.run([TEND, "check", "-c", str(out)], capture_output=True, text=True)


@pytest.mark.parametrize("name", ["sample.conf", "container.conf"])
def test_an_imported_config_is_valid(tmp_path, name):
    r = check(tmp_path, imported(CONFS / name))
    assert r.returncode == 0, r.stderr


def test_supervisords_sample_keeps_its_program_and_says_what_it_dropped():
    text = imported(CONFS / "sample.conf")
    assert 'control_socket: "/tmp/supervisor.sock"' in text
    assert '[eventlistener:theeventlistenername]' in text and "no event listeners" in text
    assert "# numprocs=4 not carried over" in text          # from the included conf.d/workers.conf
    assert "renamed from 'cat:reader'" in text
    assert 'kill_mode: "process"' in text                  # stopasgroup=false, as supervisord signals
    assert 'log_file: "/tmp/theprogramname.log"' in text


def test_the_container_config_maps_onto_tends_defaults_and_can_be_ordered(tmp_path):
    text = imported(CONFS / "container.conf")
    assert "log_file" not in text                          # /dev/stdout is tend's default output
    assert 'command: ["nginx","-g","daemon off;"]' in text
    ordered = imported(CONFS / "container.conf", "--priority-order")
    assert 'depends_on: ["php-fpm"]' in ordered and 'depends_on: ["nginx"]' in ordered
    assert check(tmp_path, ordered).returncode == 0


def test_an_imported_config_runs(tmp_path):
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=true\n"
        "[program:greeter]\ncommand=/bin/sh -c 'echo \"hello %(program_name)s\"; exec sleep 1000'\n"
        "startsecs=0\nautorestart=true\nstopsignal=TERM\nstopwaitsecs=5\n"
        "[program:oneshot-ish]\ncommand=/bin/true\nautorestart=false\nstartsecs=0\n")
    with Tend(imported(conf)) as t:
        wait_for(lambda: "greeter | hello greeter" in t.output, 10, what="the greeter's line")

        def states():
            return {s["name"]: s["state"] for s in json.loads(t.ctl("--json", "status").stdout)}

        wait_for(lambda: states() == {"greeter": "running", "oneshot-ish": "exited"}, 10, what="both settled")


def test_an_unreadable_or_broken_config_is_an_error_naming_it(tmp_path):
    r = subprocess.run([TEND, "import", str(tmp_path / "nope.conf")], capture_output=True, text=True)
    assert r.returncode == 1 and "nope.conf: cannot read" in r.stderr
    bad = tmp_path / "bad.conf"
    bad.write_text("[program:x]\nthis line is not an option\n")
    r = subprocess.run([TEND, "import", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1 and "bad.conf:2: expected key = value" in r.stderr
