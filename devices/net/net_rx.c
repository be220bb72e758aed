/* SPDX-License-Identifier: MIT */
/*
 * virtio-net receive (§5.1.6.3, §5.1.6.4): the backend hands over frames
 * at any time (a loop switch does so from inside another NIC's
 * transmit). A frame goes into posted buffers at once, or waits in the
 * backlog. With MRG_RXBUF, the buffers popped for the frame at the
 * backlog's head stay with the model until there are enough, or until
 * the queue stops (ops->queue_stop). Nothing per frame is allocated.
 */
#include <inttypes.h>
#include <string.h>

#include "devices/net/net_model_priv.h"
#include "drivers/wire/virtio_types.h"
#include "sim/trace.h"

/* May frames go to the guest now: a receive queue running? */
static bool net_rx_live(const struct net_model *n)
{
	return n->vdev.live && n->vdev.vq[RXQ].ready;
}

static void net_rx_dropped(struct net_model *n, size_t len, const char *why)
{
	n->stats.rx_dropped++;
	trace_net_rx_drop(n->vdev.env->trace, n->vdev.name, n->vdev.id, len,
			  why);
}

void net_rx_give_back(struct net_model *n)
{
	for (unsigned i = 0; i < n->nheld; i++)
		virtio_dev_complete(n->held[i], 0);
	n->nheld = 0;
	n->held_room = 0;
}

/*
 * The header the device writes: flags 0 (NET-V-13), GSO NONE (NET-V-14).
 * Only a 12-byte header (@hlen) has num_buffers, which net-rx-bad-hdr
 * breaks (0 is never a buffer count, NET-V-10, NET-V-11).
 */
static void net_rx_hdr(struct net_model *n, uint8_t *h, size_t hlen,
		       uint16_t num_buffers)
{
	memset(h, 0, VIRTIO_NET_HDR_SIZE);
	if (hlen == VIRTIO_NET_HDR_SIZE &&
	    fault_fire(n->vdev.env->faults, FAULT_NET_RX_BAD_HDR, n->vdev.id))
		num_buffers = 0;
	virtio_st_le16(h + offsetof(struct virtio_net_hdr, num_buffers),
		       num_buffers);
}

static void net_rx_delivered(struct net_model *n, const uint8_t *frame,
			     size_t len)
{
	n->stats.rx_frames++;
	n->stats.rx_bytes += len;
	trace_net_rx(n->vdev.env->trace, n->vdev.name, n->vdev.id, len);
	net_pcap_write(n->pcap, frame, len);
}

/*
 * Without MRG_RXBUF: exactly one buffer, num_buffers 1 (NET-V-10). A
 * buffer too small for header and frame is handed back empty and the
 * frame dropped. False if no buffer is posted.
 */
static bool net_rx_single(struct net_model *n, const uint8_t *frame, size_t len,
			  size_t hlen)
{
	uint8_t h[VIRTIO_NET_HDR_SIZE];
	struct virtio_req *r;
	int ret = virtio_dev_pop_req(&n->vdev, RXQ, &r);

	if (ret == 0)
		return false;
	if (ret < 0) {
		net_rx_dropped(n, len, "receive ring broken");
		return true;
	}
	if (r->elem.in_bytes < hlen + len) {
		n->stats.rx_too_small++;
		trace_net_rx_small(n->vdev.env->trace, n->vdev.name, n->vdev.id,
				   r->elem.in_bytes, len);
		virtio_dev_complete(r, 0);
		return true;
	}
	net_rx_hdr(n, h, hlen, 1);
	vq_elem_write(&r->elem, 0, h, hlen);
	vq_elem_write(&r->elem, hlen, frame, len);
	net_rx_delivered(n, frame, len);
	virtio_dev_complete(r, (uint32_t)(hlen + len));
	return true;
}

/*
 * MRG_RXBUF: the held buffers cover the frame. Use as few as it takes,
 * each but the last filled completely (NET-V-12), the header in the
 * first with num_buffers (NET-V-11), all used together and in order;
 * the rest stay held for the next frame.
 */
static void net_rx_fill_mrg(struct net_model *n, const uint8_t *frame,
			    size_t len, size_t hlen)
{
	uint8_t h[VIRTIO_NET_HDR_SIZE];
	uint64_t need = hlen + len, room = 0;
	unsigned count = 0;
	size_t done = 0;

	while (room < need)
		room += n->held[count++]->elem.in_bytes;
	net_rx_hdr(n, h, hlen, (uint16_t)count);
	for (unsigned i = 0; i < count; i++) {
		const struct vq_elem *e = &n->held[i]->elem;
		size_t off = 0, c;

		if (i == 0) {
			vq_elem_write(e, 0, h, hlen);
			off = hlen;
		}
		c = (size_t)min_size(e->in_bytes - off, len - done);
		vq_elem_write(e, off, frame + done, c);
		done += c;
		n->used_len[i] = (uint32_t)(off + c);
		n->held_room -= e->in_bytes;
	}
	net_rx_delivered(n, frame, len);
	virtio_dev_complete_batch(n->held, n->used_len, count);
	n->nheld -= count;
	memmove(n->held, n->held + count, n->nheld * sizeof(*n->held));
}

/*
 * Put one frame into the guest's buffers. True when the frame is done
 * with (delivered, or dropped for good); false when it has to wait for
 * more buffers, the ones popped so far staying held.
 */
static bool net_rx_deliver(struct net_model *n, const uint8_t *frame,
			   size_t len)
{
	struct virtio_dev *dev = &n->vdev;
	size_t hlen = net_hdr_size(dev);
	struct virtio_req *r;
	int ret;

	if (!virtio_dev_has_feature(dev, VIRTIO_NET_F_MRG_RXBUF))
		return net_rx_single(n, frame, len, hlen);
	while (n->held_room < hlen + len) {
		if (n->nheld == dev->vq[RXQ].size) {
			/* Every buffer of the ring is ours: never enough. */
			n->stats.rx_too_small++;
			trace_net_rx_room(dev->env->trace, dev->name, dev->id,
					  n->held_room, len);
			net_rx_give_back(n);
			return true;
		}
		ret = virtio_dev_pop_req(dev, RXQ, &r);
		if (ret == 0)
			return false;
		if (ret < 0) {
			net_rx_give_back(n);
			net_rx_dropped(n, len, "receive ring broken");
			return true;
		}
		n->held[n->nheld++] = r;
		if (r->elem.in_bytes < hlen) {
			net_guest_error(n,
					"net: rx buffer of %" PRIu64
					" writable bytes is smaller than the "
					"%zu-byte header (NET-D-15)",
					r->elem.in_bytes, hlen);
			net_rx_give_back(n);
			net_rx_dropped(n, len, "guest error");
			return true;
		}
		n->held_room += r->elem.in_bytes;
	}
	net_rx_fill_mrg(n, frame, len, hlen);
	return true;
}

void net_rx_drain(struct net_model *n)
{
	const uint8_t *f;
	size_t len;

	while ((f = net_backlog_peek(&n->backlog, &len)) &&
	       net_rx_deliver(n, f, len))
		net_backlog_pop(&n->backlog);
}

void net_rx_receive(void *opaque, const void *frame, size_t len)
{
	struct net_model *n = opaque;

	net_link_fault(n);
	if (!n->link_up) {
		net_rx_dropped(n, len, "link down");
		return;
	}
	if (len < ETH_HLEN || len > n->mtu + ETH_HLEN) {
		/* NET-V-03: never more than mtu + the Ethernet header. */
		net_rx_dropped(n, len, "not an Ethernet frame within the MTU");
		return;
	}
	if (fault_fire(n->vdev.env->faults, FAULT_NET_DROP_RX, n->vdev.id)) {
		net_rx_dropped(n, len, "fault");
		return;
	}
	if (!net_rx_live(n)) {
		net_rx_dropped(n, len, "receive queue not running");
		return;
	}
	if (n->backlog.count)
		net_rx_drain(n);
	if (!n->backlog.count && net_rx_deliver(n, frame, len))
		return;
	if (!net_backlog_push(&n->backlog, frame, len)) {
		net_rx_dropped(n, len, "backlog full");
		return;
	}
	if (n->backlog.count > n->stats.rx_backlog_max)
		n->stats.rx_backlog_max = n->backlog.count;
}

void net_rx_drop_backlog(struct net_model *n, const char *why)
{
	unsigned dropped = net_backlog_clear(&n->backlog);

	n->stats.rx_dropped += dropped;
	if (dropped)
		trace_net_rx_backlog_drop(n->vdev.env->trace, n->vdev.name,
					  n->vdev.id, dropped, why);
}
