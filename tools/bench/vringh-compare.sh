#!/bin/sh
# SPDX-License-Identifier: MIT
# virtsim's thread mode next to Linux's own split-ring test, in the same
# run: tools/virtio's vringh_test --parallel --eventidx (a guest and a host
# process passing 10,000,000 buffers through a 256-entry ring) against
# virtsim bench on a null disk, 512-byte reads at QD 32 and 128, with
# interrupts and with --poll. Per buffer and the ratio; best of ROUNDS,
# the two sides alternating so drift hits both. Figures only: it asserts
# no time.
#
#   tools/bench/vringh-compare.sh [-t TARBALL] [-c CACHE] [-v VIRTSIM]
#       [-r ROUNDS] [-n REQUESTS]
set -eu
me='vringh-compare'

usage() {
	cat <<EOF
usage: $0 [-t TARBALL] [-c CACHE] [-v VIRTSIM] [-r ROUNDS] [-n REQUESTS]
  -t TARBALL   Debian's linux-source tarball (default: the newest
               /usr/src/linux-source-*.tar.xz; apt-get install linux-source)
  -c CACHE     where vringh_test is built once and kept (default:
               \${XDG_CACHE_HOME:-\$HOME/.cache}/virtsim/vringh)
  -v VIRTSIM   the virtsim binary (default: \$VIRTSIM, else the build
               tree's, $(dirname "$0")/../../virtsim)
  -r ROUNDS    rounds of each side, the best one reported (default 3)
  -n REQUESTS  virtsim requests per case and bench round (default 2000000)
EOF
}

die() {
	echo "$me: $*" >&2
	exit 2
}

# sort -V: linux-source-6.10 is newer than linux-source-6.9.
tarball=$(for f in /usr/src/linux-source-*.tar.xz; do
	[ -f "$f" ] && echo "$f"
done | sort -V | tail -n 1)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/virtsim/vringh
virtsim=${VIRTSIM:-$(dirname "$0")/../../virtsim}
rounds=3
requests=2000000
while getopts t:c:v:r:n:h opt; do
	case $opt in
	t) tarball=$OPTARG ;;
	c) cache=$OPTARG ;;
	v) virtsim=$OPTARG ;;
	r) rounds=$OPTARG ;;
	n) requests=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
case $rounds$requests in *[!0-9]*) die "-r and -n take a count" ;; esac
if [ "$rounds" -lt 1 ] || [ "$requests" -lt 1 ]; then
	die "-r and -n take a count of at least 1"
fi

if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	die "no linux-source tarball${tarball:+ at $tarball} (apt-get install linux-source, or -t TARBALL)"
fi
[ -x "$virtsim" ] || die "no virtsim binary at $virtsim (make virtsim, or -v VIRTSIM)"
command -v python3 >/dev/null || die "python3 is needed to read virtsim's --json"

# The build, once per tarball: the top directory is named after it
# (linux-source-6.1.tar.xz holds linux-source-6.1/).
src=$(basename "$tarball")
src=${src%.tar.*}
vringh=$cache/$src/tools/virtio/vringh_test
if [ ! -x "$vringh" ]; then
	mkdir -p "$cache" || die "cannot create the cache $cache"
	tmp=$(mktemp -d "$cache/build-XXXXXX")
	log=$cache/$src.build.log
	trap 'rm -rf "$tmp"' EXIT
	echo "$me: building vringh_test from $tarball into $cache (once)" >&2
	# What vringh_test.o, vringh.o and virtio_ring.o include, nothing
	# else: the tarball must still be read whole, but the disk is spared.
	tar xf "$tarball" -C "$tmp" "$src/tools/virtio" "$src/tools/include" \
		"$src/drivers/vhost/vringh.c" "$src/drivers/virtio/virtio_ring.c" \
		"$src/include/linux" "$src/include/uapi" >"$log" 2>&1 ||
		die "cannot extract tools/virtio from $tarball (see $log)"
	# 6.1's virtio_ring.c calls data_race(), which the tools' stub
	# compiler.h lacks; later trees define it, so only when missing.
	h=$tmp/$src/tools/virtio/linux/compiler.h
	grep -q data_race "$h" ||
		printf '#ifndef data_race\n#define data_race(expr) (expr)\n#endif\n' >>"$h"
	make -C "$tmp/$src/tools/virtio" vringh_test >>"$log" 2>&1 ||
		die "building vringh_test failed (see $log)"
	# Moved into place only when built: a broken build is never reused.
	rm -rf "${cache:?}/$src"
	mv "$tmp/$src" "$cache/$src"
	rm -rf "$tmp"
	trap - EXIT
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/virtsim-vringh-XXXXXX")
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

# vringh_test passes a fixed NUM_XFERS and prints only notify counts: its
# figure is the wall time of the whole process (fork and mmap included,
# a few ms of the seconds).
run_vringh() {
	t0=$(now)
	"$vringh" --parallel --eventidx >"$work/vringh.out" 2>&1 ||
		die "vringh_test failed: $(tail -n 1 "$work/vringh.out")"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "vringh 10000000 %.9f\n", b - a }' >>"$work/results"
}

# virtsim's figures are its own (bench's clock around the requests, the
# best of its three internal rounds), one line per QD.
run_virtsim() { # KEY [--poll]
	key=$1
	shift
	"$virtsim" --mode thread "$@" --blk null:64M --qd 32,128 --bs 512 \
		--rw read --buf dma --requests "$requests" --json bench \
		>"$work/virtsim.json" 2>"$work/virtsim.err" ||
		die "virtsim bench failed: $(tail -n 1 "$work/virtsim.err")"
	python3 - "$key" "$work/virtsim.json" >>"$work/results" <<'EOF'
import json, sys
for c in json.load(open(sys.argv[2]))["cases"]:
    print("%s-%d %d %.9f" % (sys.argv[1], c["qd"], c["requests"],
                             c["requests"] * c["ns_per_request"] / 1e9))
EOF
}

: >"$work/results"
for r in $(seq "$rounds"); do
	echo "$me: round $r of $rounds" >&2
	if [ $((r % 2)) -eq 1 ]; then
		run_vringh
		run_virtsim irq
		run_virtsim poll --poll
	else
		run_virtsim poll --poll
		run_virtsim irq
		run_vringh
	fi
done

cpus=$(sed -n 's/^Using CPUS \([0-9]*\) and \([0-9]*\)$/\1,\2/p' "$work/vringh.out")
awk -v rounds="$rounds" -v cpus="$cpus" -v src="$src" '
{
	per = $3 / $2
	if (!($1 in best) || per < best[$1]) {
		best[$1] = per; n[$1] = $2; s[$1] = $3
	}
}
function row(key, what) {
	printf "  %-36s %9d %8.3f %9.1f", what, n[key], s[key], best[key] * 1e9
	if (key != "vringh")
		printf " %7.2fx", best[key] / best["vringh"]
	printf "\n"
}
END {
	printf "split virtqueue, driver and device on two CPUs, best of %d rounds:\n", rounds
	printf "  %-36s %9s %8s %9s %8s\n", "what", "buffers", "total s", "ns/buffer", "ratio"
	row("vringh", "vringh_test --parallel --eventidx")
	row("irq-32", "virtsim thread, QD 32, interrupts")
	row("irq-128", "virtsim thread, QD 128, interrupts")
	row("poll-32", "virtsim thread, QD 32, --poll")
	row("poll-128", "virtsim thread, QD 128, --poll")
	printf "ratio: virtsim ns/buffer over vringh_test ns/buffer, both measured here now.\n"
	printf "vringh_test (%s tools/virtio): 4-byte buffers in 1-4 sg entries,\n", src
	printf "  data touched, 256-entry ring, event index, pipe notifications, guest\n"
	printf "  and host processes pinned to CPUs %s; wall time of the process.\n", cpus
	printf "virtsim: a 3-descriptor virtio-blk read (header, 512-byte data, status)\n"
	printf "  through the driver stack, MMIO transport and blk model on a null disk;\n"
	printf "  driver and device on two host threads, not pinned; timed by bench itself.\n"
}' "$work/results"
