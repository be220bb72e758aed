/* SPDX-License-Identifier: MIT */
/*
 * blk_faults.c - the blk class's rows of the fault campaign
 * (fault_campaign.h) and the driver operations they meet.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/adapter/blk_device.h"
#include "drivers/virtio/virtio_blk.h"
#include "tools/vm/blk_host.h"
#include "tools/vm/fault_campaign.h"
#include "tools/vm/guest.h"

#define IO_BYTES 4096u

const struct fault_case blk_fault_cases[] = {
    FAULT_CASE(VIRTIO_ERR_QUEUE_FULL, "queue-stall,count=1", "submit",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_NOT_READY, "queue-stall,count=1", "read",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_ALREADY_USED, "used-duplicate,count=1", "read2",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_INVALID_PARAM, "queue-max-small,count=1", "init",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_DMA_ERROR, "hal-share,count=1", "user-read",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "blk-ioerr,count=1", "read", FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "blk-bad-status,count=1", "read",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "blk-short,count=1", "read", FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "blk-read-err,count=1", "read",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "blk-write-err,count=1", "write",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "blk-flush-err,count=1", "flush",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "used-bad-len,count=1", "read",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_UNSUPPORTED, "blk-unsupp,count=1", "read",
	       FAULT_ON_ALL),
    FAULT_CASES_END,
};

/* Write a pattern, read it back, compare, flush. */
static int blk_io(struct virtio_blk *blk, uint8_t *buf)
{
	int err;

	for (unsigned i = 0; i < IO_BYTES; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	err = virtio_blk_write(blk, 8, buf, IO_BYTES);
	if (!err) {
		memset(buf, 0, IO_BYTES);
		err = virtio_blk_read(blk, 8, buf, IO_BYTES);
	}
	for (unsigned i = 0; !err && i < IO_BYTES; i++)
		if (buf[i] != (uint8_t)(i * 7 + 1))
			return -VIRTIO_ERR_IO_ERROR;
	return err ? err : virtio_blk_flush(blk);
}

/*
 * Token requests until the ring takes no more: what the last submit
 * said. The queue is stopped before returning, so no request of this
 * frame stays with the driver.
 */
static int blk_fill(struct virtio_blk *blk, uint8_t *buf)
{
	unsigned n = (unsigned)blk->vq.size + 1;
	struct virtio_blk_req *reqs = calloc(n, sizeof(*reqs));
	int err = 0;

	if (!reqs)
		return -VIRTIO_ERR_DMA_ERROR;
	for (unsigned i = 0; i < n && !err; i++)
		err = virtio_blk_submit(blk, &reqs[i], VIRTIO_BLK_T_IN, 0, buf,
					512);
	virtio_blk_stop(blk);
	free(reqs);
	return err;
}

int blk_fault_op(struct vm *vm, struct vm_device *d, const char *op)
{
	struct virtio_blk *blk = &((struct virtio_blk_device *)d->driver)->blk;
	struct dma_buf dma;
	int err;

	if (!strcmp(op, "user-read")) {
		/* A buffer of the caller's, not DMA memory: shared. */
		uint8_t *user = malloc(IO_BYTES);

		if (!user)
			return -VIRTIO_ERR_DMA_ERROR;
		err = virtio_blk_read(blk, 0, user, IO_BYTES);
		free(user);
		return err;
	}
	if (dma_buf_get(&dma, machine_hal(&vm->machine), IO_BYTES))
		return -VIRTIO_ERR_DMA_ERROR;
	if (!strcmp(op, "io"))
		err = blk_io(blk, dma.p);
	else if (!strcmp(op, "read"))
		err = virtio_blk_read(blk, 0, dma.p, IO_BYTES);
	else if (!strcmp(op, "read2")) /* the second meets the first's echo */
		err = virtio_blk_read(blk, 0, dma.p, IO_BYTES)
			  ?: virtio_blk_read(blk, 0, dma.p, IO_BYTES);
	else if (!strcmp(op, "write"))
		err = virtio_blk_write(blk, 0, dma.p, IO_BYTES);
	else if (!strcmp(op, "flush"))
		err = virtio_blk_flush(blk);
	else if (!strcmp(op, "submit"))
		err = blk_fill(blk, dma.p);
	else
		err = -VIRTIO_ERR_INVALID_PARAM;
	dma_buf_put(&dma);
	return err;
}
