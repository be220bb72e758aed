/*
 * disk.h - the backend a block device model reads and writes: an ops
 * table so the model never knows whether it talks to a file or memory
 * (TinyEMU's BlockDevice, kvmtool's disk/).
 */
#ifndef VIRTSIM_DEVICES_BLK_DISK_H
#define VIRTSIM_DEVICES_BLK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disk;

struct disk_ops {
	/* Whole transfers: 0, or a negative errno (short I/O is -EIO). */
	int (*read)(struct disk *d, uint64_t offset, void *buf, size_t len);
	int (*write)(struct disk *d, uint64_t offset, const void *buf,
		     size_t len);
	/* Make completed writes durable (fsync for a file). */
	int (*flush)(struct disk *d);
	void (*close)(struct disk *d);
};

struct disk {
	const struct disk_ops *ops;
	uint64_t size; /* bytes, a multiple of 512 */
	bool readonly;
};

/*
 * Open host file @path as a disk. Fails with a one-line reason in @err
 * (missing, unreadable, not a regular file or block device, size not a
 * multiple of 512 or zero). Returns the disk or NULL.
 */
struct disk *disk_file_open(const char *path, bool readonly, char *err,
			    size_t errlen);

static inline void disk_close(struct disk *d)
{
	if (d)
		d->ops->close(d);
}

#endif /* VIRTSIM_DEVICES_BLK_DISK_H */
