/* SPDX-License-Identifier: MIT */
/*
 * virtio_net.c - the virtio-net driver (§5.1) over any transport.
 *
 * One chain per frame buffer: the whole buffer in one descriptor, or
 * (legacy without ANY_LAYOUT, §5.1.6.6) the header in a descriptor of its
 * own and the rest after it. Each queue keeps a slot per descriptor, in
 * DMA memory, saying which buffer the chain headed there carries; the
 * virtqueue's cookie is the buffer too, so complete can check both.
 * Bring-up, interrupts, waiting and teardown are struct virtio_device's.
 */
#include "drivers/virtio/virtio_net.h"

#include <string.h>

#define NET_DEFAULT_QUEUE_SIZE 256u

enum net_slot_state {
	SLOT_IDLE,   /* no chain headed here */
	SLOT_POSTED, /* the device owns it */
	SLOT_USED,   /* polled: held, the caller completes it */
};

struct virtio_net_slot {
	void *buf;
	uint64_t paddr;
	uint32_t len;
	uint32_t used_len;
	uint32_t seq; /* receive: used order, from poll */
	uint8_t state;
};

const uint8_t virtio_net_default_mac[VIRTIO_NET_ETH_ALEN] = {0x02, 0x76, 0x73,
							     0x00, 0x00, 0x01};

static const struct hal *net_hal(const struct virtio_net *net)
{
	return net->vdev.transport->hal;
}

static bool net_has(const struct virtio_net *net, unsigned feature)
{
	return virtio_device_has_feature(&net->vdev, feature);
}

static bool net_up(const struct virtio_net *net)
{
	return net && net->vdev.transport;
}

/* The slot of a chain headed at @token in @state, or NULL. */
static struct virtio_net_slot *net_slot(const struct virtio_net_queue *q,
					uint16_t token, uint8_t state)
{
	if (!q->slots || token >= q->vq.size || q->slots[token].state != state)
		return NULL;
	return &q->slots[token];
}

/*
 * Share @buf, make it one chain (two with a split header) and kick.
 * Returns 0 and *@token, or the error; nothing stays shared on error.
 */
static int net_post(struct virtio_net *net, struct virtio_net_queue *q,
		    void *buf, size_t len, bool device_writes, uint16_t *token)
{
	enum hal_dma_dir dir =
	    device_writes ? HAL_DMA_FROM_DEVICE : HAL_DMA_TO_DEVICE;
	struct virtqueue_buf bufs[2];
	struct virtio_net_slot *s;
	unsigned n = 0;
	uint64_t pa;
	uint16_t tok;
	int err;

	/* Cheaper than sharing first and finding out. */
	if (virtqueue_num_free(&q->vq) < net->descs_per_frame)
		return -VIRTIO_ERR_QUEUE_FULL;
	if (hal_share(net_hal(net), buf, len, dir, &pa))
		return -VIRTIO_ERR_DMA_ERROR;
	if (net->split_hdr && len > net->hdr_len) {
		bufs[n++] =
		    (struct virtqueue_buf){pa, net->hdr_len, device_writes};
		bufs[n++] = (struct virtqueue_buf){
		    pa + net->hdr_len, (uint32_t)(len - net->hdr_len),
		    device_writes};
	} else {
		bufs[n++] =
		    (struct virtqueue_buf){pa, (uint32_t)len, device_writes};
	}
	err = virtqueue_add_cookie(&q->vq, bufs, device_writes ? 0 : n,
				   device_writes ? n : 0, buf, &tok);
	if (err) {
		hal_unshare(net_hal(net), pa, buf, len, dir);
		return err;
	}
	s = &q->slots[tok];
	*s =
	    (struct virtio_net_slot){buf, pa, (uint32_t)len, 0, 0, SLOT_POSTED};
	virtqueue_kick(&q->vq);
	*token = tok;
	return 0;
}

/*
 * Take the next used chain off @q and hold it. Returns 1 and *@token, 0
 * if nothing was used, or the ring error (a bad entry is dropped).
 */
static int net_poll(struct virtio_net_queue *q, uint16_t *token, uint32_t *seq)
{
	struct virtio_net_slot *s;
	uint16_t tok;
	uint32_t len;
	int err;

	err = virtqueue_get_used(&q->vq, &tok, &len);
	if (err == -VIRTIO_ERR_NOT_READY)
		return 0;
	if (err)
		return err;
	/* The virtqueue vouched for tok: a chain we had in flight. */
	s = &q->slots[tok];
	s->state = SLOT_USED;
	s->used_len = len;
	if (seq)
		s->seq = (*seq)++;
	*token = tok;
	return 1;
}

/* Unshare a polled chain's buffer and free its descriptors. */
static int net_release(struct virtio_net *net, struct virtio_net_queue *q,
		       uint16_t token, enum hal_dma_dir dir)
{
	struct virtio_net_slot *s = &q->slots[token];
	int err = 0;

	/* Unshare first: a bounced receive buffer is copied back here. */
	if (hal_unshare(net_hal(net), s->paddr, s->buf, s->len, dir))
		err = -VIRTIO_ERR_DMA_ERROR;
	virtqueue_release(&q->vq, token);
	s->state = SLOT_IDLE;
	return err;
}

bool virtio_net_can_transmit(const struct virtio_net *net)
{
	return net_up(net) &&
	       virtqueue_num_free(&net->tx.vq) >= net->descs_per_frame;
}

int virtio_net_transmit_begin(struct virtio_net *net, void *buf, size_t len,
			      uint16_t *token)
{
	if (!net_up(net) || !buf || !token)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* A whole Ethernet header at least; NET-D-04: no non-GSO frame
	 * above mtu + 14. */
	if (len < net->hdr_len + VIRTIO_NET_ETH_HLEN ||
	    len - net->hdr_len > virtio_net_max_frame(net))
		return -VIRTIO_ERR_INVALID_PARAM;
	/* NET-D-06/07/11/14: flags 0 (fully checksummed, neither
	 * DATA_VALID nor RSC_INFO), GSO_NONE, num_buffers 0. */
	memset(buf, 0, net->hdr_len);
	return net_post(net, &net->tx, buf, len, false, token);
}

int virtio_net_transmit_poll(struct virtio_net *net, uint16_t *token)
{
	if (!net_up(net) || !token)
		return -VIRTIO_ERR_INVALID_PARAM;
	return net_poll(&net->tx, token, NULL);
}

int virtio_net_transmit_complete(struct virtio_net *net, uint16_t token,
				 void *buf)
{
	struct virtio_net_slot *s;

	if (!net_up(net))
		return -VIRTIO_ERR_INVALID_PARAM;
	s = net_slot(&net->tx, token, SLOT_USED);
	if (!s || s->buf != buf || virtqueue_cookie(&net->tx.vq, token) != buf)
		return -VIRTIO_ERR_WRONG_TOKEN;
	net->tx_frames++;
	return net_release(net, &net->tx, token, HAL_DMA_TO_DEVICE);
}

int virtio_net_receive_begin(struct virtio_net *net, void *buf, size_t len,
			     uint16_t *token)
{
	if (!net_up(net) || !buf || !token || len > UINT32_MAX)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* NET-D-15: the header fits; NET-D-03: without MRG_RXBUF a whole
	 * mtu + 14 frame fits too. */
	if (len < net->hdr_len)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (!net->mrg_rxbuf && len < net->hdr_len + virtio_net_max_frame(net))
		return -VIRTIO_ERR_INVALID_PARAM;
	return net_post(net, &net->rx, buf, len, true, token);
}

int virtio_net_receive_poll(struct virtio_net *net, uint16_t *token)
{
	if (!net_up(net) || !token)
		return -VIRTIO_ERR_INVALID_PARAM;
	return net_poll(&net->rx, token, &net->rx_seq_polled);
}

/* RFC 1071: the ones'-complement sum of @len bytes, big-endian words. */
static uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * NET-D-10/17 seen from the receiving side: the checksum field holds the
 * pseudo-header sum, and the ones'-complement sum from csum_start to the
 * end completes it. Neither offset is trusted (NET-D-18 in spirit).
 */
static int net_complete_csum(bool legacy, uint8_t *frame, size_t len,
			     const uint8_t *hdr)
{
	size_t start = virtio_ld16(legacy, hdr + 6),
	       off = virtio_ld16(legacy, hdr + 8);
	uint16_t csum;

	if (start > len || off > len - start || len - start - off < 2)
		return -VIRTIO_ERR_IO_ERROR;
	csum = (uint16_t)~net_csum_add(0, frame + start, len - start);
	/* 0 and 0xffff are one value; UDP reserves 0 for "none". */
	if (csum == 0)
		csum = 0xffff;
	frame[start + off] = (uint8_t)(csum >> 8);
	frame[start + off + 1] = (uint8_t)csum;
	return 0;
}

/* What a completed receive buffer holds; see receive_complete. */
static int net_rx_check(struct virtio_net *net, uint8_t *buf, uint32_t used,
			uint32_t len, size_t *hdr_len, size_t *frame_len,
			uint16_t *num_buffers)
{
	uint16_t nbufs = 1;
	uint8_t flags;

	if (net->rx_cont_left) {
		/* A continuation: no header, bytes from the start. */
		net->rx_cont_left--;
		if (used == 0 || used > len)
			return -VIRTIO_ERR_IO_ERROR;
		/* NET-V-12: every buffer but the last is filled. */
		if (net->rx_cont_left && used != len)
			return -VIRTIO_ERR_IO_ERROR;
		*frame_len = used;
		return 0;
	}
	if (used == 0)
		return 0; /* the device dropped a frame: buffer back empty */
	/* VQ-D-14: the used length must cover the header and nothing
	 * past the buffer is ours to read. */
	if (used < net->hdr_len || used > len)
		return -VIRTIO_ERR_IO_ERROR;
	if (net->hdr_len == VIRTIO_NET_HDR_SIZE)
		nbufs = virtio_ld16(
		    net->vdev.legacy,
		    buf + offsetof(struct virtio_net_hdr, num_buffers));
	if (!net->mrg_rxbuf) {
		/* NET-V-10: without MRG_RXBUF a frame is one buffer, what
		 * ever num_buffers says. A VERSION_1 header always has the
		 * field, but QEMU writes it only with MRG_RXBUF (it keeps
		 * what the driver left there, 0 in a zeroed buffer) and
		 * Linux never reads it then: refusing it lost every frame
		 * on QEMU's virtio-net-pci,mrg_rxbuf=off. */
		nbufs = 1;
	} else {
		/* NET-V-11: at most one buffer per descriptor of the ring;
		 * NET-V-12: the head of a longer frame is full. */
		if (nbufs == 0 || nbufs > net->rx.vq.size)
			return -VIRTIO_ERR_IO_ERROR;
		/* The count is sane: its continuations are skipped as
		 * such even if this buffer is refused. */
		net->rx_cont_left = (uint16_t)(nbufs - 1);
		if (nbufs > 1 && used != len)
			return -VIRTIO_ERR_IO_ERROR;
	}
	/* NET-D-16: unknown flag bits are ignored. */
	flags = buf[offsetof(struct virtio_net_hdr, flags)];
	if (nbufs == 1 && (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !(flags & VIRTIO_NET_HDR_F_RSC_INFO)) {
		int err =
		    net_complete_csum(net->vdev.legacy, buf + net->hdr_len,
				      used - net->hdr_len, buf);

		if (err)
			return err;
	}
	*hdr_len = net->hdr_len;
	*frame_len = used - net->hdr_len;
	*num_buffers = nbufs;
	return 0;
}

int virtio_net_receive_complete(struct virtio_net *net, uint16_t token,
				void *buf, size_t *hdr_len, size_t *frame_len,
				uint16_t *num_buffers)
{
	struct virtio_net_slot *s;
	size_t hl = 0, fl = 0;
	uint16_t nb = 0;
	uint32_t used, len;
	int err, err2;

	if (!net_up(net))
		return -VIRTIO_ERR_INVALID_PARAM;
	s = net_slot(&net->rx, token, SLOT_USED);
	if (!s || s->buf != buf || virtqueue_cookie(&net->rx.vq, token) != buf)
		return -VIRTIO_ERR_WRONG_TOKEN;
	/* With MRG_RXBUF a frame's buffers follow each other in used
	 * order; taking one out of turn would split another frame. */
	if (net->mrg_rxbuf && s->seq != net->rx_seq_done)
		return -VIRTIO_ERR_WRONG_TOKEN;
	used = s->used_len;
	len = s->len;
	net->rx_seq_done++;
	net->rx_buffers++;
	err = net_release(net, &net->rx, token, HAL_DMA_FROM_DEVICE);
	err2 = net_rx_check(net, buf, used, len, &hl, &fl, &nb);
	if (err2) {
		net->rx_errors++;
		hl = fl = 0;
		nb = 0;
	}
	if (hdr_len)
		*hdr_len = hl;
	if (frame_len)
		*frame_len = fl;
	if (num_buffers)
		*num_buffers = nb;
	return err2 ? err2 : err;
}

void *virtio_net_rx_buf(const struct virtio_net *net, uint16_t token)
{
	const struct virtio_net_slot *s;

	if (!net_up(net) || !net->rx.slots || token >= net->rx.vq.size)
		return NULL;
	s = &net->rx.slots[token];
	return s->state == SLOT_IDLE ? NULL : s->buf;
}

void *virtio_net_tx_buf(const struct virtio_net *net, uint16_t token)
{
	const struct virtio_net_slot *s;

	if (!net_up(net) || !net->tx.slots || token >= net->tx.vq.size)
		return NULL;
	s = &net->tx.slots[token];
	return s->state == SLOT_IDLE ? NULL : s->buf;
}

bool virtio_net_link_up(struct virtio_net *net)
{
	uint8_t b[2];

	if (!net_up(net))
		return false;
	/* Cleared before the read: a change during it flags again. */
	net->vdev.config_changed = false;
	if (!net->has_status)
		return true; /* §5.1.4: without STATUS the link is up */
	if (virtio_transport_config_read(
		net->vdev.transport, offsetof(struct virtio_net_config, status),
		b, 2))
		return false;
	return virtio_ld16(net->vdev.legacy, b) & VIRTIO_NET_S_LINK_UP;
}

bool virtio_net_config_changed(struct virtio_net *net)
{
	bool changed;

	if (!net_up(net))
		return false;
	changed = net->vdev.config_changed;
	net->vdev.config_changed = false;
	return changed;
}

struct net_waiter {
	struct virtio_net *net;
	bool rx, tx;
	uint32_t config_irqs; /* when the wait began */
};

static int net_wait_look(void *arg)
{
	struct net_waiter *w = arg;

	return (w->rx && virtqueue_peek_used(&w->net->rx.vq)) ||
	       (w->tx && virtqueue_peek_used(&w->net->tx.vq)) ||
	       w->net->vdev.config_irqs != w->config_irqs;
}

int virtio_net_wait(struct virtio_net *net, bool rx, bool tx)
{
	struct net_waiter w = {net, rx, tx, net ? net->vdev.config_irqs : 0};

	if (!net_up(net))
		return -VIRTIO_ERR_INVALID_PARAM;
	/* The caller may have left used entries (a receive budget, a wait
	 * for transmit alone): those raise no interrupt again. */
	if (net_wait_look(&w))
		return 0;
	return virtio_device_wait(&net->vdev, net_wait_look, &w);
}

/* INIT-D-05: optional fields only with their feature; NET-D-01: reads. */
static int net_read_config(struct virtio_net *net,
			   const struct virtio_net_options *opts)
{
	struct virtio_transport *t = net->vdev.transport;
	uint8_t b[2];
	int err;

	if (net_has(net, VIRTIO_NET_F_MAC)) {
		/* NET-D-02: the device's address. */
		err = virtio_transport_config_read(
		    t, offsetof(struct virtio_net_config, mac), net->mac,
		    VIRTIO_NET_ETH_ALEN);
		if (err)
			return err;
	} else {
		static const uint8_t zero[VIRTIO_NET_ETH_ALEN];

		if (opts && memcmp(opts->fallback_mac, zero, sizeof(zero)))
			memcpy(net->mac, opts->fallback_mac, sizeof(net->mac));
		else
			memcpy(net->mac, virtio_net_default_mac,
			       sizeof(net->mac));
	}
	net->mtu = VIRTIO_NET_MTU_DEFAULT;
	if (net_has(net, VIRTIO_NET_F_MTU)) {
		err = virtio_transport_config_read(
		    t, offsetof(struct virtio_net_config, mtu), b, 2);
		if (err)
			return err;
		net->mtu = virtio_ld16(net->vdev.legacy, b);
		/* NET-V-02: 68..65535; below is no MTU we can honour. */
		if (net->mtu < VIRTIO_NET_MTU_MIN)
			return -VIRTIO_ERR_UNSUPPORTED;
	}
	net->has_status = net_has(net, VIRTIO_NET_F_STATUS);
	return 0;
}

static int net_alloc_slots(struct virtio_net *net, struct virtio_net_queue *q)
{
	size_t bytes = (size_t)q->vq.size * sizeof(struct virtio_net_slot);
	void *p;

	q->slots_pages = (bytes + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	if (hal_dma_alloc(net_hal(net), q->slots_pages, &q->slots_paddr, &p)) {
		q->slots_pages = 0;
		return -VIRTIO_ERR_DMA_ERROR;
	}
	q->slots = p;
	memset(q->slots, 0, q->slots_pages * HAL_PAGE_SIZE);
	return 0;
}

static void net_free_slots(const struct hal *hal, struct virtio_net_queue *q)
{
	if (q->slots_pages)
		hal_dma_free(hal, q->slots_paddr, q->slots, q->slots_pages);
	q->slots_pages = 0;
	q->slots = NULL;
}

static int net_queue_init(struct virtio_net *net, struct virtio_net_queue *q,
			  uint16_t index, uint16_t want)
{
	uint16_t size;
	int err;

	err = virtio_device_queue_size(&net->vdev, index, want,
				       NET_DEFAULT_QUEUE_SIZE, &size);
	if (err)
		return err;
	/* VQ-D-07: a frame's chain must fit the ring, counted in buffers:
	 * an indirect table takes one ring descriptor, but its entries
	 * count against the queue size all the same. A split header makes
	 * every chain two long, too long for a ring of one. */
	if (size < (net->split_hdr ? 2u : 1u) || size < net->descs_per_frame)
		return -VIRTIO_ERR_INVALID_PARAM;
	err = virtio_device_queue_init(&net->vdev, &q->vq, index, size);
	if (err)
		return err;
	return net_alloc_slots(net, q);
}

int virtio_net_init(struct virtio_net *net, struct virtio_transport *t,
		    const struct virtio_net_options *opts, unsigned irq_line)
{
	bool use_irq = opts && opts->use_irq;
	uint16_t qsize = opts ? opts->queue_size : 0;
	uint64_t supported;
	int err;

	if (!net || !t)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(net, 0, sizeof(*net));
	supported = VIRTIO_BIT(VIRTIO_NET_F_MAC) |
		    VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
		    VIRTIO_BIT(VIRTIO_NET_F_MTU);
	if (!opts || !opts->no_mrg_rxbuf)
		supported |= VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	/* CSUM lets us send partial checksums (we never do); GUEST_CSUM
	 * lets the device send them: receive_complete finishes those. */
	if (!opts || !opts->no_csum)
		supported |= VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
			     VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	if (!opts || !opts->no_indirect)
		supported |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (!opts || !opts->no_event_idx)
		supported |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	/* §3.1.1 up to FEATURES_OK (VERSION_1, or ANY_LAYOUT for a legacy
	 * device, added by the core); unwinds (FAILED) by itself. */
	err = virtio_device_begin(&net->vdev, t, VIRTIO_ID_NET, supported);
	if (err)
		return err;

	net->mrg_rxbuf = net_has(net, VIRTIO_NET_F_MRG_RXBUF);
	/* §5.1.6.1: num_buffers is there with VERSION_1 or MRG_RXBUF. */
	net->hdr_len = (net_has(net, VIRTIO_F_VERSION_1) || net->mrg_rxbuf)
			   ? VIRTIO_NET_HDR_SIZE
			   : VIRTIO_NET_HDR_LEGACY_SIZE;
	/* §5.1.6.6 (legacy): without ANY_LAYOUT the header is a
	 * descriptor of its own; an indirect table still takes one. */
	net->split_hdr =
	    virtio_transport_is_legacy(t) && !net_has(net, VIRTIO_F_ANY_LAYOUT);
	net->descs_per_frame =
	    net->split_hdr && !net_has(net, VIRTIO_F_INDIRECT_DESC) ? 2 : 1;

	err = net_read_config(net, opts);
	if (err)
		goto fail;
	err = net_queue_init(net, &net->rx, VIRTIO_NET_RX_QUEUE, qsize);
	if (err)
		goto fail;
	err = net_queue_init(net, &net->tx, VIRTIO_NET_TX_QUEUE, qsize);
	if (err)
		goto fail;
	err = virtio_device_irq_init(&net->vdev, use_irq, irq_line);
	if (err)
		goto fail;
	virtio_device_ready(&net->vdev);
	return 0;

fail:
	/* FAILED and the generic unwind, then our own DMA. */
	virtio_device_fail(&net->vdev, err);
	net_free_slots(t->hal, &net->rx);
	net_free_slots(t->hal, &net->tx);
	memset(net, 0, sizeof(*net));
	return err;
}

/* After a reset: unshare what @q's chains carried, posted or polled. */
static void net_reclaim(struct virtio_net *net, struct virtio_net_queue *q,
			enum hal_dma_dir dir)
{
	uint16_t token;

	while (virtqueue_detach_unused(&q->vq, &token) == 0) {
		struct virtio_net_slot *s = &q->slots[token];

		hal_unshare(net_hal(net), s->paddr, s->buf, s->len, dir);
		s->state = SLOT_IDLE;
	}
	for (uint16_t i = 0; q->slots && i < q->vq.size; i++) {
		if (q->slots[i].state == SLOT_USED)
			net_release(net, q, i, dir);
	}
}

void virtio_net_destroy(struct virtio_net *net)
{
	const struct hal *hal;

	if (!net_up(net))
		return;
	hal = net_hal(net);
	/* INIT-D-13: the device lets go of the queues first. */
	virtio_device_reset(&net->vdev);
	net_reclaim(net, &net->rx, HAL_DMA_FROM_DEVICE);
	net_reclaim(net, &net->tx, HAL_DMA_TO_DEVICE);
	net_free_slots(hal, &net->rx);
	net_free_slots(hal, &net->tx);
	virtio_device_teardown(&net->vdev);
	memset(net, 0, sizeof(*net));
}
