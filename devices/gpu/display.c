/* SPDX-License-Identifier: MIT */
/*
 * display.c - what every display backend shares: the shadow image, the
 * conversion from VirtIO pixel formats into it, the cursor state, the
 * headless backend, and picking a backend.
 */
#include "devices/gpu/display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_gpu.h"

/*
 * Byte positions of B, G, R and A (or X) in a pixel of @format, or false
 * for a format the model does not know.
 */
static bool format_layout(uint32_t format, unsigned pos[4])
{
	static const struct {
		uint32_t format;
		uint8_t b, g, r, a;
	} layouts[] = {
	    {VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 0, 1, 2, 3},
	    {VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, 1, 2, 3},
	    {VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 3, 2, 1, 0},
	    {VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 3, 2, 1, 0},
	    {VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 2, 1, 0, 3},
	    {VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, 1, 2, 3, 0},
	    {VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 1, 2, 3, 0},
	    {VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, 2, 1, 0, 3},
	};

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (layouts[i].format != format)
			continue;
		pos[0] = layouts[i].b;
		pos[1] = layouts[i].g;
		pos[2] = layouts[i].r;
		pos[3] = layouts[i].a;
		return true;
	}
	return false;
}

bool display_format_known(uint32_t format)
{
	unsigned pos[4];

	return format_layout(format, pos);
}

/* Convert @n pixels of @format at @src into B8G8R8A8 at @dst. */
static void convert_row(uint8_t *dst, const uint8_t *src, uint32_t n,
			uint32_t format)
{
	unsigned pos[4];

	if (format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM ||
	    format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM) {
		memcpy(dst, src, (size_t)n * 4);
		return;
	}
	if (!format_layout(format, pos)) {
		memset(dst, 0, (size_t)n * 4);
		return;
	}
	for (uint32_t i = 0; i < n; i++, dst += 4, src += 4) {
		dst[0] = src[pos[0]];
		dst[1] = src[pos[1]];
		dst[2] = src[pos[2]];
		dst[3] = src[pos[3]];
	}
}

int display_set_mode(struct display *d, bool enabled, uint32_t width,
		     uint32_t height)
{
	size_t bytes = (size_t)width * height * 4;
	uint8_t *shadow = NULL;

	if (bytes) {
		shadow = calloc(1, bytes);
		if (!shadow)
			return -ENOMEM;
	}
	free(d->shadow);
	d->shadow = shadow;
	d->enabled = enabled && bytes;
	d->width = width;
	d->height = height;
	if (d->ops->set_mode)
		return d->ops->set_mode(d);
	return 0;
}

void display_update(struct display *d, uint32_t x, uint32_t y, uint32_t w,
		    uint32_t h, uint32_t format, const uint8_t *pixels,
		    size_t stride)
{
	/* The model checked the rectangle; a display is not the guest's to
	 * break, so clip all the same. */
	if (!d->shadow || x >= d->width || y >= d->height)
		return;
	if (w > d->width - x)
		w = d->width - x;
	if (h > d->height - y)
		h = d->height - y;
	for (uint32_t row = 0; row < h; row++)
		convert_row(d->shadow + ((size_t)(y + row) * d->width + x) * 4,
			    pixels + row * stride, w, format);
	d->presents++;
	d->pixels_presented += (uint64_t)w * h;
	if (d->ops->present)
		d->ops->present(d, x, y, w, h);
}

void display_cursor_image(struct display *d, uint32_t format,
			  const uint8_t *pixels, uint32_t hot_x,
			  uint32_t hot_y)
{
	d->cursor_visible = pixels != NULL;
	if (pixels)
		for (uint32_t row = 0; row < DISPLAY_CURSOR_SIZE; row++)
			convert_row(d->cursor_image +
					row * DISPLAY_CURSOR_SIZE * 4,
				    pixels + row * DISPLAY_CURSOR_SIZE * 4,
				    DISPLAY_CURSOR_SIZE, format);
	d->cursor_hot_x = hot_x;
	d->cursor_hot_y = hot_y;
	if (d->ops->cursor)
		d->ops->cursor(d);
}

void display_cursor_move(struct display *d, int32_t x, int32_t y)
{
	d->cursor_x = x;
	d->cursor_y = y;
	if (d->ops->cursor)
		d->ops->cursor(d);
}

/* Headless: the shadow is the display. */
static void headless_destroy(struct display *d) { free(d); }

static const struct display_ops headless_ops = {
    .name = "headless",
    .destroy = headless_destroy,
};

struct display *display_headless_create(void)
{
	struct display *d = calloc(1, sizeof(*d));

	if (d)
		d->ops = &headless_ops;
	return d;
}

struct display *display_create(enum display_kind kind, struct sim_env *env,
			       uint32_t width, uint32_t height, char *err,
			       size_t errlen)
{
	const char *driver = NULL;
	struct display *d;

	if (kind == DISPLAY_AUTO) {
		if (display_sdl_available(&driver)) {
			kind = DISPLAY_SDL;
			fprintf(stderr, "display: sdl (video driver %s)\n",
				driver);
		} else {
			kind = DISPLAY_HEADLESS;
			fprintf(stderr, "display: headless (%s)\n",
				driver ? driver : "no video driver");
		}
	}
	if (kind == DISPLAY_SDL)
		return display_sdl_create(env, width, height, err, errlen);
	d = display_headless_create();
	if (!d)
		snprintf(err, errlen, "out of memory for the display");
	return d;
}

void display_destroy(struct display *d)
{
	if (!d)
		return;
	free(d->shadow);
	d->shadow = NULL;
	d->ops->destroy(d);
}

#ifndef VIRTSIM_HAVE_SDL
/* Built without SDL2: auto is headless, sdl is refused. */
bool display_sdl_available(const char **driver)
{
	*driver = "built without SDL2";
	return false;
}

struct display *display_sdl_create(struct sim_env *env, uint32_t width,
				   uint32_t height, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "display=sdl: virtsim was built without SDL2 "
		 "(apt-get install libsdl2-dev, then configure again)");
	return NULL;
}

uint32_t display_sdl_window_id(const struct display *d)
{
	return 0;
}
#endif
