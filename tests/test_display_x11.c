/* SPDX-License-Identifier: MIT */
/*
 * The SDL display on a real X server: under an Xvfb of its own (skipped
 * without Xvfb, xwd or ImageMagick's convert), display_create(AUTO)
 * must pick SDL on x11, and the window named "virtsim", grabbed with
 * xwd and converted by ImageMagick, must show the scanout's pixels and
 * the cursor exactly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices/gpu/display.h"
#include "drivers/wire/virtio_gpu.h"

#define SKIP 77
#define W 96
#define H 64

/*
 * LeakSanitizer off for this program only: on x11, SDL 2.26 makes every
 * window an OpenGL one (Mesa's swrast, dlopen'd and unloaded again, so
 * its leaks cannot even be named for a suppression) and never shuts
 * libdbus down. Our own code is leak-checked on SDL's dummy driver in
 * test_display.
 */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return 1;
}

static pid_t xvfb = -1;

static void stop_xvfb(void)
{
	if (xvfb > 0) {
		kill(xvfb, SIGTERM);
		waitpid(xvfb, NULL, 0);
		xvfb = -1;
	}
}

static void fail(const char *what)
{
	fprintf(stderr, "test_display_x11: %s\n", what);
	exit(EXIT_FAILURE);
}

/* Each pixel's colour from its position: R = x * 2, G = y * 3, B = x ^ y. */
static void expected_rgb(uint8_t *rgb, unsigned x, unsigned y)
{
	rgb[0] = (uint8_t)(x * 2);
	rgb[1] = (uint8_t)(y * 3);
	rgb[2] = (uint8_t)(x ^ y);
	/* The cursor: opaque green 8x8 at (40, 20) - hot spot (4, 4). */
	if (x >= 36 && x < 44 && y >= 16 && y < 24) {
		rgb[0] = 0;
		rgb[1] = 0xff;
		rgb[2] = 0;
	}
}

/* The window as xwd sees it, as RGB; false if it is not there yet. */
static bool grab(uint8_t *rgb, size_t len)
{
	FILE *p = popen("xwd -name virtsim -silent 2>/dev/null | "
			"convert xwd:- -depth 8 rgb:- 2>/dev/null",
			"r");
	size_t got;

	if (!p)
		fail("popen xwd");
	got = fread(rgb, 1, len, p);
	return pclose(p) == 0 && got == len;
}

static void serve(struct evloop *loop, int ms)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_nsec += (long)ms * 1000000;
	end.tv_sec += end.tv_nsec / 1000000000;
	end.tv_nsec %= 1000000000;
	do {
		evloop_step(loop, 10);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
}

/*
 * An X server of our own on a display it picks (-displayfd), not
 * xvfb-run -a: that one races others starting at the same time and can
 * hand two of them the same display number.
 */
static void start_xvfb(void)
{
	char display[32] = ":", fdarg[16];
	int fds[2];
	size_t len = 1;

	if (pipe(fds) < 0)
		fail("pipe");
	snprintf(fdarg, sizeof(fdarg), "%d", fds[1]);
	xvfb = fork();
	if (xvfb < 0)
		fail("fork");
	if (xvfb == 0) {
		close(fds[0]);
		/* Gone with us, even if we crash. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("Xvfb", "Xvfb", "-displayfd", fdarg, "-screen", "0",
		       "640x480x24", "-nolisten", "tcp", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	atexit(stop_xvfb);
	/* Xvfb writes the display number and a newline once it listens. */
	while (len < sizeof(display) - 1 &&
	       read(fds[0], display + len, 1) == 1 && display[len] != '\n')
		len++;
	close(fds[0]);
	display[len] = '\0';
	if (len < 2)
		fail("Xvfb did not start");
	setenv("DISPLAY", display, 1);
}

int main(void)
{
	static uint8_t cursor[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE * 4];
	static uint8_t src[W * H * 4], want[W * H * 3], got[W * H * 3];
	struct evloop loop;
	struct sim_env env;
	struct display *d;
	char err[256];
	bool same = false;

	if (system("command -v Xvfb >/dev/null && "
		   "command -v xwd >/dev/null && "
		   "command -v convert >/dev/null") != 0) {
		fprintf(stderr, "test_display_x11: no Xvfb, xwd or convert: "
				"skipped\n");
		return SKIP;
	}
	start_xvfb();
	/* Deterministic pixels: the software renderer, no GL. */
	setenv("SDL_RENDER_DRIVER", "software", 1);
	unsetenv("SDL_VIDEODRIVER");
	evloop_init(&loop);
	env = (struct sim_env){.loop = &loop};
	d = display_create(DISPLAY_AUTO, &env, W, H, err, sizeof(err));
	if (!d)
		fail(err);
	if (strcmp(d->ops->name, "sdl") != 0)
		fail("display=auto under Xvfb did not pick sdl");
	if (display_set_mode(d, true, W, H) != 0)
		fail("set_mode");
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++) {
			uint8_t *p = src + (y * W + x) * 4;

			/* R8G8B8A8: bytes R, G, B, A. */
			p[0] = (uint8_t)(x * 2);
			p[1] = (uint8_t)(y * 3);
			p[2] = (uint8_t)(x ^ y);
			p[3] = 0xff;
			expected_rgb(want + (y * W + x) * 3, x, y);
		}
	for (unsigned y = 0; y < 8; y++)
		for (unsigned x = 0; x < 8; x++)
			memcpy(cursor + (y * DISPLAY_CURSOR_SIZE + x) * 4,
			       (const uint8_t[]){0, 0xff, 0, 0xff}, 4);
	display_update(d, 0, 0, W, H, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, src,
		       W * 4);
	display_cursor_image(d, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, cursor, 4, 4);
	display_cursor_move(d, 40, 20);
	/* The server maps the window and exposes it in its own time. */
	for (int tries = 0; tries < 40 && !same; tries++) {
		serve(&loop, 50);
		same =
		    grab(got, sizeof(got)) && !memcmp(got, want, sizeof(got));
	}
	if (!same) {
		for (size_t i = 0; i < sizeof(got); i++)
			if (got[i] != want[i]) {
				fprintf(stderr,
					"test_display_x11: pixel (%zu, %zu) "
					"channel %zu is %u, want %u\n",
					i / 3 % W, i / 3 / W, i % 3, got[i],
					want[i]);
				break;
			}
		fail("the window does not show the scanout");
	}
	display_destroy(d);
	evloop_destroy(&loop);
	stop_xvfb();
	printf("test_display_x11: the window shows the scanout and cursor "
	       "exactly\n");
	return EXIT_SUCCESS;
}
