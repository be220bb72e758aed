/* SPDX-License-Identifier: MIT */
/*
 * The GPU's displays (devices/gpu/display.h): every VirtIO format into
 * the shadow byte for byte, clipping, modes, the cursor; PNG screenshots
 * read back by a decoder that is not ours (png_decode.py: Python's zlib
 * and struct); and, built with SDL2, the window on SDL's dummy driver:
 * its size, what it shows, resizes reaching the listener through the
 * event loop, and closing.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/gpu/display.h"
#include "drivers/wire/virtio_gpu.h"
#include "tests/testutil.h"

#ifdef VIRTSIM_HAVE_SDL
#include <SDL.h>
#endif

/*
 * Formats by name: a VirtIO format's name lists its bytes in memory
 * order, so the expected shadow bytes follow from the name alone.
 */
static const struct {
	uint32_t format;
	const char *bytes; /* memory order, one letter per byte */
} formats[] = {
    {VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, "BGRA"},
    {VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, "BGRX"},
    {VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, "ARGB"},
    {VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, "XRGB"},
    {VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, "RGBA"},
    {VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, "XBGR"},
    {VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, "ABGR"},
    {VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, "RGBX"},
};

/* Where the name puts channel @c ('B', 'G', 'R'; 'A' finds A or X). */
static unsigned byte_of(const char *bytes, char c)
{
	for (unsigned i = 0; i < 4; i++)
		if (bytes[i] == c || (c == 'A' && bytes[i] == 'X'))
			return i;
	ck_abort_msg("no %c in %s", c, bytes);
	return 0;
}

static struct display *headless(uint32_t width, uint32_t height)
{
	struct display *d = display_headless_create();

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(display_set_mode(d, true, width, height), 0);
	return d;
}

static const uint8_t *shadow_at(const struct display *d, uint32_t x, uint32_t y)
{
	return d->shadow + ((size_t)y * d->width + x) * 4;
}

/* Headless ---------------------------------------------------------- */

START_TEST(every_format_converts_exactly)
{
	enum { W = 5, H = 3 };
	uint8_t src[W * H * 4];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		struct display *d = headless(W, H);
		const char *bytes = formats[f].bytes;

		ck_assert(display_format_known(formats[f].format));
		display_update(d, 0, 0, W, H, formats[f].format, src, W * 4);
		for (unsigned p = 0; p < W * H; p++) {
			const uint8_t *in = src + p * 4,
				      *out = d->shadow + p * 4;

			ck_assert_msg(out[0] == in[byte_of(bytes, 'B')] &&
					  out[1] == in[byte_of(bytes, 'G')] &&
					  out[2] == in[byte_of(bytes, 'R')] &&
					  out[3] == in[byte_of(bytes, 'A')],
				      "%s pixel %u", bytes, p);
		}
		display_destroy(d);
	}
}
END_TEST

START_TEST(unknown_format_is_black)
{
	struct display *d = headless(2, 1);
	uint8_t src[8];

	memset(src, 0xff, sizeof(src));
	ck_assert(!display_format_known(5));
	display_update(d, 0, 0, 2, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src, 8);
	display_update(d, 0, 0, 2, 1, 5, src, 8);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(d->shadow[i], 0);
	display_destroy(d);
}
END_TEST

/* A rectangle over the bottom-right edge: only its inside lands. */
START_TEST(rectangles_clip_at_the_edges)
{
	enum { W = 8, H = 6, STRIDE = 4 * 4 + 12 };
	struct display *d = headless(W, H);
	uint8_t src[4 * STRIDE];

	memset(src, 0xab, sizeof(src));
	display_update(d, 6, 4, 4, 4, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       STRIDE);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint8_t want = x >= 6 && y >= 4 ? 0xab : 0;

			for (unsigned b = 0; b < 4; b++)
				ck_assert_msg(shadow_at(d, x, y)[b] == want,
					      "(%u,%u)", x, y);
		}
	ck_assert_uint_eq(d->presents, 1);
	ck_assert_uint_eq(d->pixels_presented, 4);
	/* Starting outside: nothing at all, not even a present. */
	display_update(d, W, 0, 1, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       STRIDE);
	display_update(d, 0, H, 1, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       STRIDE);
	ck_assert_uint_eq(d->presents, 1);
	display_destroy(d);
}
END_TEST

/* The stride is the source's, not the width's. */
START_TEST(rows_follow_the_stride)
{
	enum { STRIDE = 40 };
	struct display *d = headless(4, 2);
	uint8_t src[2 * STRIDE] = {0};

	src[0] = 1;
	src[STRIDE] = 2;
	display_update(d, 1, 0, 2, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       STRIDE);
	ck_assert_uint_eq(shadow_at(d, 1, 0)[0], 1);
	ck_assert_uint_eq(shadow_at(d, 1, 1)[0], 2);
	display_destroy(d);
}
END_TEST

START_TEST(set_mode_reallocates_black)
{
	struct display *d = headless(4, 4);
	uint8_t src[4 * 4 * 4];

	memset(src, 0x55, sizeof(src));
	display_update(d, 0, 0, 4, 4, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       16);
	ck_assert_int_eq(display_set_mode(d, true, 3, 5), 0);
	ck_assert(d->enabled);
	ck_assert_uint_eq(d->width, 3);
	ck_assert_uint_eq(d->height, 5);
	for (unsigned i = 0; i < 3 * 5 * 4; i++)
		ck_assert_uint_eq(d->shadow[i], 0);
	/* Disabled keeps its size, black; no size is no shadow. */
	ck_assert_int_eq(display_set_mode(d, false, 2, 2), 0);
	ck_assert(!d->enabled);
	ck_assert_ptr_nonnull(d->shadow);
	ck_assert_int_eq(display_set_mode(d, true, 0, 0), 0);
	ck_assert(!d->enabled);
	ck_assert_ptr_null(d->shadow);
	display_destroy(d);
}
END_TEST

START_TEST(cursor_state_and_image)
{
	struct display *d = headless(16, 16);
	static uint8_t image[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE * 4];

	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i ^ (i >> 8));
	/* A8R8G8B8: bytes A, R, G, B become B, G, R, A. */
	display_cursor_image(d, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, image, 3, 7);
	ck_assert(d->cursor_visible);
	ck_assert_uint_eq(d->cursor_hot_x, 3);
	ck_assert_uint_eq(d->cursor_hot_y, 7);
	for (size_t p = 0; p < sizeof(image); p += 4) {
		ck_assert_uint_eq(d->cursor_image[p + 0], image[p + 3]);
		ck_assert_uint_eq(d->cursor_image[p + 1], image[p + 2]);
		ck_assert_uint_eq(d->cursor_image[p + 2], image[p + 1]);
		ck_assert_uint_eq(d->cursor_image[p + 3], image[p + 0]);
	}
	display_cursor_move(d, -5, 40);
	ck_assert_int_eq(d->cursor_x, -5);
	ck_assert_int_eq(d->cursor_y, 40);
	display_cursor_image(d, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, NULL, 0, 0);
	ck_assert(!d->cursor_visible);
	display_destroy(d);
}
END_TEST

/* PNG ---------------------------------------------------------------- */

static char tmp_dir[4096];

static void png_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/virtsim-png-XXXXXX",
		 base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

/* How many entries (besides . and ..) @dir holds. */
static unsigned dir_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

static void png_teardown(void)
{
	DIR *dp = opendir(tmp_dir);
	struct dirent *e;
	char path[4400];

	if (!dp)
		return;
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp_dir, e->d_name);
		unlink(path);
	}
	closedir(dp);
	rmdir(tmp_dir);
}

/*
 * Decode @path with png_decode.py: its size in *@width x *@height and
 * its RGB bytes (malloc'd).
 */
static uint8_t *decode_png(const char *path, uint32_t *width, uint32_t *height)
{
	char cmd[8400];
	FILE *p;
	uint8_t *rgb;
	size_t len;

	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s'", PNG_DECODE_SCRIPT,
		 path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%u %u", width, height), 2);
	ck_assert_int_eq(fgetc(p), '\n');
	len = (size_t)*width * *height * 3;
	rgb = malloc(len + 1);
	ck_assert_ptr_nonnull(rgb);
	ck_assert_uint_eq(fread(rgb, 1, len + 1, p), len);
	ck_assert_int_eq(pclose(p), 0);
	return rgb;
}

START_TEST(png_round_trips_through_another_decoder)
{
	enum { W = 37, H = 23 }; /* odd: rows are not a multiple of 4 */
	struct display *d = headless(W, H);
	uint8_t src[W * H * 4], *rgb;
	char path[4200], err[256];
	uint32_t w, h;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 31 + (i >> 7));
	display_update(d, 0, 0, W, H, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, src,
		       W * 4);
	snprintf(path, sizeof(path), "%s/shot.png", tmp_dir);
	ck_assert_int_eq(display_write_png(d, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(dir_entries(tmp_dir), 1); /* no temp left */
	rgb = decode_png(path, &w, &h);
	ck_assert_uint_eq(w, W);
	ck_assert_uint_eq(h, H);
	for (unsigned p = 0; p < W * H; p++) {
		ck_assert_uint_eq(rgb[p * 3 + 0], src[p * 4 + 2]);
		ck_assert_uint_eq(rgb[p * 3 + 1], src[p * 4 + 1]);
		ck_assert_uint_eq(rgb[p * 3 + 2], src[p * 4 + 0]);
	}
	free(rgb);
	display_destroy(d);
}
END_TEST

START_TEST(png_of_a_disabled_display_is_black)
{
	struct display *d = display_headless_create();
	char path[4200], err[256];
	uint32_t w, h;
	uint8_t *rgb;

	ck_assert_int_eq(display_set_mode(d, false, 6, 2), 0);
	snprintf(path, sizeof(path), "%s/off.png", tmp_dir);
	ck_assert_int_eq(display_write_png(d, path, err, sizeof(err)), 0);
	rgb = decode_png(path, &w, &h);
	ck_assert_uint_eq(w, 6);
	ck_assert_uint_eq(h, 2);
	for (unsigned i = 0; i < 6 * 2 * 3; i++)
		ck_assert_uint_eq(rgb[i], 0);
	free(rgb);
	display_destroy(d);
}
END_TEST

START_TEST(png_without_a_mode_is_refused)
{
	struct display *d = display_headless_create();
	char path[4200], err[256] = "";

	snprintf(path, sizeof(path), "%s/none.png", tmp_dir);
	ck_assert_int_eq(display_write_png(d, path, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_uint_eq(dir_entries(tmp_dir), 0);
	display_destroy(d);
}
END_TEST

START_TEST(png_into_a_missing_directory_fails_cleanly)
{
	struct display *d = headless(4, 4);
	char path[4200], err[4400] = "";

	snprintf(path, sizeof(path), "%s/missing/shot.png", tmp_dir);
	ck_assert_int_eq(display_write_png(d, path, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_uint_eq(dir_entries(tmp_dir), 0);
	display_destroy(d);
}
END_TEST

/*
 * A write that fails half way (the file size limit, below the PNG's
 * size) leaves neither a half file nor its temporary, and an old
 * screenshot at the path stays as it was.
 */
START_TEST(png_failing_half_way_leaves_no_half_file)
{
	enum { W = 64, H = 64 };
	struct display *d = headless(W, H);
	uint8_t src[W * H * 4];
	char path[4200], err[4400] = "";
	struct rlimit small = {.rlim_cur = 200, .rlim_max = RLIM_INFINITY};
	struct stat st;
	FILE *old;
	int limited, ret;

	/* Noise: it compresses to far more than 200 bytes. */
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)((i * 2654435761u) >> 13);
	display_update(d, 0, 0, W, H, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       W * 4);
	snprintf(path, sizeof(path), "%s/shot.png", tmp_dir);
	old = fopen(path, "w");
	ck_assert_ptr_nonnull(old);
	fputs("old", old);
	fclose(old);
	signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead */
	/* No check until the limit is lifted: Check's own messages go to
	 * a file, far past 200 bytes by now. */
	limited = setrlimit(RLIMIT_FSIZE, &small);
	ret = display_write_png(d, path, err, sizeof(err));
	small.rlim_cur = RLIM_INFINITY;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(limited, 0);
	ck_assert_int_eq(ret, -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_uint_eq(dir_entries(tmp_dir), 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 3);
	display_destroy(d);
}
END_TEST

#ifdef VIRTSIM_HAVE_SDL
/* SDL on its dummy driver ---------------------------------------------- */

static struct evloop loop;
static struct sim_env env;
static unsigned resizes;
static uint32_t resized_w, resized_h;

static void on_resized(void *opaque, uint32_t width, uint32_t height)
{
	ck_assert_ptr_eq(opaque, &loop);
	resizes++;
	resized_w = width;
	resized_h = height;
}

static void sdl_setup(void)
{
	/* Before SDL starts: set explicitly, never the host's window. */
	setenv("SDL_VIDEODRIVER", "dummy", 1);
	setenv("SDL_RENDER_DRIVER", "software", 1);
	evloop_init(&loop);
	env = (struct sim_env){.loop = &loop};
	resizes = 0;
}

static void sdl_teardown(void)
{
	evloop_destroy(&loop);
}

static struct display *sdl_display(uint32_t width, uint32_t height)
{
	char err[256] = "";
	struct display *d =
	    display_sdl_create(&env, width, height, err, sizeof(err));

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_str_eq(d->ops->name, "sdl");
	d->listener = (struct display_listener){on_resized, &loop};
	return d;
}

static SDL_Window *window_of(const struct display *d)
{
	SDL_Window *w = SDL_GetWindowFromID(display_sdl_window_id(d));

	ck_assert_ptr_nonnull(w);
	return w;
}

static void assert_window_size(const struct display *d, int width, int height)
{
	int w, h;

	SDL_GetWindowSize(window_of(d), &w, &h);
	ck_assert_int_eq(w, width);
	ck_assert_int_eq(h, height);
}

/* Step the loop until @done or a second has passed. */
static void step_until(const bool *done)
{
	for (int i = 0; i < 100 && !*done; i++)
		evloop_step(&loop, 10);
}

/* The window's pixel at (@x, @y) as 0xRRGGBB (the software renderer
 * draws into the window's surface). */
static uint32_t window_pixel(const struct display *d, int x, int y)
{
	SDL_Surface *s = SDL_GetWindowSurface(window_of(d));
	uint8_t r, g, b;
	uint32_t px;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s->format->BytesPerPixel, 4);
	memcpy(&px, (uint8_t *)s->pixels + y * s->pitch + x * 4, 4);
	SDL_GetRGB(px, s->format, &r, &g, &b);
	return (uint32_t)r << 16 | (uint32_t)g << 8 | b;
}

START_TEST(sdl_dummy_is_available)
{
	const char *driver = NULL;

	ck_assert(display_sdl_available(&driver));
	ck_assert_str_eq(driver, "dummy");
}
END_TEST

START_TEST(sdl_window_shows_mode_and_cursor)
{
	enum { W = 64, H = 48 };
	struct display *d = sdl_display(320, 200);
	static uint8_t cursor[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE * 4];
	uint8_t src[W * H * 4];

	ck_assert_str_eq(SDL_GetWindowTitle(window_of(d)), "virtsim");
	ck_assert(SDL_GetWindowFlags(window_of(d)) & SDL_WINDOW_RESIZABLE);
	assert_window_size(d, 320, 200);
	ck_assert_int_eq(display_set_mode(d, true, W, H), 0);
	assert_window_size(d, W, H);
	/* Each pixel's colour from its position: 0xRRGGBB = x, y, x ^ y. */
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++) {
			uint8_t *p = src + (y * W + x) * 4;

			p[0] = (uint8_t)(x ^ y);
			p[1] = (uint8_t)y;
			p[2] = (uint8_t)x;
			p[3] = 0; /* X: ignored, not alpha */
		}
	display_update(d, 0, 0, W, H, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src,
		       W * 4);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			ck_assert_uint_eq(window_pixel(d, x, y),
					  (uint32_t)x << 16 | (uint32_t)y << 8 |
					      (uint32_t)(x ^ y));
	/* A later rectangle alone (the events that also redraw are served
	 * by now): only it changes. */
	for (unsigned i = 0; i < 4; i++)
		memcpy(src + i * 4, (const uint8_t[]){0x56, 0x34, 0x12, 0}, 4);
	display_update(d, 5, 5, 2, 2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, src, 8);
	ck_assert_uint_eq(window_pixel(d, 5, 5), 0x123456);
	ck_assert_uint_eq(window_pixel(d, 6, 6), 0x123456);
	ck_assert_uint_eq(window_pixel(d, 7, 6), 7u << 16 | 6u << 8 | 1);
	ck_assert_uint_eq(window_pixel(d, 4, 5), 4u << 16 | 5u << 8 | 1);
	/* Opaque white in the cursor's top-left 4x4, the rest clear, hot
	 * spot (2, 3): the square covers (8..11, 7..10) at (10, 10). */
	for (unsigned y = 0; y < 4; y++)
		memset(cursor + y * DISPLAY_CURSOR_SIZE * 4, 0xff, 4 * 4);
	display_cursor_image(d, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, cursor, 2, 3);
	display_cursor_move(d, 10, 10);
	ck_assert_uint_eq(window_pixel(d, 8, 7), 0xffffff);
	ck_assert_uint_eq(window_pixel(d, 11, 10), 0xffffff);
	ck_assert_uint_eq(window_pixel(d, 12, 10), 12u << 16 | 10u << 8 | 6);
	ck_assert_uint_eq(window_pixel(d, 7, 7), 7u << 16 | 7u << 8 | 0);
	/* Hidden: the scanout again. */
	display_cursor_image(d, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, NULL, 0, 0);
	ck_assert_uint_eq(window_pixel(d, 8, 7), 8u << 16 | 7u << 8 | 15);
	/* Disabled: black. */
	ck_assert_int_eq(display_set_mode(d, false, W, H), 0);
	ck_assert_uint_eq(window_pixel(d, 30, 20), 0);
	display_destroy(d);
	ck_assert(!evloop_pending(&loop));
}
END_TEST

START_TEST(sdl_resize_reaches_listener_through_loop)
{
	struct display *d = sdl_display(64, 48);
	bool resized = false;

	ck_assert_int_eq(display_set_mode(d, true, 64, 48), 0);
	SDL_SetWindowSize(window_of(d), 200, 150);
	ck_assert_uint_eq(resizes, 0); /* not until the events are served */
	for (int i = 0; i < 100 && !resized; i++) {
		evloop_step(&loop, 10);
		resized = resizes > 0;
	}
	ck_assert_uint_eq(resizes, 1);
	ck_assert_uint_eq(resized_w, 200);
	ck_assert_uint_eq(resized_h, 150);
	/* The guest re-setting its old mode leaves the user's size. */
	ck_assert_int_eq(display_set_mode(d, true, 64, 48), 0);
	assert_window_size(d, 200, 150);
	/* The guest following: 1:1, and no echo to the listener. */
	ck_assert_int_eq(display_set_mode(d, true, 200, 150), 0);
	assert_window_size(d, 200, 150);
	/* A new resolution of the guest's own: the window follows, and
	 * the listener hears nothing of it. */
	ck_assert_int_eq(display_set_mode(d, true, 80, 60), 0);
	assert_window_size(d, 80, 60);
	for (int i = 0; i < 3; i++)
		evloop_step(&loop, 15);
	ck_assert_uint_eq(resizes, 1);
	display_destroy(d);
}
END_TEST

START_TEST(sdl_quit_closes)
{
	struct display *d = sdl_display(64, 48);
	SDL_Event quit = {.type = SDL_QUIT};

	ck_assert(!d->closed);
	ck_assert_int_eq(SDL_PushEvent(&quit), 1);
	step_until(&d->closed);
	ck_assert(d->closed);
	display_destroy(d);
}
END_TEST

START_TEST(sdl_window_close_closes)
{
	struct display *d = sdl_display(64, 48);
	SDL_Event close = {.window = {.type = SDL_WINDOWEVENT,
				      .event = SDL_WINDOWEVENT_CLOSE}};

	close.window.windowID = display_sdl_window_id(d);
	ck_assert_int_eq(SDL_PushEvent(&close), 1);
	step_until(&d->closed);
	ck_assert(d->closed);
	display_destroy(d);
}
END_TEST

/* A guest that never waits: presents serve the events (rate-limited). */
START_TEST(sdl_present_pumps_without_the_loop)
{
	struct display *d;
	SDL_Event quit = {.type = SDL_QUIT};
	uint8_t px[4] = {0};

	env.loop = NULL;
	d = sdl_display(8, 8);
	ck_assert_int_eq(display_set_mode(d, true, 8, 8), 0);
	ck_assert_int_eq(SDL_PushEvent(&quit), 1);
	usleep(20000); /* past the pump interval */
	display_update(d, 0, 0, 1, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, px, 4);
	ck_assert(d->closed);
	display_destroy(d);
}
END_TEST
#endif /* VIRTSIM_HAVE_SDL */

static Suite *display_suite(void)
{
	Suite *s = suite_create("display");
	TCase *tc = tcase_create("headless");

	tcase_add_test(tc, every_format_converts_exactly);
	tcase_add_test(tc, unknown_format_is_black);
	tcase_add_test(tc, rectangles_clip_at_the_edges);
	tcase_add_test(tc, rows_follow_the_stride);
	tcase_add_test(tc, set_mode_reallocates_black);
	tcase_add_test(tc, cursor_state_and_image);
	suite_add_tcase(s, tc);

	tc = tcase_create("png");
	tcase_add_checked_fixture(tc, png_setup, png_teardown);
	tcase_add_test(tc, png_round_trips_through_another_decoder);
	tcase_add_test(tc, png_of_a_disabled_display_is_black);
	tcase_add_test(tc, png_without_a_mode_is_refused);
	tcase_add_test(tc, png_into_a_missing_directory_fails_cleanly);
	tcase_add_test(tc, png_failing_half_way_leaves_no_half_file);
	suite_add_tcase(s, tc);

#ifdef VIRTSIM_HAVE_SDL
	tc = tcase_create("sdl");
	tcase_add_checked_fixture(tc, sdl_setup, sdl_teardown);
	tcase_add_test(tc, sdl_dummy_is_available);
	tcase_add_test(tc, sdl_window_shows_mode_and_cursor);
	tcase_add_test(tc, sdl_resize_reaches_listener_through_loop);
	tcase_add_test(tc, sdl_quit_closes);
	tcase_add_test(tc, sdl_window_close_closes);
	tcase_add_test(tc, sdl_present_pumps_without_the_loop);
	suite_add_tcase(s, tc);
#else
	fprintf(stderr, "test_display: built without SDL2, no window tests\n");
#endif
	return s;
}

VIRTSIM_TEST_MAIN(display_suite)
