/* SPDX-License-Identifier: MIT */
/*
 * disk.h - the backend a block device model reads and writes: an ops
 * table so the model never knows whether it talks to a file or memory
 * (TinyEMU's BlockDevice, kvmtool's disk/).
 *
 * Requests are asynchronous in shape: submit starts one and its done
 * callback reports the outcome, inside submit for a backend that works
 * synchronously (the file backend) or later for one that does not. A
 * model therefore keeps as many requests in flight as its queue allows.
 */
#ifndef VIRTSIM_DEVICES_BLK_DISK_H
#define VIRTSIM_DEVICES_BLK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "sim/fault.h"

#ifdef __cplusplus
extern "C" {
#endif

struct disk;

enum disk_op {
	DISK_READ,
	DISK_WRITE,
	DISK_FLUSH, /* make completed writes durable (fsync for a file) */
};

struct disk_req {
	enum disk_op op;
	uint64_t offset;	 /* bytes; ignored by DISK_FLUSH */
	const struct iovec *iov; /* the data, scattered */
	unsigned iovcnt;
	size_t len; /* the sum of the iov lengths */
	/* The outcome: 0, or a negative errno (a short transfer is -EIO). */
	void (*done)(struct disk_req *req, int err);
};

struct disk_ops {
	/*
	 * Start @req. Its done callback runs exactly once, possibly before
	 * submit returns. Requests past the end are -EINVAL, writes to a
	 * read-only disk -EROFS, both through done.
	 */
	void (*submit)(struct disk *d, struct disk_req *req);
	void (*close)(struct disk *d);
};

struct disk {
	const struct disk_ops *ops;
	uint64_t size; /* bytes, a multiple of 512 */
	bool readonly;
	/* Set by the model that owns the disk: the backend's failures
	 * (blk-read-err, ...) fire as that device's. NULL: none. */
	struct fault_injector *faults;
	uint32_t fault_dev;
};

/*
 * Open host file @path as a disk. Fails with a one-line reason in @err
 * (missing, unreadable, not a regular file or block device, size not a
 * multiple of 512 or zero). Returns the disk or NULL.
 */
struct disk *disk_file_open(const char *path, bool readonly, char *err,
			    size_t errlen);
/*
 * A disk of @size bytes (a non-zero multiple of 512) that does no I/O:
 * reads return zeros, writes and flushes succeed and are dropped. The
 * backend's injected failures (blk-read-err, ...) still fire. NULL when
 * @size is bad or out of memory.
 */
struct disk *disk_null_open(uint64_t size, bool readonly);

static inline void disk_close(struct disk *d)
{
	if (d)
		d->ops->close(d);
}

/* True if [offset, offset + len) lies on the disk. */
static inline bool disk_range_ok(const struct disk *d, uint64_t offset,
				 size_t len)
{
	return offset <= d->size && len <= d->size - offset;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_BLK_DISK_H */
