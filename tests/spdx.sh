#!/bin/sh
# SPDX-License-Identifier: MIT
# Every source file the project owns carries its licence as an SPDX line:
# C sources and headers on their first line, scripts right after the
# shebang, the build files (.mk, Makefile.am, configure.ac, .pc.in) on
# their first line. The files are git's tracked ones in a checkout, the
# distributed ones (the Makefile's DISTFILES) in a release tarball.
set -u
top=${top_srcdir:-$(dirname "$0")/..}
tag='SPDX-License-Identifier: MIT'

files=
gittop=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$gittop" ] && [ "$(cd "$gittop" && pwd -P)" = "$(cd "$top" && pwd -P)" ]; then
	files=$(git -C "$top" ls-files)
	from="git ls-files"
elif [ -n "${dist_files:-}" ]; then
	for f in $dist_files; do
		f=${f#"$top"/}
		f=${f#./}
		files="$files $f"
	done
	from="the distributed files"
else
	echo "SKIP: neither a git checkout nor the distributed file list"
	exit 77
fi

fail=0
passed=0
for f in $files; do
	case "$f" in
	# What autoreconf generates into a tarball is not ours.
	build-aux/* | configure | aclocal.m4 | config.h.in | Makefile.in) continue ;;
	*.c | *.h | *.mk | Makefile.am | configure.ac | *.pc.in) line=1 ;;
	*) [ -f "$top/$f" ] || continue
	   case "$(head -n 1 "$top/$f")" in
	   '#!'*) line=2 ;;
	   *) continue ;;
	   esac ;;
	esac
	[ -f "$top/$f" ] || { echo "FAIL: $f is listed but missing"; fail=$((fail + 1)); continue; }
	if sed -n "${line}p" "$top/$f" | grep -q "$tag"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $f: no '$tag' on line $line"
		fail=$((fail + 1))
	fi
done
echo "spdx: $passed passed, $fail failed (files from $from)"
[ "$fail" -eq 0 ] && [ "$passed" -gt 0 ]
