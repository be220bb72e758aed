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

struct virtio_gpu_display_device {
	struct display_device base; /* base.ops: "virtio-gpu", Display */
	struct virtio_gpu gpu;
	/* The framebuffer resource and its backing (DMA memory). */
	uint32_t fb_resource;
	uint32_t width, height;
	uint8_t *fb;
	uint64_t fb_paddr;
	size_t fb_pages;
	/* The cursor resource (0: none yet) and its image's backing. */
	uint32_t cursor_resource;
	uint8_t *cursor;
	uint64_t cursor_paddr;
	/* Dirty since the last flush: empty when dirty_w == 0. */
	uint32_t dirty_x, dirty_y, dirty_w, dirty_h;
	/* Statistics. */
	uint64_t flushes, bytes_flushed;
};

/*
 * Initialise the virtio-gpu driver on @t (see virtio_gpu_init), read the
 * display info (and the EDID's preferred mode when offered), and set up
 * the framebuffer on scanout 0. Returns 0 or a negative enum dev_err (the
 * VirtIO error mapped by as_dev_err); on failure everything taken is
 * given back and the device is FAILED, never an abort.
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
 * If the device reported a display change (config interrupt with
 * VIRTIO_GPU_EVENT_DISPLAY): clear the event, re-read the display info
 * and, when scanout 0's mode changed, tear the framebuffer down and build
 * it again at the new size. Returns 1 if the mode changed, 0 if not, or
 * a negative enum dev_err (the display is then without a framebuffer;
 * calling again retries).
 */
int virtio_gpu_display_check_mode(struct virtio_gpu_display_device *d);

/*
 * The hardware cursor: @image is 64x64 B8G8R8A8 pixels (NULL: hide it),
 * with its hotspot; then moves. Returns 0 or a negative enum dev_err.
 */
int virtio_gpu_display_set_cursor(struct virtio_gpu_display_device *d,
				  const uint8_t *image, uint32_t hot_x,
				  uint32_t hot_y);
int virtio_gpu_display_move_cursor(struct virtio_gpu_display_device *d,
				   uint32_t x, uint32_t y);

#endif /* VIRTSIM_DRIVERS_ADAPTER_DISPLAY_DEVICE_H */
