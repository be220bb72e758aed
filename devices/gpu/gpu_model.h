/* SPDX-License-Identifier: MIT */
/*
 * gpu_model.h - the virtio-gpu device model (§5.7), 2D only: a control
 * queue (0) and a cursor queue (1), config with events_read,
 * events_clear and num_scanouts, resources in host memory under a
 * budget, and scanout 0 shown on a display (display.h).
 *
 * Offers EDID (when asked), INDIRECT_DESC, EVENT_IDX and VERSION_1; no
 * VIRGL, no blob resources, no capsets. Every command is read once into
 * a local copy, then checked as QEMU's virtio-gpu checks it; a command
 * that fails gets the 0x12xx error response and changes nothing.
 */
#ifndef VIRTSIM_DEVICES_GPU_MODEL_H
#define VIRTSIM_DEVICES_GPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/gpu/display.h"
#include "devices/virtio/virtio_dev.h"
#include "drivers/wire/virtio_gpu.h"
#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GPU_MODEL_QUEUE_SIZE 64
#define GPU_MODEL_MAX_WIDTH 8192u  /* a display mode's limit, each way */
#define GPU_MODEL_MAX_HEIGHT 8192u
#define GPU_MODEL_BUDGET (256u << 20) /* bytes of resources, all told */
#define GPU_MODEL_MAX_BACKING_ENTRIES 16384u /* QEMU's limit */

struct gpu_model_options {
	uint32_t width, height; /* scanout 0's mode; 0: 1024x768 */
	uint32_t num_scanouts;	/* 1..16; 0: 1 */
	bool edid;		/* offer VIRTIO_GPU_F_EDID */
	uint64_t budget;	/* resource bytes; 0: GPU_MODEL_BUDGET */
	uint16_t queue_size;	/* QueueNumMax, a power of 2; 0: 64 */
};

struct gpu_model_stats {
	uint64_t commands, cursor_commands;
	uint64_t errors; /* commands answered with an error response */
	uint64_t transfers, transfer_bytes;
	uint64_t flushes, flush_pixels;
	uint64_t resources, resource_bytes; /* alive now */
};

/*
 * Create a model in @env showing scanout 0 on @display (the model's
 * from now on: destroyed with it; NULL: a headless one). Returns the
 * device, or NULL with errno EINVAL (bad options) or ENOMEM.
 */
struct virtio_dev *gpu_model_create(struct sim_env *env,
				    struct display *display,
				    const struct gpu_model_options *opts);
void gpu_model_destroy(struct virtio_dev *dev);
/* NULL if @dev is not a GPU model. */
const struct gpu_model_stats *gpu_model_stats(const struct virtio_dev *dev);
struct display *gpu_model_display(const struct virtio_dev *dev);
/*
 * The display @scanout now has this size (a window resize): the mode in
 * display info changes, events_read gets VIRTIO_GPU_EVENT_DISPLAY and a
 * config interrupt goes out. -EINVAL for a bad scanout or size.
 */
int gpu_model_set_display_size(struct virtio_dev *dev, uint32_t scanout,
			       uint32_t width, uint32_t height);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_GPU_MODEL_H */
