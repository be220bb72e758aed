#!/bin/sh
# SPDX-License-Identifier: MIT
# The virtsim command line end to end: workloads, byte-exact blk-read and
# blk-write against the image as the host sees it, and one clear message
# with the right exit status for each kind of bad input.
set -u
. "$(dirname "$0")/cli_lib.sh"
trap 'rm -rf "$work"' EXIT

head -c $((1024 * 1024)) /dev/urandom >"$work/disk.img"
cp "$work/disk.img" "$work/orig.img"
head -c 4096 /dev/urandom >"$work/data4k"
head -c $((1024 * 1024)) /dev/urandom >"$work/data1m"
head -c 1000 /dev/urandom >"$work/odd"

expect 0 'Usage: virtsim' -- --help
expect 0 '^virtsim [0-9]' -- --version
expect 2 "unknown option '--frobnicate'" -- --frobnicate; one_line "unknown option"
expect 2 '--mem' -- --mem 3; one_line "--mem 3"
expect 2 '--mem' -- --mem lots
expect 2 'unknown workload' -- fly
expect 2 '--poll=3: the option takes no value' -- --poll=3
expect 2 '--help=1: the option takes no value' -- --help=1
expect 2 "ambiguous option '--m'" -- --m 64M probe; one_line "ambiguous option"
expect 2 'queue_size=2048: want a power of 2 from 1 to 1024' -- \
	--blk "$work/disk.img,queue_size=2048" probe
expect 2 '--mem needs a value' -- probe --mem
expect 2 "unknown category 'disk'" -- --trace disk probe
expect 2 '/nonexistent/x.img' -- --blk /nonexistent/x.img probe; one_line "missing image"
expect 2 'multiple of 512' -- --blk "$work/odd" probe; one_line "odd image"
expect 2 "unknown option 'rw'" -- --blk "$work/disk.img,rw" probe
expect 2 'blk-read takes 2 arguments' -- --blk "$work/disk.img" blk-read 0
expect 2 'the machine has 1 disk' -- --blk "$work/disk.img" blk-read 0 1 --disk 1
expect 2 'multiple of 512' -- --blk "$work/disk.img" blk-write 0 "$work/odd"
expect 2 'nothere' -- --blk "$work/disk.img" blk-write 0 "$work/nothere"
# FILE is looked at before it is opened: a FIFO would block the open.
# Each refusal is one line, exit 2, and the image unchanged.
mkfifo "$work/fifo"
mkdir "$work/dir"
sum0=$(cksum <"$work/disk.img")
expect 2 "^virtsim: blk-write FILE '$work/fifo': a FIFO, not a regular file \(use - for stdin\)$" -- \
	--blk "$work/disk.img" blk-write 0 "$work/fifo"
one_line "blk-write FIFO"
expect 2 "^virtsim: blk-write FILE '$work/dir': a directory, not a regular file" -- \
	--blk "$work/disk.img" blk-write 0 "$work/dir"
one_line "blk-write directory"
expect 2 "^virtsim: blk-write FILE '/dev/null': a character device, not a regular file" -- \
	--blk "$work/disk.img" blk-write 0 /dev/null
check "refused blk-write FILEs changed the image" [ "$(cksum <"$work/disk.img")" = "$sum0" ]
# - is stdin: read to memory (up to the disk's size), then written.
if "$virtsim" --blk "$work/disk.img" blk-write 5 - <"$work/data4k" \
	>/dev/null 2>"$work/err" &&
   dd if="$work/disk.img" bs=512 skip=5 count=8 2>/dev/null |
	cmp -s - "$work/data4k"; then ok; else ko "blk-write - (stdin)"; cat "$work/err"; fi
sum0=$(cksum <"$work/disk.img")
"$virtsim" --blk "$work/disk.img" blk-write 1 - <"$work/data1m" >"$work/out" 2>&1
check "blk-write - past the end: exit 2" [ $? -eq 2 ]
grep -qE '^virtsim: LBA 1 \+ [0-9]+ sectors is past the end of blk0 \(2048 sectors, 1 MiB\)$' \
	"$work/out" && ok || ko "blk-write - past the end: no message"
"$virtsim" --blk "$work/disk.img" blk-write 1 - <"$work/odd" >"$work/out" 2>&1
check "blk-write - odd size: exit 2" [ $? -eq 2 ]
grep -q "^virtsim: blk-write FILE '-': size 1000 is not a non-zero multiple of 512 bytes$" \
	"$work/out" && ok || ko "blk-write - odd size: no message"
check "refused blk-write - changed the image" [ "$(cksum <"$work/disk.img")" = "$sum0" ]

# Numbers are decimal: 010 is 10, 0x10 is refused saying so.
expect 0 'Numbers \(LBA, COUNT, N\) are decimal: 010 is 10' -- --help
expect 2 "^virtsim: blk-read: LBA '0x10': want a decimal block number \(no 0x; 010 is 10\)$" -- \
	--blk "$work/disk.img" blk-read 0x10 1
one_line "LBA 0x10"
expect 2 "blk-read: COUNT '0x1': want a decimal number of blocks above 0" -- \
	--blk "$work/disk.img" blk-read 0 0x1
expect 2 "blk-write: LBA '0x10': want a decimal block number" -- \
	--blk "$work/disk.img" blk-write 0x10 "$work/data4k"
expect 2 "^virtsim: --disk '0x1': want a decimal disk number below [0-9]+ \(no 0x; 010 is 10\)$" -- \
	--blk "$work/disk.img" blk-read 0 1 --disk 0x1
expect 2 "^virtsim: --seed '0x10': want a decimal number \(no 0x; 010 is 10\)$" -- --seed 0x10 probe
if "$virtsim" --blk "$work/disk.img" blk-read 010 1 >"$work/read" 2>/dev/null &&
   dd if="$work/disk.img" bs=512 skip=10 count=1 2>/dev/null | cmp -s - "$work/read"
then ok; else ko "blk-read 010 is not LBA 10"; fi
expect 2 "^virtsim: --trace '': want a comma list of categories, or 'all' \(see --help\)$" -- \
	--trace '' probe
one_line "--trace ''"
# One dash: a negative number is not an option; -blk is --blk misspelt.
expect 2 "^virtsim: '-1' is not an option \(numbers are decimal, from 0: no negative numbers\)$" -- \
	--blk "$work/disk.img" blk-read -1 1
one_line "blk-read -1"
expect 2 "^virtsim: '-blk': did you mean '--blk'\?$" -- -blk "$work/disk.img" probe
one_line "-blk"
expect 2 "'-trace=mmio': did you mean '--trace=mmio'\?" -- -trace=mmio probe
expect 2 "unknown option '-x'" -- -x probe

# serial= fits GET_ID's 20 bytes; readonly=on|off as well as ro.
expect 2 "serial=123456789012345678901: at most 20 bytes \(GET_ID\), not 21$" -- \
	--blk "$work/disk.img,serial=123456789012345678901" probe
one_line "serial too long"
expect 0 'blk0 +1 MiB \(2048 blocks\) ro$' -- \
	--blk "$work/disk.img,serial=12345678901234567890,readonly=on" probe
expect 0 'blk0 +1 MiB \(2048 blocks\)$' -- --blk "$work/disk.img,readonly=off" probe
expect 2 "readonly=yes: want on or off$" -- --blk "$work/disk.img,readonly=yes" probe
one_line "readonly=yes"
# --CLASS help: the class's sub-options, exit 0.
expect 0 '^  serial=ID' -- --blk help
grep -q '^  transport=mmio' "$work/out" && ok || ko "--blk help: no common options"
for class in net gpu; do
	if "$virtsim" --help | grep -q -- "--$class .*left out of this build"; then
		expect 2 "built without" -- --$class help
	else
		expect 0 "^--$class ARG\[,OPT...\]: a virtio-$class device" -- --$class help
	fi
done

expect 2 "version= is for MMIO" -- --blk "$work/disk.img,transport=pci,version=1" probe

# blk_size=4096 (QEMU's logical_block_size=4096): LBA and COUNT are in
# 4096-byte blocks, probe says so, I/O is byte-exact, and what is not
# whole blocks is refused before anything is sent, the image unchanged.
cp "$work/orig.img" "$work/disk4k.img"
expect 0 'blk0 +1 MiB \(256 4096-byte blocks\) ro$' -- \
	--blk "$work/disk4k.img,ro,blk_size=4096" --blk "$work/disk4k.img,ro,transport=pci,blk_size=4096" probe
grep -qE '^00:01\.0 .* blk1 +1 MiB \(256 4096-byte blocks\) ro$' "$work/out" &&
	ok || ko "probe: PCI disk of 4096-byte blocks"
if "$virtsim" --blk "$work/disk4k.img,blk_size=4096" blk-read 3 2 >"$work/read" 2>/dev/null &&
   dd if="$work/disk4k.img" bs=4096 skip=3 count=2 2>/dev/null | cmp -s - "$work/read"
then ok; else ko "blk-read 3 2 on 4096-byte blocks"; fi
if "$virtsim" --blk "$work/disk4k.img,blk_size=4096,transport=pci" blk-write 7 "$work/data4k" \
	>/dev/null 2>"$work/err" &&
   dd if="$work/disk4k.img" bs=4096 skip=7 count=1 2>/dev/null | cmp -s - "$work/data4k" &&
   cmp -s -n 28672 "$work/disk4k.img" "$work/orig.img"
then ok; else ko "blk-write 7 on 4096-byte blocks"; cat "$work/err"; fi
sum4=$(cksum <"$work/disk4k.img")
head -c 1024 /dev/urandom >"$work/data1k"
expect 2 "^virtsim: blk-write FILE '$work/data1k': size 1024 is not a non-zero multiple of 4096 bytes \(the disk's block size\)$" -- \
	--blk "$work/disk4k.img,blk_size=4096" blk-write 0 "$work/data1k"
one_line "blk-write 1 KiB on 4096-byte blocks"
expect 2 '^virtsim: LBA 255 \+ 2 4096-byte blocks is past the end of blk0 \(256 4096-byte blocks, 1 MiB\)$' -- \
	--blk "$work/disk4k.img,blk_size=4096" blk-read 255 2
one_line "blk-read past the end of 4096-byte blocks"
check "refused 4096-byte block I/O changed the image" [ "$(cksum <"$work/disk4k.img")" = "$sum4" ]
expect 0 'selftest passed: 2 devices' -- \
	--blk scratch:1M,blk_size=4096 --blk "scratch:1M,blk_size=65536,transport=pci" selftest
grep -q '^blk0: 256 single-block reads' "$work/out" && ok || ko "selftest: 4096-byte block reads"
expect 2 'blk_size=1000: want a power of 2 from 512 to 65536$' -- \
	--blk "$work/disk.img,blk_size=1000" probe
one_line "blk_size=1000"
expect 2 'blk_size=131072: want a power of 2 from 512 to 65536$' -- \
	--blk "$work/disk.img,blk_size=131072" probe
head -c 6144 /dev/urandom >"$work/six.img"
expect 2 "^virtsim: $work/six.img: size 6144 is not a multiple of blk_size=4096$" -- \
	--blk "$work/six.img,blk_size=4096" probe
one_line "6 KiB image, blk_size=4096"
expect 2 '^virtsim: blk0: scratch size 6144 is not a multiple of blk_size=4096$' -- \
	--blk scratch:6K,blk_size=4096 probe
one_line "6 KiB scratch, blk_size=4096"

# access_platform=on (QEMU's iommu_platform=on): the driver accepts
# ACCESS_PLATFORM, on MMIO v2 and PCI; a legacy device cannot offer it.
expect 0 'selftest passed: 2 devices' -- --blk scratch:1M,access_platform=on \
	--blk scratch:1M,access_platform=on,transport=pci selftest
expect 0 'blk0 +1 MiB \(2048 blocks\)$' -- --blk "$work/disk.img,access_platform=off" probe
expect 2 'access_platform=yes: want on or off$' -- --blk "$work/disk.img,access_platform=yes" probe
one_line "access_platform=yes"
expect 2 '^virtsim: blk0: access_platform=on needs a modern device \(version=2 or transport=pci\), not legacy version=1$' -- \
	--blk "$work/disk.img,access_platform=on,version=1" probe
one_line "access_platform=on on legacy"
expect 0 '^  blk_size=N' -- --blk help
grep -q '^  access_platform=on' "$work/out" && ok || ko "--blk help: no access_platform"

# probe: the device tables of a mixed machine, both MMIO versions and PCI.
cp "$work/disk.img" "$work/disk2.img"
expect 0 'virtio-blk +blk0 +1 MiB \(2048 blocks\)$' -- --blk "$work/disk.img" \
	--blk "$work/orig.img,ro,version=1" --blk "$work/disk2.img,transport=pci,ro" probe
grep -qE '^ +1  0x0a000200  v1 .* blk1 +1 MiB \(2048 blocks\) ro$' "$work/out" &&
	ok || ko "probe: slot 1 is not the v1 ro disk 1"
grep -qE '^00:00\.0  1b36:0008 +06\.00\.00  none +host bridge' "$work/out" &&
	ok || ko "probe: no host bridge at 00:00.0"
grep -qE '^00:01\.0  1af4:1042 +01\.00\.00  Block +virtio-blk +blk2 +1 MiB' "$work/out" &&
	ok || ko "probe: disk 2 is not at 00:01.0"
grep -qE '^ +BAR4 0x1[0-9a-f]{7} 16 KiB mem64 prefetchable$' "$work/out" &&
	ok || ko "probe: no 64-bit BAR4 for 00:01.0"

# blk-read is byte-exact against the image, on every transport.
for v in version=1 version=2 transport=pci; do
	if "$virtsim" --blk "$work/disk.img,$v" blk-read 8 16 \
		>"$work/read" 2>"$work/err" &&
	   dd if="$work/disk.img" bs=512 skip=8 count=16 2>/dev/null |
		cmp -s - "$work/read"; then ok; else ko "blk-read v$v"; cat "$work/err"; fi
done

# blk-read --out FILE: the same bytes to FILE; - is stdout; a range past
# the end leaves FILE as it was.
if "$virtsim" --blk "$work/disk.img" blk-read 8 16 --out "$work/outfile" \
	>/dev/null 2>"$work/err" &&
   dd if="$work/disk.img" bs=512 skip=8 count=16 2>/dev/null |
	cmp -s - "$work/outfile"; then ok; else ko "blk-read --out FILE"; cat "$work/err"; fi
if "$virtsim" --blk "$work/disk.img" blk-read 8 16 --out - 2>/dev/null |
	cmp -s - "$work/outfile"; then ok; else ko "blk-read --out -"; fi
sum0=$(cksum <"$work/outfile")
expect 2 'LBA 2040 \+ 16 sectors is past the end of blk0' -- \
	--blk "$work/disk.img" blk-read 2040 16 --out "$work/outfile"
check "blk-read past the end touched --out" [ "$(cksum <"$work/outfile")" = "$sum0" ]
expect 2 "^virtsim: blk-read --out '/nonexistent/x': No such file" -- \
	--blk "$work/disk.img" blk-read 0 1 --out /nonexistent/x

# blk-write lands in the image at the right place and nowhere else; the
# disk is picked by --disk among disks on both transports.
for v in version=1 version=2 transport=pci; do
	cp "$work/orig.img" "$work/disk.img"
	if "$virtsim" --poll --blk "$work/orig.img,ro" --blk "$work/disk.img,$v" \
		blk-write 100 "$work/data4k" --disk 1 2>"$work/err" &&
	   dd if="$work/disk.img" bs=512 skip=100 count=8 2>/dev/null |
		cmp -s - "$work/data4k" &&
	   cmp -s -n 51200 "$work/disk.img" "$work/orig.img"; then ok
	else ko "blk-write v$v"; cat "$work/err"; fi
done

# A failing driver operation names the VirtIO and the device error; a
# write to a read-only disk says so as well.
sum0=$(cksum <"$work/orig.img")
expect 1 '^virtsim: blk0 is read-only \(ro\): write failed: IoError -> Io$' -- \
	--blk "$work/orig.img,ro" blk-write 0 "$work/data4k"
one_line "ro write"
expect 1 'blk0 is read-only \(ro\): write failed: IoError -> Io' -- \
	--blk "$work/orig.img,ro,transport=pci" blk-write 0 "$work/data4k"
check "ro writes changed the image" [ "$(cksum <"$work/orig.img")" = "$sum0" ]
# --help fits an 80-column terminal.
"$virtsim" --help >"$work/help"
check "--help lines fit 80 columns" sh -c "! awk 'length > 80' '$work/help' | grep -q ."

# A progress line on long runs, only when stderr is a terminal (script(1)
# gives the run one), never in a log; it is cleared before the results.
esc=$(printf '\033')
script -qec "$virtsim --blk scratch:128M" /dev/null >"$work/tty" 2>&1
check "a terminal gets a progress line" grep -qE "blk0: [a-z ]+ [0-9]+%" "$work/tty"
check "the results follow a cleared line" grep -qE "$esc\[K(\r)?blk0: (wrote|read)" "$work/tty"
"$virtsim" --blk scratch:128M >"$work/out" 2>&1
check "a log gets no progress line" sh -c "! grep -qE '$esc|[0-9]+%' '$work/out'"

# An image is shared only between read-only disks: the same image twice
# is refused unless ro both times, and an image another process holds
# (flock, as another virtsim would) is refused for writing; neither
# changes the image.
cp "$work/orig.img" "$work/disk.img"
sum0=$(cksum <"$work/disk.img")
for pair in ",ro ," ", ,ro" ", ,"; do
	a=${pair% *} b=${pair#* }
	expect 2 "^virtsim: $work/disk.img: already another disk's image: disks share an image only when all are read-only \\(ro\\)\$" -- \
		--blk "$work/disk.img$a" --blk "$work/disk.img$b,transport=pci" \
		blk-write 0 "$work/data4k"
	one_line "same image twice ($a$b)"
done
expect 0 'selftest passed: 2 devices' -- --blk "$work/disk.img,ro" \
	--blk "$work/disk.img,readonly=on,transport=pci"
# A hard link is the same image under another name.
ln "$work/disk.img" "$work/link.img"
expect 2 "link.img: already another disk's image" -- \
	--blk "$work/disk.img,ro" --blk "$work/link.img" probe
exec 9<"$work/disk.img"
flock -x 9
expect 2 "^virtsim: $work/disk.img: locked by another process \\(another virtsim\\?\\): a writable disk needs the image alone\$" -- \
	--blk "$work/disk.img" blk-write 0 "$work/data4k"
one_line "locked image"
expect 2 "^virtsim: $work/disk.img: locked by another process that may be writing it\$" -- \
	--blk "$work/disk.img,ro" probe
flock -u 9
flock -s 9
expect 0 'selftest passed: 1 device' -- --blk "$work/disk.img,ro"
exec 9<&-
check "refused disks changed the image" [ "$(cksum <"$work/disk.img")" = "$sum0" ]
# A range past the end is refused before the first request: nothing is
# read or written.
cp "$work/orig.img" "$work/disk.img"
sum0=$(cksum <"$work/disk.img")
expect 2 '^virtsim: LBA 1 \+ 2048 sectors is past the end of blk0 \(2048 sectors, 1 MiB\)$' -- \
	--blk "$work/disk.img" blk-write 1 "$work/data1m"
one_line "blk-write past the end"
check "blk-write past the end changed the image" [ "$(cksum <"$work/disk.img")" = "$sum0" ]
expect 2 'LBA 2048 \+ 1 sector is past the end of blk0 \(2048 sectors, 1 MiB\)$' -- \
	--blk "$work/disk.img" blk-read 2048 1
one_line "blk-read past the end"
"$virtsim" --blk "$work/disk.img" blk-read 1 2048 >"$work/read" 2>/dev/null
check "blk-read past the end printed data" [ ! -s "$work/read" ]

# Tracing: mmio, vq and irq events go to --trace-file.
expect 0 '' -- --blk "$work/disk.img" --trace mmio,vq,irq \
	--trace-file "$work/trace" blk-read 0 1
for cat in mmio vq irq; do
	grep -qE "^[0-9]+ [0-9]+\.[0-9]{3}us $cat +" "$work/trace" && ok ||
		ko "trace has no $cat lines"
done

# Execution modes: deferred runs are a function of the seed. The trace
# hash of the same seed and mode repeats; another seed moves it.
expect 2 "--mode 'later': want sync, deferred or thread" -- --mode later probe
hash_of() {
	"$virtsim" "$@" 2>/dev/null | sed -n 's/^trace hash: \([0-9a-f]*\).*/\1/p'
}
h1=$(hash_of --mode deferred --seed 7 --blk "$work/disk.img" selftest)
h2=$(hash_of --mode deferred --seed 7 --blk "$work/disk.img" selftest)
h3=$(hash_of --mode deferred --seed 8 --blk "$work/disk.img" selftest)
if [ -n "$h1" ] && [ "$h1" = "$h2" ] && [ "$h1" != "$h3" ]; then ok
else ko "deferred trace hashes: seed 7 $h1 and $h2, seed 8 $h3"; fi
expect 0 'selftest passed: 1 device' -- --mode deferred --poll --blk "$work/disk.img,transport=pci" selftest
# --trace sched: what completed when, in virtual time.
expect 0 '' -- --mode deferred --blk "$work/disk.img" --trace sched \
	--trace-file "$work/sched" blk-read 0 8
grep -qE '^[0-9]+ [0-9]+\.[0-9]{3}us sched virtio-blk#0 q0 complete head=[0-9]+ len=4097$' \
	"$work/sched" && ok || ko "--trace sched shows no completion in virtual time"

# Thread mode: each blk device on a host thread of its own, byte-exact
# on every transport, with interrupts and polling; no fault injection.
for v in version=1 version=2 transport=pci; do
	if "$virtsim" --mode thread --blk "$work/disk.img,$v" blk-read 8 16 \
		>"$work/read" 2>"$work/err" &&
	   dd if="$work/disk.img" bs=512 skip=8 count=16 2>/dev/null |
		cmp -s - "$work/read"; then ok; else ko "thread: blk-read $v"; cat "$work/err"; fi
done
cp "$work/orig.img" "$work/thread.img"
for v in version=1 transport=pci; do
	if "$virtsim" --mode thread --blk "$work/thread.img,$v" blk-write 9 \
		"$work/data4k" >/dev/null 2>"$work/err" &&
	   dd if="$work/thread.img" bs=512 skip=9 count=8 2>/dev/null |
		cmp -s - "$work/data4k"; then ok; else ko "thread: blk-write $v"; cat "$work/err"; fi
done
for poll in "" --poll; do
	expect 0 'selftest passed: 3 devices' -- --mode thread $poll \
		--blk scratch:1M --blk scratch:1M,version=1 \
		--blk scratch:1M,transport=pci,blk_size=4096 selftest
done
grep -q '^virtsim .*, thread mode, ' "$work/out" && ok || ko "thread: no mode in the banner"
expect 0 'selftest passed: 3 devices' -- --mode thread selftest
grep -qE '^trace hash: [0-9a-f]+ \([0-9]+ events\)$' "$work/out" &&
	ok || ko "thread: no trace hash"
expect 0 '' -- --mode thread --blk "$work/disk.img" --trace sched \
	--trace-file "$work/sched" blk-read 0 8
grep -qE '^[0-9]+ sched virtio-blk#0 q0 complete head=[0-9]+ len=4097$' \
	"$work/sched" && ok || ko "thread: --trace sched shows no completion"
expect 2 '^virtsim: --mode thread: no fault injection' -- --mode thread \
	--fault blk-ioerr --blk "$work/disk.img" probe
one_line "thread mode with --fault"
expect 2 '^virtsim: --mode thread: no fault injection' -- --mode thread faults

# Scratch images are unlinked as soon as they are open: none is left
# behind, even by a run that is killed.
mkdir "$work/tmp"
TMPDIR="$work/tmp" "$virtsim" --mode deferred >/dev/null 2>&1 &
pid=$!
sleep 0.05
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
TMPDIR="$work/tmp" "$virtsim" --blk scratch:1M,ro >/dev/null 2>&1 &&
	[ -z "$(ls -A "$work/tmp")" ] && ok || ko "scratch images left in \$TMPDIR"

# null:SIZE: a disk that does no I/O. Reads are zeros, writes are
# dropped; a bad size is one line and exit 2.
for size in 0 1x 1000 -1 ""; do
	expect 2 "null:$size: want a size, a multiple of 512 bytes, e.g. null:1G" -- \
		--blk "null:$size" probe
	one_line "null:$size"
done
expect 0 'blk0 +1024 MiB \(2097152 blocks\) null$' -- --blk null:1G probe
expect 0 'blk0 +1 MiB \(2048 blocks\) null ro$' -- --blk null:1M,ro probe
if "$virtsim" --blk null:64K blk-write 3 "$work/data4k" >/dev/null 2>&1 &&
   "$virtsim" --blk null:64K blk-read 3 8 2>/dev/null >"$work/read" &&
   head -c 4096 /dev/zero | cmp -s - "$work/read"
then ok; else ko "null: a write is not dropped, or a read is not zeros"; fi
expect 2 'past the end of blk0 \(128 sectors' -- --blk null:64K blk-read 127 2
expect 1 'blk0: read failed: IoError -> Io' -- --blk null:1M \
	--fault blk-read-err,count=1 blk-read 0 1
expect 0 'blk0: null disk: read 1 MiB of zeros in .*nothing written' -- \
	--blk null:1M selftest
expect 0 'selftest passed: 1 device' -- --mode deferred --blk null:1M,transport=pci selftest

# Faults: the list, the grammar, plan files, the end-of-run report.
expect 0 'hal-dma-alloc +HAL: a DMA allocation fails' -- --fault help
n=$("$virtsim" --fault help | grep -c '^  [a-z]')
check "--fault help lists every point ($n)" [ "$n" -ge 28 ]
expect 2 "--fault: unknown fault point 'nope' \(see --fault help\)" -- --fault nope probe
one_line "--fault nope"
expect 2 "--fault: blk-ioerr: bad 'prob=2'" -- --fault blk-ioerr,prob=2 probe
cat >"$work/plan" <<'PLAN'
# a plan: one point per line
hal-dma-alloc,after=2,count=1   # the third allocation fails

PLAN
expect 1 'fault hal-dma-alloc: [0-9]+ hits, 1 fired' -- --blk scratch:1M \
	--fault-plan "$work/plan" probe
echo 'blk-ioerr,count=x' >"$work/badplan"
expect 2 "badplan:1: blk-ioerr: bad 'count=x'" -- --fault-plan "$work/badplan" probe
expect 2 'fault-plan /nonexistent: No such file' -- --fault-plan /nonexistent probe
# A device's point under a workload: the driver's error, as the device's.
expect 1 'blk0: read failed: IoError -> Io' -- --blk scratch:1M \
	--fault blk-read-err,count=1 blk-read 0 1
expect 1 'fault blk-read-err: 1 hit, 1 fired' -- --blk scratch:1M \
	--fault blk-read-err,count=1 blk-read 0 1

# The fault campaign: every row passes on every transport, as text and
# as JSON (parsed by Python).
expect 0 'faults: [0-9]+ rows, [0-9]+ passed, 0 failed' -- faults
"$virtsim" faults --json 2>/dev/null >"$work/faults.json"
python3 - "$work/faults.json" <<'PY' && ok || ko "faults --json"
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["rows"]
assert rows and d["failed"] == 0 and d["passed"] == len(rows) + 1
assert d["default_row"] == "PASS"
assert all(r["result"] == "PASS" and r["recovered"] and r["clean"] for r in rows)
assert {"MMIO v1", "MMIO v2", "PCI"} <= {r["transport"] for r in rows}
PY

# The default job: three disks, three NICs and two GPUs, less the classes
# left out of this build.
n=0
for class in blk:3 net:3 gpu:2; do
	"$virtsim" --help | grep -q -- "--${class%%:*} .*left out of this build" ||
		n=$((n + ${class#*:}))
done
if [ "$n" -eq 0 ]; then
	expect 0 'selftest passed: no devices to test' --
else
	expect 0 "selftest passed: $n devices" --
fi
expect 0 'selftest passed' -- --poll --seed 7 --mem 16M

finish cli
