#!/bin/sh
# SPDX-License-Identifier: MIT
# --trace help: every category of sim/trace.h with its help and events,
# exit status 0, and nothing run; --trace '' and unknown words still
# refused with one line.
set -u
. "$(dirname "$0")/cli_lib.sh"
trap 'rm -rf "$work"' EXIT
src=${top_srcdir:-$(dirname "$0")/..}

expect 0 '^Trace categories' -- --trace help
grep -q '^trace hash' "$work/out" && ko "--trace help ran a workload" || ok
cats=$(sed -n 's/^[[:space:]]*X([A-Z]*, "\([a-z]*\)",.*/\1/p' \
	"$src/sim/trace.h")
[ -n "$cats" ] && ok || ko "no categories found in sim/trace.h"
for cat in $cats; do
	grep -qE "^  $cat +[^ ]" "$work/out" && ok ||
		ko "--trace help does not list '$cat' with its help"
done
# Every event of the list is named under some category.
for ev in $(sed -n 's/^[[:space:]]*E(\([a-z0-9_]*\),.*/\1/p' \
	"$src/sim/trace_events.h"); do
	grep -qE "^    (.* )?$ev( |$)" "$work/out" && ok ||
		ko "--trace help does not list event $ev"
done
expect 0 '^Trace categories' -- --trace=help
expect 2 "^virtsim: --trace '': want a comma list of categories" -- \
	--trace '' probe
one_line "--trace ''"
expect 2 "unknown category 'helps'" -- --trace helps probe
one_line "--trace helps"
expect 0 "'--trace help'" -- --help
finish cli_trace
