#!/bin/sh
# SPDX-License-Identifier: MIT
# --strict on the command line: the rule list, clean runs of the real
# drivers, and one clear message for a bad value. A violation's exit
# status 3 needs a driver that breaks a rule, which the project's drivers
# do not: test_strict drives broken sequences through the library.
set -u
. "$(dirname "$0")/cli_lib.sh"
trap 'rm -rf "$work"' EXIT
src=${top_srcdir:-$(dirname "$0")/..}

expect 0 '^Driver MUSTs --strict checks' -- --strict help
grep -E '^  [A-Z]+-D-[0-9]+ ' "$work/out" | awk '{print $1}' >"$work/ids"
listed=$(wc -l <"$work/ids")
declared=$(grep -cE '^[[:space:]]*X\([A-Z_0-9]+, "[A-Z]+-D-[0-9]+",' \
	"$src/sim/strict.h")
[ "$listed" -gt 0 ] && [ "$listed" -eq "$declared" ] && ok ||
	ko "--strict help lists $listed rules, sim/strict.h declares $declared"
# Every rule it claims is expected of a broken sequence in test_strict.c.
while read -r id; do
	sym=STRICT_$(echo "$id" | tr '-' '_')
	grep -q "$sym)" "$src/tests/test_strict.c" && ok ||
		ko "$id: no test breaks it"
done <"$work/ids"
expect 0 '^Driver MUSTs' -- --strict=help
expect 0 '--strict .*exit status 3|3 --strict' -- --help

expect 2 "--strict=bogus: want no value, 'on' or 'help'" -- --strict=bogus probe
one_line "--strict=bogus"

# The real blk, net and GPU drivers on MMIO v1, v2 and PCI are clean.
for mode in sync deferred; do
	expect 0 '^selftest passed' -- --strict --mode "$mode" selftest
	if grep -q 'strict:' "$work/out"; then
		ko "--strict selftest ($mode) reported a violation"
		grep 'strict:' "$work/out"
	else ok; fi
done
# Thread mode: blk only, the driver as clean on a device thread.
if ! "$virtsim" --help | grep -q -- "--blk .*left out of this build"; then
	expect 0 '^selftest passed: 3 devices' -- --strict --mode thread \
		--blk scratch:1M --blk scratch:1M,version=1 \
		--blk scratch:1M,transport=pci selftest
	if grep -q 'strict:' "$work/out"; then
		ko "--strict selftest (thread) reported a violation"
		grep 'strict:' "$work/out"
	else ok; fi
fi
expect 0 '^selftest passed' -- --strict=on selftest
# Strict changes nothing a clean run does: the same trace hash.
"$virtsim" selftest 2>&1 | grep '^trace hash' >"$work/plain"
grep '^trace hash' "$work/out" | cmp -s - "$work/plain" && ok ||
	ko "--strict changed the trace hash of a clean run"

finish cli_strict
