#!/bin/sh
# Installs, as root on Debian 12, what building and running tend needs: the
# compiler, meson and ninja, and the libraries tend links (133 MB to download,
# about 350 MB installed, measured in a fresh debootstrap root).
#
#   sh packaging/install-deps.sh           build and run tend
#   sh packaging/install-deps.sh --tests   also what the tests use (about 3 GB):
#       clang for the fuzz targets; lld, with which the build places the code
#       a running tend calls side by side (meson option hot_order; 112 MB
#       installed with LLVM's library, not needed to build and run tend); the
#       real programs the end-to-end tests run (PostgreSQL, nginx, redis,
#       systemd-notify); patchelf and busybox-static
#       for the bundle, scdoc for the man pages, jsonschema for the schema, the
#       shells for the completions, debhelper and lintian for the Debian package,
#       podman with runc and catatonit for the container and pod examples,
#       musl-tools for an Alpine-like root; yaml-language-server (npm) for the
#       editor test; prometheus (and its promtool) for the HTTP front's /metrics;
#       hyperfine and runit for bench/control_bench.py --runit (runit's programs
#       only: nothing makes it the machine's init); chromium (headless) and
#       curl for the status page's test.
set -eu
tests=false
case "${1-}" in
    "") ;;
    --tests) tests=true ;;
    *) echo "usage: install-deps.sh [--tests]" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    g++ meson ninja-build pkg-config cmake \
    libyaml-cpp-dev libspdlog-dev libsystemd-dev doctest-dev nlohmann-json3-dev libcli11-dev libre2-dev libmicrohttpd-dev libpugixml-dev >/dev/null
if $tests; then
    apt-get install -y -qq --no-install-recommends \
        util-linux procps python3 python3-pytest python3-croniter \
        postgresql postgresql-client nginx-light redis-server systemd \
        clang libclang-rt-14-dev lld \
        patchelf xz-utils busybox-static scdoc python3-jsonschema python3-yaml bash-completion fish zsh \
        debhelper lintian fakeroot dpkg-dev file man-db \
        podman runc catatonit musl-tools prometheus supervisor hyperfine runit chromium curl >/dev/null
    # The editor test drives yaml-language-server, from the npm registry.
    command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends npm >/dev/null
    command -v yaml-language-server >/dev/null || npm install -g --silent yaml-language-server@1.19.2 >/dev/null
fi
