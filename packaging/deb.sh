#!/bin/sh
# Builds the Debian package from this tree: copies the sources (without build
# trees) to a scratch directory, puts packaging/debian at debian/ (where
# dpkg-buildpackage looks), runs `dpkg-buildpackage -us -uc -b` and lintian, and
# leaves tend_VERSION_ARCH.deb in OUT_DIR.
#
#     packaging/deb.sh [OUT_DIR]        (default: .)
#
# Needs debhelper, lintian and the build dependencies of packaging/debian/control
# (packaging/install-deps.sh --tests installs them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-.}" && cd "${1:-.}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tend"
tar -C "$top" --exclude='./build*' --exclude='./.git' --exclude='./obj-*' --exclude='./debian' -cf - . | tar -C "$work/tend" -xf -
cp -r "$top/packaging/debian" "$work/tend/debian"
(cd "$work/tend" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log" >&2
    echo "deb.sh: dpkg-buildpackage failed" >&2
    exit 1
}
for deb in "$work"/*.deb; do
    case $deb in *-dbgsym_*) continue ;; esac
    cp "$deb" "$out/"
    echo "$out/$(basename "$deb")"
    lintian --tag-display-limit 0 "$deb" || true
done
