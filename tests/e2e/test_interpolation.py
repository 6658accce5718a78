"""${VAR} interpolation, settings.env_file and per-service env_file: what services see."""
import os
import textwrap

from harness import Tend, wait_for

# Writes its arguments, one a line, and its environment, then stays up.
RECORD = ('printf "%s\\n" "$@" > $DIR/{name}.a; env > $DIR/{name}.e; '
          'mv $DIR/{name}.a $DIR/{name}.argv; mv $DIR/{name}.e $DIR/{name}.environ; exec sleep 1000')


def recorder(name, *args):
    return "[/bin/sh, -c, '" + RECORD.format(name=name) + "', sh" + "".join(", " + a for a in args) + "]"


def lines(t, name):
    wait_for(lambda: t.read(name).endswith("\n"), 10, what=f"{name} to be written")
    return t.read(name).splitlines()


def environment(t, name):
    return dict(l.split("=", 1) for l in lines(t, name + ".environ") if "=" in l)


def check(config, env=None, files=None):
    """`tend check` of a config: its exit code and its report."""
    with Tend(config, args=["check", "-c", "$DIR/tend.yaml"], namespace=False, env=env, files=files) as t:
        code = t.wait()
        return code, t.log + t.output


def test_every_form_reaches_the_service_argv_as_compose_gives_it():
    config = """
    settings:
      env_file: settings.env
    services:
      web:
        command: %s
    """ % recorder("web", '"${T_PORT}"', '"${T_NOPE:-dflt}"', '"${T_EMPTY:-was-empty}"', '"${T_EMPTY-kept}"',
                   '"${T_PORT:+alt}"', '"${T_NOPE+alt}|"', '"${T_EMPTY+set}"', '"${T_NOPE:-${T_PORT}}"',
                   '"$${T_PORT}"', '"$$"', '"${FROM_FILE}"', '"${BOTH}"', '"${T_PORT:?needed}"')
    files = {"settings.env": "FROM_FILE=file value\nBOTH=from file\n"}
    with Tend(config, env={"T_PORT": "8080", "T_EMPTY": "", "BOTH": "from tend"}, files=files) as t:
        assert lines(t, "web.argv") == ["8080", "dflt", "was-empty", "", "alt", "|", "set", "8080",
                                        "${T_PORT}", "$", "file value", "from tend", "8080"]
        env = environment(t, "web")
        assert "FROM_FILE" not in env, "settings.env_file is for ${VAR}, not the services' environment"


def test_a_plain_dollar_var_is_left_to_the_shell_with_the_services_own_value():
    config = """
    services:
      sh:
        command: "echo \\"home=$HOME x=$T_X ${T_X}\\" > $DIR/out; exec sleep 1000"
        environment: {HOME: /service-home, T_X: service}
    """
    with Tend(config, env={"T_X": "tend"}) as t:
        assert lines(t, "out") == ["home=/service-home x=service tend"]


def test_numbers_durations_and_booleans_may_come_from_variables():
    config = """
    services:
      a:
        command: %s
        stop_timeout: ${T_STOP:-3s}
        max_restarts: ${T_MAX}
        autostart: ${T_AUTO:-true}
      b:
        command: [sleep, '1000']
        autostart: ${T_B_AUTO}
    """ % recorder("a")
    with Tend(config, env={"T_MAX": "7", "T_B_AUTO": "false"}) as t:
        lines(t, "a.argv")
        st = wait_for(lambda: t.status(), 10, what="status")
        assert st["b"]["state"] == "stopped"


def test_an_unset_variable_is_refused_at_its_place_with_the_shell_spelling():
    config = """
    services:
      web:
        command: [app, --port, "${T_UNSET_PORT}"]
    """
    code, out = check(config)
    assert code == 1, out
    assert ("tend.yaml:4:29: services.web.command[2]: ${T_UNSET_PORT} is not set; give it a default "
            "(${T_UNSET_PORT:-value}), or write $${T_UNSET_PORT} to leave it to the service's shell") in out


def test_a_column_points_at_the_dollar_inside_a_plain_value():
    config = """
    services:
      web:
        command: echo a ${T_UNSET}
    """
    code, out = check(config)
    assert code == 1, out
    assert "tend.yaml:4:21: services.web.command: ${T_UNSET} is not set" in out


def test_every_refusal_has_its_message():
    config = """
    services:
      a:
        command: "${T_REQ:?set T_REQ to the database URL}"
      b:
        command: "echo ${T_OPEN"
      c:
        command: "echo ${#T_X}"
      d:
        command: "echo ${T_X%%.txt}"
      e:
        command: "echo ${T_EMPTY:?must not be empty}"
    """
    code, out = check(config, env={"T_EMPTY": ""})
    assert code == 1, out
    assert "services.a.command: T_REQ is required: set T_REQ to the database URL" in out
    assert "services.b.command: unterminated '${' (no closing '}')" in out
    assert ("services.c.command: invalid '${#': expected a variable name (letters, digits and '_', not a digit "
            "first); write $$ for a literal $ (e.g. $${...} for the service's shell)") in out
    assert "services.d.command: invalid '${T_X%': expected '}' or one of :- - :? ? :+ + after the name" in out
    assert "services.e.command: T_EMPTY is required: must not be empty (set and not empty" in out


def test_a_value_that_expands_past_the_bound_is_refused():
    config = "services:\n  a:\n    command: \"" + "${T_BIG}" * 20 + "\"\n"
    code, out = check(config, env={"T_BIG": "x" * 100_000})
    assert code == 1, out
    assert "services.a.command: longer than 1 MiB once interpolated" in out


def test_adversarial_nesting_and_ten_megabytes_of_dollars_are_refused_quickly():
    deep = "services:\n  a:\n    command: \"" + "${T_N:-" * 100_000 + "\"\n"
    code, out = check(deep)
    assert code == 1 and "'${' nested more than 16 levels deep" in out, out
    dollars = "services:\n  a:\n    command: \"" + "$$" * (5 * 1024 * 1024) + "\"\n"
    code, out = check(dollars)
    assert code == 1 and "services.a.command: longer than 1 MiB once interpolated" in out, out


def test_a_missing_settings_env_file_is_a_config_error_and_tend_does_not_start():
    config = """
    settings:
      env_file: missing.env
    services:
      a:
        command: [sleep, '1000']
    """
    with Tend(config) as t:
        assert t.wait() == 2
        assert "settings.env_file: cannot read " in t.log
        assert "missing.env: No such file or directory" in t.log


def test_mapping_keys_are_not_interpolated():
    config = """
    services:
      a:
        type: oneshot
        command: [env]
        environment: {"${T_KEY}": value}
    """
    with Tend(config, env={"T_KEY": "x"}) as t:
        wait_for(lambda: "a | ${T_KEY}=value" in t.output, 10, what="env's output")


def test_service_env_file_precedence_and_pass_through():
    config = """
    settings:
      env_file: settings.env
    services:
      a:
        command: %s
        env_file: [a.env, {path: $DIR/second.env}, {path: nowhere.env, required: false}]
        environment: [FROM_ENVIRONMENT=env, OVERRIDDEN_BY_ENV=env, T_PASS, T_PASS_UNSET, FROM_SETTINGS, T_TEND_OVER_FILE]
    """ % recorder("a")
    files = {
        "settings.env": "FROM_SETTINGS=settings\n",
        "a.env": textwrap.dedent("""\
            # compose's format
            export FROM_FILE='single $quoted'
            OVERRIDDEN_BY_ENV=file
            T_OVER_TEND=file
            LATER=first
            QUOTED="tab\\there # kept"  # a comment
            UNQUOTED=a b #comment
            T_PASS_UNSET=from the file
            T_TEND_OVER_FILE=file
            T_INHERITED
            """),
        "second.env": "LATER=second\nEXPANDED=${FROM_FILE}-$T_OVER_TEND\n",
    }
    env = {"T_OVER_TEND": "tend", "T_PASS": "passed", "T_INHERITED": "inherited", "T_TEND_OVER_FILE": "tend"}
    with Tend(config, env=env, files=files) as t:
        seen = environment(t, "a")
    assert seen["FROM_ENVIRONMENT"] == "env"
    assert seen["OVERRIDDEN_BY_ENV"] == "env"
    assert seen["FROM_FILE"] == "single $quoted"
    assert seen["T_OVER_TEND"] == "file", "an env_file goes over tend's own environment"
    assert seen["LATER"] == "second", "a later file wins"
    assert seen["QUOTED"] == "tab\there # kept"
    assert seen["UNQUOTED"] == "a b"
    assert seen["EXPANDED"] == "single $quoted-file", "a file's $VAR sees the files before it, then tend's environment"
    assert seen["T_PASS"] == "passed"
    assert seen["T_PASS_UNSET"] == "from the file", "a NAME tend does not have leaves the file's value"
    assert seen["FROM_SETTINGS"] == "settings", "environment: [NAME] takes settings.env_file's value"
    assert seen["T_TEND_OVER_FILE"] == "tend", "environment: [NAME] takes tend's value over the file's"
    assert seen["T_INHERITED"] == "inherited"


def test_a_oneshot_writes_an_env_file_that_a_later_service_reads():
    config = """
    services:
      setup:
        type: oneshot
        command: "echo GENERATED=at-run-time > $DIR/generated.env"
      app:
        command: %s
        env_file: generated.env
        depends_on: [setup]
    """ % recorder("app")
    with Tend(config) as t:
        assert environment(t, "app")["GENERATED"] == "at-run-time"


def test_a_missing_required_env_file_fails_the_start_and_tend_keeps_running():
    config = """
    services:
      broken:
        command: [sleep, '1000']
        env_file: $DIR/absent.env
        restart: never
      fine:
        command: %s
    """ % recorder("fine")
    with Tend(config) as t:
        lines(t, "fine.argv")
        t.wait_log("broken: failed to read env_file " + str(t.file("absent.env")) + ": No such file or directory")
        st = wait_for(lambda: (s := t.status()) and s["broken"]["state"] in ("exited", "fatal") and s, 10,
                      what="broken to end")
        assert st["fine"]["state"] in ("starting", "running")
        assert t.process.poll() is None
        # Written later, the file is read at the next start.
        t.file("absent.env").write_text("LATE=yes\n")
        t.ctl("start", "broken", check=True)
        wait_for(lambda: (s := t.status()) and s["broken"]["state"] in ("starting", "running"), 10,
                 what="broken to start")


def test_a_broken_env_file_names_its_line():
    config = """
    services:
      a:
        command: [sleep, '1000']
        env_file: bad.env
        restart: never
    """
    with Tend(config, files={"bad.env": "OK=1\nBAD='open\n"}) as t:
        t.wait_log("a: failed to read env_file " + str(t.file("bad.env")) + ":2: unterminated quoted value")


def test_reload_interpolates_again_and_rereads_settings_env_file():
    config = """
    settings:
      env_file: settings.env
    services:
      a:
        command: %s
        min_uptime: 0
    """ % recorder("a", '"${T_VERSION}"')
    with Tend(config, files={"settings.env": "T_VERSION=one\n"}) as t:
        assert lines(t, "a.argv") == ["one"]
        t.file("a.argv").unlink()
        t.file("settings.env").write_text("T_VERSION=two\n")
        t.ctl("reload", check=True)
        assert lines(t, "a.argv") == ["two"]
        # A reload whose variable went missing keeps the running config.
        t.file("settings.env").write_text("")
        r = t.ctl("reload")
        assert r.returncode != 0
        assert "${T_VERSION} is not set" in r.stderr + r.stdout
        assert t.status()["a"]["state"] in ("starting", "running")


def test_environment_name_with_no_value_passes_tends_value_through():
    """Compose's `NAME:` / `NAME: null`: tend's value, or no variable at all (not NAME="")."""
    config = """
    services:
      a:
        command: [sleep, "1000"]
        environment: {T_NULL_SET: null, T_BARE_SET: , T_NULL_UNSET: null, T_EMPTY: ""}
    """
    with Tend(config, env={"T_NULL_SET": "from tend", "T_BARE_SET": "bare"}) as t:
        pid = wait_for(lambda: (t.status("a") or {}).get("a", {}).get("pid"), 10, what="a running")
        raw = open(f"/proc/{t.host_pid(pid)}/environ", "rb").read().split(b"\0")
        seen = dict(e.decode().split("=", 1) for e in raw if b"=" in e)
    assert seen["T_NULL_SET"] == "from tend"
    assert seen["T_BARE_SET"] == "bare"
    assert "T_NULL_UNSET" not in seen
    assert seen["T_EMPTY"] == ""
