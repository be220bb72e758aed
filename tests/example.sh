#!/bin/sh
# SPDX-License-Identifier: MIT
# Build tests/example/user_test.c the way an outside user would: install
# libvirtsim (into a scratch DESTDIR), then compile with nothing but
# pkg-config's flags for virtsim and check, and run it.
set -eu
srcdir=${srcdir:-$(dirname "$0")/..}
builddir=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/virtsim-example-XXXXXX")
trap 'rm -rf "$work"' EXIT

# make install builds nothing more after make check's build (the
# programs link libvirtsim statically, so libtool relinks nothing), and
# it runs the hook that gives the headers their <virtsim/...> includes.
env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -s -C "$builddir" DESTDIR="$work/root" \
	install >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$builddir/virtsim.pc")
pcdir=$(find "$work/root" -name virtsim.pc -printf '%h\n' | head -n 1)
libdir=$(PKG_CONFIG_PATH="$pcdir" pkg-config \
	--define-variable=prefix="$work/root$prefix" --variable=libdir virtsim)
# The shared library when it was built, else (--disable-shared) the
# static one, with what it needs (--static).
static=--static
[ -e "$libdir/libvirtsim.so" ] && static=
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config $static \
	--define-variable=prefix="$work/root$prefix" --cflags --libs virtsim check)
# $CFLAGS/$LDFLAGS carry the sanitizers when the suite runs under them.
${CC:-cc} ${CFLAGS:-} -o "$work/user_test" "$srcdir/tests/example/user_test.c" \
	$flags ${LDFLAGS:-}
# The loader finds the shared library in DESTDIR.
LD_LIBRARY_PATH="$libdir" "$work/user_test"
