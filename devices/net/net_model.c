/*
 * The virtio-net device model (§5.1) on a frame backend.
 *
 * Transmit: every chain is a header (gathered, it may be split over
 * descriptors) and one frame; anything the negotiated features do not
 * allow is a guest error (NEEDS_RESET). A frame in one segment goes to
 * the backend in place, others are gathered into a scratch buffer.
 *
 * Receive: the backend hands over frames at any time (a loop switch
 * does so from inside another NIC's transmit). A frame goes into posted
 * buffers at once, or waits in the backlog; the buffers popped for the
 * frame at the backlog's head (MRG_RXBUF) stay with the model until
 * there are enough, or until the queue stops (ops->queue_stop). Nothing
 * per frame is allocated.
 */
#include "devices/net/net_model.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/net_backlog.h"
#include "devices/net/pcap.h"
#include "drivers/wire/virtio_config.h"
#include "sim/trace.h"

#define RXQ VIRTIO_NET_RX_QUEUE
#define TXQ VIRTIO_NET_TX_QUEUE
#define ETH_HLEN VIRTIO_NET_ETH_HLEN

/* Config up to mtu: the fields the offered features make exist. */
#define NET_CONFIG_LEN offsetof(struct virtio_net_config, speed)

struct net_model {
	struct virtio_dev vdev;
	struct net_backend *backend;
	struct net_pcap *pcap;
	uint32_t mtu;
	uint8_t mac[VIRTIO_NET_ETH_ALEN];
	bool admin_up; /* net_model_set_link */
	bool link_up;  /* admin_up and the backend's: what the guest sees */
	uint8_t config[NET_CONFIG_LEN];
	uint8_t *scratch; /* mtu + 14 bytes: a transmit frame gathered */
	/* Receive buffers popped for the next frame, in pop order. */
	struct virtio_req **held;
	uint32_t *used_len; /* per held buffer, for the batch completion */
	unsigned nheld;
	uint64_t held_room; /* writable bytes of the held buffers */
	struct net_backlog backlog;
	struct net_model_stats stats;
};

static const struct virtio_dev_ops net_model_ops;

static struct net_model *to_net(struct virtio_dev *dev)
{
	return (struct net_model *)((char *)dev -
				    offsetof(struct net_model, vdev));
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* §5.1.6.1: 12 bytes, but 10 for a legacy device without MRG_RXBUF. */
static size_t net_hdr_size(const struct virtio_dev *dev)
{
	if (dev->legacy && !virtio_dev_has_feature(dev, VIRTIO_NET_F_MRG_RXBUF))
		return VIRTIO_NET_HDR_LEGACY_SIZE;
	return VIRTIO_NET_HDR_SIZE;
}

static void net_guest_error(struct net_model *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void net_guest_error(struct net_model *n, const char *fmt, ...)
{
	char why[sizeof(n->vdev.broken_reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	n->stats.guest_errors++;
	virtio_dev_fail(&n->vdev, "%s", why);
}

/* The config is read-only for the driver: re-render it after any write. */
static void net_render_config(struct net_model *n)
{
	uint8_t *c = n->config;
	uint16_t status = 0;

	if ((n->vdev.host_features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) &&
	    n->link_up)
		status = VIRTIO_NET_S_LINK_UP;
	memset(c, 0, sizeof(n->config));
	memcpy(c + offsetof(struct virtio_net_config, mac), n->mac,
	       sizeof(n->mac));
	virtio_st_le16(c + offsetof(struct virtio_net_config, status), status);
	/* NET-V-01: one pair; NET-V-02: the MTU never changes. */
	virtio_st_le16(
	    c + offsetof(struct virtio_net_config, max_virtqueue_pairs), 1);
	virtio_st_le16(c + offsetof(struct virtio_net_config, mtu),
		       (uint16_t)n->mtu);
}

static void net_model_config_write(struct virtio_dev *dev, uint32_t off,
				   unsigned len)
{
	/* NET-D-01: writing mac was a legacy-only path; we keep ours. */
	trace(dev->env->trace, TRACE_DEV,
	      "%s: driver wrote read-only config [%u, %u)", dev->name, off,
	      off + len);
	net_render_config(to_net(dev));
}

/* Copy @len bytes of the readable segments from byte @off on. */
static void net_gather(const struct vq_elem *e, size_t off, void *dst,
		       size_t len)
{
	uint8_t *d = dst;

	for (unsigned i = 0; i < e->n_out && len; i++) {
		size_t n;

		if (off >= e->seg[i].len) {
			off -= e->seg[i].len;
			continue;
		}
		n = min_size(e->seg[i].len - off, len);
		memcpy(d, (const uint8_t *)e->seg[i].host + off, n);
		d += n;
		len -= n;
		off = 0;
	}
}

/*
 * Write @len bytes into the writable segments from byte @off on. The
 * source may be the guest's own memory (a frame looped back from one of
 * its transmit buffers), so overlap is allowed.
 */
static void net_scatter(const struct vq_elem *e, size_t off, const void *src,
			size_t len)
{
	const uint8_t *s = src;

	for (unsigned i = e->n_out; i < e->n_out + e->n_in && len; i++) {
		size_t n;

		if (off >= e->seg[i].len) {
			off -= e->seg[i].len;
			continue;
		}
		n = min_size(e->seg[i].len - off, len);
		memmove((uint8_t *)e->seg[i].host + off, s, n);
		s += n;
		len -= n;
		off = 0;
	}
}

/* Transmit -------------------------------------------------------------- */

/*
 * NET-D-10: the field at csum_start + csum_offset holds the
 * pseudo-header sum; the ones' complement sum from csum_start to the
 * end completes it. A result of 0 is sent as 0xffff, as Linux's
 * skb_checksum_help does (UDP reads 0 as "no checksum").
 */
static void net_csum_complete(uint8_t *f, size_t len, size_t start, size_t off)
{
	uint64_t sum = 0;
	uint16_t c;
	size_t i;

	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	if (i < len)
		sum += (uint32_t)f[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (!c)
		c = 0xffff;
	f[start + off] = (uint8_t)(c >> 8);
	f[start + off + 1] = (uint8_t)c;
}

/*
 * The frame after the @hlen-byte header: in place when it is the rest of
 * one segment and is not to be changed (the guest's readable buffers are
 * never written), else gathered into the scratch buffer.
 */
static uint8_t *net_tx_frame(struct net_model *n, const struct vq_elem *e,
			     size_t hlen, size_t flen, bool copy)
{
	size_t off = hlen;
	unsigned i = 0;

	while (i < e->n_out && off >= e->seg[i].len)
		off -= e->seg[i++].len;
	if (!copy && i < e->n_out && e->seg[i].len - off >= flen)
		return (uint8_t *)e->seg[i].host + off;
	net_gather(e, hlen, n->scratch, flen);
	return n->scratch;
}

/*
 * Check the header against what was negotiated (§5.1.6.2): the driver
 * rules NET-D-04/06/07/08/10/11/14. Unknown flag bits (NET-V-07) and
 * hdr_len (NET-V-09) are ignored, csum_start/csum_offset too without
 * NEEDS_CSUM (NET-V-08). False after failing the device.
 */
static bool net_tx_check(struct net_model *n, const uint8_t *h, size_t hlen,
			 uint64_t flen)
{
	struct virtio_dev *dev = &n->vdev;
	uint8_t flags = h[offsetof(struct virtio_net_hdr, flags)];
	uint8_t gso = h[offsetof(struct virtio_net_hdr, gso_type)];
	uint16_t nbuf = 0, cstart, coff;

	if (hlen == VIRTIO_NET_HDR_SIZE)
		nbuf = virtio_ld_le16(
		    h + offsetof(struct virtio_net_hdr, num_buffers));
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		net_guest_error(n,
				"net: tx gso_type 0x%x without HOST_TSO/UFO "
				"(NET-D-08, NET-D-11)",
				gso);
		return false;
	}
	if (flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO)) {
		net_guest_error(n,
				"net: tx flags 0x%x set DATA_VALID or "
				"RSC_INFO (NET-D-14)",
				flags);
		return false;
	}
	if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !virtio_dev_has_feature(dev, VIRTIO_NET_F_CSUM)) {
		net_guest_error(n, "net: tx NEEDS_CSUM without CSUM negotiated "
				   "(NET-D-07)");
		return false;
	}
	if (nbuf) {
		net_guest_error(
		    n, "net: tx num_buffers %u, must be 0 (NET-D-06)", nbuf);
		return false;
	}
	if (flen < ETH_HLEN || flen > n->mtu + ETH_HLEN) {
		net_guest_error(n,
				"net: tx frame of %" PRIu64
				" bytes, not within %u..%u (mtu %u, NET-D-04)",
				flen, ETH_HLEN, n->mtu + ETH_HLEN, n->mtu);
		return false;
	}
	if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	cstart =
	    virtio_ld_le16(h + offsetof(struct virtio_net_hdr, csum_start));
	coff = virtio_ld_le16(h + offsetof(struct virtio_net_hdr, csum_offset));
	if ((uint64_t)cstart + coff + 2 > flen) {
		net_guest_error(n,
				"net: tx checksum at %u + %u is past the "
				"%" PRIu64 "-byte frame (NET-D-10)",
				cstart, coff, flen);
		return false;
	}
	return true;
}

static void net_tx_one(struct net_model *n, struct virtio_req *r)
{
	const struct vq_elem *e = &r->elem;
	size_t hlen = net_hdr_size(&n->vdev);
	uint8_t h[VIRTIO_NET_HDR_SIZE];
	bool csum;
	uint8_t *frame;
	size_t flen;

	if (e->out_bytes < hlen) {
		net_guest_error(n,
				"net: tx chain of %" PRIu64
				" readable bytes is shorter than the %zu-byte "
				"header",
				e->out_bytes, hlen);
		goto done;
	}
	net_gather(e, 0, h, hlen);
	if (!net_tx_check(n, h, hlen, e->out_bytes - hlen))
		goto done;
	flen = (size_t)(e->out_bytes - hlen);
	csum = h[offsetof(struct virtio_net_hdr, flags)] &
	       VIRTIO_NET_HDR_F_NEEDS_CSUM;
	frame = net_tx_frame(n, e, hlen, flen, csum);
	if (csum)
		net_csum_complete(
		    frame, flen,
		    virtio_ld_le16(h +
				   offsetof(struct virtio_net_hdr, csum_start)),
		    virtio_ld_le16(
			h + offsetof(struct virtio_net_hdr, csum_offset)));
	if (!n->link_up) {
		n->stats.tx_dropped++;
		goto done;
	}
	n->stats.tx_frames++;
	n->stats.tx_bytes += flen;
	net_pcap_write(n->pcap, frame, flen);
	n->backend->ops->send(n->backend, frame, flen);
done:
	/* Transmit buffers are only read: nothing written (VQ-V-11). */
	virtio_dev_complete(r, 0);
}

static void net_tx_notify(struct net_model *n)
{
	struct virtio_req *r;

	while (virtio_dev_pop_req(&n->vdev, TXQ, &r) > 0)
		net_tx_one(n, r);
}

/* Receive --------------------------------------------------------------- */

/* May frames go to the guest now: a receive queue running? */
static bool net_rx_live(const struct net_model *n)
{
	return n->vdev.live && n->vdev.vq[RXQ].ready;
}

static void net_rx_dropped(struct net_model *n, size_t len, const char *why)
{
	n->stats.rx_dropped++;
	trace(n->vdev.env->trace, TRACE_DEV,
	      "%s: rx frame of %zu bytes "
	      "dropped: %s",
	      n->vdev.name, len, why);
}

/* Hand every held buffer back unused (length 0). */
static void net_rx_give_back(struct net_model *n)
{
	for (unsigned i = 0; i < n->nheld; i++)
		virtio_dev_complete(n->held[i], 0);
	n->nheld = 0;
	n->held_room = 0;
}

/* The header the device writes: flags 0 (NET-V-13), GSO NONE (NET-V-14). */
static void net_rx_hdr(uint8_t *h, uint16_t num_buffers)
{
	memset(h, 0, VIRTIO_NET_HDR_SIZE);
	virtio_st_le16(h + offsetof(struct virtio_net_hdr, num_buffers),
		       num_buffers);
}

static void net_rx_delivered(struct net_model *n, const uint8_t *frame,
			     size_t len)
{
	n->stats.rx_frames++;
	n->stats.rx_bytes += len;
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
		trace(n->vdev.env->trace, TRACE_DEV,
		      "%s: rx buffer of %" PRIu64 " bytes is too small for a "
		      "%zu-byte frame",
		      n->vdev.name, r->elem.in_bytes, len);
		virtio_dev_complete(r, 0);
		return true;
	}
	net_rx_hdr(h, 1);
	net_scatter(&r->elem, 0, h, hlen);
	net_scatter(&r->elem, hlen, frame, len);
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
	net_rx_hdr(h, (uint16_t)count);
	for (unsigned i = 0; i < count; i++) {
		const struct vq_elem *e = &n->held[i]->elem;
		size_t off = 0, c;

		if (i == 0) {
			net_scatter(e, 0, h, hlen);
			off = hlen;
		}
		c = (size_t)min_size(e->in_bytes - off, len - done);
		net_scatter(e, off, frame + done, c);
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
			trace(dev->env->trace, TRACE_DEV,
			      "%s: rx ring holds %" PRIu64 " bytes, too few "
			      "for a %zu-byte frame",
			      dev->name, n->held_room, len);
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

/* Waiting frames first, oldest first, while buffers last. */
static void net_rx_drain(struct net_model *n)
{
	const uint8_t *f;
	size_t len;

	while ((f = net_backlog_peek(&n->backlog, &len)) &&
	       net_rx_deliver(n, f, len))
		net_backlog_pop(&n->backlog);
}

/* The backend's receive callback: a frame for the guest. */
static void net_model_backend_rx(void *opaque, const void *frame, size_t len)
{
	struct net_model *n = opaque;

	if (!n->link_up) {
		net_rx_dropped(n, len, "link down");
		return;
	}
	if (len < ETH_HLEN || len > n->mtu + ETH_HLEN) {
		/* NET-V-03: never more than mtu + the Ethernet header. */
		net_rx_dropped(n, len, "not an Ethernet frame within the MTU");
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

static void net_backlog_drop_all(struct net_model *n, const char *why)
{
	unsigned dropped = net_backlog_clear(&n->backlog);

	n->stats.rx_dropped += dropped;
	if (dropped)
		trace(n->vdev.env->trace, TRACE_DEV,
		      "%s: %u waiting rx frames dropped: %s", n->vdev.name,
		      dropped, why);
}

/* Link ------------------------------------------------------------------ */

static void net_update_link(struct net_model *n)
{
	bool up = n->admin_up && n->backend->link_up;

	if (up == n->link_up)
		return;
	n->link_up = up;
	trace(n->vdev.env->trace, TRACE_DEV, "%s: link %s", n->vdev.name,
	      up ? "up" : "down");
	if (!up)
		net_backlog_drop_all(n, "link down");
	if (n->vdev.host_features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) {
		net_render_config(n);
		virtio_dev_config_changed(&n->vdev);
	}
}

static void net_model_backend_link(void *opaque, bool up)
{
	net_update_link(opaque);
}

void net_model_set_link(struct virtio_dev *dev, bool up)
{
	struct net_model *n;

	if (!dev || dev->ops != &net_model_ops)
		return;
	n = to_net(dev);
	n->admin_up = up;
	net_update_link(n);
}

/* Device ops ------------------------------------------------------------ */

static void net_model_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct net_model *n = to_net(dev);

	if (q == TXQ)
		net_tx_notify(n);
	else
		net_rx_drain(n); /* new buffers: waiting frames first */
}

/* The core's contract: give back what we hold; it reaches no guest. */
static void net_model_queue_stop(struct virtio_dev *dev, unsigned q)
{
	if (q == RXQ)
		net_rx_give_back(to_net(dev));
}

static void net_model_reset(struct virtio_dev *dev)
{
	net_backlog_drop_all(to_net(dev), "device reset");
}

static const struct virtio_dev_ops net_model_ops = {
    .device_id = VIRTIO_ID_NET,
    .num_queues = 2,
    .queue_size_max = NET_MODEL_QUEUE_SIZE,
    .config_write = net_model_config_write,
    .queue_notify = net_model_queue_notify,
    .queue_stop = net_model_queue_stop,
    .reset = net_model_reset,
};

static bool net_options_ok(const struct net_model_options *o)
{
	if (o->mtu &&
	    (o->mtu < VIRTIO_NET_MTU_MIN || o->mtu > NET_MODEL_MTU_MAX))
		return false;
	if (o->queue_size & (o->queue_size - 1) ||
	    o->queue_size > NET_MODEL_QUEUE_SIZE_MAX)
		return false;
	return !(o->mac[0] & 1); /* a NIC's address is unicast */
}

static void net_model_free(struct net_model *n)
{
	net_pcap_close(n->pcap);
	net_backlog_release(&n->backlog);
	free(n->scratch);
	free(n->held);
	free(n->used_len);
	free(n);
}

struct virtio_dev *net_model_create(struct sim_env *env,
				    struct net_backend *backend,
				    const struct net_model_options *opts)
{
	static const uint8_t default_mac[] = {0x52, 0x54, 0x00,
					      0x12, 0x34, 0x56};
	static const uint8_t zero_mac[VIRTIO_NET_ETH_ALEN];
	struct net_model_options o = {0};
	struct net_backend_client client;
	uint64_t features =
	    VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	struct net_model *n;
	unsigned qmax;
	int err = ENOMEM;

	if (!backend) {
		errno = EINVAL;
		return NULL;
	}
	if (opts)
		o = *opts;
	if (!net_options_ok(&o)) {
		net_backend_destroy(backend); /* ours even on failure */
		errno = EINVAL;
		return NULL;
	}
	qmax = o.queue_size ? o.queue_size : NET_MODEL_QUEUE_SIZE;
	n = calloc(1, sizeof(*n));
	if (!n)
		goto fail_backend;
	n->backend = backend;
	n->mtu = o.mtu ? o.mtu : VIRTIO_NET_MTU_DEFAULT;
	n->scratch = malloc(n->mtu + ETH_HLEN);
	n->held = calloc(qmax, sizeof(*n->held));
	n->used_len = calloc(qmax, sizeof(*n->used_len));
	if (!n->scratch || !n->held || !n->used_len)
		goto fail;
	if (o.pcap) {
		n->pcap = net_pcap_open(o.pcap);
		if (!n->pcap) {
			err = errno;
			goto fail;
		}
	}
	if (!o.no_status)
		features |= VIRTIO_BIT(VIRTIO_NET_F_STATUS);
	if (!o.no_mrg_rxbuf)
		features |= VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (!o.no_csum)
		features |= VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
			    VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	virtio_dev_init(&n->vdev, &net_model_ops, "virtio-net", env, features,
			n->config, sizeof(n->config));
	n->vdev.queue_size_max = (uint16_t)qmax;
	memcpy(n->mac, o.mac, sizeof(n->mac));
	if (!memcmp(o.mac, zero_mac, sizeof(zero_mac))) {
		/* NET-D-02's locally administered default, one per NIC. */
		uint32_t low =
		    ((uint32_t)default_mac[3] << 16 |
		     (uint32_t)default_mac[4] << 8 | default_mac[5]) +
		    n->vdev.id;

		memcpy(n->mac, default_mac, 3);
		n->mac[3] = (uint8_t)(low >> 16);
		n->mac[4] = (uint8_t)(low >> 8);
		n->mac[5] = (uint8_t)low;
	}
	n->admin_up = true;
	n->link_up = backend->link_up;
	net_render_config(n);
	client = (struct net_backend_client){
	    .receive = net_model_backend_rx,
	    .link = net_model_backend_link,
	    .opaque = n,
	};
	net_backend_attach(backend, &client);
	return &n->vdev;
fail:
	net_model_free(n);
fail_backend:
	net_backend_destroy(backend);
	errno = err;
	return NULL;
}

void net_model_destroy(struct virtio_dev *dev)
{
	static const struct net_backend_client none;
	struct net_model *n;

	if (!dev)
		return;
	n = to_net(dev);
	net_backend_attach(n->backend, &none); /* no frame reaches us now */
	if (n->nheld) {
		/*
		 * virtio_dev_release does not stop the queues, and the
		 * front-end may be gone already: stop ours first, as the
		 * core does, so the buffers we give back reach nothing.
		 */
		dev->vq[RXQ].ready = false;
		net_rx_give_back(n);
	}
	virtio_dev_release(dev);
	net_backend_destroy(n->backend);
	net_model_free(n);
}

/* @dev as a net model, or NULL if it is none. */
static const struct net_model *as_net(const struct virtio_dev *dev)
{
	if (!dev || dev->ops != &net_model_ops)
		return NULL;
	return (const struct net_model *)((const char *)dev -
					  offsetof(struct net_model, vdev));
}

const struct net_model_stats *net_model_stats(const struct virtio_dev *dev)
{
	return as_net(dev) ? &as_net(dev)->stats : NULL;
}

struct net_backend *net_model_backend(const struct virtio_dev *dev)
{
	return as_net(dev) ? as_net(dev)->backend : NULL;
}
