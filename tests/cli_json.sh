#!/bin/sh
# SPDX-License-Identifier: MIT
# --json: every workload's statistics, and probe's device tables, as one
# JSON document on stdout, parsed here by Python's json module. Text goes
# to stderr. The test fails for a workload it has no case for.
. "${top_srcdir:-.}/tests/cli_lib.sh"

server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

has() { ! "$virtsim" --help | grep -q -- "--$1 .*left out of this build"; }

# json NAME CHECK -- ARGS: virtsim --json ARGS exits 0, stdout parses, and
# the Python expression CHECK holds for the document d.
json() {
	name=$1 check=$2
	shift 3
	covered="$covered $name"
	"$virtsim" --json "$@" >"$work/$name.json" 2>"$work/$name.err"
	got=$?
	if [ "$got" -ne 0 ]; then
		ko "$name --json: exit $got"; sed 's/^/  | /' "$work/$name.err"
		return
	fi
	python3 - "$work/$name.json" "$name" "$check" <<'PY' && ok || ko "$name --json: $check"
import json, sys
def no_dup(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "duplicate keys: %r" % keys
    return dict(pairs)
d = json.load(open(sys.argv[1]), object_pairs_hook=no_dup)
assert d["workload"] == sys.argv[2] and d["exit_status"] == 0, d
assert len(d["trace_hash"]) == 16 and d["hal_errors"] == 0
assert list(d)[:5] == ["virtsim", "workload", "mode", "seed", "dma"], list(d)
assert eval("(" + sys.argv[3] + ")"), json.dumps(d, indent=1)[:2000]
PY
}

covered=
truncate -s 1M "$work/disk"
head -c 8192 /dev/urandom >"$work/data"

json selftest 'all(x["passed"] for x in d["devices"]) and d["requests"] > 0 or "left_out" in d' --
if has blk; then
	truncate -s 1M "$work/disk2"
	json probe '[s["unit"] for s in d["mmio"] if s["unit"]] == ["blk0"] and
		[f["unit"] for f in d["pci"] if f["unit"]] == ["blk1"] and
		[f for f in d["pci"] if f["unit"]][0]["bars"][0]["size"] > 0 and
		d["mmio"][0]["name"] == "virtio-blk" and d["machine"]["ram_bytes"] > 0' -- \
		--blk "$work/disk" --blk "$work/disk2,transport=pci" probe
	json blk-write 'd["lba"] == 3 and d["blocks"] == 16 and d["block_size"] == 512 and d["bytes"] == 8192' -- \
		--blk "$work/disk" blk-write 3 "$work/data"
	json blk-read 'd["blocks"] == 16 and d["disk"] == "blk0"' -- \
		--blk "$work/disk" blk-read 3 16 --out "$work/back"
	check "blk-read --json: the data in --out" cmp -s "$work/data" "$work/back"
	# The data has stdout, so the document would have nowhere to go.
	expect 2 '--json: blk-read writes its data to stdout; give --out FILE' -- \
		--blk "$work/disk" --json blk-read 0 1
	one_line "blk-read --json without --out"
	json bench 'len(d["cases"]) == 2 and all(c["requests"] == 8 for c in d["cases"]) and d["poll"] is False' -- \
		--blk null:1M bench --requests 8 --qd 1,4 --bs 4k
	json bench 'd["dma"] == "map" and d["mode"] == "sync" and d["poll"] and len(d["cases"]) == 1' -- \
		--poll --dma map --blk null:1M bench --requests 8 --qd 4 --bs 4k
fi
if ! has blk; then
	json probe '"mmio" in d and "pci" in d and d["machine"]["ram_bytes"] > 0' -- probe
fi
json faults 'd["failed"] == 0 and d["default_row"] == "PASS" and
	all(c["rows"] >= 9 for c in d["coverage"].values())' -- faults
json soak '"devices" not in d or all(x["passed"] for x in d["devices"])' -- soak
if has net; then
	json net-ping 'd["received"] == d["transmitted"] == 2 and
		[r["icmp_seq"] for r in d["replies"]] == [1, 2] and d["nic"]["rx_frames"] > 0' -- \
		--net user net-ping --count 2
	mkdir "$work/www"
	head -c 100000 /dev/urandom >"$work/www/blob"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	(cd "$work/www" && exec python3 -m http.server "$port" --bind 127.0.0.1) \
		>/dev/null 2>&1 &
	server=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" \
			2>/dev/null && break
		sleep 0.1
	done
	json net-fetch 'd["http_status"] == 200 and d["body_bytes"] == 100000 and d["error"] is None' -- \
		--net user net-fetch "http://localhost:$port/blob" --out "$work/got"
	check "net-fetch --json: the body in --out" cmp -s "$work/www/blob" "$work/got"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$virtsim" --json --net "user,hostfwd=tcp:127.0.0.1:$port-:80" net-serve \
		--requests 1 >"$work/net-serve.json" 2>"$work/net-serve.err" &
	serve=$!
	for _ in $(seq 100); do
		grep -q listening "$work/net-serve.err" && break
		sleep 0.1
	done
	curl -s --max-time 20 -o /dev/null "http://127.0.0.1:$port/"
	wait "$serve"
	python3 -c "import json, sys; d = json.load(open('$work/net-serve.json')); \
		sys.exit(not (d['served'] == 1 and d['end'] == 'done' and d['exit_status'] == 0))" &&
		ok || ko "net-serve --json"
	covered="$covered net-serve"
fi
if has gpu; then
	json gpu-demo 'd["frames"] == 5 and d["flushes"] >= 5 and d["display"] == "headless 320x200"' -- \
		--gpu 320x200,display=headless gpu-demo --frames 5
	json gpu-bench 'd["width"] == 320 and d["ratio"] > 0 and d["rect_flush_us"] > 0' -- \
		--gpu 320x200,display=headless gpu-bench
fi

# Every workload this build has is covered above.
for w in $("$virtsim" --workloads | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'); do
	case " $covered " in
	*" $w "*) ok ;;
	*) ko "no --json case for workload $w" ;;
	esac
done

finish cli_json
