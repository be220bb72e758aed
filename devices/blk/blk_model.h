/* SPDX-License-Identifier: MIT */
/*
 * blk_model.h - the virtio-blk device model (§5.2) on a disk backend.
 *
 * Offers SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH (and RO for read-only disks),
 * plus INDIRECT_DESC and EVENT_IDX; serves IN, OUT, FLUSH and GET_ID,
 * answers writes to a read-only disk and requests past the end with IOERR
 * and unknown request types with UNSUPP. Every request the queue holds
 * can be in flight on the backend at once.
 */
#ifndef VIRTSIM_DEVICES_BLK_MODEL_H
#define VIRTSIM_DEVICES_BLK_MODEL_H

#include <stdint.h>

#include "devices/blk/disk.h"
#include "devices/virtio/virtio_dev.h"
#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BLK_MODEL_QUEUE_SIZE 256
#define BLK_MODEL_SEG_MAX 126
#define BLK_MODEL_SIZE_MAX (1u << 20)

struct blk_model_options {
	/* The GET_ID string, cut to 20 bytes; NULL: "virtsim". */
	const char *serial;
	uint16_t queue_size; /* QueueNumMax, a power of 2; 0: 256 */
};

struct blk_model_stats {
	uint64_t reads, writes, flushes, get_ids, unsupported, errors;
	uint64_t bytes_read, bytes_written;
};

/*
 * Create a model on @disk in the machine environment @env (the model owns
 * @disk from now on: closed by blk_model_destroy). @opts may be NULL.
 * Returns the device, or NULL when out of memory or @opts is bad (@disk
 * is closed then too).
 */
struct virtio_dev *blk_model_create(struct sim_env *env, struct disk *disk,
				    const struct blk_model_options *opts);
/* Release the model and its disk. */
void blk_model_destroy(struct virtio_dev *dev);
/* The model's request counters (for tests and the CLI summary). */
const struct blk_model_stats *blk_model_stats(const struct virtio_dev *dev);
/* The backend under the model, NULL if @dev is not a blk model. */
struct disk *blk_model_disk(const struct virtio_dev *dev);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_BLK_MODEL_H */
