/* SPDX-License-Identifier: MIT */
/*
 * net_selftest.c - the virtio-net class's part of `virtsim selftest`, on
 * a NIC of the loop backend and its peer: the machine's next loop NIC,
 * or the NIC itself when it is alone on the switch (which then sends its
 * frames back). Every frame goes out through the transmit queue of one
 * and comes in through the receive queue of the other.
 *
 * Every frame length from the Ethernet minimum (60) to the largest the
 * MTU allows goes across and must arrive byte for byte; then streams of
 * 64-byte and full-size frames are timed, every frame checked for its
 * place in the stream.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "drivers/adapter/adapter.h"
#include "drivers/adapter/net_device.h"
#include "tools/vm/guest.h"
#include "tools/vm/net_host.h"

#define ETH_MIN_FRAME 60u      /* without FCS */
#define SMALL_FRAME 64u
#define SELFTEST_ETHERTYPE 0x88b5 /* IEEE local experimental 1 */
#define ANNOUNCE_ETHERTYPE 0x88b6 /* ... 2: "this address is here" */
#define STREAM_FRAMES 200000u

static uint8_t pattern_byte(size_t len, size_t i)
{
	return (uint8_t)(len * 7 + i * 13 + (i >> 8));
}

/* Source and destination, the ethertype, then @seq. */
struct link {
	struct vm_device *from, *to;
	struct virtio_net_device *tx, *rx;
	uint8_t src[NET_MAC_LEN], dst[NET_MAC_LEN];
};

static void frame_head(uint8_t *p, const struct link *l, uint32_t seq)
{
	memcpy(p, l->dst, NET_MAC_LEN);
	memcpy(p + NET_MAC_LEN, l->src, NET_MAC_LEN);
	p[12] = SELFTEST_ETHERTYPE >> 8;
	p[13] = SELFTEST_ETHERTYPE & 0xff;
	memcpy(p + 14, &seq, sizeof(seq));
}

/*
 * A frame of this link, not one the switch flooded here while it did not
 * know a destination yet (a NIC's address filter would drop those).
 */
static bool frame_is_ours(const struct link *l, struct net_buf *b)
{
	const uint8_t *p = net_buf_packet(b);

	return b->packet_len >= 18 && !memcmp(p, l->dst, NET_MAC_LEN) &&
	       !memcmp(p + NET_MAC_LEN, l->src, NET_MAC_LEN) &&
	       p[12] == SELFTEST_ETHERTYPE >> 8 &&
	       p[13] == (SELFTEST_ETHERTYPE & 0xff);
}

static int net_failed(const struct vm_device *d, const char *what, int err)
{
	fprintf(stderr, "virtsim: net%u: %s failed: %s\n", d->unit, what,
		dev_err_name(err));
	return 1;
}

/* Send one frame of @len bytes; 0 or a negative enum dev_err. */
static int send_frame(const struct link *l, size_t len, uint32_t seq,
		      bool fill)
{
	struct net_device *dev = virtio_net_device_base(l->tx);
	struct net_buf *b;
	int err = dev->ops->alloc_tx_buffer(dev, len, &b);

	if (err)
		return err;
	frame_head(net_buf_packet(b), l, seq);
	for (size_t i = 18; fill && i < len; i++)
		net_buf_packet(b)[i] = pattern_byte(len, i);
	return dev->ops->transmit(dev, b);
}

/*
 * The next frame the receiving end got, waiting for it: 0 and *@b, or
 * non-zero after saying why on stderr.
 */
static int next_frame(const struct link *l, struct net_buf **b)
{
	struct net_device *rx = virtio_net_device_base(l->rx);
	struct net_device *tx = virtio_net_device_base(l->tx);

	for (;;) {
		int err = rx->ops->receive(rx, b), werr;

		if (!err && !frame_is_ours(l, *b)) {
			rx->ops->recycle_rx_buffer(rx, *b);
			continue;
		}
		if (err != -DEV_ERR_AGAIN)
			return err ? net_failed(l->to, "receive", err) : 0;
		tx->ops->recycle_tx_buffers(tx);
		werr = virtio_net_wait(&l->rx->net, true, false);
		if (werr)
			return net_failed(l->to, "waiting for a frame",
					  as_dev_err(werr));
	}
}

static size_t link_max_frame(const struct link *l)
{
	size_t a = virtio_net_max_frame(&l->tx->net);
	size_t b = virtio_net_max_frame(&l->rx->net);

	return a < b ? a : b;
}

/* Every length from 60 to mtu + 14, sent and checked byte for byte. */
static int every_length(const struct link *l, struct vm_selftest *st)
{
	struct net_device *rx = virtio_net_device_base(l->rx);
	struct net_device *tx = virtio_net_device_base(l->tx);
	size_t max = link_max_frame(l);
	double t = guest_now_ms();
	uint64_t bytes = 0;

	for (size_t len = ETH_MIN_FRAME; len <= max; len++) {
		uint8_t want[18];
		struct net_buf *b;
		int err = send_frame(l, len, (uint32_t)len, true);
		size_t got;
		bool same;

		if (err)
			return net_failed(l->from, "transmit", err);
		if (next_frame(l, &b))
			return 1;
		frame_head(want, l, (uint32_t)len);
		got = b->packet_len;
		same = got == len &&
		       !memcmp(net_buf_packet(b), want, sizeof(want));
		for (size_t i = sizeof(want); same && i < len; i++)
			same = net_buf_packet(b)[i] == pattern_byte(len, i);
		rx->ops->recycle_rx_buffer(rx, b); /* b is not ours now */
		tx->ops->recycle_tx_buffers(tx);
		if (!same) {
			fprintf(stderr,
				"virtsim: net%u: " VM_SELFTEST_WRONG_DATA
				"a %zu-byte frame from net%u "
				"arrived as %zu bytes, not as sent\n",
				l->to->unit, len, l->from->unit, got);
			return 1;
		}
		bytes += len;
	}
	st->requests += 2 * (max - ETH_MIN_FRAME + 1);
	st->bytes += 2 * bytes;
	fprintf(st->out,
		"net%u -> net%u: every frame length %u..%zu arrived byte for "
		"byte (%.1f ms)\n",
		l->from->unit, l->to->unit, ETH_MIN_FRAME, max,
		guest_now_ms() - t);
	return 0;
}

/*
 * @count frames of @len bytes streamed across, no more in flight than
 * the receive queue holds (the switch then drops none); each must arrive
 * in order. *@fps: frames per second.
 */
static int stream(const struct link *l, size_t len, uint32_t count,
		  double *fps)
{
	struct net_device *rx = virtio_net_device_base(l->rx);
	struct net_device *tx = virtio_net_device_base(l->tx);
	size_t window = rx->ops->rx_queue_size(rx);
	uint32_t sent = 0, got = 0, seq;
	double t = guest_now_ms();
	struct net_buf *b;
	int err;

#define MAY_SEND()                                                            \
	(sent < count && sent - got < window && tx->ops->can_transmit(tx))
	while (got < count) {
		while (MAY_SEND()) {
			err = send_frame(l, len, sent, false);
			if (err)
				return net_failed(l->from, "transmit", err);
			sent++;
		}
		err = rx->ops->receive(rx, &b);
		if (!err && !frame_is_ours(l, b)) {
			rx->ops->recycle_rx_buffer(rx, b);
			continue;
		}
		if (err == -DEV_ERR_AGAIN) {
			tx->ops->recycle_tx_buffers(tx);
			if (MAY_SEND())
				continue;
			err = next_frame(l, &b);
			if (err)
				return err;
		} else if (err) {
			return net_failed(l->to, "receive", err);
		}
		memcpy(&seq, net_buf_packet(b) + 14, sizeof(seq));
		err = b->packet_len != len || seq != got;
		rx->ops->recycle_rx_buffer(rx, b);
		if (err) {
			fprintf(stderr,
				"virtsim: net%u: " VM_SELFTEST_WRONG_DATA
				"frame %" PRIu32 " of the "
				"stream arrived as frame %" PRIu32 "\n",
				l->to->unit, got, seq);
			return 1;
		}
		got++;
	}
#undef MAY_SEND
	tx->ops->recycle_tx_buffers(tx);
	t = guest_now_ms() - t;
	*fps = t > 0 ? count / (t / 1000) : 0;
	return 0;
}

static bool is_loop_nic(const struct vm_device *d)
{
	return d->cls == &net_class && d->driver &&
	       ((const struct net_host *)d->host)->backend == NET_BACKEND_LOOP;
}

/* The machine's next loop NIC after @d, wrapping round; @d if alone. */
static struct vm_device *loop_peer(struct vm *vm, struct vm_device *d)
{
	unsigned i = (unsigned)(d - vm->devices);

	for (unsigned k = 1; k < vm->device_count; k++) {
		struct vm_device *p = &vm->devices[(i + k) % vm->device_count];

		if (is_loop_nic(p))
			return p;
	}
	return d;
}

/*
 * The receiving end says where it is: a frame from its address to
 * itself, which the switch learns from, so the link's frames go to it
 * alone (and this one back to it, where its filter drops it).
 */
static int announce(const struct link *l)
{
	struct net_device *rx = virtio_net_device_base(l->rx);
	struct net_buf *b;
	int err = rx->ops->alloc_tx_buffer(rx, ETH_MIN_FRAME, &b);

	if (err)
		return net_failed(l->to, "announce", err);
	memset(net_buf_packet(b), 0, ETH_MIN_FRAME);
	memcpy(net_buf_packet(b), l->dst, NET_MAC_LEN);
	memcpy(net_buf_packet(b) + NET_MAC_LEN, l->dst, NET_MAC_LEN);
	net_buf_packet(b)[12] = ANNOUNCE_ETHERTYPE >> 8;
	net_buf_packet(b)[13] = ANNOUNCE_ETHERTYPE & 0xff;
	err = rx->ops->transmit(rx, b);
	return err ? net_failed(l->to, "announce", err) : 0;
}

int net_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st)
{
	struct link l = {.from = d, .to = loop_peer(vm, d)};
	double fps_small, fps_full;
	size_t full;

	if (!is_loop_nic(d))
		return 0; /* the outside world is not ours to test */
	l.tx = l.from->driver;
	l.rx = l.to->driver;
	l.tx->base.ops->mac_address(&l.tx->base, l.src);
	l.rx->base.ops->mac_address(&l.rx->base, l.dst);
	full = link_max_frame(&l);
	if (announce(&l) || every_length(&l, st) ||
	    stream(&l, SMALL_FRAME, STREAM_FRAMES, &fps_small) ||
	    stream(&l, full, STREAM_FRAMES / 4, &fps_full))
		return 1;
	st->requests += 2 * (STREAM_FRAMES + STREAM_FRAMES / 4);
	st->bytes += 2 * ((uint64_t)STREAM_FRAMES * SMALL_FRAME +
			  (uint64_t)STREAM_FRAMES / 4 * full);
	fprintf(st->out,
		"net%u -> net%u: %u %u-byte frames at %.2f M/s, %u %zu-byte "
		"frames at %.2f M/s (%.0f MiB/s)\n",
		l.from->unit, l.to->unit, STREAM_FRAMES, SMALL_FRAME,
		fps_small / 1e6, STREAM_FRAMES / 4, full, fps_full / 1e6,
		fps_full * (double)full / (1 << 20));
	return 0;
}
