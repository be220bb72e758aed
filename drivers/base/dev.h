/* SPDX-License-Identifier: MIT */
/*
 * dev.h - the driver-facing device model: device types, device errors and
 * the per-class operation tables (block, net and display).
 * Independent of VirtIO: the adapter maps VirtIO onto these.
 */
#ifndef VIRTSIM_DRIVERS_BASE_DEV_H
#define VIRTSIM_DRIVERS_BASE_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#define NET_MAC_LEN 6u

/*
 * A network buffer (axdriver_net's NetBuf): one fixed-size buffer of a
 * pool (drivers/base/net_buf.h), with room for the driver's header
 * before the packet:
 *
 *   buf                                              buf + capacity
 *   | header_len bytes | packet_len bytes | unused ... |
 */
struct net_buf {
	uint8_t *buf;
	uint64_t paddr; /* device address of buf: pools live in DMA memory */
	size_t capacity;
	size_t header_len;
	size_t packet_len;
	struct net_buf *next; /* the holder's to use; NULL from the pool */
	uint32_t index;	      /* place in its pool */
	bool in_pool;	      /* free (the pool's own books decide) */
};

static inline uint8_t *net_buf_packet(struct net_buf *b)
{
	return b->buf + b->header_len;
}

struct net_device;

/*
 * Network driver operations (axdriver_net's NetDriverOps). Buffers come
 * from the device's pool: alloc_tx_buffer takes one for a packet of
 * @size bytes; transmit sends it (the device gives it back to the pool
 * once sent, at recycle_tx_buffers); receive returns a received packet
 * (-DEV_ERR_AGAIN when nothing has arrived), to be given back with
 * recycle_rx_buffer. On every error path a buffer stays accounted for:
 * the pool is whole again once the caller gave back what it holds.
 */
struct net_driver_ops {
	const char *(*name)(struct net_device *dev);
	enum dev_type (*type)(struct net_device *dev);
	void (*mac_address)(struct net_device *dev, uint8_t mac[NET_MAC_LEN]);
	bool (*can_transmit)(struct net_device *dev);
	bool (*can_receive)(struct net_device *dev);
	size_t (*rx_queue_size)(struct net_device *dev);
	size_t (*tx_queue_size)(struct net_device *dev);
	int (*recycle_rx_buffer)(struct net_device *dev, struct net_buf *buf);
	int (*recycle_tx_buffers)(struct net_device *dev);
	int (*transmit)(struct net_device *dev, struct net_buf *buf);
	int (*receive)(struct net_device *dev, struct net_buf **buf);
	int (*alloc_tx_buffer)(struct net_device *dev, size_t size,
			       struct net_buf **buf);
};

struct net_device {
	const struct net_driver_ops *ops;
};

/* What a display shows (axdriver_display's DisplayInfo). */
struct display_info {
	uint32_t width, height;
	uintptr_t fb_base_vaddr; /* the framebuffer, in the driver's space */
	size_t fb_size;		 /* bytes: width * height * 4 */
};

/*
 * The framebuffer to draw into: 32-bit pixels B8G8R8X8 (bytes B, G, R,
 * X), rows @stride bytes apart.
 */
struct display_framebuffer {
	uint8_t *base;
	size_t size;
	uint32_t width, height, stride;
};

struct display_device;

/*
 * Display driver operations (axdriver_display's DisplayDriverOps).
 * Drawing is writing into fb; damage says where it was drawn, and
 * need_flush is true once something was since the last flush. flush
 * shows the dirty rectangle (nothing to do: 0).
 */
struct display_driver_ops {
	const char *(*name)(struct display_device *dev);
	enum dev_type (*type)(struct display_device *dev);
	void (*info)(struct display_device *dev, struct display_info *info);
	void (*fb)(struct display_device *dev, struct display_framebuffer *fb);
	/* Pixels in (@x, @y, @w, @h) were drawn (clipped to the screen). */
	void (*damage)(struct display_device *dev, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h);
	bool (*need_flush)(struct display_device *dev);
	int (*flush)(struct display_device *dev);
};

struct display_device {
	const struct display_driver_ops *ops;
};

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_BASE_DEV_H */
