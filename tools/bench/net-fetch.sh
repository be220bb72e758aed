#!/bin/sh
# SPDX-License-Identifier: MIT
# TCP through libslirp: net-fetch of a SIZE file (default 64 MiB) from a
# python3 http.server on 127.0.0.1, next to curl of the same file from
# the same server in the same run, best of ROUNDS (default 3) each.
#
#   tools/bench/net-fetch.sh [SIZE_MIB [ROUNDS]]   (from the build tree)
set -eu
virtsim=${VIRTSIM:-./virtsim}
mib=${1:-64}
rounds=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/virtsim-bench-XXXXXX")
server=
trap '[ -n "$server" ] && kill "$server"; rm -rf "$work"' EXIT

head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/file"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work" && exec python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done
want=$(sha256sum "$work/file" | cut -d' ' -f1)

now() { date +%s.%N; }
best_curl=999999 best_fetch=999999
for _ in $(seq "$rounds"); do
	t0=$(now)
	curl -s -o "$work/curl" "http://127.0.0.1:$port/file"
	t1=$(now)
	"$virtsim" --net user net-fetch "http://10.0.2.2:$port/file" \
		--out "$work/fetch" 2>/dev/null
	t2=$(now)
	[ "$(sha256sum "$work/fetch" | cut -d' ' -f1)" = "$want" ] ||
		{ echo "net-fetch: wrong bytes" >&2; exit 1; }
	best_curl=$(awk -v a="$t0" -v b="$t1" -v m="$best_curl" 'BEGIN { d = b - a; print (d < m) ? d : m }')
	best_fetch=$(awk -v a="$t1" -v b="$t2" -v m="$best_fetch" 'BEGIN { d = b - a; print (d < m) ? d : m }')
done
awk -v mib="$mib" -v c="$best_curl" -v f="$best_fetch" 'BEGIN {
	bytes = mib * 1048576
	printf "%d MiB over HTTP from 127.0.0.1, best of the rounds, whole process:\n", mib
	printf "  curl on the host:          %7.1f ms  %7.1f MB/s\n", c * 1000, bytes / c / 1e6
	printf "  virtsim net-fetch (slirp): %7.1f ms  %7.1f MB/s\n", f * 1000, bytes / f / 1e6
	printf "  net-fetch / curl: %.2fx the time\n", f / c
}'
