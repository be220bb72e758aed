#!/bin/sh
# SPDX-License-Identifier: MIT
# The bench workload from the command line: every case of the lists is
# a row, the ratio line follows, on a null disk, an image and a scratch
# disk, in sync and deferred mode; bad options are one line and exit 2.
# Nothing here asserts a time: the figures are whatever the machine gives.
set -u
. "$(dirname "$0")/cli_lib.sh"
trap 'rm -rf "$work"' EXIT

head -c $((1024 * 1024)) /dev/urandom >"$work/disk.img"
num='[0-9]+(\.[0-9]+)?'

# row QD BS RW BUF: the case's line is in the output, 64 requests.
row() {
	if grep -qE "^ +$1 +$2 +$3 +$4 +64 +$num +$num +$num +$num +$num$" \
		"$work/out"; then ok; else
		ko "no row for qd=$1 bs=$2 rw=$3 buf=$4"; sed 's/^/  | /' "$work/out"
	fi
}

expect 0 '^bench: 32 cases; stack/memcpy ratio [0-9.]+ to [0-9.]+$' -- \
	--blk null:1M bench --requests 64 --qd 1,4 --bs 512,4k \
	--rw read,randread,write,randwrite --buf dma,host
check "null: the baseline is memcpy" \
	grep -q '^bench: blk0, 1 MiB null disk, sync mode, interrupts, dma bounce; baseline: memcpy' "$work/out"
for rw in read randread write randwrite; do
	for buf in dma host; do
		for bs in 512 4k; do
			for qd in 1 4; do row $qd $bs $rw $buf; done
		done
	done
done
check "no progress line without a terminal" \
	[ "$(tr -cd '\r' <"$work/out" | wc -c)" -eq 0 ]

# The defaults: qd 1,32 x bs 4k,64k, randread, host buffers.
expect 0 '^bench: 4 cases; stack/memcpy ratio' -- --blk null:1M bench --requests 64
for bs in 4k 64k; do
	for qd in 1 32; do row $qd $bs randread host; done
done

# An image: pread/pwrite of it is the baseline, and writes reach it.
cp "$work/disk.img" "$work/orig.img"
expect 0 '^bench: 2 cases; stack/host ratio' -- --blk "$work/disk.img" \
	bench --requests 64 --qd 1,8 --bs 4k --rw randread
check "an image: the baseline is pread/pwrite" \
	grep -q '^bench: blk0, 1 MiB, sync mode, interrupts, dma bounce; baseline: pread/pwrite of the image' "$work/out"
row 1 4k randread host
row 8 4k randread host
check "bench read changed the image" cmp -s "$work/disk.img" "$work/orig.img"
expect 0 '^bench: 2 cases; stack/host ratio' -- --blk "$work/disk.img" \
	bench --requests 64 --qd 1,8 --bs 64k --rw write --buf dma
row 1 64k write dma
row 8 64k write dma
expect 0 '^bench: 1 case; stack/host ratio' -- --blk scratch:1M bench \
	--requests 64 --qd 16 --bs 4k --rw randwrite
row 16 4k randwrite host
expect 0 '^bench: 1 case; stack/memcpy ratio' -- --blk null:1M,blk_size=4096 \
	bench --requests 64 --qd 4 --bs 4k --rw randwrite
row 4 4k randwrite host
expect 0 '^bench: 2 cases; stack/host ratio' -- --mode deferred --seed 3 \
	--blk "$work/disk.img,transport=pci" bench --requests 64 --qd 1,16 --bs 512
row 16 512 randread host
# --dma map: the user's buffers mapped in place, in each mode (test_blk
# checks the bytes).
for mode in sync deferred thread; do
	cp "$work/orig.img" "$work/map.img"
	expect 0 '^bench: 4 cases; stack/host ratio' -- --mode $mode --poll \
		--dma map --blk "$work/map.img" bench --requests 64 --qd 1,8 \
		--bs 4k --rw randread,write
	check "--dma map, $mode: the header says so" \
		grep -q "^bench: blk0, 1 MiB, $mode mode, polling, dma map; baseline" "$work/out"
	row 8 4k randread host
	row 1 4k write host
done

# --json: the document on stdout, a member per case; the text to stderr.
if command -v python3 >/dev/null 2>&1; then
	"$virtsim" --json --blk null:1M bench --requests 64 --qd 1,4 --bs 512,4k \
		--rw read,randwrite --buf dma,host >"$work/bench.json" 2>"$work/out"
	check "bench --json: exit 0" [ $? -eq 0 ]
	row 4 4k randwrite dma
	python3 - "$work/bench.json" <<'PY' && ok || ko "bench --json: the cases"
import itertools, json, sys
d = json.load(open(sys.argv[1]))
assert d["workload"] == "bench" and d["exit_status"] == 0, d
assert d["baseline"] == "memcpy" and d["null_disk"] is True, d
want = set(itertools.product(["read", "randwrite"], ["dma", "host"],
                             [512, 4096], [1, 4]))
got = {(c["rw"], c["buf"], c["bs"], c["qd"]) for c in d["cases"]}
assert got == want and len(d["cases"]) == 16, got
keys = {"qd", "bs", "rw", "buf", "requests", "ns_per_request", "iops",
        "mib_s", "baseline_ns_per_request", "ratio"}
for c in d["cases"]:
    assert set(c) == keys, c
    assert c["requests"] == 64 and c["ns_per_request"] > 0, c
    assert c["baseline_ns_per_request"] > 0 and c["ratio"] > 0, c
assert d["ratio_min"] <= d["ratio_max"], d
PY
else
	echo "SKIP: bench --json: no python3"
fi

# Bad options: one line, exit 2.
bad() {
	pattern=$1
	shift
	expect 2 "$pattern" -- "$@"
	one_line "$*"
}
bad "^virtsim: --qd '0': want a comma list of queue depths from 1 to 1024" \
	--blk null:1M bench --qd 0
bad "^virtsim: --qd '1,,2': want a comma list" --blk null:1M bench --qd 1,,2
bad "^virtsim: --qd '1,': want a comma list" --blk null:1M bench --qd 1,
bad "^virtsim: --qd '2048': want" --blk null:1M bench --qd 2048
bad "^virtsim: --qd '1,2,3,4,5,6,7,8,9': at most 8 values" \
	--blk null:1M bench --qd 1,2,3,4,5,6,7,8,9
bad "^virtsim: --bs '1000': want a comma list of sizes, multiples of 512 up to 1M" \
	--blk null:1M bench --bs 1000
bad "^virtsim: --bs '2M': want" --blk null:1M bench --bs 2M
bad "^virtsim: --rw 'sideways': want read, write, randread or randwrite" \
	--blk null:1M bench --rw sideways
bad "^virtsim: --buf 'gpu': want dma or host" --blk null:1M bench --buf gpu
bad "^virtsim: --dma 'iommu': want bounce or map" --blk null:1M bench --dma iommu
bad "^virtsim: --time '0': want seconds above 0" --blk null:1M bench --time 0
bad "^virtsim: --time 'x': want seconds above 0" --blk null:1M bench --time x
bad "^virtsim: --time and --requests: give one, not both" \
	--blk null:1M bench --time 1 --requests 5
bad "^virtsim: --requests '0': want a number above 0" --blk null:1M bench --requests 0
bad "^virtsim: --qd goes with bench$" --blk null:1M probe --qd 1
bad "^virtsim: --disk 0: the machine has 0 disks \(give them with --blk\)" bench
bad "^virtsim: bench: --bs 65536: larger than blk0 \(32768 bytes\)" \
	--blk null:32K bench --bs 64k --requests 1
bad "^virtsim: bench: --bs 512: not a multiple of blk0's block size \(4096 bytes\)" \
	--blk null:1M,blk_size=4096 bench --bs 512,4k --requests 1
bad "^virtsim: blk0: null size 1536 is not a multiple of blk_size=1024" \
	--blk null:1536,blk_size=1024 probe
bad "^virtsim: bench: --rw write: blk0 is read-only" \
	--blk null:1M,ro bench --rw read,write --requests 1

finish cli_bench
