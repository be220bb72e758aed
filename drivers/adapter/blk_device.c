/* SPDX-License-Identifier: MIT */
/*
 * blk_device.c - struct block_driver_ops on top of the virtio-blk driver
 * (axdriver's VirtIoBlkDev): blocks are the device's logical blocks
 * (512 bytes unless it offers BLK_SIZE), block n is sector n * (block
 * size / 512), errors go through as_dev_err.
 */
#include "drivers/adapter/blk_device.h"

#include <string.h>

#include "drivers/adapter/adapter.h"

static struct virtio_blk_device *to_vbd(struct block_device *dev)
{
	return (
	    struct virtio_blk_device *)(void *)((char *)dev -
						offsetof(
						    struct virtio_blk_device,
						    base));
}

static const char *vbd_name(struct block_device *dev)
{
	return "virtio-blk";
}

static enum dev_type vbd_type(struct block_device *dev)
{
	return DEV_TYPE_BLOCK;
}

/* 512-byte sectors per logical block. */
static uint64_t vbd_sectors_per_block(const struct virtio_blk_device *d)
{
	return virtio_blk_block_size(&d->blk) / VIRTIO_BLK_SECTOR_SIZE;
}

static uint64_t vbd_num_blocks(struct block_device *dev)
{
	struct virtio_blk_device *d = to_vbd(dev);

	/* capacity counts 512-byte sectors; a partial last block is not
	 * addressable */
	return virtio_blk_capacity(&d->blk) / vbd_sectors_per_block(d);
}

static size_t vbd_block_size(struct block_device *dev)
{
	return virtio_blk_block_size(&to_vbd(dev)->blk);
}

/* Block @block as a sector, or UINT64_MAX (past any disk) on overflow. */
static uint64_t vbd_sector(const struct virtio_blk_device *d, uint64_t block)
{
	uint64_t per = vbd_sectors_per_block(d);

	return block > UINT64_MAX / per ? UINT64_MAX : block * per;
}

static int vbd_read_block(struct block_device *dev, uint64_t block, void *buf,
			  size_t len)
{
	struct virtio_blk_device *d = to_vbd(dev);

	return as_dev_result(
	    virtio_blk_read(&d->blk, vbd_sector(d, block), buf, len),
	    &d->last_error);
}

static int vbd_write_block(struct block_device *dev, uint64_t block,
			   const void *buf, size_t len)
{
	struct virtio_blk_device *d = to_vbd(dev);

	return as_dev_result(
	    virtio_blk_write(&d->blk, vbd_sector(d, block), buf, len),
	    &d->last_error);
}

static int vbd_flush(struct block_device *dev)
{
	struct virtio_blk_device *d = to_vbd(dev);

	return as_dev_result(virtio_blk_flush(&d->blk), &d->last_error);
}

static const struct block_driver_ops virtio_blk_device_ops = {
    .name = vbd_name,
    .type = vbd_type,
    .num_blocks = vbd_num_blocks,
    .block_size = vbd_block_size,
    .read_block = vbd_read_block,
    .write_block = vbd_write_block,
    .flush = vbd_flush,
};

int virtio_blk_device_init(struct virtio_blk_device *d,
			   struct virtio_transport *t,
			   const struct virtio_blk_options *o,
			   unsigned irq_line)
{
	int err;

	if (!d || !t)
		return -DEV_ERR_INVALID_PARAM;
	memset(d, 0, sizeof(*d));
	err = virtio_blk_init(&d->blk, t, o, irq_line);
	if (err)
		return as_dev_result(err, &d->last_error);
	d->base.ops = &virtio_blk_device_ops;
	return 0;
}

void virtio_blk_device_destroy(struct virtio_blk_device *d)
{
	if (!d)
		return;
	virtio_blk_destroy(&d->blk);
	d->base.ops = NULL;
}
