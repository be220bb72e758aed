#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the bare-metal guest (tools/baremetal/Makefile) and run it on
# QEMU's aarch64 virt machine (TCG) in every configuration below: one
# "PASS: name" or "FAIL: name" line each, non-zero exit if any failed.
#
#   tools/baremetal/run.sh [NAME...]     only the configurations named
#
# A configuration passes when QEMU powers off by itself in time, the
# guest reports its checks all passed, found the devices expected (so
# many Block, Net and Display devices probed and tested) and the disk
# image is afterwards exactly what the guest says it wrote
# (disk_image.py). Needs aarch64-linux-gnu-gcc, qemu-system-aarch64 and
# python3. BM_OUT keeps the build and logs (default: a temporary dir);
# BM_VERBOSE=1 prints every guest's console.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${BM_OUT:-}
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/virtsim-bm-XXXXXX")
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
qemu=${QEMU:-qemu-system-aarch64}
timeout_s=${BM_TIMEOUT:-60}

for tool in "${CROSS:-aarch64-linux-gnu-}gcc" "$qemu" python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "FAIL: build ($tool not found)"
		exit 1
	fi
done
if ! make -s -C "$here" O="$out" -j2 >"$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "FAIL: build"
	exit 1
fi
echo "PASS: build (bm-le.elf, bm-be.elf)"

# The addresses hal/aarch64-virt/board.h hard-codes, in the device tree
# this QEMU generates for the machine (the guest cannot be told them).
dtb_check() {
	"$qemu" -machine virt,dumpdtb="$out/virt.dtb" -cpu cortex-a57 -m 128M \
		-display none -nic none >/dev/null 2>&1 || return 1
	dtc -q -I dtb -O dts -o "$out/virt.dts" "$out/virt.dtb" || return 1
	[ "$(grep -c 'virtio_mmio@a[0-9a-f]* {' "$out/virt.dts")" -eq 32 ] &&
	grep -A3 'virtio_mmio@a000000 {' "$out/virt.dts" |
		grep -q 'interrupts = <0x00 0x10 0x01>' &&
	grep -q 'virtio_mmio@a003e00 {' "$out/virt.dts" &&
	grep -A5 'pl011@9000000 {' "$out/virt.dts" |
		grep -q 'reg = <0x00 0x9000000 0x00 0x1000>' &&
	grep -q 'reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>' "$out/virt.dts" &&
	grep -q 'reg = <0x40 0x10000000 0x00 0x10000000>' "$out/virt.dts" &&
	grep -q 'ranges = <.*0x2000000 0x00 0x10000000 0x00 0x10000000 0x00 0x2eff0000' "$out/virt.dts" &&
	grep -q 'method = "hvc"' "$out/virt.dts"
}
if ! command -v dtc >/dev/null 2>&1; then
	echo "SKIP: dtb-addresses (dtc not installed)"
elif dtb_check; then
	echo "PASS: dtb-addresses (board.h matches QEMU's device tree)"
else
	echo "FAIL: dtb-addresses (board.h does not match $out/virt.dts)"
	exit 1
fi

# name | endian | blk net gpu expected | QEMU arguments (@IMG: the disk).
# pci-legacy-only has no modern interface, which the PCI transport needs:
# it must probe as none and leave the disk alone.
# A drive's serial tells the guest what to expect: -ro read-only, -wrap
# the long run wrapping the 16-bit ring indices (disks.c).
MODERN_MMIO="-global virtio-mmio.force-legacy=false"
BLK4K="logical_block_size=4096,physical_block_size=4096"
configs() {
	cat <<CONFIGS
mmio-legacy|le|1 1 1|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-device,drive=d0,serial=vbm -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-gpu-device
mmio-modern|le|1 1 1|$MODERN_MMIO -drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-device,drive=d0,serial=vbm-wrap -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-gpu-device
pci-modern|le|1 1 1|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,disable-legacy=on -netdev user,id=n0 -device virtio-net-pci,netdev=n0,disable-legacy=on -device virtio-gpu-pci
pci-transitional|le|1 1 0|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,disable-legacy=off -netdev user,id=n0 -device virtio-net-pci,netdev=n0,disable-legacy=off,mrg_rxbuf=off
pci-page-per-vq|le|1 0 0|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,page-per-vq=on
pci-small-queue|le|1 0 0|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,queue-size=8,indirect_desc=off,event_idx=off
pci-legacy-only|le|0 0 0|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,disable-modern=on
pci-highmem-off|le|1 1 0|-machine highmem=off -drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm -netdev user,id=n0 -device virtio-net-pci,netdev=n0
pci-readonly|le|1 0 0|-drive if=none,id=d0,format=raw,file=@IMG,readonly=on -device virtio-blk-pci,drive=d0,serial=vbm-ro
mmio-blk4k|le|1 0 0|$MODERN_MMIO -drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-device,drive=d0,serial=vbm,$BLK4K
pci-blk4k|le|1 0 0|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,$BLK4K
pci-iommu-platform|le|1 0 0|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm,disable-legacy=on,iommu_platform=on
gicv3|le|1 1 0|-machine gic-version=3 $MODERN_MMIO -drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-device,drive=d0,serial=vbm -netdev user,id=n0 -device virtio-net-pci,netdev=n0
el2-entry|le|1 0 0|-machine virtualization=on -drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm
be-mmio-legacy|be|1 1 1|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-device,drive=d0,serial=vbm-wrap -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-gpu-device
be-mmio-modern|be|1 1 1|$MODERN_MMIO -drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-device,drive=d0,serial=vbm -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-gpu-device
be-pci|be|1 1 1|-drive if=none,id=d0,format=raw,file=@IMG -device virtio-blk-pci,drive=d0,serial=vbm -netdev user,id=n0 -device virtio-net-pci,netdev=n0,mrg_rxbuf=off -device virtio-gpu-pci
CONFIGS
}

wanted() {
	[ -z "$BM_ONLY" ] && return 0
	for w in $BM_ONLY; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

BM_ONLY="$*"
failed=0
ran=0
start=$(date +%s)
configs >"$out/configs"
while IFS='|' read -r name endian expect args; do
	wanted "$name" || continue
	ran=$((ran + 1))
	img="$out/$name.img"
	log="$out/$name.log"
	why=
	python3 "$here/disk_image.py" make "$img" 8192
	cp "$img" "$img.orig"
	t0=$(date +%s)
	# shellcheck disable=SC2086 # the arguments are split on purpose
	timeout "$timeout_s" "$qemu" -machine virt -cpu cortex-a57 -m 128M \
		-display none -monitor none -serial stdio -nic none \
		-no-reboot -kernel "$out/bm-$endian.elf" \
		$(echo "$args" | sed "s|@IMG|$img|g") \
		</dev/null >"$log" 2>&1
	rc=$?
	t1=$(date +%s)
	set -- $expect
	if [ $rc -eq 124 ]; then
		why="timed out after ${timeout_s}s"
	elif [ $rc -ne 0 ]; then
		why="QEMU exited with $rc"
	elif grep -q '^FAIL: ' "$log"; then
		why="$(grep -c '^FAIL: ' "$log") guest checks failed"
	elif ! grep -q '^bm: done, [1-9][0-9]* passed, 0 failed' "$log"; then
		why="the guest did not finish"
	elif ! grep -q "^bm: devices tested: $1 block, $2 net, $3 display" "$log"; then
		why="devices: $(grep '^bm: devices tested' "$log" | cut -d: -f3), want $1 block, $2 net, $3 display"
	elif ! python3 "$here/disk_image.py" check "$img" "$log" >>"$log" 2>&1; then
		why="$(tail -n 1 "$log")"
	elif [ "$name" = pci-readonly ] && ! cmp -s "$img" "$img.orig"; then
		why="the read-only image changed"
	fi
	if [ -z "$why" ]; then
		echo "PASS: $name ($(grep -c '^PASS: ' "$log") checks, $((t1 - t0))s)"
		[ "${BM_VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
	else
		echo "FAIL: $name ($why)"
		sed 's/^/    /' "$log" | grep -v '^    PASS: ' | tail -n 40
		failed=$((failed + 1))
	fi
	rm -f "$img" "$img.orig"
done <"$out/configs"
total=$(($(date +%s) - start))
echo "baremetal: $((ran - failed)) passed, $failed failed, ${total}s"
# CI's budget for the whole run: two minutes.
if [ "$total" -gt "${BM_BUDGET:-120}" ]; then
	echo "FAIL: time (${total}s, over the ${BM_BUDGET:-120}s budget)"
	failed=$((failed + 1))
fi
[ "$failed" -eq 0 ] && [ "$ran" -gt 0 ]
