"""`tend check --root DIR`: a config checked at build time from outside the
image, with the image's users, groups and includes, not the host's."""
import subprocess

from harness import TEND

CONFIG = """\
settings:
  include: [/etc/tend/conf.d/*.yaml]
services:
  app:
    command: [/srv/app]
    user: tend-image-app
"""


def image(tmp_path, passwd_extra="", group_extra=""):
    root = tmp_path / "root"
    (root / "etc" / "tend" / "conf.d").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n"
                                         "tend-image-app:x:1000:1000::/home/app:/bin/sh\n"
                                         "tend-image-web:x:33:33::/var/www:/usr/sbin/nologin\n" + passwd_extra)
    (root / "etc" / "group").write_text("root:x:0:\ntend-image-app:x:1000:\ntend-image-web:x:33:\n"
                                        "tend-image-logs:x:4:tend-image-web\n" + group_extra)
    (root / "etc" / "tend" / "tend.yaml").write_text(CONFIG)
    (root / "etc" / "tend" / "conf.d" / "web.yaml").write_text(
        "services:\n  web:\n    command: [/usr/sbin/nginx]\n    user: tend-image-web\n    group: tend-image-logs\n")
    return root


def check(*args):
    return subprocess.run([TEND, "check", *args], capture_output=True, text=True)


def test_the_images_users_groups_and_includes_are_checked_from_outside(tmp_path):
    root = image(tmp_path)
    r = check("--root", str(root))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{root}/etc/tend/tend.yaml: ok, 2 services\n"
    # The host knows none of the image's users: without --root the check cannot pass.
    r = check("-c", str(root / "etc" / "tend" / "tend.yaml"))
    assert r.returncode == 1 and "no such user 'tend-image-app'" in r.stderr


def test_a_user_or_group_missing_from_the_image_is_an_error_at_its_place(tmp_path):
    root = image(tmp_path)
    (root / "etc" / "tend" / "conf.d" / "web.yaml").write_text(
        "services:\n  web:\n    command: [/usr/sbin/nginx]\n    user: www-data\n")
    r = check("--root", str(root), "-c", "/etc/tend/tend.yaml")
    assert r.returncode == 1
    assert (f"{root}/etc/tend/conf.d/web.yaml:4:11: services.web.user: no such user 'www-data' in "
            f"{root}/etc/passwd") in r.stderr


def test_malformed_lines_of_the_images_files_are_passed_over(tmp_path):
    root = image(tmp_path, passwd_extra="garbage\n::::::\nx:x:99999999999:0:::\n" + "y" * 100000 + "\n",
                 group_extra="broken:x\n")
    r = check("--root", str(root))
    assert r.returncode == 0, r.stderr


def test_an_image_without_passwd_says_so(tmp_path):
    root = image(tmp_path)
    (root / "etc" / "passwd").unlink()
    r = check("--root", str(root))
    assert r.returncode == 1
    assert f"no such user 'tend-image-app' in {root}/etc/passwd (not in the image)" in r.stderr
    (root / "etc" / "passwd").mkdir()
    r = check("--root", str(root))
    assert r.returncode == 1 and f"{root}/etc/passwd: cannot read: " in r.stderr


ENV_CONFIG = """\
settings:
  env_file: [/etc/tend/build.env, local.env]
services:
  app:
    command: [/srv/app, "--port=${PORT}", "--mode=${MODE}"]
    env_file: /etc/app.env
"""


def env_image(tmp_path, config=ENV_CONFIG):
    root = image(tmp_path)
    (root / "etc" / "tend" / "tend.yaml").write_text(config)
    (root / "etc" / "tend" / "build.env").write_text("PORT=8080\n")
    (root / "etc" / "tend" / "local.env").write_text("MODE=prod\n")  # relative: beside the config
    (root / "etc" / "app.env").write_text("export TOKEN='x y'\n")
    return root


def test_env_files_are_read_under_the_root(tmp_path):
    root = env_image(tmp_path)
    r = check("--root", str(root))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    # ${PORT} comes from the image's /etc/tend/build.env, which the host has not.
    (root / "etc" / "tend" / "build.env").unlink()
    r = check("--root", str(root))
    assert r.returncode == 1
    assert f"settings.env_file: cannot read {root}/etc/tend/build.env: " in r.stderr


def test_a_services_missing_env_file_is_an_error_naming_file_and_service(tmp_path):
    root = env_image(tmp_path)
    (root / "etc" / "app.env").unlink()
    r = check("--root", str(root))
    assert r.returncode == 1
    assert f"services.app.env_file: {root}/etc/app.env: No such file or directory" in r.stderr
    assert r.stdout == ""


def test_a_services_env_file_that_does_not_parse_is_an_error_at_its_line(tmp_path):
    root = env_image(tmp_path)
    (root / "etc" / "app.env").write_text("GOOD=1\nBAD LINE=2\n")
    r = check("--root", str(root))
    assert r.returncode == 1
    assert f"services.app.env_file: {root}/etc/app.env:2: unexpected 'L' in the variable name" in r.stderr


def test_an_optional_or_possibly_written_env_file_may_be_missing(tmp_path):
    root = env_image(tmp_path, ENV_CONFIG.replace("env_file: /etc/app.env",
                                                  "env_file: [{path: /etc/app.env, required: false}]"))
    (root / "etc" / "app.env").unlink()
    r = check("--root", str(root))
    assert r.returncode == 0, r.stderr
    # A service that waits for another may get its file from it: a warning, not an error.
    root = env_image(tmp_path / "2", ENV_CONFIG + "    depends_on: [init]\n  init:\n    command: [/bin/true]\n"
                     "    type: oneshot\n")
    (root / "etc" / "app.env").unlink()
    r = check("--root", str(root))
    assert r.returncode == 0, r.stderr
    assert "warning: " in r.stderr and f"services.app.env_file: {root}/etc/app.env: No such file" in r.stderr
