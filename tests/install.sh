#!/bin/sh
# SPDX-License-Identifier: MIT
# What make install gives a user, checked as a user would use it:
# - every header under include/virtsim/ stands alone and compiles as C
#   (gnu11: the headers use POSIX types) and as C++11 (extern "C", static
#   assertions), with <virtsim/...> includes only;
# - pkg-config's flags build a C++ program against the shared library and,
#   with --static, against the static one, and both run;
# - virtsim(1) renders with man -l and names every option and workload of
#   --help; the bash completion completes options, workloads, sub-options
#   and fault points;
# - make uninstall takes it all away again.
. "${top_srcdir:-.}/tests/cli_lib.sh"
builddir=$(pwd)
root="$work/root"
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}
cxx=${CXX:-g++}
has() { ! "$virtsim" --help | grep -q -- "--$1 .*left out of this build"; }
# The C++ user needs a disk; without virtio-blk it is only built.
runs() { if has blk; then check "$@"; fi; }

install_make() {
	env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -s -C "$builddir" \
		DESTDIR="$root" "$@" >"$work/make.log" 2>&1 ||
		{ cat "$work/make.log"; return 1; }
}
check "make install" install_make install
prefix=$(sed -n 's/^prefix=//p' "$builddir/virtsim.pc")
pcdir=$(find "$root" -name virtsim.pc -printf '%h\n' | head -n 1)
pc() {
	PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$root$prefix" "$@"
}
inc=$(pc --variable=includedir virtsim)
libdir=$(pc --variable=libdir virtsim)
case " $(pc --cflags virtsim) " in
*" -I$inc "*) ok ;;
*) ko "Cflags lacks -I$inc: $(pc --cflags virtsim)" ;;
esac

# The headers: each on its own, in both languages.
n=0
for h in $(cd "$inc" && find virtsim -name '*.h' | sort); do
	n=$((n + 1))
	if grep -n '^#include "' "$inc/$h"; then ko "$h: a quoted include"; fi
	printf '#include <%s>\n' "$h" >"$work/one.c"
	$cc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -I"$inc" "$work/one.c" \
		2>"$work/cc.err" && ok || { ko "$h: C11"; cat "$work/cc.err"; }
	$cxx -std=c++11 -Wall -Wextra -Werror -fsyntax-only -I"$inc" -x c++ \
		"$work/one.c" 2>"$work/cc.err" && ok || { ko "$h: C++11"; cat "$work/cc.err"; }
done
check "headers installed ($n)" [ "$n" -ge 40 ]

# A C++ program, shared and static.
src="${top_srcdir:-.}/tests/example/user_probe.cc"
# shellcheck disable=SC2046
if [ ! -e "$libdir/libvirtsim.so" ]; then
	echo "no libvirtsim.so (configure --disable-shared): the static one only"
	cp /dev/null "$work/shared.out"
elif $cxx ${CFLAGS:-} -std=c++11 -Wall -Wextra -Werror -o "$work/shared" \
	"$src" $(pc --cflags --libs virtsim) ${LDFLAGS:-} 2>"$work/cc.err"; then
	ok
	check "shared: links libvirtsim.so" sh -c "LD_LIBRARY_PATH='$libdir' ldd '$work/shared' | grep -q 'libvirtsim.so.0 => $libdir'"
	LD_LIBRARY_PATH="$libdir" "$work/shared" >"$work/shared.out" 2>&1
	runs "shared: runs" grep -q '^round trip ok$' "$work/shared.out"
else
	ko "C++ program against the shared library"; cat "$work/cc.err"
fi
static_libs=$(pc --static --libs virtsim | sed 's/-lvirtsim\b/-l:libvirtsim.a/')
# shellcheck disable=SC2086
# $CFLAGS/$LDFLAGS carry the sanitizers when the suite runs under them.
if $cxx ${CFLAGS:-} -std=c++11 -o "$work/static" "$src" $(pc --cflags virtsim) \
	$static_libs ${LDFLAGS:-} 2>"$work/cc.err"; then
	ok
	check "static: no libvirtsim.so" sh -c "! ldd '$work/static' | grep -q libvirtsim"
	"$work/static" >"$work/static.out" 2>&1
	runs "static: runs" grep -q '^round trip ok$' "$work/static.out"
	[ -s "$work/shared.out" ] &&
		check "static and shared agree" cmp -s "$work/static.out" "$work/shared.out"
else
	ko "C++ program against the static library (pkg-config --static)"; cat "$work/cc.err"
fi

# The man page.
man1=$(find "$root" -name virtsim.1 | head -n 1)
MANWIDTH=80 man -l "$man1" >"$work/man.txt" 2>"$work/man.err"
check "man -l renders virtsim(1)" grep -q '^EXIT STATUS' "$work/man.txt"
check "man -l: no warnings" [ ! -s "$work/man.err" ]
for opt in $("$virtsim" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\).*/\2/p'); do
	grep -qE -- "(^|[^a-z-])$opt([^a-z-]|$)" "$work/man.txt" && ok ||
		ko "virtsim(1) lacks $opt"
done
for w in $("$virtsim" --workloads | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'); do
	grep -qE -- "^       $w( |$)" "$work/man.txt" && ok || ko "virtsim(1) lacks workload $w"
done

# The completion, as bash calls it: COMP_WORDS and COMP_CWORD in,
# COMPREPLY out.
completion=$(find "$root" -path '*bash-completion/completions/virtsim')
complete_to() {
	want=$1
	shift
	got=$(bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_virtsim; printf "%s\n" "${COMPREPLY[@]}"' - "$completion" \
		"$root$prefix/bin/virtsim" "$@" | tr '\n' ' ')
	case " $got" in
	*" $want "*) ok ;;
	*) ko "completion of '$*': '$got' lacks '$want'" ;;
	esac
}
complete_to --blk --bl
complete_to --workloads --work
complete_to probe pro
complete_to deferred --mode d
complete_to map --dma m
complete_to hal-dma-alloc --fault hal-d
complete_to mmio,vq --trace mmio,v
if has blk; then
	complete_to bench ben
	complete_to randread --rw rand
	complete_to disk.img,serial= --blk disk.img,se
	complete_to disk.img,readonly=on --blk disk.img,read
fi
has net && complete_to x,hostfwd= --net x,host
if has gpu; then
	complete_to gpu-bench gpu-
	complete_to 640x480,display=sdl --gpu 640x480,disp
fi

check "make uninstall" install_make uninstall
left=$(find "$root" -type f | head -n 5)
check "nothing left after uninstall ($left)" [ -z "$left" ]

finish install
