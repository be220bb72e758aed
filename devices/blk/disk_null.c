/* SPDX-License-Identifier: MIT */
/*
 * A disk backend that does no I/O (Linux's null_blk): reads return
 * zeros, writes and flushes are dropped. What is left of a request's cost
 * is the driver, the HAL, the queue and the model: the floor a profile
 * of the hot path measures against.
 */
#include "devices/blk/disk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void disk_null_submit(struct disk *d, struct disk_req *req)
{
	int err = 0;

	if (req->op == DISK_WRITE && d->readonly)
		err = -EROFS;
	else if (req->op != DISK_FLUSH &&
		 !disk_range_ok(d, req->offset, req->len))
		err = -EINVAL;
	else if (req->op == DISK_READ &&
		 fault_fire(d->faults, FAULT_BLK_READ_ERR, d->fault_dev))
		err = -EIO;
	else if (req->op == DISK_WRITE &&
		 fault_fire(d->faults, FAULT_BLK_WRITE_ERR, d->fault_dev))
		err = -EIO;
	else if (req->op == DISK_FLUSH &&
		 fault_fire(d->faults, FAULT_BLK_FLUSH_ERR, d->fault_dev))
		err = -EIO;
	else if (req->op == DISK_READ)
		for (unsigned i = 0; i < req->iovcnt; i++)
			memset(req->iov[i].iov_base, 0, req->iov[i].iov_len);
	req->done(req, err);
}

static void disk_null_close(struct disk *d)
{
	free(d);
}

static const struct disk_ops disk_null_ops = {
    .submit = disk_null_submit,
    .close = disk_null_close,
};

struct disk *disk_null_open(uint64_t size, bool readonly)
{
	struct disk *d;

	if (size == 0 || size % 512)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ops = &disk_null_ops;
	d->size = size;
	d->readonly = readonly;
	return d;
}
