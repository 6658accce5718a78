#!/bin/sh
# Installs what building and testing tend needs on Debian 12, as root: the
# compilers (clang for the fuzz targets), the libraries, and the real programs
# the end-to-end tests run (PostgreSQL, nginx, redis, systemd-notify), and what
# packaging needs and its tests use (patchelf and busybox-static for the bundle,
# scdoc for the man pages, jsonschema for the schema, the shells for completions,
# debhelper and lintian for the Debian package, podman with runc and catatonit
# to build and run the container and pod examples, musl-tools for an Alpine-like
# root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    g++ meson ninja-build pkg-config cmake \
    libyaml-cpp-dev libspdlog-dev libsystemd-dev doctest-dev nlohmann-json3-dev libcli11-dev libre2-dev \
    util-linux procps python3 python3-pytest python3-croniter \
    postgresql postgresql-client nginx-light redis-server systemd \
    clang libclang-rt-14-dev \
    patchelf busybox-static scdoc python3-jsonschema python3-yaml bash-completion fish zsh \
    debhelper lintian fakeroot dpkg-dev file man-db \
    podman runc catatonit musl-tools >/dev/null
