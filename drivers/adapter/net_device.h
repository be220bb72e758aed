/* SPDX-License-Identifier: MIT */
/*
 * net_device.h - a virtio-net device seen as a network device
 * (drivers/base): axdriver_net's NetDriverOps over the virtio-net driver,
 * buffers from a struct net_buf_pool, errors as negative enum dev_err.
 *
 * Every pool buffer is in exactly one place: free in the pool, posted
 * for receive (on the ring, or received and not handed out yet), in
 * flight for transmit, or held by the caller (from alloc_tx_buffer or
 * receive, until transmit or recycle_rx_buffer). So, after any sequence
 * of calls, failing ones included:
 *
 *   net_buf_pool_free_count(pool) + rx_posted + tx_in_flight + held
 *	== net_buf_pool_capacity(pool)
 *
 * The ops never block. To sleep until something happens, wait on the
 * driver: virtio_net_wait(&d->net, rx, tx).
 */
#ifndef VIRTSIM_DRIVERS_ADAPTER_NET_DEVICE_H
#define VIRTSIM_DRIVERS_ADAPTER_NET_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "drivers/base/net_buf.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_net.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_net_device_stats {
	uint64_t tx_frames, tx_bytes; /* handed to the device */
	uint64_t rx_frames, rx_bytes; /* handed to the caller */
	uint64_t tx_errors;	      /* transmit calls that failed */
	uint64_t rx_errors;	      /* completions the driver refused */
	uint64_t rx_dropped;	      /* multi-buffer frames we dropped */
	uint64_t rx_empty;	      /* frames the device dropped */
};

struct virtio_net_device {
	struct net_device base; /* base.ops: name "virtio-net", type Net */
	struct virtio_net net;
	int last_error; /* the VirtIO error of the last failed call */
	struct net_buf_pool *pool; /* the caller's, or &own_pool */
	struct net_buf_pool own_pool;
	uint8_t *state; /* per pool buffer; DMA (drivers/ cannot malloc) */
	uint64_t state_paddr;
	size_t state_pages;
	size_t rx_posted, tx_in_flight, held; /* see the invariant above */
	size_t rx_held;	  /* of held: handed out by receive */
	size_t rx_target; /* rx_posted + rx_held kept at this: the ring's
			   * worth, half the pool at most */
	struct net_buf *rx_ready; /* received by can_receive, not handed out */
	int rx_err;		  /* what can_receive met, for receive */
	struct virtio_net_device_stats stats;
};

/*
 * Initialise the virtio-net driver on @t (see virtio_net_init) and the
 * net device around it, with buffers from @pool (set up, at least 2
 * buffers; the device uses it alone from now on, buffers not free now
 * count as the caller's). Each buffer must hold a header and an mtu + 14
 * frame (NET-D-03). Posts as many receive buffers as the receive queue
 * takes, but at most half the pool; the rest serve transmit. Returns 0
 * or a negative enum dev_err: -DEV_ERR_INVALID_PARAM (bad arguments, a
 * pool too small or with buffers too short), -DEV_ERR_NO_MEMORY (no DMA
 * for the device's books, no buffer to post), or a VirtIO error mapped
 * by as_dev_err.
 */
int virtio_net_device_init(struct virtio_net_device *d,
			   struct virtio_transport *t,
			   const struct virtio_net_options *o,
			   unsigned irq_line, struct net_buf_pool *pool);
/*
 * As virtio_net_device_init, with a pool of the device's own: @capacity
 * buffers, each as long as a header and an mtu + 14 frame (NET-D-03),
 * so the caller need not know the MTU first. It goes with the device.
 */
int virtio_net_device_init_own_pool(struct virtio_net_device *d,
				    struct virtio_transport *t,
				    const struct virtio_net_options *o,
				    unsigned irq_line, size_t capacity);
/*
 * Reset the device (INIT-D-13) and tear the driver down; every buffer it
 * had (posted, in flight, received and not handed out) goes back to the
 * pool. Buffers the caller holds stay the caller's: net_buf_pool_free
 * them. The pool itself stays the caller's to destroy, unless it is the
 * device's own (then buffers still held are gone with it).
 */
void virtio_net_device_destroy(struct virtio_net_device *d);

static inline struct net_device *
virtio_net_device_base(struct virtio_net_device *d)
{
	return &d->base;
}

/*
 * The ops (axdriver_net's semantics, with a fixed error path), through
 * base.ops:
 *
 * - mac_address: the config's MAC, or the fallback (NET-D-02).
 * - can_transmit: a buffer is free and the transmit ring has room.
 * - can_receive: a received frame is waiting (taken off the ring here,
 *   kept for receive; empty completions and dropped multi-buffer frames
 *   met on the way are re-posted), or an error met while looking, which
 *   the next receive returns.
 * - rx_queue_size, tx_queue_size: the negotiated queue sizes.
 * - alloc_tx_buffer(size): a buffer with header_len = the driver's
 *   header and packet_len = @size; -DEV_ERR_INVALID_PARAM if that does
 *   not fit (the buffer goes back), -DEV_ERR_NO_MEMORY when none is free.
 * - transmit(buf): consumes a buffer the caller holds in every case: in
 *   flight on success (recycle_tx_buffers frees it), back in the pool on
 *   failure (-DEV_ERR_INVALID_PARAM for a frame the driver refuses,
 *   -DEV_ERR_BAD_STATE for a full ring, ...). A buffer not the device's
 *   is -DEV_ERR_INVALID_PARAM, one the caller does not hold
 *   -DEV_ERR_BAD_STATE: both left as they are.
 * - recycle_tx_buffers: every transmitted buffer back to the pool;
 *   returns the first error met (a bad used entry stops it: call again).
 * - receive(&buf): a received frame (header_len = header, packet_len =
 *   frame bytes), the caller's until recycle_rx_buffer or transmit;
 *   -DEV_ERR_AGAIN when nothing arrived. Empty completions (the device
 *   dropped a frame) are re-posted silently; a frame over several
 *   buffers (MRG_RXBUF) cannot be one net_buf: it is dropped, counted
 *   and its buffers re-posted. A completion the driver refuses (bad used
 *   length, num_buffers, ...) re-posts its buffer and says -DEV_ERR_IO.
 * - recycle_rx_buffer(buf): post a held buffer for receive again; if that
 *   fails it goes back to the pool and the error is returned. Not the
 *   device's: -DEV_ERR_INVALID_PARAM; not held: -DEV_ERR_BAD_STATE.
 */

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_ADAPTER_NET_DEVICE_H */
