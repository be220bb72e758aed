#!/bin/sh
# SPDX-License-Identifier: MIT
# The GPU end to end from the command line: bad sizes and options get one
# clear message and exit status 2; probe reports the resolution on MMIO
# and PCI; gpu-demo headless writes a PNG that Python's zlib and struct
# decode to the pattern the guest drew; the selftest checks a GPU; under
# Xvfb the SDL window exists at the right size and a dump of it (xwd) is
# the scanout; and SDL's dummy video driver runs the demo.
set -u
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
. "$(dirname "$0")/cli_lib.sh"
trap 'rm -rf "$work"' EXIT
image="python3 ${top_srcdir:-.}/tests/gpu_image.py"

# Bad input: one line, exit 2, before anything runs.
for size in 0x0 0x480 640x0 9000x480 640x8193 640 640x x480 axb 640x480x2 \
	-640x480 " 640x480" 640x480y 00000000640x480; do
	expect 2 "bad size '.*': want WIDTHxHEIGHT" -- --gpu "$size" probe
	one_line "size '$size'"
done
expect 2 'display=tv: want sdl, headless or auto' -- --gpu 640x480,display=tv probe
expect 2 '^virtsim: gpu: not in --mode thread \(only blk models run on host threads\)$' -- \
	--mode thread --gpu 640x480,display=headless probe
one_line "display"
expect 2 'edid=maybe: want on or off' -- --gpu 640x480,edid=maybe probe
expect 2 'scanouts=17: want 1 to 16' -- --gpu 640x480,scanouts=17 probe
expect 2 'budget=1K: want a size from 1M to 4G' -- --gpu 640x480,budget=1K probe
expect 2 'queue_size=3: want a power of 2' -- --gpu 640x480,queue_size=3 probe
expect 2 "unknown option 'colour=red'" -- --gpu 640x480,colour=red probe
expect 2 'gpu-demo needs a virtio-gpu: give one with --gpu' -- gpu-demo
one_line "gpu-demo without a gpu"
expect 2 "--frames '0': want a number above 0" -- --gpu 64x64 gpu-demo --frames 0
expect 2 '--screenshot goes with gpu-demo' -- --gpu 64x64 probe --screenshot x.png

# probe: the Display row and the resolution, over MMIO and PCI.
expect 0 'virtio-gpu +gpu0 +640x480, 1 scanout, headless' -- \
	--gpu 640x480,display=headless probe
expect 0 'virtio-gpu +gpu0 +800x600, 1 scanout, edid, headless' -- \
	--gpu 800x600,display=headless,edid=on,transport=pci probe
expect 0 'Display' -- --gpu 320x200,display=headless,version=1 probe

# auto without a display: headless, and it says so.
expect 0 'display: headless' -- --gpu 64x48,display=auto gpu-demo --frames 2 \
	</dev/null
DISPLAY= SDL_VIDEODRIVER= "$virtsim" --gpu 64x48 probe >"$work/out" 2>&1
check "auto without DISPLAY says headless" grep -q '^display: headless' "$work/out"

# gpu-demo headless: the summary, and the PNG decoded by Python.
expect 0 'gpu0: 30 frames, 30 flushes, .* frames/s' -- \
	--gpu 640x480,display=headless gpu-demo --frames 30 \
	--screenshot "$work/demo.png"
check "the demo's PNG is the pattern of frame 29" \
	$image --check-pattern 29 "$work/demo.png" 640 480
expect 0 'gpu0: 3 frames' -- --mode deferred --gpu 160x120,display=headless,transport=pci \
	gpu-demo --frames 3 --screenshot "$work/deferred.png"
check "deferred mode, PCI: the pattern of frame 2" \
	$image --check-pattern 2 "$work/deferred.png" 160 120
expect 2 'gpu-demo: .*/nonexistent/x.png' -- --gpu 64x64,display=headless \
	gpu-demo --frames 1 --screenshot /nonexistent/x.png

# The selftest checks a GPU it is given.
expect 0 'gpu0: 320x240 \(EDID\): full and 64x64 flushes, cursor, resize' -- \
	--gpu 320x240,display=headless,edid=on selftest
expect 0 'selftest passed: 1 device' -- --gpu 320x240,display=headless,transport=pci selftest

# SDL's dummy video driver: a window nobody sees, the demo runs.
SDL_VIDEODRIVER=dummy "$virtsim" --gpu 320x240 gpu-demo --frames 5 >"$work/out" 2>&1
check "SDL dummy: exit 0" [ $? -eq 0 ]
check "SDL dummy: auto chose sdl" grep -q '^display: sdl (video driver dummy)' "$work/out"
check "SDL dummy: 5 frames" grep -q 'gpu0: 5 frames' "$work/out"

# Xvfb: the window is there at its size, and shows the headless pixels.
if command -v xvfb-run >/dev/null && command -v xwd >/dev/null &&
	command -v xwininfo >/dev/null; then
	# SDL on x11 loads Mesa's swrast and leaves libdbus up: leaks of
	# theirs LeakSanitizer cannot name (see test_display_x11.c).
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	xvfb-run -a -s "-screen 0 1024x768x24" sh -c '
		"$1" --gpu 320x240,display=sdl gpu-demo --frames 20 --hold 10 \
			--screenshot "$2/sdl.png" >"$2/x.out" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			grep -q "holding the last frame" "$2/x.out" && break
			sleep 0.1
		done
		sleep 0.3
		xwininfo -name virtsim >"$2/xwininfo" 2>&1
		xwd -name virtsim -silent >"$2/window.xwd" 2>>"$2/x.out"
		kill -TERM $pid
		wait $pid
	' sh "$virtsim" "$work"
	check "Xvfb: the demo ran and held" grep -q 'holding the last frame' "$work/x.out"
	check "Xvfb: a window named virtsim of 320x240" \
		grep -qE 'Width: 320' "$work/xwininfo"
	check "Xvfb: height 240" grep -qE 'Height: 240' "$work/xwininfo"
	cursor=$(sed -n 's/.*cursor at \([0-9]*\),\([0-9]*\).*/\1 \2/p' "$work/x.out")
	check "Xvfb: the window shows its scanout (cursor aside)" \
		$image --compare "$work/window.xwd" "$work/sdl.png" --except-cursor $cursor
	check "Xvfb: ... which is what headless shows for frame 19" \
		$image --check-pattern 19 "$work/window.xwd" 320 240 --except-cursor $cursor
	# A user's resize reaches the guest: the device announces the new
	# size (config interrupt, EVENT_DISPLAY) and the demo follows it.
	if command -v xdotool >/dev/null; then
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		xvfb-run -a -s "-screen 0 1024x768x24" sh -c '
			"$1" --gpu 320x240,display=sdl gpu-demo --frames 1200 \
				>"$2/resize.out" 2>&1 &
			pid=$!
			xdotool search --sync --name "^virtsim\$" windowsize 400 300
			for _ in $(seq 100); do
				grep -q "display is now" "$2/resize.out" && break
				sleep 0.1
			done
			xwininfo -name virtsim >"$2/xwininfo" 2>&1
			kill -TERM $pid
			wait $pid
			echo "exit $?" >>"$2/resize.out"
		' sh "$virtsim" "$work"
		check "Xvfb resize: the guest changed to 400x300" \
			grep -q 'gpu0: the display is now 400x300' "$work/resize.out"
		check "Xvfb resize: the window kept the user's size" \
			grep -qE 'Width: 400' "$work/xwininfo"
		check "Xvfb resize: SIGTERM ends the run with a summary" \
			grep -q 'frames/s (stopped by a signal)' "$work/resize.out"
		check "Xvfb resize: exit 0" grep -q '^exit 0$' "$work/resize.out"
	else
		echo "SKIP: the resize check (no xdotool)"
	fi
else
	echo "SKIP: the Xvfb checks (no xvfb-run, xwd or xwininfo)"
fi

finish cli_gpu
