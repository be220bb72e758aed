/* SPDX-License-Identifier: MIT */
/*
 * net_device.c - struct net_driver_ops on top of the virtio-net driver
 * (axdriver's VirtIoNetDev), buffers from a net_buf pool.
 *
 * Unlike the anchor, no error path loses a buffer: each one has a state
 * byte here (the caller's descriptors are not trusted for it), every call
 * moves a buffer from one state to another or leaves it alone, and a
 * buffer the device cannot take goes back to the pool. Which buffer a
 * used token carries is the driver's to say (virtio_net_rx_buf); the pool
 * turns that back into its descriptor.
 */
#include "drivers/adapter/net_device.h"

#include <string.h>

#include "drivers/adapter/adapter.h"

enum vnd_state {
	VND_FREE, /* in the pool */
	VND_RX,	  /* posted for receive, or received, not handed out */
	VND_TX,	  /* in flight for transmit */
	VND_HELD, /* the caller's */
	VND_HELD_RX, /* the caller's, from receive: still the receive
		      * side's share (rx_held), so holding it holds back
		      * the ring, and forwarding it frees a place there */
};

static struct virtio_net_device *to_vnd(struct net_device *dev)
{
	char *p = (char *)dev - offsetof(struct virtio_net_device, base);

	return (struct virtio_net_device *)(void *)p;
}

/* @b's index if it is one of the pool's descriptors, else -1. */
static long vnd_index(const struct virtio_net_device *d,
		      const struct net_buf *b)
{
	size_t i = net_buf_pool_index(d->pool, b);

	return i < net_buf_pool_capacity(d->pool) ? (long)i : -1;
}

static bool vnd_is_held(const struct virtio_net_device *d, size_t i)
{
	return d->state[i] == VND_HELD || d->state[i] == VND_HELD_RX;
}

/* Held buffer @i leaves the caller: no longer the receive side's. */
static void vnd_unhold(struct virtio_net_device *d, size_t i)
{
	if (d->state[i] == VND_HELD_RX)
		d->rx_held--;
	d->state[i] = VND_HELD;
}

/* The index of a descriptor the pool itself handed back (find). */
static size_t vnd_slot(const struct virtio_net_device *d,
		       const struct net_buf *b)
{
	return (size_t)(b - d->pool->descs);
}

/*
 * The caller held @b and may have moved buf: the device only ever gets
 * the buffer the pool says is this descriptor's.
 */
static bool vnd_intact(const struct virtio_net_device *d,
		       const struct net_buf *b)
{
	return net_buf_pool_find(d->pool, b->buf) == b;
}

/* Buffer @i (@b) back to the pool from @from (whose count goes down). */
static void vnd_to_pool(struct virtio_net_device *d, struct net_buf *b,
			size_t i, size_t *from)
{
	d->state[i] = VND_FREE;
	(*from)--;
	net_buf_pool_free(d->pool, b);
}

/*
 * Post buffer @i (@b, counted in @from, the caller's or the RX side's)
 * for receive.
 * On failure it goes back to the pool. Returns 0 or a dev error.
 */
static int vnd_post_rx(struct virtio_net_device *d, struct net_buf *b,
		       size_t i, size_t *from)
{
	uint16_t tok;
	int err = virtio_net_receive_begin(&d->net, b->buf,
					   net_buf_pool_buf_len(d->pool), &tok);

	if (err) {
		vnd_to_pool(d, b, i, from);
		return as_dev_result(err, &d->last_error);
	}
	d->state[i] = VND_RX;
	(*from)--;
	d->rx_posted++;
	return 0;
}

/*
 * Keep the receive side at rx_target buffers, posted or received and
 * held: a buffer the caller forwarded (transmitted after receiving it),
 * or one a failed re-post gave back to the pool, is replaced from the
 * pool here. Returns 0, or the error that stopped it (the buffer is
 * back in the pool).
 */
static int vnd_refill_rx(struct virtio_net_device *d)
{
	struct net_buf *b;

	while (d->rx_posted + d->rx_held < d->rx_target &&
	       (b = net_buf_pool_alloc(d->pool)) != NULL) {
		int err;

		d->state[b->index] = VND_HELD; /* just rewritten by the pool */
		d->held++;
		err = vnd_post_rx(d, b, b->index, &d->held);
		if (err)
			return err;
	}
	return 0;
}

static const char *vnd_name(struct net_device *dev)
{
	return "virtio-net";
}

static enum dev_type vnd_type(struct net_device *dev)
{
	return DEV_TYPE_NET;
}

static void vnd_mac_address(struct net_device *dev, uint8_t mac[NET_MAC_LEN])
{
	virtio_net_mac(&to_vnd(dev)->net, mac);
}

static bool vnd_can_transmit(struct net_device *dev)
{
	struct virtio_net_device *d = to_vnd(dev);

	return net_buf_pool_free_count(d->pool) > 0 &&
	       virtio_net_can_transmit(&d->net);
}

static size_t vnd_rx_queue_size(struct net_device *dev)
{
	return virtio_net_rx_queue_size(&to_vnd(dev)->net);
}

static size_t vnd_tx_queue_size(struct net_device *dev)
{
	return virtio_net_tx_queue_size(&to_vnd(dev)->net);
}

static int vnd_alloc_tx_buffer(struct net_device *dev, size_t size,
			       struct net_buf **out)
{
	struct virtio_net_device *d = to_vnd(dev);
	size_t hdr = virtio_net_hdr_len(&d->net);
	struct net_buf *b;

	if (!out)
		return -DEV_ERR_INVALID_PARAM;
	*out = NULL;
	b = net_buf_pool_alloc(d->pool);
	if (!b)
		return -DEV_ERR_NO_MEMORY;
	if (size > net_buf_pool_buf_len(d->pool) - hdr) {
		/* The anchor kept it: back it goes. */
		net_buf_pool_free(d->pool, b);
		return -DEV_ERR_INVALID_PARAM;
	}
	b->header_len = hdr;
	b->packet_len = size;
	d->state[b->index] = VND_HELD; /* just rewritten by the pool */
	d->held++;
	*out = b;
	return 0;
}

static int vnd_transmit(struct net_device *dev, struct net_buf *b)
{
	struct virtio_net_device *d = to_vnd(dev);
	size_t hdr = virtio_net_hdr_len(&d->net);
	long i = vnd_index(d, b);
	uint16_t tok;
	int err;

	if (i < 0)
		return -DEV_ERR_INVALID_PARAM; /* not ours: left alone */
	if (!vnd_is_held(d, (size_t)i))
		return -DEV_ERR_BAD_STATE; /* not the caller's to give */
	/* From here on the buffer is consumed, whatever happens. */
	vnd_unhold(d, (size_t)i);
	if (!vnd_intact(d, b) || b->header_len != hdr ||
	    b->packet_len > net_buf_pool_buf_len(d->pool) - hdr) {
		err = -DEV_ERR_INVALID_PARAM;
		goto fail;
	}
	err = as_dev_result(virtio_net_transmit_begin(&d->net, b->buf,
						hdr + b->packet_len, &tok), &d->last_error);
	if (err)
		goto fail;
	d->state[i] = VND_TX;
	d->held--;
	d->tx_in_flight++;
	d->stats.tx_frames++;
	d->stats.tx_bytes += b->packet_len;
	return 0;

fail:
	d->stats.tx_errors++;
	vnd_to_pool(d, b, (size_t)i, &d->held);
	return err;
}

static int vnd_recycle_tx_buffers(struct net_device *dev)
{
	struct virtio_net_device *d = to_vnd(dev);
	int first = 0;

	for (;;) {
		struct net_buf *b;
		uint16_t tok;
		void *buf;
		int r = virtio_net_transmit_poll(&d->net, &tok);

		if (r <= 0) {
			/* Forwarded receive buffers came back here. */
			int refill = vnd_refill_rx(d);

			if (!first)
				first = r < 0 ? as_dev_result(r, &d->last_error) : refill;
			return first;
		}
		buf = virtio_net_tx_buf(&d->net, tok);
		b = net_buf_pool_find(d->pool, buf);
		r = virtio_net_transmit_complete(&d->net, tok, buf);
		if (r && !first)
			first = as_dev_result(r, &d->last_error);
		/* Only pool buffers are ever sent; the chain is gone now
		 * (a failed unshare releases it all the same). */
		if (b && d->state[vnd_slot(d, b)] == VND_TX)
			vnd_to_pool(d, b, vnd_slot(d, b),
				    &d->tx_in_flight);
		else if (!first)
			first = -DEV_ERR_BAD_STATE;
	}
}

/*
 * Take used receive buffers until one holds a frame for the caller
 * (*@out, still counted in rx_posted), re-posting the ones that do not.
 * Returns 0, -DEV_ERR_AGAIN when nothing (more) was used, or an error.
 * At most a queue's worth per call: a device that keeps giving buffers
 * back empty cannot keep us here.
 */
static int vnd_rx_next(struct virtio_net_device *d, struct net_buf **out)
{
	unsigned budget = virtio_net_rx_queue_size(&d->net);
	int err = vnd_refill_rx(d);

	if (err)
		return err;
	while (budget--) {
		size_t hdr, len, i;
		uint16_t tok, nbufs;
		struct net_buf *b;
		void *buf;
		int r = virtio_net_receive_poll(&d->net, &tok);

		if (r == 0)
			return -DEV_ERR_AGAIN;
		if (r < 0)
			return as_dev_result(r, &d->last_error);
		buf = virtio_net_rx_buf(&d->net, tok);
		b = net_buf_pool_find(d->pool, buf);
		i = b ? vnd_slot(d, b) : 0;
		if (!b || d->state[i] != VND_RX)
			return -DEV_ERR_BAD_STATE; /* never: we post pool
						    * buffers only */
		err = virtio_net_receive_complete(&d->net, tok, buf, &hdr, &len,
						  &nbufs);
		if (err == -VIRTIO_ERR_WRONG_TOKEN)
			return as_dev_result(err, &d->last_error); /* still posted: nothing moved */
		if (err) {
			/* The device broke the protocol for this buffer; it
			 * is ours again: post it again. */
			d->stats.rx_errors++;
			r = vnd_post_rx(d, b, i, &d->rx_posted);
			return r ? r : as_dev_result(err, &d->last_error);
		}
		if (hdr && nbufs == 1) {
			b->header_len = hdr;
			b->packet_len = len;
			*out = b;
			return 0;
		}
		if (hdr)
			d->stats
			    .rx_dropped++; /* head of a multi-buffer frame */
		else if (len == 0)
			d->stats.rx_empty++;
		/* else a continuation of a frame dropped at its head */
		r = vnd_post_rx(d, b, i, &d->rx_posted);
		if (r)
			return r;
	}
	return -DEV_ERR_AGAIN;
}

static bool vnd_can_receive(struct net_device *dev)
{
	struct virtio_net_device *d = to_vnd(dev);
	int err;

	if (d->rx_ready || d->rx_err)
		return true;
	err = vnd_rx_next(d, &d->rx_ready);
	/* An error met while looking is receive's to report: say so, or
	 * a caller that receives only when told to would never hear it. */
	if (err && err != -DEV_ERR_AGAIN)
		d->rx_err = err;
	return d->rx_ready || d->rx_err;
}

static int vnd_receive(struct net_device *dev, struct net_buf **out)
{
	struct virtio_net_device *d = to_vnd(dev);
	struct net_buf *b = NULL;
	int err;

	if (!out)
		return -DEV_ERR_INVALID_PARAM;
	*out = NULL;
	if (d->rx_ready) {
		b = d->rx_ready;
		d->rx_ready = NULL;
	} else if (d->rx_err) {
		err = d->rx_err;
		d->rx_err = 0;
		return err;
	} else {
		err = vnd_rx_next(d, &b);
		if (err)
			return err;
	}
	d->state[vnd_slot(d, b)] = VND_HELD_RX; /* found by the pool */
	d->rx_posted--;
	d->rx_held++;
	d->held++;
	d->stats.rx_frames++;
	d->stats.rx_bytes += b->packet_len;
	*out = b;
	return 0;
}

static int vnd_recycle_rx_buffer(struct net_device *dev, struct net_buf *b)
{
	struct virtio_net_device *d = to_vnd(dev);
	long i = vnd_index(d, b);

	if (i < 0)
		return -DEV_ERR_INVALID_PARAM;
	if (!vnd_is_held(d, (size_t)i))
		return -DEV_ERR_BAD_STATE;
	vnd_unhold(d, (size_t)i);
	if (!vnd_intact(d, b)) {
		vnd_to_pool(d, b, (size_t)i, &d->held); /* free rewrites it */
		return -DEV_ERR_INVALID_PARAM;
	}
	return vnd_post_rx(d, b, (size_t)i, &d->held);
}

static const struct net_driver_ops virtio_net_device_ops = {
    .name = vnd_name,
    .type = vnd_type,
    .mac_address = vnd_mac_address,
    .can_transmit = vnd_can_transmit,
    .can_receive = vnd_can_receive,
    .rx_queue_size = vnd_rx_queue_size,
    .tx_queue_size = vnd_tx_queue_size,
    .recycle_rx_buffer = vnd_recycle_rx_buffer,
    .recycle_tx_buffers = vnd_recycle_tx_buffers,
    .transmit = vnd_transmit,
    .receive = vnd_receive,
    .alloc_tx_buffer = vnd_alloc_tx_buffer,
};

static void vnd_free_state(struct virtio_net_device *d, const struct hal *hal)
{
	if (d->state_pages)
		hal_dma_free(hal, d->state_paddr, d->state, d->state_pages);
	d->state_pages = 0;
	d->state = NULL;
}

/* Every buffer the device side has goes back to the pool. */
static void vnd_reclaim(struct virtio_net_device *d)
{
	for (size_t i = 0; i < net_buf_pool_capacity(d->pool); i++) {
		struct net_buf *b = &d->pool->descs[i];

		if (d->state[i] == VND_RX)
			vnd_to_pool(d, b, i, &d->rx_posted);
		else if (d->state[i] == VND_TX)
			vnd_to_pool(d, b, i, &d->tx_in_flight);
	}
	d->rx_ready = NULL;
}

/*
 * The driver is up on @d->net: take @pool (NET-D-03: any buffer may be
 * posted for receive) and post receive buffers. On failure everything is
 * undone, the driver and a pool of the device's own included.
 */
static int vnd_attach(struct virtio_net_device *d, struct net_buf_pool *pool)
{
	const struct hal *hal = d->net.vdev.transport->hal;
	size_t cap = net_buf_pool_capacity(pool);
	void *p;
	int err;

	d->pool = pool;
	if (cap < 2 || net_buf_pool_buf_len(pool) <
			   virtio_net_hdr_len(&d->net) +
			       virtio_net_max_frame(&d->net)) {
		err = -DEV_ERR_INVALID_PARAM; /* one buffer each way at least */
		goto fail;
	}
	d->state_pages = (cap + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	if (hal_dma_alloc(hal, d->state_pages, &d->state_paddr, &p)) {
		d->state_pages = 0;
		err = -DEV_ERR_NO_MEMORY;
		goto fail;
	}
	d->state = p;
	for (size_t i = 0; i < cap; i++) {
		bool free = net_buf_pool_is_free(pool, &pool->descs[i]);

		d->state[i] = free ? VND_FREE : VND_HELD;
		d->held += !free;
	}

	/* Receive buffers: as many as the ring takes, half the pool at
	 * most; the other half is for transmit. */
	d->rx_target = virtio_net_rx_queue_size(&d->net) /
		       d->net.descs_per_frame;
	if (d->rx_target > cap / 2)
		d->rx_target = cap / 2;
	err = vnd_refill_rx(d);
	if (err)
		goto fail;
	if (d->rx_posted == 0) {
		err = -DEV_ERR_NO_MEMORY; /* nothing free to receive into */
		goto fail;
	}
	d->base.ops = &virtio_net_device_ops;
	return 0;

fail:
	virtio_net_destroy(&d->net);
	if (d->state) {
		vnd_reclaim(d);
		vnd_free_state(d, hal);
	}
	if (d->pool == &d->own_pool)
		net_buf_pool_destroy(&d->own_pool);
	memset(d, 0, sizeof(*d));
	return err;
}

int virtio_net_device_init(struct virtio_net_device *d,
			   struct virtio_transport *t,
			   const struct virtio_net_options *o,
			   unsigned irq_line, struct net_buf_pool *pool)
{
	int err;

	if (!d || !t || !pool || !pool->hal)
		return -DEV_ERR_INVALID_PARAM;
	memset(d, 0, sizeof(*d));
	if (net_buf_pool_capacity(pool) < 2)
		return -DEV_ERR_INVALID_PARAM;
	err = virtio_net_init(&d->net, t, o, irq_line);
	return err ? as_dev_result(err, &d->last_error) : vnd_attach(d, pool);
}

int virtio_net_device_init_own_pool(struct virtio_net_device *d,
				    struct virtio_transport *t,
				    const struct virtio_net_options *o,
				    unsigned irq_line, size_t capacity)
{
	size_t len;
	int err;

	if (!d || !t)
		return -DEV_ERR_INVALID_PARAM;
	memset(d, 0, sizeof(*d));
	err = virtio_net_init(&d->net, t, o, irq_line);
	if (err)
		return as_dev_result(err, &d->last_error);
	len = virtio_net_hdr_len(&d->net) + virtio_net_max_frame(&d->net);
	err = net_buf_pool_init(&d->own_pool, t->hal, capacity,
				len < NET_BUF_MIN_LEN ? NET_BUF_MIN_LEN : len);
	if (err) {
		virtio_net_destroy(&d->net);
		memset(d, 0, sizeof(*d));
		return err;
	}
	return vnd_attach(d, &d->own_pool);
}

void virtio_net_device_destroy(struct virtio_net_device *d)
{
	const struct hal *hal;

	if (!d || !d->base.ops)
		return;
	hal = d->net.vdev.transport->hal;
	/* Reset, unshare, queues gone: the buffers are ours to free. */
	virtio_net_destroy(&d->net);
	vnd_reclaim(d);
	vnd_free_state(d, hal);
	if (d->pool == &d->own_pool)
		net_buf_pool_destroy(&d->own_pool);
	memset(d, 0, sizeof(*d));
}
