#!/bin/sh
# SPDX-License-Identifier: MIT
# --enable-usdt: virtsim carries a stapsdt note (provider virtsim) for
# the trace events perf and bpftrace attach to, semaphore-less (no
# .probes section). Skipped (77) in a build without USDT.
set -u
bin=${VIRTSIM:-./virtsim}
if ! grep -q '^#define VIRTSIM_USDT 1' config.h 2>/dev/null; then
	echo "SKIP: built without USDT probes (configure --enable-usdt)"
	exit 77
fi
command -v readelf >/dev/null || { echo "SKIP: no readelf"; exit 77; }
notes=$(readelf -n "$bin") || { echo "FAIL: readelf -n $bin"; exit 1; }
passed=0
failed=0
for probe in sched_notify vq_pop vq_push sched_irq irq_level req_start \
	req_complete blk_req vmmio_write; do
	if printf '%s\n' "$notes" | grep -A2 '^ *Provider: virtsim$' |
		grep -q "^ *Name: $probe$"; then
		passed=$((passed + 1))
	else
		echo "FAIL: no stapsdt note for virtsim:$probe"
		failed=$((failed + 1))
	fi
done
# Every probe is the project's, and none needs a semaphore.
other=$(printf '%s\n' "$notes" | sed -n 's/^ *Provider: //p' | grep -vx virtsim)
[ -z "$other" ] && passed=$((passed + 1)) || {
	echo "FAIL: probes of other providers: $other"
	failed=$((failed + 1))
}
if printf '%s\n' "$notes" | grep -E '^ *Semaphore: 0x' |
	grep -vq 'Semaphore: 0x0*$'; then
	echo "FAIL: a probe has a semaphore"
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi
echo "usdt: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
