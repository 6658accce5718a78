"""`tend import supervisord.conf` on supervisord configs of the shapes people
have: supervisord's own sample, its test fixtures' shapes (includes, numprocs,
groups, event listeners), a typical container config (nginx + php-fpm + cron).
Each import is a valid tend.yaml; and an imported config runs."""
import json
import os
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
    assert "    replicas: 4\n" in text                    # numprocs=4, from the included conf.d/workers.conf
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


IMAGE = CONFS / "image"


def import_run(*args):
    return subprocess.run([TEND, "import", *args], capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("TEND_E2E_")})


def test_an_include_that_matches_nothing_is_said_and_read_under_root():
    main = IMAGE / "etc" / "supervisor" / "supervisord.conf"
    outside = import_run(str(main))
    assert outside.returncode == 0, outside.stderr
    said = f"[include] ({main}:18) files=/etc/supervisor/conf.d/*.conf matched nothing"
    assert said in outside.stderr and "import with --root DIR" in outside.stderr
    assert f"# {said}" in outside.stdout and "services: {}" in outside.stdout
    inside = import_run("--root", str(IMAGE), "/etc/supervisor/supervisord.conf")
    assert inside.returncode == 0 and inside.stderr == ""
    assert "  web:\n" in inside.stdout and "  queue-worker:\n" in inside.stdout
    assert "port=127.0.0.1:9001, username=admin, password=%(ENV_SUPERVISOR_PASSWORD)s" in inside.stdout


def test_variables_set_only_when_the_container_runs_reach_the_imported_services():
    # Imported where none of the variables is set, as an image is built; the
    # container is given them when it runs. (The commands read them through
    # /bin/sh, so this holds whether tend or the shell substitutes ${X}.)
    text = import_run("--root", str(IMAGE), "/etc/supervisor/supervisord.conf").stdout
    assert "log_file" not in text                          # /proc/1/fd/1 is tend's default output
    assert '"exec $TEND_E2E_WORKER --sleep=\\"$TEND_E2E_SLEEP\\""' in text
    env = {"TEND_E2E_PORT": "8123", "TEND_E2E_WORKER": "/bin/echo worker", "TEND_E2E_SLEEP": "3"}
    with Tend(text, env=env) as t:
        wait_for(lambda: "web | web listening on 8123 in /tmp" in t.output, 10, what="the web line")
        wait_for(lambda: "queue-worker | worker --sleep=3" in t.output, 10, what="the worker's line")
        # Once, through tend: a log_file of /proc/1/fd/1 would have written it a second time.
        assert t.output.count("web listening on") == 1, t.output


def interpolates(tmp_path):
    """Whether this tend substitutes ${VAR} before it reads a boolean."""
    probe = tmp_path / "probe.yaml"
    probe.write_text('services:\n  a:\n    command: [/bin/true]\n    autostart: "${TEND_E2E_START}"\n')
    return subprocess.run([TEND, "check", "-c", str(probe)], capture_output=True,
                          env=dict(os.environ, TEND_E2E_START="false")).returncode == 0


def test_a_boolean_and_a_duration_from_variables_are_read_once_substituted(tmp_path):
    if not interpolates(tmp_path):
        pytest.skip("needs ${VAR} interpolation in the config loader (issue 22 item 1)")
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[program:maybe]\ncommand=/bin/sleep 1000\nautostart=%(ENV_TEND_E2E_START)s\n"
                    "stopwaitsecs=%(ENV_TEND_E2E_WAIT)s\nstartsecs=0\n")
    text = imported(conf)
    assert 'autostart: "${TEND_E2E_START}"' in text and 'stop_timeout: "${TEND_E2E_WAIT}s"' in text
    with Tend(text, env={"TEND_E2E_START": "false", "TEND_E2E_WAIT": "2"}) as t:
        wait_for(lambda: (t.status() or {}).get("maybe", {}).get("state") == "stopped", 10, what="maybe left stopped")


def test_a_command_and_user_given_by_the_image_run_as_written_there(tmp_path):
    # Laravel Sail's shape: command=%(ENV_SUPERVISOR_PHP_COMMAND)s is several
    # words, split by supervisord; user=%(ENV_SUPERVISOR_PHP_USER)s.
    text = import_run(str(CONFS / "sail.conf")).stdout
    assert 'command: "exec $SUPERVISOR_PHP_COMMAND"' in text and 'user: "${SUPERVISOR_PHP_USER}"' in text
    if not interpolates(tmp_path):
        pytest.skip("needs ${VAR} interpolation in the config loader (issue 22 item 1)")
    env = {"SUPERVISOR_PHP_COMMAND": "/usr/bin/id -u", "SUPERVISOR_PHP_USER": "nobody"}
    with Tend(text, env=env) as t:
        wait_for(lambda: "php | 65534" in t.output, 10, what="the command, as nobody")


LARAVEL = """[program:laravel-worker]
process_name=%(program_name)s_%(process_num)02d
command=/bin/sh -c 'echo worker %(process_num)d of %(numprocs)d; exec sleep 1000'
autostart=true
autorestart=true
stopasgroup=true
killasgroup=true
numprocs={n}
redirect_stderr=true
stopwaitsecs=3600
"""


def test_laravels_numprocs_queue_workers_run_as_that_many_replicas(tmp_path):
    # Laravel's documented queue worker config (docs "Queues: Supervisor
    # Configuration"), its command made one that runs here.
    conf = tmp_path / "supervisord.conf"
    conf.write_text(LARAVEL.format(n=10))
    text = imported(conf)
    assert "    replicas: 10\n" in text
    with Tend(text) as t:
        names = [f"laravel-worker-{i}" for i in range(10)]

        def running():
            return sorted(n for n, s in (t.status() or {}).items() if s["state"] == "running")

        wait_for(lambda: running() == sorted(names), 15, what="ten workers")
        for i in range(10):
            wait_for(lambda: f"laravel-worker-{i} | worker {i} of 10" in t.output, 10, what=f"worker {i}'s line")


def test_numprocs_start_is_added_by_the_shell(tmp_path):
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[program:w]\ncommand=/bin/sh -c 'echo slot %(process_num)02d; exec sleep 1000'\n"
                    "numprocs=2\nnumprocs_start=7\nstartsecs=0\n")
    text = imported(conf)
    assert "numprocs_start 7" in text
    with Tend(text) as t:
        wait_for(lambda: "w-0 | slot 07" in t.output and "w-1 | slot 08" in t.output, 10, what="slots 07 and 08")
