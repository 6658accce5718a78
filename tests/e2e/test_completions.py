"""Shell completions (packaging/completions) against a running tend: bash, zsh
and fish complete commands, options and the live service names. zsh's
completion runs only inside its line editor, so tests/e2e/zsh_complete.zsh
drives an interactive zsh through zsh/zpty and prints what it offers."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import BUILD, Tend, wait_for

REPO = Path(__file__).resolve().parents[2]
COMPLETIONS = REPO / "packaging" / "completions"
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")
CONFIG = """
    services:
      web:
        command: [sleep, '1000']
      worker:
        command: [sleep, '1000']
"""


def env(t):
    return dict(os.environ, PATH=f"{BUILD / 'src'}:{os.environ['PATH']}", TEND_SOCKET=t.socket)


def bash_complete(t, line):
    words = line.split(" ")
    script = (f"source {BASH_COMPLETION}; source {COMPLETIONS / 'tendctl.bash'}; "
              f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
              f"COMP_LINE={line!r}; COMP_POINT={len(line)}; _tendctl; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env(t))
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


@pytest.mark.skipif(not BASH_COMPLETION.exists(), reason="needs bash-completion")
def test_bash_completes_commands_options_and_live_service_names():
    with Tend(CONFIG) as t:
        wait_for(lambda: t.ctl("status").returncode == 0, 10, what="the socket")
        assert {"status", "start", "stop"} <= bash_complete(t, "tendctl st")
        assert bash_complete(t, "tendctl restart ") >= {"web", "worker"}
        assert bash_complete(t, "tendctl stop w") == {"web", "worker"}
        assert "--with-dependants" in bash_complete(t, "tendctl stop --")
        assert bash_complete(t, "tendctl wait --for ") == {"started", "ready", "healthy", "completed"}


@pytest.mark.skipif(not shutil.which("fish"), reason="needs fish")
def test_fish_completes_commands_and_live_service_names():
    with Tend(CONFIG) as t:
        wait_for(lambda: t.ctl("status").returncode == 0, 10, what="the socket")

        def complete(line):
            r = subprocess.run(["fish", "--no-config", "-c", f"source {COMPLETIONS / 'tendctl.fish'}; complete -C '{line}'"],
                               capture_output=True, text=True, env=env(t))
            assert r.returncode == 0, r.stderr
            return {l.split("\t")[0] for l in r.stdout.splitlines()}

        assert {"status", "stop", "reload"} <= complete("tendctl ")
        assert {"web", "worker"} <= complete("tendctl status ")


@pytest.mark.skipif(not shutil.which("zsh"), reason="needs zsh")
def test_zsh_completes_commands_options_and_live_service_names():
    r = subprocess.run(["zsh", "-n", str(COMPLETIONS / "_tendctl")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with Tend(CONFIG) as t:
        wait_for(lambda: t.ctl("status").returncode == 0, 10, what="the socket")

        def complete(line):
            r = subprocess.run(["zsh", "-f", str(Path(__file__).parent / "zsh_complete.zsh"), line, str(COMPLETIONS)],
                               capture_output=True, text=True, env=env(t), timeout=60)
            assert r.returncode == 0, r.stderr
            return set(r.stdout.split())

        assert {"status", "start", "stop"} <= complete("tendctl st")
        assert {"web", "worker"} <= complete("tendctl restart ")
        assert "--with-dependants" in complete("tendctl stop --")
        assert {"started", "ready", "healthy", "completed"} <= complete("tendctl wait --for ")


def help_words(*args):
    """The subcommands and long options `tend ARGS --help` lists: what a completion must offer."""
    r = subprocess.run([str(BUILD / "src" / "tend"), *args, "--help"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    words = set()
    section = ""
    for line in r.stdout.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            section = line
        elif section in ("Options:", "Subcommands:") and line.startswith("  "):
            first = line.split()[0]
            words.update(w.split(" ")[0] for w in first.split(",") if w.startswith("--") or section == "Subcommands:")
    words.discard("--help")
    assert words, r.stdout
    return words


# (the words typed, the `tend` subcommand whose --help lists what must be offered)
TEND_CASES = [("tend ", ()), ("tend check ", ("check",)), ("tend import ", ("import",))]


def completes_every_word_of_help(args, complete, line):
    """What the help lists and the completion offers neither after LINE nor after LINE--."""
    offered = complete(line) | complete(line + "--")
    return help_words(*args) - offered


@pytest.mark.skipif(not BASH_COMPLETION.exists(), reason="needs bash-completion")
@pytest.mark.parametrize("line,args", TEND_CASES)
def test_bash_completes_every_tend_subcommand_and_option(line, args):
    def complete(typed):
        words = typed.split(" ")
        script = (f"source {BASH_COMPLETION}; source {COMPLETIONS / 'tendctl.bash'}; "
                  f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
                  f"COMP_LINE={typed!r}; COMP_POINT={len(typed)}; _tend; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return set(r.stdout.split())

    assert completes_every_word_of_help(args, complete, line) == set()


@pytest.mark.skipif(not shutil.which("fish"), reason="needs fish")
@pytest.mark.parametrize("line,args", TEND_CASES)
def test_fish_completes_every_tend_subcommand_and_option(line, args):
    def complete(typed):
        r = subprocess.run(["fish", "--no-config", "-c", f"source {COMPLETIONS / 'tendctl.fish'}; complete -C '{typed}'"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return {l.split("\t")[0] for l in r.stdout.splitlines()}

    assert completes_every_word_of_help(args, complete, line) == set()


@pytest.mark.skipif(not shutil.which("zsh"), reason="needs zsh")
@pytest.mark.parametrize("line,args", TEND_CASES)
def test_zsh_completes_every_tend_subcommand_and_option(line, args):
    def complete(typed):
        r = subprocess.run(["zsh", "-f", str(Path(__file__).parent / "zsh_complete.zsh"), typed, str(COMPLETIONS)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return set(r.stdout.split())

    assert completes_every_word_of_help(args, complete, line) == set()
