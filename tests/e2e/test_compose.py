"""docker-compose's spellings run by the real tend: one config with every form
docs/migrating.md accepts, and what its services see (argv, user, limits,
health, restarts, profiles); the refusals through `tend check`."""
import json
import os
import resource
import subprocess
import time

from harness import SLOWDOWN, TEND, Tend, sanitizer_tree, wait_for

CONFIG = """
x-common: &common
  restart: unless-stopped
  stop_grace_period: 1m30s
  environment: {FROM_BASE: "yes"}
x-quick: &quick {min_uptime: 0}

settings:
  x-note: ignored
  shutdown_timeout: 1m

services:
  argv:
    <<: [*common, *quick]
    x-owner: team-a
    entrypoint: [/bin/sh, -c, 'echo "argv=$0|$1|$FROM_BASE"; exec sleep 1000']
    command: [first, "two words"]
  split:
    <<: *common
    entrypoint: /bin/sh -c 'echo "split=$0|$1"; exec sleep 1000'
    command: "one 'two three'"
  ids:
    command: 'echo "ids=$(id -u):$(id -g)"; exec sleep 1000'
    user: "1234:4321"
  limited:
    command: 'echo "nofile=$(ulimit -Sn):$(ulimit -Hn)"; exec sleep 1000'
    ulimits: {nofile: {soft: 1000, hard: 2000}}
  db:
    command: [sleep, "1000"]
    healthcheck:
      test: [CMD-SHELL, "echo . >> $DIR/db-checks"]
      interval: 1m30s
      start_period: 30s
      start_interval: 100ms
      timeout: 5s
      retries: 3
  web:
    command: [sleep, "1000"]
    depends_on:
      db: {condition: service_healthy, required: true, restart: true}
    health: {exec: [CMD, "true"], interval: 100ms}
  shell_check:
    command: [sleep, "1000"]
    healthcheck: {test: "true", interval: 100ms}
  no_check:
    command: [sleep, "1000"]
    healthcheck: {test: [NONE]}
  once:
    command: "exit 3"
    restart: "no"
  flaky:
    command: "exit 1"
    restart: on-failure:2
    backoff: {initial: 10ms}
  stubborn:
    command: "trap '' TERM; echo trapping; while :; do sleep 1; done"
    stop_grace_period: 300ms
  debug:
    command: 'echo "debug ran"; exec sleep 1000'
    profiles: [debug]
  tools:
    command: 'echo "tools ran"; exec sleep 1000'
    profiles: [tools, other]
"""


def state(t, name):
    """NAME's status entry; an empty one while tend's socket is not answering yet."""
    return (t.status(name) or {}).get(name, {"state": None, "pid": None})


def test_every_compose_form_runs_as_written():
    with Tend(CONFIG, args=["--profile", "tools", "-c", "$DIR/tend.yaml"]) as t:
        wait_for(lambda: "tools ran" in t.output, 10, what="the tools profile's service")
        out = lambda: t.output  # noqa: E731
        wait_for(lambda: "argv=first|two words|yes" in out(), 10, what="entrypoint + command + merged environment")
        wait_for(lambda: "split=one|two three" in out(), 10, what="compose's string forms split into arguments")
        wait_for(lambda: "ids=1234:4321" in out(), 10, what="user: UID:GID")
        wait_for(lambda: "nofile=1000:2000" in out(), 10, what="ulimits")
        # healthcheck with CMD-SHELL: checked every start_interval until it passes, then web starts.
        wait_for(lambda: state(t, "web")["state"] == "running", 15, what="web after db is healthy")
        assert t.log.index("db: healthy") < t.log.index("web: stopped -> starting"), t.log
        # health: {exec: [CMD, true]} runs `true`, not a program named CMD.
        wait_for(lambda: "web: healthy" in t.log, 10, what="web's CMD check")
        wait_for(lambda: "shell_check: healthy" in t.log, 10, what="a string test")
        assert "failed to exec CMD" not in t.log
        assert "no_check: healthy" not in t.log
        # restart: "no" leaves it exited; on-failure:2 gives up after two restarts.
        wait_for(lambda: state(t, "once")["state"] == "exited", 10, what="once to exit")
        wait_for(lambda: state(t, "flaky")["state"] == "fatal", 10, what="flaky to give up")
        assert state(t, "flaky")["restarts"] == 2
        assert state(t, "once")["restarts"] == 0
        # profiles: debug is not active, so it is defined but not started, until asked for.
        assert state(t, "debug")["state"] == "stopped"
        assert "debug ran" not in t.output
        assert t.ctl("start", "debug").returncode == 0
        wait_for(lambda: "debug ran" in t.output, 10, what="tendctl start of an inactive profile's service")

        # depends_on restart: true: restarting db restarts web once db is healthy again.
        web_pid = state(t, "web")["pid"]
        assert t.ctl("restart", "db").returncode == 0
        t.wait_log("web: restarting with db (depends_on restart: true)")
        wait_for(lambda: state(t, "web")["state"] == "running" and state(t, "web")["pid"] != web_pid, 15,
                 what="web to run again with a new process")

        # stop_grace_period: 300ms, not the 10s default: the SIGTERM-ignoring one is killed soon.
        wait_for(lambda: "stubborn | trapping" in t.output, 10, what="stubborn's trap")
        began = time.monotonic()
        assert t.ctl("stop", "stubborn").returncode == 0
        wait_for(lambda: state(t, "stubborn")["state"] in ("stopped", "exited"), 10, what="stubborn to stop")
        assert time.monotonic() - began < 5 * SLOWDOWN

        t.signal(15)
        assert t.wait(60) in (0, 1), t.log
    

def check(tmp_path, text, env=None):
    path = tmp_path / "tend.yaml"
    path.write_text(text)
    return subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=60)


def test_tend_check_accepts_the_whole_compose_config(tmp_path):
    r = check(tmp_path, CONFIG.replace("$DIR", str(tmp_path)))
    assert r.returncode == 0, r.stderr


def test_image_keys_and_conflicting_spellings_are_refused_with_their_reason(tmp_path):
    r = check(tmp_path, """services:
  web:
    image: nginx
    command: [x]
    ports: ["80:80"]
    stop_timeout: 5s
    stop_grace_period: 6s
    deploy: {replicas: 2, resources: {limits: {cpus: "0.5"}}}
""")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert any(l.endswith("services.web.image: is about images and containers, and tend runs commands inside one "
                          "image: set it where that container is defined") for l in lines), r.stderr
    assert any("services.web.ports: is about images and containers" in l for l in lines), r.stderr
    assert any("services.web.deploy.resources: is about containers, and tend runs commands inside one image: "
               "only deploy.replicas is taken" in l for l in lines), r.stderr
    assert any(l.endswith("services.web.stop_grace_period: give stop_timeout or stop_grace_period (compose's name "
                          "for it), not both") for l in lines), r.stderr


def test_health_exec_with_compose_none_is_refused_instead_of_running_a_program_named_none(tmp_path):
    r = check(tmp_path, "services:\n  web:\n    command: [x]\n    health: {exec: [NONE]}\n")
    assert r.returncode == 1
    assert "services.web.health.exec: NONE turns a compose healthcheck off; for no check, leave health out" in r.stderr


def test_a_billion_laughs_config_is_refused_in_bounded_time_and_memory(tmp_path):
    text = "x-a0: &a0 [" + ", ".join(["lol"] * 10) + "]\n"
    for i in range(1, 12):
        text += f"x-a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n"
    text += "services:\n  web:\n    <<: {x: *a11}\n    command: [x]\n"
    began = time.monotonic()
    path = tmp_path / "tend.yaml"
    path.write_text(text)
    # AddressSanitizer reserves terabytes of address space for its shadow: there the limit cannot apply.
    limit = [] if sanitizer_tree() else ["prlimit", "--as=1000000000"]
    r = subprocess.run(limit + [TEND, "check", "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - began < 10 * SLOWDOWN
    assert r.returncode == 1, r.stderr
    assert "expand to more than" in r.stderr and "billion laughs" in r.stderr, r.stderr


RESTART_WITH = """
services:
  db:
    command: [sleep, "%s"]
  web:
    command: [sleep, "1000"]
    depends_on: {db: {condition: service_started, restart: true}}
  other:
    command: [sleep, "1000"]
    depends_on: [db]
"""


def test_a_reload_that_replaces_a_dependency_restarts_its_restart_true_dependants():
    with Tend(RESTART_WITH % "1000") as t:
        wait_for(lambda: all(state(t, n)["state"] == "running" for n in ("db", "web", "other")), 10,
                 what="all three running")
        pids = {n: state(t, n)["pid"] for n in ("db", "web", "other")}
        t.config_path.write_text(RESTART_WITH % "1001")  # db's definition changes
        assert t.ctl("reload").returncode == 0
        t.wait_log("web: restarting with db (depends_on restart: true)")
        wait_for(lambda: all(state(t, n)["state"] == "running" and state(t, n)["pid"] != pids[n] for n in ("db", "web")),
                 15, what="db and web to run again with new processes")
        assert state(t, "other")["pid"] == pids["other"], "no restart: true, no restart"
        assert t.log.index("web: restarting with db") < t.log.rindex("web: stopped -> starting"), t.log
