/* SPDX-License-Identifier: MIT */
/*
 * net_buf.h - a pool of fixed-size network buffers (axdriver_net's
 * NetBufPool). drivers/ cannot malloc, so the buffers and their
 * struct net_buf descriptors both live in memory from hal_dma_alloc:
 * every buffer's device address is known (net_buf.paddr), and sharing it
 * with a device needs no bounce. Not thread-safe: one caller at a time.
 */
#ifndef VIRTSIM_DRIVERS_BASE_NET_BUF_H
#define VIRTSIM_DRIVERS_BASE_NET_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Buffer lengths a pool takes: one 1500-byte MTU frame + 14 + 12 ... */
#define NET_BUF_MIN_LEN 1526u
/* ... up to the largest frame a 16-bit MTU allows. */
#define NET_BUF_MAX_LEN 65535u

struct net_buf_pool {
	const struct hal *hal; /* NULL: not set up */
	size_t capacity;       /* buffers */
	size_t buf_len;	       /* bytes per buffer */
	size_t stride;	       /* buf_len rounded up: buffers start aligned */
	unsigned stride_shift; /* stride = odd part << stride_shift ... */
	uint64_t stride_inverse; /* ... and the odd part's inverse mod 2^64 */
	/* One DMA area: capacity struct net_buf, then the pool's own book,
	 * which no caller holds a pointer into: the free indices (a stack)
	 * and one bit per buffer saying it is free (net_buf.in_pool only
	 * mirrors it). */
	struct net_buf *descs;
	uint32_t *free_stack;
	uint8_t *free_bits;
	uint64_t descs_paddr;
	size_t descs_pages;
	/* Buffers: capacity * stride bytes, one DMA area. */
	uint8_t *data;
	uint64_t data_paddr;
	size_t data_pages;
	size_t free_count;
};

/*
 * Set up @p with @capacity buffers of @buf_len bytes, all free. Returns
 * 0, -DEV_ERR_INVALID_PARAM (capacity 0 or above UINT32_MAX, buf_len
 * outside NET_BUF_MIN_LEN..NET_BUF_MAX_LEN, a NULL argument) or
 * -DEV_ERR_NO_MEMORY when the HAL has not enough DMA memory. @p is
 * zeroed on failure, and nothing stays allocated.
 */
int net_buf_pool_init(struct net_buf_pool *p, const struct hal *hal,
		      size_t capacity, size_t buf_len);
/*
 * Give the DMA memory back and zero @p. Returns how many buffers were
 * not back in the pool (0 when every alloc was matched by a free); they
 * are gone with it.
 */
size_t net_buf_pool_destroy(struct net_buf_pool *p);

/*
 * A free buffer (header_len and packet_len 0, capacity buf_len; the last
 * freed goes out first), or NULL when none is free.
 */
struct net_buf *net_buf_pool_alloc(struct net_buf_pool *p);
/*
 * Put @b back. Returns 0, or -DEV_ERR_INVALID_PARAM and changes nothing
 * when @b is not one of @p's buffers or is free already (a double free).
 * The descriptor's buf, paddr, capacity and index are rewritten from the
 * pool, whatever the caller did to them.
 */
int net_buf_pool_free(struct net_buf_pool *p, struct net_buf *b);

/* @b's place in @p (0..capacity-1), or capacity if it is not @p's. */
size_t net_buf_pool_index(const struct net_buf_pool *p,
			  const struct net_buf *b);
/* True if @b is one of @p's descriptors (free or not). */
bool net_buf_pool_owns(const struct net_buf_pool *p, const struct net_buf *b);
/* True if @b is one of @p's descriptors and free. */
bool net_buf_pool_is_free(const struct net_buf_pool *p,
			  const struct net_buf *b);
/* The descriptor of the buffer that starts at @data; NULL if none does. */
struct net_buf *net_buf_pool_find(const struct net_buf_pool *p,
				  const void *data);

static inline size_t net_buf_pool_free_count(const struct net_buf_pool *p)
{
	return p->free_count;
}

static inline size_t net_buf_pool_capacity(const struct net_buf_pool *p)
{
	return p->capacity;
}

static inline size_t net_buf_pool_buf_len(const struct net_buf_pool *p)
{
	return p->buf_len;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_BASE_NET_BUF_H */
