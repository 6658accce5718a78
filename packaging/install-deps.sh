#!/bin/sh
# Installs what building and testing tend needs on Debian 12, as root: the
# compilers (clang for the fuzz targets), the libraries, and the real programs
# the end-to-end tests run (PostgreSQL, nginx, redis, systemd-notify).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    g++ meson ninja-build pkg-config cmake \
    libyaml-cpp-dev libspdlog-dev libsystemd-dev doctest-dev nlohmann-json3-dev libcli11-dev \
    util-linux procps python3 python3-pytest \
    postgresql postgresql-client nginx-light redis-server systemd \
    clang libclang-rt-14-dev >/dev/null
