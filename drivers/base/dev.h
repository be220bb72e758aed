/*
 * dev.h - the driver-facing device model: device types, device errors and
 * the per-class operation tables (block today; net and display later).
 * Independent of VirtIO: the adapter maps VirtIO onto these.
 */
#ifndef VIRTSIM_DRIVERS_BASE_DEV_H
#define VIRTSIM_DRIVERS_BASE_DEV_H

#include <stddef.h>
#include <stdint.h>

enum dev_type {
	DEV_TYPE_BLOCK,
	DEV_TYPE_CHAR,
	DEV_TYPE_NET,
	DEV_TYPE_DISPLAY,
};

/* Device errors; operations return 0 or one of these negated. */
enum dev_err {
	DEV_ERR_ALREADY_EXISTS = 1,
	DEV_ERR_AGAIN,
	DEV_ERR_BAD_STATE,
	DEV_ERR_INVALID_PARAM,
	DEV_ERR_IO,
	DEV_ERR_NO_MEMORY,
	DEV_ERR_RESOURCE_BUSY,
	DEV_ERR_UNSUPPORTED,
};

/* "Block", ...; "Unknown" for anything else. */
const char *dev_type_name(enum dev_type type);
/* "AlreadyExists", ... for @err or -@err; "Unknown" for anything else. */
const char *dev_err_name(int err);

struct block_device;

/* Block driver operations (axdriver_block's BlockDriverOps). */
struct block_driver_ops {
	const char *(*name)(struct block_device *dev);
	enum dev_type (*type)(struct block_device *dev);
	uint64_t (*num_blocks)(struct block_device *dev);
	size_t (*block_size)(struct block_device *dev);
	/* @len is a whole number of blocks. */
	int (*read_block)(struct block_device *dev, uint64_t block, void *buf,
			  size_t len);
	int (*write_block)(struct block_device *dev, uint64_t block,
			   const void *buf, size_t len);
	int (*flush)(struct block_device *dev);
};

struct block_device {
	const struct block_driver_ops *ops;
};

#endif /* VIRTSIM_DRIVERS_BASE_DEV_H */
