/* SPDX-License-Identifier: MIT */
/*
 * virtio_gpu.h - the virtio-gpu driver (§5.7), 2D: the control queue (0)
 * and the cursor queue (1), each of more than two entries, and a
 * blocking call per command.
 *
 * A command and its response live in DMA memory the driver owns (two
 * control slots, as a frame's transfer and flush go together, and one
 * cursor slot), are posted as one readable and one writable descriptor,
 * and the call waits for the used entry. Every control command is fenced
 * (FLAG_FENCE, increasing fence ids) and every response is checked: it
 * must come back fenced with its fence_id (GPU-V-01), its type must be
 * the one the command expects (OK_NODATA, or the typed OK_* for data
 * replies), and a used length shorter than that response or longer than
 * its buffer is -VIRTIO_ERR_IO_ERROR; so is an error response (its
 * 0x12xx code kept in last_error until the next one). Cursor commands
 * have no response: the device uses them with length 0.
 *
 * A used entry naming no chain of the call is -VIRTIO_ERR_WRONG_TOKEN
 * (-VIRTIO_ERR_ALREADY_USED for one used before). Then, and when the
 * device sets NEEDS_RESET or never answers, the driver resets the
 * device, takes its chains back and fails every later command with
 * -VIRTIO_ERR_IO_ERROR (stopped) until it is set up again.
 *
 * Not thread-safe: one caller at a time.
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_GPU_H
#define VIRTSIM_DRIVERS_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_device.h"
#include "drivers/virtio/virtqueue.h"
#include "drivers/wire/virtio_gpu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_gpu_options {
	uint16_t queue_size; /* both queues; 0: the device's maximum, capped
			      * at 64; a power of 2 of at least 4 */
	bool use_irq;	     /* interrupts say when to look, else poll */
	bool no_edid;	     /* do not negotiate EDID */
};

/* Scanout @i as GET_DISPLAY_INFO reported it. */
struct virtio_gpu_mode {
	uint32_t x, y, width, height;
	bool enabled;
};

/* One piece of a resource's backing: device address and length. */
struct virtio_gpu_backing {
	uint64_t paddr;
	uint32_t len;
};

struct virtio_gpu_slots; /* commands and responses (DMA), virtio_gpu.c */

struct virtio_gpu {
	struct virtio_device vdev; /* transport, features, irq, lifetime */
	struct virtqueue ctrlq, cursorq;
	uint32_t num_scanouts; /* 1..16 (GPU-N-01) */
	bool has_edid;	       /* VIRTIO_GPU_F_EDID negotiated */
	struct virtio_gpu_mode modes[VIRTIO_GPU_MAX_SCANOUTS];
	/* Command/response slots, DMA, owned by the driver. */
	struct virtio_gpu_slots *slots;
	uint64_t slots_paddr;
	size_t slots_pages;
	uint64_t next_fence; /* the last fence_id sent */
	uint32_t last_error; /* the last error response's type, or 0 */
	bool stopped;	     /* reset after the device failed a call: commands
			      * fail with -VIRTIO_ERR_IO_ERROR */
	/* Statistics. */
	uint64_t commands, cursor_commands, errors;
};

/*
 * Initialise the device behind @t (§3.1.1): negotiate EDID (as offered
 * and not turned off), EVENT_IDX, INDIRECT_DESC and VERSION_1; read
 * num_scanouts (0 or above 16: -VIRTIO_ERR_UNSUPPORTED); set up both
 * queues (-VIRTIO_ERR_INVALID_PARAM for queues shorter than 4, VQ-D-07);
 * DRIVER_OK; clear any pending event; GET_DISPLAY_INFO into
 * modes. Returns 0 or a negative virtio_error; the device is FAILED and
 * @gpu zeroed on failure.
 */
int virtio_gpu_init(struct virtio_gpu *gpu, struct virtio_transport *t,
		    const struct virtio_gpu_options *opts, unsigned irq_line);
/* Reset the device, free the queues and the command memory; zeroes @gpu. */
void virtio_gpu_destroy(struct virtio_gpu *gpu);

/*
 * Whether the device reported a display change since the last call:
 * reads events_read (never writes it, GPU-D-01), clears what it saw
 * through events_clear, and returns true for VIRTIO_GPU_EVENT_DISPLAY.
 * The caller then re-reads the display info (and EDID) (GPU-N-01).
 */
bool virtio_gpu_display_changed(struct virtio_gpu *gpu);

/* GET_DISPLAY_INFO into gpu->modes. */
int virtio_gpu_get_display_info(struct virtio_gpu *gpu);
/*
 * GET_EDID of @scanout (EDID negotiated, else -VIRTIO_ERR_UNSUPPORTED)
 * into @edid (@cap bytes), its size in *@len; a size above 1024 or @cap
 * is -VIRTIO_ERR_IO_ERROR.
 */
int virtio_gpu_get_edid(struct virtio_gpu *gpu, uint32_t scanout,
			uint8_t *edid, size_t cap, size_t *len);
/*
 * The preferred mode of an EDID block (the first detailed timing
 * descriptor), checked: header, checksum, a non-zero pixel clock.
 * Returns 0, or -VIRTIO_ERR_INVALID_PARAM for a block that is not one.
 */
int virtio_gpu_edid_preferred_mode(const uint8_t *edid, size_t len,
				   uint32_t *width, uint32_t *height);

int virtio_gpu_resource_create_2d(struct virtio_gpu *gpu, uint32_t id,
				  uint32_t format, uint32_t width,
				  uint32_t height);
int virtio_gpu_resource_unref(struct virtio_gpu *gpu, uint32_t id);
/* ATTACH_BACKING of @n pieces, in order (they need not be contiguous). */
int virtio_gpu_attach_backing(struct virtio_gpu *gpu, uint32_t id,
			      const struct virtio_gpu_backing *pieces,
			      unsigned n);
int virtio_gpu_detach_backing(struct virtio_gpu *gpu, uint32_t id);
/* Resource @id (0: disable, GPU-N-03) on @scanout, showing @r of it. */
int virtio_gpu_set_scanout(struct virtio_gpu *gpu, uint32_t scanout,
			   uint32_t id, const struct virtio_gpu_rect *r);
/* Copy @r from the backing at byte @offset into the resource. */
int virtio_gpu_transfer_to_host_2d(struct virtio_gpu *gpu, uint32_t id,
				   const struct virtio_gpu_rect *r,
				   uint64_t offset);
int virtio_gpu_resource_flush(struct virtio_gpu *gpu, uint32_t id,
			      const struct virtio_gpu_rect *r);
/*
 * TRANSFER_TO_HOST_2D then RESOURCE_FLUSH of @r, both posted before one
 * notify and waited for together: a frame's update in one round trip.
 * The backing offset is @r's first byte in rows of @stride bytes.
 */
int virtio_gpu_update_rect(struct virtio_gpu *gpu, uint32_t id,
			   const struct virtio_gpu_rect *r, uint32_t stride);

/*
 * Cursor queue: UPDATE_CURSOR with resource @id (64x64, created,
 * backed and transferred first: GPU-D-02; 0 hides it) and hotspot, at
 * (@x, @y) of @scanout; MOVE_CURSOR to (@x, @y).
 */
int virtio_gpu_update_cursor(struct virtio_gpu *gpu, uint32_t scanout,
			     uint32_t id, uint32_t hot_x, uint32_t hot_y,
			     uint32_t x, uint32_t y);
int virtio_gpu_move_cursor(struct virtio_gpu *gpu, uint32_t scanout,
			   uint32_t x, uint32_t y);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_GPU_H */
