#!/bin/sh
# SPDX-License-Identifier: MIT
# The hostile soak from the command line: its options refuse bad values
# in one line; the soak workload passes on a machine without faults and
# reports errors (exit 1, never worse) under hostile; the same seed gives
# the same run; and a bounded soak, 20 seeds in each mode, finds no seed
# that crashed, hung, leaked or took bad data for good.
set -u
. "$(dirname "$0")/cli_lib.sh"
trap 'rm -rf "$work"' EXIT

expect 2 "--soak '0': want a number above 0" -- faults --soak 0
one_line "--soak 0"
expect 2 "--soak-prob '2': want a probability in \(0, 1\]" -- faults --soak 1 --soak-prob 2
one_line "--soak-prob 2"
expect 2 "--soak-prob '0': want a probability" -- faults --soak 1 --soak-prob 0
expect 2 '--soak-prob goes with --soak' -- faults --soak-prob 0.5
expect 2 '--soak goes with faults' -- probe --soak 3

# Without faults every device passes: a soak's "fine" means something.
expect 0 'soak: [0-9]+ devices?, [0-9]+ passed, 0 failures' -- soak
# Under hostile the drivers say what went wrong and the run goes on.
expect 1 'soak: [0-9]+ devices?, [0-9]+ passed, [1-9][0-9]* failures?' -- \
	--seed 5 --fault hostile,prob=0.05 soak
expect 1 'fault hostile: [0-9]+ hits, [1-9][0-9]* fired' -- \
	--seed 5 --fault hostile,prob=0.05 soak
# Same seed, same run.
"$virtsim" --seed 9 --mode deferred --fault hostile,prob=0.02 soak \
	2>/dev/null | grep '^trace hash' >"$work/a"
"$virtsim" --seed 9 --mode deferred --fault hostile,prob=0.02 soak \
	2>/dev/null | grep '^trace hash' >"$work/b"
check "same seed, same trace hash" cmp -s "$work/a" "$work/b"

expect 0 'soak: 20 seeds \(hostile,prob=0.01, sync mode\): 20 fine, 0 crashed, 0 hung, 0 leaked, 0 corrupt' -- \
	faults --soak 20
expect 0 'soak: 20 seeds \(hostile,prob=0.05, deferred mode\): 20 fine, 0 crashed, 0 hung, 0 leaked, 0 corrupt' -- \
	--mode deferred faults --soak 20 --soak-prob 0.05
# --dma map passed on: hostile devices against buffers mapped in place.
expect 0 'soak: 20 seeds \(hostile,prob=0.05, sync mode, dma map\): 20 fine, 0 crashed, 0 hung, 0 leaked, 0 corrupt' -- \
	--dma map faults --soak 20 --soak-prob 0.05
"$virtsim" --json faults --soak 3 >"$work/soak.json" 2>/dev/null
python3 - "$work/soak.json" <<'PY' && ok || ko "faults --soak 3 --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["seeds"], d["prob"], d["mode"], d["poll"], d["dma"]) == (3, 0.01, "sync", False, "bounce"), d
assert (d["fine"], d["crashed"], d["hung"], d["leaked"], d["corrupt"]) == (3, 0, 0, 0, 0), d
assert d["bad"] == [] and d["exit_status"] == 0, d
PY

finish cli_soak
