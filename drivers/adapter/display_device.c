/* SPDX-License-Identifier: MIT */
/*
 * display_device.c - struct display_driver_ops on top of the virtio-gpu
 * driver (axdriver's VirtIoGpuDev): scanout 0 shows one 2D resource
 * whose backing is the framebuffer, flush transfers and flushes the
 * dirty rectangle only.
 *
 * Unlike the anchor, need_flush says whether anything was drawn since
 * the last flush, and a mode change rebuilds the framebuffer. Internal
 * steps return VirtIO errors; the ops and public calls map them with
 * as_dev_err where they return.
 */
#include "drivers/adapter/display_device.h"

#include <string.h>

#include "drivers/adapter/adapter.h"

#define VGD_BPP VIRTIO_GPU_BYTES_PER_PIXEL
#define VGD_CURSOR_BYTES \
	(VIRTIO_GPU_CURSOR_SIZE * VIRTIO_GPU_CURSOR_SIZE * VGD_BPP)
#define VGD_CURSOR_PAGES \
	((VGD_CURSOR_BYTES + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE)

static struct virtio_gpu_display_device *to_vgd(struct display_device *dev)
{
	char *p =
	    (char *)dev - offsetof(struct virtio_gpu_display_device, base);

	return (struct virtio_gpu_display_device *)(void *)p;
}

static const struct hal *vgd_hal(const struct virtio_gpu_display_device *d)
{
	return d->gpu.vdev.transport->hal;
}

static uint32_t vgd_new_resource(struct virtio_gpu_display_device *d)
{
	/* A resource a failed teardown left behind keeps its id. */
	if (++d->last_resource == 0)
		d->last_resource = 1;
	return d->last_resource;
}

static size_t vgd_fb_bytes(const struct virtio_gpu_display_device *d)
{
	return (size_t)d->width * d->height * VGD_BPP;
}

/*
 * The EDID's preferred mode into edid_width/height (0 x 0 without one).
 * An error answer or a block that does not parse is no EDID; only a
 * device that failed the call altogether is an error.
 */
static int vgd_read_edid(struct virtio_gpu_display_device *d)
{
	uint8_t edid[VIRTIO_GPU_EDID_MAX];
	size_t len;

	d->edid_width = d->edid_height = 0;
	if (!d->gpu.has_edid)
		return 0;
	if (virtio_gpu_get_edid(&d->gpu, 0, edid, sizeof(edid), &len) ||
	    virtio_gpu_edid_preferred_mode(edid, len, &d->edid_width,
					   &d->edid_height)) {
		d->edid_width = d->edid_height = 0;
		return d->gpu.stopped ? -VIRTIO_ERR_IO_ERROR : 0;
	}
	return 0;
}

/* Scanout 0's mode, as display_device.h says it is chosen. */
static int vgd_pick_mode(const struct virtio_gpu_display_device *d, uint32_t *w,
			 uint32_t *h)
{
	const struct virtio_gpu_mode *m = &d->gpu.modes[0];

	if (m->enabled && m->width && m->height) {
		*w = m->width;
		*h = m->height;
	} else if (d->edid_width) {
		*w = d->edid_width;
		*h = d->edid_height;
	} else {
		*w = VIRTIO_GPU_DISPLAY_DEFAULT_WIDTH;
		*h = VIRTIO_GPU_DISPLAY_DEFAULT_HEIGHT;
	}
	if (*w > VIRTIO_GPU_DISPLAY_MAX_SIDE ||
	    *h > VIRTIO_GPU_DISPLAY_MAX_SIDE)
		return -VIRTIO_ERR_UNSUPPORTED;
	return 0;
}

/*
 * Take the framebuffer down while the device runs: off the scanout
 * (GPU-N-03), backing detached, resource gone, memory freed. Each step
 * is tried whatever the one before said; a resource the device would
 * not let go of is never used again (its id is not reused).
 */
static void vgd_fb_teardown(struct virtio_gpu_display_device *d)
{
	if (d->fb_shown)
		virtio_gpu_set_scanout(&d->gpu, 0, 0, NULL);
	if (d->fb_backed)
		virtio_gpu_detach_backing(&d->gpu, d->fb_resource);
	if (d->fb_resource)
		virtio_gpu_resource_unref(&d->gpu, d->fb_resource);
	if (d->fb_pages)
		hal_dma_free(vgd_hal(d), d->fb_paddr, d->fb, d->fb_pages);
	d->fb_resource = 0;
	d->fb_backed = d->fb_shown = false;
	d->fb = NULL;
	d->fb_paddr = 0;
	d->fb_pages = 0;
	d->width = d->height = 0;
	d->dirty_w = d->dirty_h = 0;
}

/*
 * The framebuffer's backing as VIRTIO_GPU_DISPLAY_FB_PIECES entries of
 * whole pages (the last one shorter), fewer for a small framebuffer:
 * every run gives the device a scatter list (GPU-N-02).
 */
static unsigned vgd_fb_pieces(const struct virtio_gpu_display_device *d,
			      struct virtio_gpu_backing *pieces)
{
	size_t per = (d->fb_pages + VIRTIO_GPU_DISPLAY_FB_PIECES - 1) /
		     VIRTIO_GPU_DISPLAY_FB_PIECES * HAL_PAGE_SIZE;
	size_t bytes = vgd_fb_bytes(d);
	unsigned n = 0;

	for (size_t off = 0; off < bytes; off += per) {
		size_t len = bytes - off < per ? bytes - off : per;

		pieces[n++] = (struct virtio_gpu_backing){d->fb_paddr + off,
							  (uint32_t)len};
	}
	return n;
}

/* A cleared @w x @h framebuffer on scanout 0; nothing is left on error. */
static int vgd_fb_build(struct virtio_gpu_display_device *d, uint32_t w,
			uint32_t h)
{
	struct virtio_gpu_backing pieces[VIRTIO_GPU_DISPLAY_FB_PIECES];
	struct virtio_gpu_rect all = {0, 0, w, h};
	uint32_t id;
	void *p;
	int err;

	d->width = w;
	d->height = h;
	d->fb_pages = (vgd_fb_bytes(d) + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	if (hal_dma_alloc(vgd_hal(d), d->fb_pages, &d->fb_paddr, &p)) {
		d->fb_pages = 0;
		err = -VIRTIO_ERR_DMA_ERROR;
		goto fail;
	}
	d->fb = p;
	memset(d->fb, 0, vgd_fb_bytes(d));
	id = vgd_new_resource(d);
	err = virtio_gpu_resource_create_2d(
	    &d->gpu, id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, w, h);
	if (err)
		goto fail;
	d->fb_resource = id;
	err = virtio_gpu_attach_backing(&d->gpu, id, pieces,
					vgd_fb_pieces(d, pieces));
	if (err)
		goto fail;
	d->fb_backed = true;
	err = virtio_gpu_set_scanout(&d->gpu, 0, id, &all);
	if (err)
		goto fail;
	d->fb_shown = true;
	err = virtio_gpu_update_rect(&d->gpu, id, &all, w * VGD_BPP);
	if (err)
		goto fail;
	return 0;

fail:
	vgd_fb_teardown(d);
	return err;
}

static const char *vgd_name(struct display_device *dev)
{
	return "virtio-gpu";
}

static enum dev_type vgd_type(struct display_device *dev)
{
	return DEV_TYPE_DISPLAY;
}

static void vgd_info(struct display_device *dev, struct display_info *info)
{
	struct virtio_gpu_display_device *d = to_vgd(dev);

	*info = (struct display_info){d->width, d->height, (uintptr_t)d->fb,
				      vgd_fb_bytes(d)};
}

static void vgd_fb(struct display_device *dev, struct display_framebuffer *fb)
{
	struct virtio_gpu_display_device *d = to_vgd(dev);

	*fb = (struct display_framebuffer){d->fb, vgd_fb_bytes(d), d->width,
					   d->height, d->width * VGD_BPP};
}

static uint32_t vgd_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void vgd_damage(struct display_device *dev, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h)
{
	struct virtio_gpu_display_device *d = to_vgd(dev);
	uint32_t x1, y1;

	if (x >= d->width || y >= d->height || w == 0 || h == 0)
		return;
	w = vgd_min(w, d->width - x);
	h = vgd_min(h, d->height - y);
	if (d->dirty_w == 0) {
		d->dirty_x = x;
		d->dirty_y = y;
		d->dirty_w = w;
		d->dirty_h = h;
		return;
	}
	/* The bounding box of both; all within the screen. */
	x1 = x + w > d->dirty_x + d->dirty_w ? x + w : d->dirty_x + d->dirty_w;
	y1 = y + h > d->dirty_y + d->dirty_h ? y + h : d->dirty_y + d->dirty_h;
	d->dirty_x = vgd_min(x, d->dirty_x);
	d->dirty_y = vgd_min(y, d->dirty_y);
	d->dirty_w = x1 - d->dirty_x;
	d->dirty_h = y1 - d->dirty_y;
}

static bool vgd_need_flush(struct display_device *dev)
{
	return to_vgd(dev)->dirty_w != 0;
}

static int vgd_flush(struct display_device *dev)
{
	struct virtio_gpu_display_device *d = to_vgd(dev);
	struct virtio_gpu_rect r = {d->dirty_x, d->dirty_y, d->dirty_w,
				    d->dirty_h};
	int err;

	if (d->dirty_w == 0)
		return 0;
	/* Still dirty if it fails: the next flush tries again. */
	err = virtio_gpu_update_rect(&d->gpu, d->fb_resource, &r,
				     d->width * VGD_BPP);
	if (err)
		return as_dev_result(err, &d->last_error);
	d->dirty_w = d->dirty_h = 0;
	d->flushes++;
	d->bytes_flushed += (uint64_t)r.width * r.height * VGD_BPP;
	return 0;
}

static const struct display_driver_ops virtio_gpu_display_ops = {
    .name = vgd_name,
    .type = vgd_type,
    .info = vgd_info,
    .fb = vgd_fb,
    .damage = vgd_damage,
    .need_flush = vgd_need_flush,
    .flush = vgd_flush,
};

/* Release the DMA memory once the device let go of it (reset). */
static void vgd_free(struct virtio_gpu_display_device *d, const struct hal *hal)
{
	if (d->fb_pages)
		hal_dma_free(hal, d->fb_paddr, d->fb, d->fb_pages);
	if (d->cursor)
		hal_dma_free(hal, d->cursor_paddr, d->cursor, VGD_CURSOR_PAGES);
	memset(d, 0, sizeof(*d));
}

int virtio_gpu_display_init(struct virtio_gpu_display_device *d,
			    struct virtio_transport *t,
			    const struct virtio_gpu_options *o,
			    unsigned irq_line)
{
	uint32_t w, h;
	int err;

	if (!d || !t)
		return -DEV_ERR_INVALID_PARAM;
	memset(d, 0, sizeof(*d));
	err = virtio_gpu_init(&d->gpu, t, o, irq_line);
	if (err)
		return as_dev_result(err, &d->last_error);
	err = vgd_read_edid(d);
	if (!err)
		err = vgd_pick_mode(d, &w, &h);
	if (!err)
		err = vgd_fb_build(d, w, h);
	if (err) {
		/* The reset makes the device forget every resource. */
		virtio_gpu_destroy(&d->gpu);
		virtio_transport_set_failed(t);
		vgd_free(d, t->hal);
		return as_dev_result(err, &d->last_error);
	}
	d->base.ops = &virtio_gpu_display_ops;
	return 0;
}

void virtio_gpu_display_destroy(struct virtio_gpu_display_device *d)
{
	const struct hal *hal;

	if (!d || !d->base.ops)
		return;
	hal = vgd_hal(d);
	/* Reset first: the device drops its resources and their backing,
	 * so no command is needed to take them apart. */
	virtio_gpu_destroy(&d->gpu);
	vgd_free(d, hal);
}

int virtio_gpu_display_check_mode(struct virtio_gpu_display_device *d)
{
	uint32_t w, h;
	int err;

	if (!d || !d->base.ops)
		return -DEV_ERR_INVALID_PARAM;
	if (!virtio_gpu_display_changed(&d->gpu) && d->fb)
		return 0;
	err = virtio_gpu_get_display_info(&d->gpu);
	if (!err)
		err = vgd_read_edid(d);
	if (!err)
		err = vgd_pick_mode(d, &w, &h);
	if (err)
		return as_dev_result(err, &d->last_error);
	if (d->fb && w == d->width && h == d->height)
		return 0;
	vgd_fb_teardown(d);
	err = vgd_fb_build(d, w, h);
	if (err)
		return as_dev_result(err, &d->last_error);
	return 1;
}

/* The 64x64 cursor resource and its backing (GPU-D-02: before use). */
static int vgd_cursor_create(struct virtio_gpu_display_device *d)
{
	struct virtio_gpu_backing piece;
	uint32_t id = vgd_new_resource(d);
	void *p;
	int err;

	if (hal_dma_alloc(vgd_hal(d), VGD_CURSOR_PAGES, &d->cursor_paddr, &p))
		return -VIRTIO_ERR_DMA_ERROR;
	d->cursor = p;
	piece = (struct virtio_gpu_backing){d->cursor_paddr, VGD_CURSOR_BYTES};
	err = virtio_gpu_resource_create_2d(
	    &d->gpu, id, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM,
	    VIRTIO_GPU_CURSOR_SIZE, VIRTIO_GPU_CURSOR_SIZE);
	if (!err) {
		err = virtio_gpu_attach_backing(&d->gpu, id, &piece, 1);
		if (err)
			virtio_gpu_resource_unref(&d->gpu, id);
	}
	if (err) {
		hal_dma_free(vgd_hal(d), d->cursor_paddr, d->cursor,
			     VGD_CURSOR_PAGES);
		d->cursor = NULL;
		return err;
	}
	d->cursor_resource = id;
	return 0;
}

int virtio_gpu_display_set_cursor(struct virtio_gpu_display_device *d,
				  const uint8_t *image, uint32_t hot_x,
				  uint32_t hot_y)
{
	static const struct virtio_gpu_rect all = {0, 0, VIRTIO_GPU_CURSOR_SIZE,
						   VIRTIO_GPU_CURSOR_SIZE};
	uint32_t id = 0;
	int err = 0;

	if (!d || !d->base.ops || hot_x >= VIRTIO_GPU_CURSOR_SIZE ||
	    hot_y >= VIRTIO_GPU_CURSOR_SIZE)
		return -DEV_ERR_INVALID_PARAM;
	if (image) {
		if (!d->cursor_resource)
			err = vgd_cursor_create(d);
		if (err)
			return as_dev_result(err, &d->last_error);
		id = d->cursor_resource;
		memcpy(d->cursor, image, VGD_CURSOR_BYTES);
		/* Fenced: in the resource before the cursor queue uses it. */
		err = virtio_gpu_transfer_to_host_2d(&d->gpu, id, &all, 0);
		if (err)
			return as_dev_result(err, &d->last_error);
	}
	err = virtio_gpu_update_cursor(&d->gpu, 0, id, hot_x, hot_y,
				       d->cursor_x, d->cursor_y);
	return as_dev_result(err, &d->last_error);
}

int virtio_gpu_display_move_cursor(struct virtio_gpu_display_device *d,
				   uint32_t x, uint32_t y)
{
	int err;

	if (!d || !d->base.ops)
		return -DEV_ERR_INVALID_PARAM;
	err = virtio_gpu_move_cursor(&d->gpu, 0, x, y);
	if (err)
		return as_dev_result(err, &d->last_error);
	d->cursor_x = x;
	d->cursor_y = y;
	return 0;
}
