"""config/tend.schema.json against a real validator (python3-jsonschema) and
against the loader: every example config is valid; every service key's sample
is valid for both; what the loader refuses, the schema refuses too."""
import json
import subprocess
import tempfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from harness import TEND

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "config" / "tend.schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
EXAMPLES = sorted(REPO.glob("config/*.yaml")) + sorted(REPO.glob("config/examples/*.yaml")) + \
    [REPO / "packaging" / "container" / "tend.yaml"]
SERVICE = SCHEMA["properties"]["services"]["additionalProperties"]


def schema_errors(document):
    return [e.message for e in VALIDATOR.iter_errors(document)]


def tend_check(document):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        yaml.safe_dump(document, f)
        f.flush()
        return subprocess.run([TEND, "check", "-c", f.name], capture_output=True, text=True)


def test_the_schema_is_a_valid_draft_7_schema_and_tend_schema_prints_it():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    printed = subprocess.run([TEND, "schema"], capture_output=True, text=True, check=True).stdout
    assert json.loads(printed) == SCHEMA


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_config_is_valid_for_the_schema_and_for_tend(path):
    assert schema_errors(yaml.safe_load(path.read_text())) == []
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# Keys that mean something only beside another come with it.
COMPANIONS = {"concurrency": {"schedule": "@hourly"}, "timeout": {"type": "oneshot"}}


def with_key(key, value):
    web = {"command": ["x"], **COMPANIONS.get(key, {}), key: value}
    return {"services": {"web": web, "other": {"command": ["y"]}}}


@pytest.mark.parametrize("key", sorted(SERVICE["properties"]))
def test_schema_and_loader_agree_on_each_service_keys_sample(key):
    (sample,) = SERVICE["properties"][key]["examples"]
    document = with_key(key, sample)
    assert schema_errors(document) == []
    r = tend_check(document)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("document, loader_says", [
    (with_key("restat", "always"), "unknown key 'restat'"),
    (with_key("restart", "sometimes"), "services.web.restart"),
    (with_key("min_uptime", "soon"), "services.web.min_uptime"),
    (with_key("limits", {"openfiles": 10}), "unknown limit 'openfiles'"),
    (with_key("umask", "0800"), "services.web.umask"),
    (with_key("ready", {"tcp": 5432, "probe": 1}), "services.web.ready"),
    (with_key("log_file", "relative.log"), "services.web.log_file"),
    (with_key("forward_signals", ["USR1", "USR1"]), "USR1 is listed twice"),
    ({"settings": {"log_format": "xml"}, "services": {}}, "settings.log_format"),
    ({"setting": {}, "services": {}}, "unknown key 'setting'"),
    ({"services": {"web": {"restart": "always"}}}, "missing required key 'command'"),
    ({"services": {"all": {"command": "x"}}}, "invalid service name"),
    (with_key("image", "nginx"), "services.web.image: is about images and containers"),
    (with_key("ports", ["80:80"]), "services.web.ports: is about images and containers"),
    (with_key("restart", "on-failure:x"), "services.web.restart: expected on-failure:N"),
    (with_key("stop_grace_period", "1m30"), "services.web.stop_grace_period: invalid duration"),
    (with_key("healthcheck", {"test": ["curl", "x"]}), "a list starts with CMD, CMD-SHELL or NONE"),
    (with_key("healthcheck", {"test": "true", "every": "1s"}), "unknown key 'every'"),
    (with_key("depends_on", {"other": {"restart": "sometimes"}}), "services.web.depends_on.other.restart"),
    (with_key("profiles", ["-x"]), "invalid profile name '-x'"),
    ({"services": {"web": {"entrypoint": []}}}, "missing required key 'command'"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_what_the_loader_refuses_the_schema_refuses(document, loader_says):
    r = tend_check(document)
    assert r.returncode == 1 and loader_says in r.stderr, r.stderr
    assert schema_errors(document) != []


COMPOSE_FORMS = {
    "x-common": {"restart": "always"},
    "settings": {"x-note": 1, "shutdown_timeout": "1m30s"},
    "services": {
        "web": {
            "x-owner": "a",
            "entrypoint": "/bin/env FOO=1",
            "command": ["sleep", "1"],
            "user": "1000:1000",
            "restart": "unless-stopped",
            "stop_grace_period": "1h2m3s",
            "ulimits": {"nofile": {"soft": 1024, "hard": 2048}},
            "healthcheck": {"test": ["CMD-SHELL", "true"], "interval": "1m30s", "timeout": "10s", "retries": 3,
                            "start_period": "40s", "start_interval": "5s", "disable": False, "x-why": 1},
            "depends_on": {"db": {"condition": "service_healthy", "required": False, "restart": True}},
            "profiles": ["debug", "tools.x"],
        },
        "db": {"command": ["db"], "restart": "no", "health": {"exec": ["CMD", "pg_isready"], "start_interval": "500ms"}},
        "job": {"command": ["job"], "restart": "on-failure:3", "healthcheck": {"test": ["NONE"]}},
        "bare": {"entrypoint": ["/bin/true"]},
    },
}


def test_every_compose_form_is_valid_for_the_schema_and_for_tend():
    assert schema_errors(COMPOSE_FORMS) == []
    r = tend_check(COMPOSE_FORMS)
    assert r.returncode == 0, r.stderr


INTERPOLATED = {
    "settings": {"shutdown_timeout": "${T_GRACE:-30}", "log_format": "${T_LOG_FORMAT:-text}"},
    "services": {
        "web": {
            "command": ["sleep", "1"],
            "autostart": "${T_AUTOSTART:-true}",
            "critical": "${T_CRITICAL:-no}",
            "min_uptime": "${T_UPTIME:-2}",
            "stop_timeout": "${T_STOP:-1m30s}",
            "max_restarts": "${T_MAX_RESTARTS:-5}",
            "log_keep": "${T_KEEP:-3}",
            "restart": "${T_RESTART:-always}",
            "success_exit_codes": [0, "${T_CODE:-3}"],
            "backoff": {"factor": "${T_FACTOR:-1.5}", "max": "${T_BACKOFF_MAX:-10s}"},
            "health": {"tcp": "${T_PORT:-5432}", "retries": "${T_RETRIES:-3}"},
            "depends_on": {"db": {"condition": "started", "restart": "${T_RESTART_DB:-true}"}},
        },
        "db": {"command": ["db"], "stop_signal": "${T_SIGNAL:-15}"},
    },
}


def test_interpolation_is_valid_for_the_schema_where_a_boolean_number_or_duration_goes():
    assert schema_errors(INTERPOLATED) == []
    r = tend_check(INTERPOLATED)
    assert r.returncode == 0, r.stderr
    # What a variable does not stand for is still refused, and enums still complete.
    assert schema_errors(with_key("autostart", "maybe")) != []
    assert schema_errors(with_key("autostart", "$T")) != []
    assert {"$ref": "#/definitions/interpolated"} in SCHEMA["definitions"]["boolean"]["anyOf"]
    assert "examples" in SERVICE["properties"]["autostart"]
    restart = SERVICE["properties"]["restart"]
    assert any("always" in branch.get("anyOf", [{}])[0].get("enum", []) for branch in restart["anyOf"])


def test_tend_schema_prints_the_same_bytes_each_time():
    runs = [subprocess.run([TEND, "schema"], capture_output=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert runs[0] == (REPO / "config" / "tend.schema.json").read_bytes()
