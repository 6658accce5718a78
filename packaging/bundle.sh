#!/bin/sh
# Makes tend-VERSION-x86_64.tar.xz: tend and tendctl with every shared object
# they load, under opt/tend/ (bin/ and lib/), stripped, and linked to load only
# their own copies: the bundle's dynamic loader is the programs' interpreter
# (/opt/tend/lib/ld-linux-x86-64.so.2) and every RUNPATH is /opt/tend/lib (not
# $ORIGIN: the loader finds a program's origin through /proc/self/exe, which a
# root without /proc mounted lacks; the interpreter fixes the prefix anyway). So
# it runs in any x86-64 Linux image, whatever its libc, or with none (Alpine,
# distroless, scratch), once unpacked at / :
#
#     packaging/bundle.sh [BUILD_DIR] [OUT_DIR]      (defaults: build .)
#     tar -C / -xJf tend-0.1.0-x86_64.tar.xz         (in the image; or ADD it, which unpacks xz)
#
# Needs patchelf and xz-utils (apt-get install patchelf xz-utils) and a built tree.
set -eu
build=${1:-build}
out=${2:-.}
prefix=/opt/tend
# The programs as the bundle has them (src/meson.build): tendctl linked
# dynamically, so it shares the bundle's libc instead of carrying a second copy
# in 330 KB more (a sanitizer tree's tendctl is dynamic already); tend without
# the HTTP front, since the bundle has no libmicrohttpd for it (400 KB less).
source_of() {
    if [ "$1" = tend ]; then echo "$build/src/tend-no-http"
    elif [ -x "$build/src/tendctl-dynamic" ]; then echo "$build/src/tendctl-dynamic"
    else echo "$build/src/tendctl"; fi
}
for program in tend tendctl; do
    [ -x "$(source_of $program)" ] || { echo "bundle.sh: $(source_of $program) not built (ninja -C $build)" >&2; exit 1; }
done
command -v patchelf >/dev/null || { echo "bundle.sh: needs patchelf (apt-get install patchelf)" >&2; exit 1; }
command -v xz >/dev/null || { echo "bundle.sh: needs xz (apt-get install xz-utils)" >&2; exit 1; }

version=$("$build/src/tend" --version | cut -d' ' -f2)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage$prefix/bin" "$stage$prefix/lib"

# Every shared object either program loads, and the loader itself, as ldd resolves them here.
for program in tend tendctl; do
    install -m 0755 "$(source_of $program)" "$stage$prefix/bin/$program"
    ldd "$(source_of $program)" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'
done | sort -u | while read -r library; do
    cp -L "$library" "$stage$prefix/lib/$(basename "$library")"
done
loader=$(cd "$stage$prefix/lib" && ls ld-linux-*.so.*)

strip --strip-all "$stage$prefix/bin/tend" "$stage$prefix/bin/tendctl"
for library in "$stage$prefix/lib"/*; do
    chmod 0644 "$library"
    strip --strip-unneeded "$library"
    # The loader needs no search path; the others find their own beside them.
    [ "$(basename "$library")" = "$loader" ] || patchelf --set-rpath "$prefix/lib" "$library"
done
chmod 0755 "$stage$prefix/lib/$loader"
for program in tend tendctl; do
    patchelf --set-interpreter "$prefix/lib/$loader" --set-rpath "$prefix/lib" "$stage$prefix/bin/$program"
done

name="tend-$version-x86_64.tar.xz"
mkdir -p "$out"
# xz -9e: code compresses about 30% smaller than with gzip (4.4 MB gzip, 3.3 MB
# xz on the same tree). Not xz's x86 branch filter (a further 5%): podman's and
# buildah's ADD read xz with a Go decoder that knows no filter but LZMA2, and
# copy such an archive as a file instead of unpacking it.
tar -C "$stage" --owner=0 --group=0 --numeric-owner -cf "$stage/bundle.tar" "${prefix#/}"
xz --lzma2=preset=9e -T1 --stdout "$stage/bundle.tar" > "$out/$name"
unpacked=$(du -sk "$stage$prefix" | cut -f1)
packed=$(($(wc -c < "$out/$name") / 1024))
echo "$out/$name: ${packed} KiB compressed, ${unpacked} KiB unpacked"
echo "  bin: $(cd "$stage$prefix/bin" && ls -s --block-size=K tend tendctl | tr '\n' ' ')"
echo "  lib: $(cd "$stage$prefix/lib" && ls | tr '\n' ' ')"
