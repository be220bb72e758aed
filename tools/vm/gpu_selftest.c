/* SPDX-License-Identifier: MIT */
/*
 * gpu_selftest.c - the GPU class's self test, on a display device that
 * is up: the guest draws the test pattern through the driver, and the
 * host checks what its display shows against the guest's framebuffer,
 * byte for byte: a full flush, a dirty-rectangle flush (only that
 * rectangle may change), the cursor, EDID, and a resolution change
 * announced by the device.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/adapter/display_device.h"
#include "tools/vm/gpu_host.h"
#include "tools/vm/gpu_pattern.h"
#include "tools/vm/guest.h"

static int fail(const struct vm_device *d, const char *what)
{
	fprintf(stderr, "virtsim: gpu%u: selftest: %s\n", d->unit, what);
	return 1;
}

/*
 * Whether the host shows the guest's framebuffer @fb exactly, and
 * (with @old, a copy of what was shown before) only inside the rectangle
 * (@rx, @ry, @rw, @rh): outside it the host must still show @old.
 */
static bool shown(const struct display *disp,
		  const struct display_framebuffer *fb, const uint8_t *old,
		  uint32_t rx, uint32_t ry, uint32_t rw, uint32_t rh)
{
	size_t row_bytes = (size_t)fb->width * 4;

	if (!disp->enabled || disp->width != fb->width ||
	    disp->height != fb->height)
		return false;
	for (uint32_t y = 0; y < fb->height; y++) {
		const uint8_t *want = fb->base + (size_t)y * fb->stride;
		const uint8_t *got = disp->shadow + y * row_bytes;

		if (!old || (y >= ry && y < ry + rh)) {
			uint32_t x0 = old ? rx : 0, w = old ? rw : fb->width;

			if (memcmp(got + x0 * 4, want + x0 * 4, (size_t)w * 4))
				return false;
		}
		if (old) {
			const uint8_t *before = old + y * row_bytes;
			bool in_rows = y >= ry && y < ry + rh;
			size_t left = in_rows ? (size_t)rx * 4 : row_bytes;

			if (memcmp(got, before, left))
				return false;
			if (in_rows &&
			    memcmp(got + (size_t)(rx + rw) * 4,
				   before + (size_t)(rx + rw) * 4,
				   row_bytes - (size_t)(rx + rw) * 4))
				return false;
		}
	}
	return true;
}

/* Draw frame @frame over the whole screen, flush it all, check it. */
static int full_frame(struct vm_device *d, struct display_device *dd,
		      const struct display *disp, uint64_t frame)
{
	struct display_framebuffer fb;
	char text[64];

	dd->ops->fb(dd, &fb);
	snprintf(text, sizeof(text), "VIRTSIM SELFTEST GPU%u %ux%u", d->unit,
		 fb.width, fb.height);
	gpu_pattern_draw(fb.base, fb.width, fb.height, fb.stride, frame, text);
	dd->ops->damage(dd, 0, 0, fb.width, fb.height);
	if (!dd->ops->need_flush(dd))
		return fail(d, "need_flush is false after drawing");
	if (dd->ops->flush(dd))
		return fail(d, "flush failed");
	if (dd->ops->need_flush(dd))
		return fail(d, "need_flush is still true after the flush");
	if (!shown(disp, &fb, NULL, 0, 0, 0, 0))
		return fail(d, VM_SELFTEST_WRONG_DATA
			    "the host does not show what the guest drew");
	return 0;
}

/* Draw a new frame, say only a 64x64 square changed: only it may show. */
static int dirty_rect(struct vm_device *d, struct display_device *dd,
		      const struct display *disp)
{
	struct display_framebuffer fb;
	uint32_t rx, ry, rw = 64, rh = 64;
	uint8_t *old;
	int ret = 0;

	dd->ops->fb(dd, &fb);
	rx = fb.width > rw ? (fb.width - rw) / 2 : 0;
	ry = fb.height > rh ? (fb.height - rh) / 2 : 0;
	rw = fb.width - rx < rw ? fb.width - rx : rw;
	rh = fb.height - ry < rh ? fb.height - ry : rh;
	old = malloc((size_t)fb.width * fb.height * 4);
	if (!old)
		return fail(d, "out of memory");
	memcpy(old, disp->shadow, (size_t)fb.width * fb.height * 4);
	gpu_pattern_draw(fb.base, fb.width, fb.height, fb.stride, 7,
			 "DIRTY RECTANGLE");
	dd->ops->damage(dd, rx, ry, rw, rh);
	if (dd->ops->flush(dd))
		ret = fail(d, "dirty-rectangle flush failed");
	else if (!shown(disp, &fb, old, rx, ry, rw, rh))
		ret = fail(d, VM_SELFTEST_WRONG_DATA
			   "a dirty-rectangle flush showed more or less "
			   "than its rectangle");
	free(old);
	return ret;
}

static int cursor(struct vm_device *d, struct virtio_gpu_display_device *gd,
		  const struct display *disp)
{
	uint8_t image[GPU_CURSOR_SIZE * GPU_CURSOR_SIZE * 4];

	gpu_cursor_image(image);
	if (virtio_gpu_display_set_cursor(gd, image, GPU_CURSOR_HOT_X,
					  GPU_CURSOR_HOT_Y) ||
	    virtio_gpu_display_move_cursor(gd, 33, 44))
		return fail(d, "cursor update failed");
	if (!disp->cursor_visible || disp->cursor_x != 33 ||
	    disp->cursor_y != 44 || disp->cursor_hot_x != GPU_CURSOR_HOT_X ||
	    memcmp(disp->cursor_image, image, sizeof(image)))
		return fail(d, VM_SELFTEST_WRONG_DATA
			    "the host's cursor is not the guest's");
	if (virtio_gpu_display_set_cursor(gd, NULL, 0, 0) ||
	    disp->cursor_visible)
		return fail(d, "the cursor did not hide");
	return 0;
}

/* The device announces @w x @h; the guest follows and draws at it. */
static int resize(struct vm_device *d, struct virtio_gpu_display_device *gd,
		  const struct display *disp, uint32_t w, uint32_t h)
{
	int ret;

	if (gpu_model_set_display_size(d->model, 0, w, h))
		return fail(d, "the model refused a display size");
	ret = virtio_gpu_display_check_mode(gd);
	if (ret != 1 || gd->width != w || gd->height != h)
		return fail(d, "the driver did not follow a display change");
	return full_frame(d, &gd->base, disp, 3);
}

int gpu_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st)
{
	struct virtio_gpu_display_device *gd = d->driver;
	const struct display *disp = gpu_model_display(d->model);
	const struct gpu_model_stats *ms = gpu_model_stats(d->model);
	uint32_t w = gd->width, h = gd->height;
	uint64_t commands = ms->commands + ms->cursor_commands;
	uint64_t moved = ms->transfer_bytes;
	double t0 = guest_now_ms();
	int ret;

	ret = full_frame(d, &gd->base, disp, 0);
	if (!ret)
		ret = dirty_rect(d, &gd->base, disp);
	if (!ret)
		ret = cursor(d, gd, disp);
	if (!ret)
		ret = resize(d, gd, disp, w / 2, h / 2);
	if (!ret)
		ret = resize(d, gd, disp, w, h);
	if (ret)
		return ret;
	commands = ms->commands + ms->cursor_commands - commands;
	moved = ms->transfer_bytes - moved;
	st->requests += commands;
	st->bytes += moved;
	fprintf(st->out,
		"gpu%u: %ux%u%s: full and 64x64 flushes, cursor, resize to "
		"%ux%u and back shown byte for byte (%" PRIu64
		" commands, %.1f ms)\n",
		d->unit, w, h, gd->gpu.has_edid ? " (EDID)" : "", w / 2, h / 2,
		commands, guest_now_ms() - t0);
	return 0;
}
