/* SPDX-License-Identifier: MIT */
/*
 * virtio-net transmit (§5.1.6.2): every chain is a header (gathered, it
 * may be split over descriptors) and one frame. Anything the negotiated
 * features do not allow is a guest error (NEEDS_RESET). A frame in one
 * segment goes to the backend in place; others, and every frame whose
 * checksum the device completes, are gathered into the scratch buffer.
 */
#include <inttypes.h>
#include <string.h>

#include "devices/net/net_model_priv.h"
#include "drivers/wire/virtio_types.h"

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
	vq_elem_read(e, hlen, n->scratch, flen);
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
	if (flen < ETH_HLEN ||
	    (flen > n->mtu + ETH_HLEN &&
	     virtio_dev_has_feature(dev, VIRTIO_NET_F_MTU))) {
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
	vq_elem_read(e, 0, h, hlen);
	if (!net_tx_check(n, h, hlen, e->out_bytes - hlen))
		goto done;
	flen = (size_t)(e->out_bytes - hlen);
	/* Link down, over the MTU without MTU negotiated (no rule broken,
	 * but more than this device forwards), or lost on the wire
	 * (injected): dropped, counted, before any copy. */
	net_link_fault(n);
	if (!n->link_up || flen > n->mtu + ETH_HLEN ||
	    fault_fire(n->vdev.env->faults, FAULT_NET_DROP_TX, n->vdev.id)) {
		n->stats.tx_dropped++;
		trace_net_tx_drop(n->vdev.env->trace, n->vdev.name, n->vdev.id,
				  flen,
				  !n->link_up		     ? "link down"
				  : flen > n->mtu + ETH_HLEN ? "over the MTU"
							     : "fault");
		goto done;
	}
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
	n->stats.tx_frames++;
	n->stats.tx_bytes += flen;
	trace_net_tx(n->vdev.env->trace, n->vdev.name, n->vdev.id, flen);
	net_pcap_write(n->pcap, frame, flen);
	n->backend->ops->send(n->backend, frame, flen);
done:
	/* Transmit buffers are only read: nothing written (VQ-V-11). */
	virtio_dev_complete(r, 0);
}

void net_tx_notify(struct net_model *n)
{
	struct virtio_req *r;

	while (virtio_dev_pop_req(&n->vdev, TXQ, &r) > 0)
		net_tx_one(n, r);
}
