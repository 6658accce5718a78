"""The real programs users put under tend, from Debian's packages: PostgreSQL
(whose backends leave the postmaster's process group) and nginx (whose workers
reopen /dev/stdout as an unprivileged user)."""
import contextlib
import json
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from harness import Tend, free_port, wait_for

PG_BIN = "/usr/lib/postgresql/15/bin"
NGINX = "/usr/sbin/nginx"


def shared_dir(owner):
    """A directory the service's user can reach (pytest's own are root-only) and owns."""
    d = Path(tempfile.mkdtemp(prefix="tend-real-"))
    os.chmod(d, 0o755)
    shutil.chown(d, owner, owner)
    return d


def postgres_dir():
    """An initdb'd cluster owned by postgres; its socket goes into the same directory."""
    top = shared_dir("postgres")
    data = top / "pg"
    user = pwd.getpwnam("postgres")
    subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
                    f"{PG_BIN}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True, timeout=120)
    return data


def postgres_processes(t):
    out = []
    for p in t.processes():
        try:
            if "postgres" in open(f"/proc/{p}/cmdline").read():
                out.append(p)
        except OSError:
            pass
    return out


pytestmark = pytest.mark.skipif(not os.path.exists(f"{PG_BIN}/postgres") or not os.path.exists(NGINX),
                                reason="packaging/install-deps.sh --tests installs postgresql and nginx-light")


def pg_config(data, stop_signal="INT", stop_timeout="20s", extra="", kill_mode="group"):
    return f"""
        settings:
          shutdown_timeout: 60s
        services:
          db:
            command: [{PG_BIN}/postgres, -D, {data}, -c, "listen_addresses=", -c, "unix_socket_directories={data}"]
            user: postgres
            stop_signal: {stop_signal}
            stop_timeout: {stop_timeout}
            kill_mode: {kill_mode}
            min_uptime: 0
{extra}
    """


def psql(data, sql):
    return ["psql", "-h", str(data), "-U", "postgres", "-d", "postgres", "-Atc", sql]


def sh(data, sql):
    """A psql call as one shell word list, for a `command:` string."""
    return shlex.join(psql(data, sql))


def test_postgresql_backends_outside_the_group_are_stopped_with_the_postmaster():
    data = postgres_dir()
    client = f"""
          client:
            command: "until {sh(data, 'select 1')} >/dev/null 2>&1; do sleep 0.1; done; exec {sh(data, 'select pg_sleep(1000)')}"
            user: postgres
            min_uptime: 0
            restart: never
    """
    # kill_mode: process, as Debian's own unit (KillMode=mixed): only the postmaster gets
    # the stop signal. A smart shutdown (TERM) waits for the client's backend, which
    # never leaves: the escalation SIGKILL must reach the backend too, though it left the group.
    with Tend(pg_config(data, stop_signal="TERM", stop_timeout="2s", extra=client, kill_mode="process")) as t:
        wait_for(lambda: len(postgres_processes(t)) >= 6, 60, what="postmaster, helpers and a backend")
        wait_for(lambda: "pg_sleep" in subprocess.run(psql(data, "select query from pg_stat_activity"),
                                                      capture_output=True, text=True).stdout, 30,
                 what="the client's backend")
        pgids = {os.getpgid(p) for p in postgres_processes(t)}
        assert len(pgids) > 1, "the backends left the postmaster's process group"
        assert t.ctl("stop", "db", timeout=60).returncode == 0
        assert postgres_processes(t) == [], "no backend survived the stop"
        assert "db needed SIGKILL after stop_timeout 2s" in t.log


def test_postgresql_stops_after_the_app_that_uses_it_through_an_exited_migration():
    data = postgres_dir()
    result = data.parent / "app-last-query"
    app = data.parent / "app.sh"
    app.write_text(f"on_term() {{ sleep 0.3; {sh(data, 'insert into t values (1)')} && echo ok > {result} || echo failed > {result}; exit 0; }}\n"
                   "trap on_term TERM\nwhile :; do sleep 0.05; done\n")
    extra = f"""
          migrate:
            command: "until {sh(data, 'select 1')} >/dev/null 2>&1; do sleep 0.1; done; {sh(data, 'create table t (x int)')}"
            user: postgres
            depends_on: [db]
            restart: never
            min_uptime: 0
          app:
            command: [sh, {app}]
            user: postgres
            depends_on: [migrate]
            min_uptime: 0
    """
    with Tend(pg_config(data, extra=extra)) as t:
        t.wait_log("migrate: running -> exited: exit code 0", 60)
        t.wait_log("app: starting -> running", 60)
        t.signal(15)
        assert t.wait(60) == 0, t.log
        assert result.read_text().strip() == "ok", "the app's last query ran while PostgreSQL was still up"


NGINX_CONF = """
daemon off;
pid {dir}/nginx.pid;
error_log /dev/stderr notice;
events {{ worker_connections 64; }}
http {{
    access_log /dev/stdout;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "hello\\n"; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_answering(port, conf_prefix="", user=None):
    """nginx under tend, logging to /dev/stdout, once it has answered /first and
    logged it: (tend, a GET of a path)."""
    d = shared_dir("www-data")
    (d / "nginx.conf").write_text(conf_prefix + NGINX_CONF.format(port=port, dir=d))
    config = f"""
        services:
          web:
            command: [{NGINX}, -c, {d}/nginx.conf, -e, /dev/stderr]
            {f"user: {user}" if user else ""}
            stop_signal: QUIT
            forward_signals: [USR1]
            min_uptime: 0
    """
    with Tend(config) as t:
        def get(path):
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2).read()
            except OSError:
                return None
        wait_for(lambda: get("/first"), 20, what="nginx to answer")
        wait_for(lambda: "GET /first" in t.output, 10, what="the access line on tend's stdout")
        yield t, get


def logs_after_the_reopen(t, get):
    wait_for(lambda: get("/second"), 10, what="nginx to answer again")
    wait_for(lambda: "GET /second" in t.output, 10, what="an access line after the reopen")
    assert "Permission denied" not in t.output, t.output


def test_nginx_as_www_data_logs_to_dev_stdout_and_reopens_it_on_usr1():
    with nginx_answering(free_port(), user="www-data") as (t, get):
        assert t.ctl("signal", "USR1", "web").returncode == 0  # reopen the logs
        wait_for(lambda: "reopening logs" in t.output, 10, what="the reopen")
        logs_after_the_reopen(t, get)


def test_nginx_run_as_root_with_workers_as_www_data_reopens_dev_stdout_on_usr1():
    # nginx's own `user www-data;`: the master stays root, the workers run as www-data.
    with nginx_answering(free_port(), conf_prefix="user www-data;\n") as (t, get):
        # USR1 to the workers alone: each reopens /dev/stdout as www-data
        # (`tendctl signal` reaches the group, where the master, as root, may
        # reopen first and chown the pipe to www-data: a race either way).
        www_data = pwd.getpwnam("www-data").pw_uid
        workers = [p for p in t.processes() if os.stat(f"/proc/{p}").st_uid == www_data]
        assert workers
        for p in workers:
            os.kill(p, signal.SIGUSR1)
        wait_for(lambda: t.output.count("reopening logs") >= len(workers), 10, what="the workers' reopen")
        logs_after_the_reopen(t, get)


def test_a_process_that_drops_to_another_user_can_reopen_dev_stdout_and_dev_stderr():
    nobody = pwd.getpwnam("nobody")
    writer = (f"setpriv --reuid={nobody.pw_uid} --regid={nobody.pw_gid} --clear-groups "
              "sh -c 'echo out-as-nobody > /dev/stdout && echo err-as-nobody > /dev/stderr; "
              "(exec 3< /dev/stdout) 2> /dev/null && echo read-allowed || echo read-refused'")
    config = f"""
        services:
          w:
            command: {json.dumps(writer)}
            restart: never
            min_uptime: 0
    """
    with Tend(config) as t:
        t.wait_log("w: running -> exited", 10)
        assert "w | out-as-nobody" in t.output, t.output + t.log
        assert "w ! err-as-nobody" in t.output, t.output + t.log
        assert "w | read-refused" in t.output  # writing is open to the service's users, reading is not
        assert "Permission denied" not in t.output
