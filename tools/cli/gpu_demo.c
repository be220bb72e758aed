/* SPDX-License-Identifier: MIT */
/*
 * gpu_demo.c - the gpu-demo workload: the guest animates the test
 * pattern on GPU 0 through the display device, with the frame number and
 * flush rate in its text line and a hardware cursor that moves, and
 * follows the display when the device announces a new size (a window
 * resize). It ends after --frames N, when the window closes, or at
 * SIGINT/SIGTERM, with a summary; --screenshot FILE writes the scanout
 * as a PNG at the end, and --hold S keeps the last frame up S seconds
 * more (for a look, or a screenshot of the window to compare).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drivers/adapter/display_device.h"
#include "sim/evloop.h"
#include "tools/cli/workload.h"
#include "tools/vm/gpu_class.h"
#include "tools/vm/gpu_pattern.h"
#include "tools/vm/guest.h"

#define DEMO_HEADLESS_FRAMES 60
#define DEMO_WINDOW_FPS 60 /* a window is paced so the motion can be seen */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sleep until @next_ms on the wall clock (guest_now_ms's). */
static void sleep_until(double next_ms)
{
	double left = next_ms - guest_now_ms();
	struct timespec ts;

	if (left <= 0)
		return;
	ts.tv_sec = (time_t)(left / 1000);
	ts.tv_nsec = (long)((left - (double)ts.tv_sec * 1000) * 1e6);
	nanosleep(&ts, NULL);
}

/*
 * One frame: the whole pattern is drawn, but only what changes from
 * frame to frame (the gradient and the text, below the bars) is damaged,
 * unless the screen is new.
 */
static int draw_frame(struct virtio_gpu_display_device *gd, uint64_t frame,
		      double fps, bool whole)
{
	struct display_device *dd = virtio_gpu_display_base(gd);
	struct gpu_pattern_layout l;
	struct display_framebuffer fb;
	uint32_t x, y;
	char text[96];
	int ret;

	dd->ops->fb(dd, &fb);
	snprintf(text, sizeof(text), "FRAME %" PRIu64 "  %.1f FLUSH/S  %ux%u",
		 frame, fps, fb.width, fb.height);
	gpu_pattern_draw(fb.base, fb.width, fb.height, fb.stride, frame, text);
	gpu_pattern_layout(fb.height, &l);
	if (whole)
		dd->ops->damage(dd, 0, 0, fb.width, fb.height);
	else
		dd->ops->damage(dd, 0, l.gradient_y, fb.width,
				fb.height - l.gradient_y);
	ret = dd->ops->flush(dd);
	if (ret)
		return gpu_op_failed(gd, 0, "flush", ret);
	gpu_cursor_path(frame, fb.width, fb.height, &x, &y);
	ret = virtio_gpu_display_move_cursor(gd, x, y);
	return ret ? gpu_op_failed(gd, 0, "cursor move", ret) : 0;
}

/*
 * Keep the last frame up @seconds, serving window events (the machine
 * idles: its event loop runs), unless the window closes or a signal.
 */
static void hold(struct vm *vm, const struct display *disp, uint64_t seconds)
{
	double end = guest_now_ms() + (double)seconds * 1000;

	printf("gpu0: holding the last frame %" PRIu64 " s (cursor at %d,%d)\n",
	       seconds, disp->cursor_x, disp->cursor_y);
	fflush(stdout);
	while (guest_now_ms() < end && !stop_signal && !disp->closed)
		if (evloop_step(&vm->machine.loop, 20) == EVLOOP_IDLE)
			sleep_until(guest_now_ms() + 20);
}

static int gpu_demo_run(struct vm *vm, const struct cli_options *o,
			struct json *json)
{
	struct virtio_gpu_display_device *gd = vm_gpu(vm, 0);
	struct display *disp = vm_gpu_display(vm, 0);
	bool window = strcmp(disp->ops->name, "headless") != 0;
	uint64_t frames = o->frames ? o->frames
			  : window  ? UINT64_MAX
				    : DEMO_HEADLESS_FRAMES;
	uint64_t flushes0 = gd->flushes, bytes0 = gd->bytes_flushed;
	uint8_t cursor[GPU_CURSOR_SIZE * GPU_CURSOR_SIZE * 4];
	double t0 = guest_now_ms(), fps = 0, rate_t = t0;
	uint64_t frame = 0, rate_frame = 0;
	bool whole = true;
	char err[256];
	int ret;

	report_machine(vm, json);
	catch_stop_signals();
	gpu_cursor_image(cursor);
	ret = virtio_gpu_display_set_cursor(gd, cursor, GPU_CURSOR_HOT_X,
					    GPU_CURSOR_HOT_Y);
	if (ret)
		return gpu_op_failed(gd, 0, "cursor", ret);
	for (; frame < frames && !stop_signal && !disp->closed; frame++) {
		double now = guest_now_ms();

		ret = virtio_gpu_display_check_mode(gd);
		if (ret < 0)
			return gpu_op_failed(gd, 0, "mode change", ret);
		if (ret) {
			printf("gpu0: the display is now %ux%u\n", gd->width,
			       gd->height);
			whole = true;
		}
		/* The rate over the last half second, or since the start
		 * until there is one. */
		if (now - rate_t >= 500 || (!rate_frame && now > t0)) {
			fps = (double)(frame - rate_frame) * 1000 /
			      (now - rate_t);
			if (now - rate_t >= 500) {
				rate_t = now;
				rate_frame = frame;
			}
		}
		if (draw_frame(gd, frame, fps, whole))
			return EXIT_OP_FAILED;
		whole = false;
		if (window)
			sleep_until(t0 + (double)(frame + 1) * 1000 /
					     DEMO_WINDOW_FPS);
	}
	{
		double ms = guest_now_ms() - t0;
		uint64_t bytes = gd->bytes_flushed - bytes0;

		printf("gpu0: %" PRIu64 " frames, %" PRIu64
		       " flushes, %.1f MiB moved in %.1f ms: %.1f frames/s%s\n",
		       frame, gd->flushes - flushes0, (double)bytes / (1 << 20),
		       ms, ms > 0 ? (double)frame * 1000 / ms : 0,
		       stop_signal    ? " (stopped by a signal)"
		       : disp->closed ? " (window closed)"
				      : "");
		if (json) {
			json_stringf(json, "display", "%s %ux%u",
				     disp->ops->name, gd->width, gd->height);
			json_uint(json, "frames", frame);
			json_uint(json, "flushes", gd->flushes - flushes0);
			json_uint(json, "bytes_flushed", bytes);
			json_double(json, "ms", ms);
			json_double(json, "frames_s",
				    ms > 0 ? (double)frame * 1000 / ms : 0);
			json_string(json, "end",
				    stop_signal	   ? "signal"
				    : disp->closed ? "closed"
						   : "frames");
		}
	}
	if (o->screenshot &&
	    display_write_png(disp, o->screenshot, err, sizeof(err))) {
		fprintf(stderr, "virtsim: gpu-demo: %s\n", err);
		return EXIT_USAGE;
	}
	if (o->hold_s)
		hold(vm, disp, o->hold_s);
	return 0;
}

const struct workload gpu_demo_workload = {
    .name = "gpu-demo",
    .help = "animate a test pattern and a moving cursor on the GPU, "
	    "following resizes; --frames N, --screenshot FILE (PNG), --hold S",
    .cls = &gpu_class,
    .takes = CLI_OPT_FRAMES | CLI_OPT_SCREENSHOT | CLI_OPT_HOLD,
    .run = gpu_demo_run,
};
