/* SPDX-License-Identifier: MIT */
/*
 * display.h - where the GPU model shows scanout 0: one interface, two
 * backends (an SDL2 window; headless, memory only), and a PNG writer.
 *
 * The common part (display.c) keeps the shadow: the image shown now, in
 * B8G8R8X8 (bytes B, G, R, X; SDL's XRGB8888 on a little-endian host),
 * rows of width * 4 bytes. display_update converts a rectangle from the
 * resource's VirtIO format into the shadow, then asks the backend to
 * present just that rectangle. Screenshots and checks read the shadow,
 * so every backend shows the same pixels.
 */
#ifndef VIRTSIM_DEVICES_GPU_DISPLAY_H
#define VIRTSIM_DEVICES_GPU_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct display;

/* What the display tells the model. */
struct display_listener {
	/* The user resized the window to @width x @height. */
	void (*resized)(void *opaque, uint32_t width, uint32_t height);
	void *opaque;
};

/* A backend; every hook may be NULL (headless has none but destroy). */
struct display_ops {
	const char *name; /* "sdl", "headless" */
	/* The mode changed (d->width, d->height, d->enabled). */
	int (*set_mode)(struct display *d);
	/* Shadow rectangle (@x, @y, @w, @h) changed: show it. */
	void (*present)(struct display *d, uint32_t x, uint32_t y, uint32_t w,
			uint32_t h);
	/* The cursor changed (image, hotspot or position in d->cursor_*). */
	void (*cursor)(struct display *d);
	void (*destroy)(struct display *d);
};

#define DISPLAY_CURSOR_SIZE 64u

struct display {
	const struct display_ops *ops;
	struct display_listener listener; /* set by the model */
	bool enabled;			  /* a resource is on the scanout */
	uint32_t width, height;
	uint8_t *shadow; /* width * height * 4 bytes, B8G8R8X8 */
	/* The cursor, B8G8R8A8, when visible. */
	bool cursor_visible;
	uint8_t cursor_image[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE * 4];
	uint32_t cursor_hot_x, cursor_hot_y;
	int32_t cursor_x, cursor_y;
	/* Counters. */
	uint64_t presents, pixels_presented;
	bool closed; /* the user closed the window */
};

enum display_kind {
	DISPLAY_AUTO,	  /* SDL when a display is there, else headless */
	DISPLAY_SDL,	  /* a window, or fail */
	DISPLAY_HEADLESS, /* memory only */
};

/*
 * Make a display of @kind, initially @width x @height and disabled, its
 * window events served from @env's event loop on this thread. AUTO says
 * on stderr which it chose and why. Returns it, or NULL with one line in
 * @err.
 */
struct display *display_create(enum display_kind kind, struct sim_env *env,
			       uint32_t width, uint32_t height, char *err,
			       size_t errlen);
void display_destroy(struct display *d);

/*
 * Show a @width x @height scanout (@enabled false: blank, black). The
 * shadow is reallocated, black. Returns 0 or -ENOMEM.
 */
int display_set_mode(struct display *d, bool enabled, uint32_t width,
		     uint32_t height);
/*
 * Rectangle (@x, @y, @w, @h), inside the mode, has new pixels in VirtIO
 * format @format: the rectangle's first pixel at @pixels, rows @stride
 * bytes apart. Converted into the shadow, then presented.
 */
void display_update(struct display *d, uint32_t x, uint32_t y, uint32_t w,
		    uint32_t h, uint32_t format, const uint8_t *pixels,
		    size_t stride);
/* A 64x64 cursor image in VirtIO format @format, or NULL: hidden. */
void display_cursor_image(struct display *d, uint32_t format,
			  const uint8_t *pixels, uint32_t hot_x,
			  uint32_t hot_y);
void display_cursor_move(struct display *d, int32_t x, int32_t y);

/* Whether the model knows VirtIO pixel format @format. */
bool display_format_known(uint32_t format);

/* The backends display_create picks from (display_sdl.c, display.c). */
struct display *display_headless_create(void);
struct display *display_sdl_create(struct sim_env *env, uint32_t width,
				   uint32_t height, char *err, size_t errlen);
/*
 * Whether an SDL video driver can open a window here: true with the
 * driver's name in *@driver; false with why not in *@driver (a static
 * string), e.g. built without SDL2 or no display.
 */
bool display_sdl_available(const char **driver);
/* The SDL window's id (SDL_GetWindowFromID), for checks; 0 if none. */
uint32_t display_sdl_window_id(const struct display *d);

/*
 * Write the shadow to @path as an 8-bit RGB PNG (zlib's compress2 and
 * crc32). Returns 0 or a negative errno with one line in @err.
 */
int display_write_png(const struct display *d, const char *path, char *err,
		      size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_GPU_DISPLAY_H */
