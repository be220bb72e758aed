/* SPDX-License-Identifier: MIT */
/*
 * blk_device.h - a virtio-blk device seen as a block device
 * (drivers/base): blocks of the device's logical block size (512 bytes,
 * or its BLK_SIZE), errors as negative enum dev_err. Reads and writes
 * take whole blocks; any other length is InvalidParam, nothing sent.
 */
#ifndef VIRTSIM_DRIVERS_ADAPTER_BLK_DEVICE_H
#define VIRTSIM_DRIVERS_ADAPTER_BLK_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_blk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The block size of a device that does not offer BLK_SIZE. */
#define VIRTIO_BLK_DEVICE_BLOCK_SIZE 512u

struct virtio_blk_device {
	struct block_device base; /* base.ops: name "virtio-blk", Block */
	struct virtio_blk blk;
	int last_error; /* the VirtIO error of the last failed call */
};

/*
 * Initialise the virtio-blk driver on @t (see virtio_blk_init) and the
 * block device around it. Returns 0 or a negative enum dev_err (the
 * VirtIO error mapped by as_dev_err).
 */
int virtio_blk_device_init(struct virtio_blk_device *d,
			   struct virtio_transport *t,
			   const struct virtio_blk_options *o,
			   unsigned irq_line);
/* Reset the device and release everything virtio_blk_device_init took. */
void virtio_blk_device_destroy(struct virtio_blk_device *d);

static inline struct block_device *
virtio_blk_device_base(struct virtio_blk_device *d)
{
	return &d->base;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_ADAPTER_BLK_DEVICE_H */
