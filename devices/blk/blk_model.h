/*
 * blk_model.h - the virtio-blk device model (§5.2) on a disk backend.
 *
 * Offers SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH (and RO for read-only disks),
 * plus INDIRECT_DESC and EVENT_IDX; serves IN, OUT, FLUSH and GET_ID,
 * answers writes to a read-only disk and requests past the end with IOERR
 * and unknown request types with UNSUPP.
 */
#ifndef VIRTSIM_DEVICES_BLK_MODEL_H
#define VIRTSIM_DEVICES_BLK_MODEL_H

#include <stdint.h>

#include "devices/blk/disk.h"
#include "devices/virtio/virtio_dev.h"

#define BLK_MODEL_QUEUE_SIZE 256
#define BLK_MODEL_SEG_MAX 126
#define BLK_MODEL_SIZE_MAX (1u << 20)

struct blk_model_stats {
	uint64_t reads, writes, flushes, get_ids, unsupported, errors;
	uint64_t bytes_read, bytes_written;
};

/*
 * Create a model on @disk (the model owns it from now on: closed when the
 * device is destroyed). @serial (NULL: "virtsim") is what GET_ID returns,
 * cut to 20 bytes. Returns the device, or NULL when out of memory (@disk
 * is closed then too).
 */
struct virtio_dev *blk_model_create(struct disk *disk, const char *serial,
				    const struct guest_mem *mem);
/* The model's request counters (for tests and the CLI summary). */
const struct blk_model_stats *blk_model_stats(const struct virtio_dev *dev);

#endif /* VIRTSIM_DEVICES_BLK_MODEL_H */
