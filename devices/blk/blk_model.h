/* SPDX-License-Identifier: MIT */
/*
 * blk_model.h - the virtio-blk device model (§5.2) on a disk backend.
 *
 * Offers SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH (and RO for read-only disks),
 * plus INDIRECT_DESC and EVENT_IDX (and ACCESS_PLATFORM if asked); serves
 * IN, OUT, FLUSH and GET_ID, answers writes to a read-only disk, requests
 * past the end and requests not aligned to the logical block size with
 * IOERR and unknown request types with UNSUPP. Every request the queue
 * holds can be in flight on the backend at once.
 */
#ifndef VIRTSIM_DEVICES_BLK_MODEL_H
#define VIRTSIM_DEVICES_BLK_MODEL_H

#include <stdbool.h>
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
/* Logical block sizes: a power of 2 between these (Linux takes up to
 * 64 KiB, BLK_MAX_BLOCK_SIZE). */
#define BLK_MODEL_BLK_SIZE_MIN 512u
#define BLK_MODEL_BLK_SIZE_MAX 65536u

struct blk_model_options {
	/* The GET_ID string, cut to 20 bytes; NULL: "virtsim". */
	const char *serial;
	uint16_t queue_size; /* QueueNumMax, a power of 2; 0: 256 */
	/* The logical block size in config blk_size; 0: 512. Requests not
	 * aligned to it, in offset or length, fail with IOERR, as QEMU's
	 * do (virtio_blk_sect_range_ok). The disk's size must be a
	 * multiple of it. */
	uint32_t blk_size;
	/* Offer VIRTIO_F_ACCESS_PLATFORM, and refuse FEATURES_OK without
	 * it, as QEMU's iommu_platform=on does. */
	bool access_platform;
};

struct blk_model_stats {
	uint64_t reads, writes, flushes, get_ids, unsupported, errors;
	uint64_t bytes_read, bytes_written;
};

/*
 * Create a model on @disk in the machine environment @env (the model owns
 * @disk from now on: closed by blk_model_destroy). @opts may be NULL.
 * Returns the device, or NULL when out of memory or @opts is bad (a queue
 * size or block size that is no power of 2, a block size out of range or
 * not dividing the disk's size); @disk is closed then too.
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
