/* SPDX-License-Identifier: MIT */
/*
 * display_device.h - a virtio-gpu device seen as a display device
 * (drivers/base): scanout 0 at the mode the device reports, one 2D
 * resource in the driver's DMA memory as the framebuffer, the dirty
 * rectangle transferred and flushed on flush, a 64x64 hardware cursor.
 */
#ifndef VIRTSIM_DRIVERS_ADAPTER_DISPLAY_DEVICE_H
#define VIRTSIM_DRIVERS_ADAPTER_DISPLAY_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_gpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Scanout 0's mode when neither display info nor EDID gives one. */
#define VIRTIO_GPU_DISPLAY_DEFAULT_WIDTH 1024u
#define VIRTIO_GPU_DISPLAY_DEFAULT_HEIGHT 768u
/* A larger mode from the device is refused (Unsupported). */
#define VIRTIO_GPU_DISPLAY_MAX_SIDE 16384u
/* The framebuffer's backing goes to the device in this many entries. */
#define VIRTIO_GPU_DISPLAY_FB_PIECES 4u

struct virtio_gpu_display_device {
	struct display_device base; /* base.ops: "virtio-gpu", Display */
	struct virtio_gpu gpu;
	int last_error;		/* the VirtIO error of the last failed call */
	uint32_t last_resource; /* ids are handed out once, never again */
	/* The framebuffer resource (0: none) and its backing (DMA). */
	uint32_t fb_resource;
	bool fb_backed, fb_shown; /* attached; on scanout 0 */
	uint32_t width, height;	  /* 0 x 0 without a framebuffer */
	uint8_t *fb;
	uint64_t fb_paddr;
	size_t fb_pages;
	/* The EDID's preferred mode when one was read and valid, else 0. */
	uint32_t edid_width, edid_height;
	/* The cursor resource (0: none yet) and its image's backing. */
	uint32_t cursor_resource;
	uint8_t *cursor;
	uint64_t cursor_paddr;
	uint32_t cursor_x, cursor_y;
	/* Dirty since the last flush: empty when dirty_w == 0. */
	uint32_t dirty_x, dirty_y, dirty_w, dirty_h;
	/* Statistics. */
	uint64_t flushes, bytes_flushed;
};

/*
 * Initialise the virtio-gpu driver on @t (see virtio_gpu_init), read the
 * display info (and, with EDID negotiated, the EDID's preferred mode),
 * and set up the framebuffer on scanout 0: a B8G8R8X8 resource backed
 * by DMA memory given to the device in VIRTIO_GPU_DISPLAY_FB_PIECES
 * entries, cleared and shown.
 *
 * The mode: scanout 0's display info when it is enabled, as that is the
 * size the host shows now (a resized window changes it, the EDID
 * describes the monitor's preference and may lag); else the EDID's
 * preferred mode; else VIRTIO_GPU_DISPLAY_DEFAULT_*. An EDID the device
 * will not give or that does not parse is only no EDID.
 *
 * Returns 0 or a negative enum dev_err (the VirtIO error mapped by
 * as_dev_err); on failure everything taken is given back and the device
 * is FAILED, never an abort.
 */
int virtio_gpu_display_init(struct virtio_gpu_display_device *d,
			    struct virtio_transport *t,
			    const struct virtio_gpu_options *o,
			    unsigned irq_line);
/* Reset the device and release everything init took. */
void virtio_gpu_display_destroy(struct virtio_gpu_display_device *d);

static inline struct display_device *
virtio_gpu_display_base(struct virtio_gpu_display_device *d)
{
	return &d->base;
}

/*
 * If the device reported a display change (VIRTIO_GPU_EVENT_DISPLAY in
 * events_read, with or without a config interrupt seen), or the display
 * has no framebuffer: clear the event, re-read the display info and
 * EDID (GPU-N-01) and, when scanout 0's mode changed, take the
 * framebuffer off the scanout, detach and unref it, free it and build
 * it again at the new size. Returns 1 if a framebuffer was built, 0 if
 * nothing changed, or a negative enum dev_err: the display is then
 * without a framebuffer (0 x 0, nothing to draw or flush), and calling
 * again retries.
 */
int virtio_gpu_display_check_mode(struct virtio_gpu_display_device *d);

/*
 * The hardware cursor: @image is 64x64 B8G8R8A8 pixels (NULL: hide it),
 * with its hotspot (< 64), shown at the last position moved to. The
 * first image creates the cursor resource and attaches its backing;
 * each image is transferred, fenced, before UPDATE_CURSOR (GPU-D-02).
 * Returns 0 or a negative enum dev_err.
 */
int virtio_gpu_display_set_cursor(struct virtio_gpu_display_device *d,
				  const uint8_t *image, uint32_t hot_x,
				  uint32_t hot_y);
int virtio_gpu_display_move_cursor(struct virtio_gpu_display_device *d,
				   uint32_t x, uint32_t y);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_ADAPTER_DISPLAY_DEVICE_H */
