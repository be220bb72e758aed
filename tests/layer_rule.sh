#!/bin/sh
# SPDX-License-Identifier: MIT
# The layer rules (DESIGN.md):
# - drivers/ includes only drivers/, hal/hal.h and <stdint.h> <stddef.h>
#   <stdbool.h> <string.h>, builds with -ffreestanding against no C
#   library headers, and calls nothing outside itself but the memory
#   functions of <string.h>;
# - sim/, the bottom of the host side, includes nothing above it: only
#   sim/, hal/hal.h (it implements the HAL) and the wire-format headers;
# - devices/ includes only devices/, sim/ and the wire-format headers
#   (drivers/wire/), never the driver stack or the tools.
set -u
top=${top_srcdir:-$(dirname "$0")/..}
cc=${CC:-cc}
fail=0
passed=0

# layer_includes DIR ALLOWED: every include of DIR/ is one ALLOWED names.
layer_includes() {
	bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include' "$top/$1" \
		| grep -vE "#[[:space:]]*include[[:space:]]*($2)")
	if [ -n "$bad" ]; then
		echo "FAIL: $1/ includes something outside its layer:"
		echo "$bad"
		fail=$((fail + 1))
	else
		passed=$((passed + 1))
	fi
}
layer_includes drivers '<(stdint|stddef|stdbool|string)\.h>|"(drivers/[^"]+|hal/hal\.h)"'
layer_includes sim '<[^>]+>|"(sim/[^"]+|hal/hal\.h|drivers/wire/[^"]+)"'
layer_includes devices '<[^>]+>|"(devices/[^"]+|sim/[^"]+|drivers/wire/[^"]+)"'

work=$(mktemp -d "${TMPDIR:-/tmp}/virtsim-layer-XXXXXX")
trap 'rm -rf "$work"' EXIT
gccinc=$($cc -print-file-name=include)
objs=
for src in $(find "$top/drivers" -name '*.c' | sort); do
	obj="$work/$(echo "$src" | tr / _).o"
	if ! $cc -std=c11 -ffreestanding -fno-builtin -nostdinc \
		-isystem "$gccinc" -isystem "$top/tests/freestanding" \
		-I"$top" -DVIRTSIM_HAVE_BLK=1 -DVIRTSIM_HAVE_NET=1 \
		-DVIRTSIM_HAVE_GPU=1 -Wall -Wextra -Werror \
		-Wno-unused-parameter -c "$src" -o "$obj"; then
		echo "FAIL: $src does not build freestanding"
		fail=$((fail + 1))
	fi
	objs="$objs $obj"
done
[ "$fail" -eq 0 ] && passed=$((passed + 1))

if [ -z "$objs" ]; then
	echo "FAIL: no sources found under $top/drivers"
	fail=$((fail + 1))
elif ld -r -o "$work/drivers.o" $objs 2>"$work/ld.err"; then
	undef=$(nm -u "$work/drivers.o" | awk '{print $2}' \
		| grep -vxE 'memcpy|memmove|memset|memcmp|strlen' || true)
	if [ -n "$undef" ]; then
		echo "FAIL: drivers/ calls outside itself: $undef"
		fail=$((fail + 1))
	else
		passed=$((passed + 1))
	fi
else
	echo "FAIL: cannot link drivers/ objects: $(cat "$work/ld.err")"
	fail=$((fail + 1))
fi

echo "layer_rule: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
