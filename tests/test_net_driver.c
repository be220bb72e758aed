/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net driver (drivers/virtio/virtio_net.h) and the net device
 * around it (drivers/adapter/net_device.h) against a scripted fake
 * transport on a machine's DMA memory. The test plays the device: it
 * offers features, holds the config space, reads the chains the driver
 * makes available and writes used entries by hand, through guest-physical
 * addresses, including the wrong ones a broken device would write.
 *
 * End-to-end tests against the real device model live elsewhere; this
 * file checks what only a scripted device can make happen.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/adapter/net_device.h"
#include "drivers/base/net_buf.h"
#include "drivers/virtio/virtio_net.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_net.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/machine.h"
#include "tests/test_transport.h"
#include "tests/testutil.h"

#define DEV_LINE 5u
#define NQ 4u

struct fake_queue {
	bool set;
	uint16_t size;
	uint64_t desc, avail, used;
	uint16_t last_avail; /* next avail entry the device takes */
	unsigned notifies;
};

struct fake_net {
	struct test_transport tt; /* first: the ops cast from its base */
	uint8_t status_at_unset;  /* status when the first queue was unset */
	unsigned unsets;
	struct fake_queue q[NQ];
	uint8_t config[32];
	size_t config_len;
	uint32_t generation;
	unsigned gen_bumps; /* the next reads each move the generation */
	unsigned config_reads, config_writes;
};

static struct machine m;
static bool m_live;
static struct fake_net ft;
static struct net_buf_pool pool;

static struct fake_net *to_fake(struct virtio_transport *t)
{
	return (struct fake_net *)t;
}

static void fake_set_status(struct virtio_transport *t, uint8_t v)
{
	struct fake_net *f = to_fake(t);

	f->tt.status = v;
	if (v == 0) {
		for (unsigned i = 0; i < NQ; i++)
			f->q[i].last_avail = 0;
	}
}

static int fake_queue_set(struct virtio_transport *t, uint16_t q, uint16_t size,
			  uint64_t desc, uint64_t avail, uint64_t used)
{
	struct fake_queue *fq = &to_fake(t)->q[q];

	*fq = (struct fake_queue){true, size, desc, avail, used, 0, 0};
	return 0;
}

static void fake_queue_unset(struct virtio_transport *t, uint16_t q)
{
	struct fake_net *f = to_fake(t);

	if (f->unsets++ == 0)
		f->status_at_unset = f->tt.status;
	f->q[q].set = false;
}

static void fake_notify(struct virtio_transport *t, uint16_t q)
{
	to_fake(t)->q[q].notifies++;
}

static int fake_config_read(struct virtio_transport *t, uint32_t off, void *buf,
			    size_t len)
{
	struct fake_net *f = to_fake(t);

	if (off > f->config_len || len > f->config_len - off)
		return -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL;
	memcpy(buf, f->config + off, len);
	f->config_reads++;
	if (f->gen_bumps) {
		f->gen_bumps--;
		f->generation++;
	}
	return 0;
}

static int fake_config_write(struct virtio_transport *t, uint32_t off,
			     const void *buf, size_t len)
{
	to_fake(t)->config_writes++;
	return 0;
}

static uint32_t fake_config_generation(struct virtio_transport *t)
{
	return to_fake(t)->generation;
}

static bool fake_queue_used(struct virtio_transport *t, uint16_t q)
{
	return false;
}

static const struct virtio_transport_ops fake_ops = {
    TEST_TRANSPORT_OPS,
    .set_status = fake_set_status,
    .queue_used = fake_queue_used,
    .queue_set = fake_queue_set,
    .queue_unset = fake_queue_unset,
    .notify = fake_notify,
    .config_read = fake_config_read,
    .config_write = fake_config_write,
    .config_generation = fake_config_generation,
    .irq_line = test_transport_irq_line,
};

#define F(b) VIRTIO_BIT(b)
/* Everything the driver takes, and some it must not. */
#define NET_WANTED                                                            \
	(F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) | F(VIRTIO_NET_F_MTU) | \
	 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_CSUM) |                   \
	 F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_F_EVENT_IDX) |                 \
	 F(VIRTIO_F_INDIRECT_DESC) | F(VIRTIO_F_VERSION_1))
#define NET_UNWANTED                                              \
	(F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_MQ) |           \
	 F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_HOST_TSO4) | \
	 F(VIRTIO_NET_F_CTRL_RX) | F(VIRTIO_F_RING_PACKED))
#define MODERN_BASE (F(VIRTIO_NET_F_MAC) | F(VIRTIO_F_VERSION_1))

static const uint8_t dev_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static void setup(void)
{
	struct machine_options o = {.mem_size = 16u << 20};

	ck_assert_int_eq(machine_init(&m, &o), 0);
	m_live = true;
	memset(&ft, 0, sizeof(ft));
	test_transport_init(&ft.tt, &fake_ops, &m);
	ft.tt.line = DEV_LINE;
	ft.tt.type = VIRTIO_ID_NET;
	for (unsigned i = 0; i < NQ; i++)
		ft.tt.qmax[i] = 256;
	ft.config_len = sizeof(struct virtio_net_config);
	memcpy(ft.config, dev_mac, 6);
	virtio_st_le16(ft.config + offsetof(struct virtio_net_config, status),
		       VIRTIO_NET_S_LINK_UP);
	virtio_st_le16(ft.config + offsetof(struct virtio_net_config, mtu),
		       1500);
	ck_assert_int_eq(net_buf_pool_init(&pool, machine_hal(&m), 64, 2048),
			 0);
}

static void teardown(void)
{
	if (m_live)
		machine_destroy(&m, false);
	m_live = false;
}

/* The HAL's books: every share undone, every page back. */
static void finish_machine(void)
{
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}

static void set_mtu(uint16_t mtu)
{
	virtio_st_le16(ft.config + offsetof(struct virtio_net_config, mtu),
		       mtu);
}

static void set_link(uint16_t status)
{
	virtio_st_le16(ft.config + offsetof(struct virtio_net_config, status),
		       status);
}

/* ---- the device's view, through guest-physical addresses ---- */

static void *gpa(uint64_t a, size_t len)
{
	void *p = guest_mem_span(&m.mem, a, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

struct seg {
	uint64_t addr;
	uint32_t len;
	bool write;
};

static struct virtq_desc dev_desc_at(uint64_t table, uint16_t i)
{
	struct virtq_desc d;
	const uint8_t *p = gpa(table + 16u * i, 16);

	d.addr = virtio_ld_le64(p);
	d.len = virtio_ld_le32(p + 8);
	d.flags = virtio_ld_le16(p + 12);
	d.next = virtio_ld_le16(p + 14);
	return d;
}

/* The buffers of the chain headed at @head, direct or indirect. */
static unsigned dev_chain(unsigned qi, uint16_t head, struct seg *segs,
			  unsigned max)
{
	struct fake_queue *q = &ft.q[qi];
	struct virtq_desc d = dev_desc_at(q->desc, head);
	uint64_t table = q->desc;
	unsigned n = 0;

	if (d.flags & VIRTQ_DESC_F_INDIRECT) {
		table = d.addr;
		d = dev_desc_at(table, 0);
	}
	for (;;) {
		ck_assert_uint_lt(n, max);
		segs[n++] = (struct seg){d.addr, d.len,
					 (d.flags & VIRTQ_DESC_F_WRITE) != 0};
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return n;
		d = dev_desc_at(table, d.next);
	}
}

/* Take the next available chain; false if there is none. */
static bool dev_pop(unsigned qi, uint16_t *head)
{
	struct fake_queue *q = &ft.q[qi];
	uint16_t idx = virtio_ld_le16(gpa(q->avail + 2, 2));

	if (idx == q->last_avail)
		return false;
	*head = virtio_ld_le16(
	    gpa(q->avail + 4 + 2u * (q->last_avail % q->size), 2));
	q->last_avail++;
	return true;
}

static void dev_push_used(unsigned qi, uint32_t id, uint32_t len)
{
	struct fake_queue *q = &ft.q[qi];
	uint16_t idx = virtio_ld_le16(gpa(q->used + 2, 2));
	uint8_t *e = gpa(q->used + 4 + 8u * (idx % q->size), 8);

	virtio_st_le32(e, id);
	virtio_st_le32(e + 4, len);
	virtio_st_le16(gpa(q->used + 2, 2), (uint16_t)(idx + 1));
}

/* Gather the readable bytes of a chain. */
static size_t dev_read(const struct seg *s, unsigned n, uint8_t *out,
		       size_t max)
{
	size_t got = 0;

	for (unsigned i = 0; i < n; i++) {
		ck_assert(!s[i].write);
		ck_assert_uint_le(got + s[i].len, max);
		memcpy(out + got, gpa(s[i].addr, s[i].len), s[i].len);
		got += s[i].len;
	}
	return got;
}

/* Scatter @len bytes over the writable buffers of a chain. */
static void dev_write(const struct seg *s, unsigned n, const uint8_t *data,
		      size_t len)
{
	for (unsigned i = 0; i < n && len; i++) {
		size_t k = len < s[i].len ? len : s[i].len;

		ck_assert(s[i].write);
		memcpy(gpa(s[i].addr, k), data, k);
		data += k;
		len -= k;
	}
	ck_assert_uint_eq(len, 0);
}

/* Total bytes a chain offers. */
static size_t seg_total(const struct seg *s, unsigned n)
{
	size_t t = 0;

	for (unsigned i = 0; i < n; i++)
		t += s[i].len;
	return t;
}

/* ---- the driver ---- */

static struct virtio_net net;
static const struct virtio_net zero_net;

static void net_start(uint64_t features, const struct virtio_net_options *o)
{
	ft.tt.dev_features = features;
	ck_assert_int_eq(virtio_net_init(&net, &ft.tt.base, o, DEV_LINE), 0);
	ck_assert(ft.tt.status & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* INIT-D-13: reset before the queues go; nothing left shared. */
static void net_stop(void)
{
	virtio_net_destroy(&net);
	ck_assert_uint_eq(ft.status_at_unset, 0);
	ck_assert_uint_eq(ft.unsets, 2);
	ck_assert_mem_eq(&net, &zero_net, sizeof(net));
	/* NET-D-01: the net config is never written. */
	ck_assert_uint_eq(ft.config_writes, 0);
	finish_machine();
}

static struct net_buf *buf(void)
{
	struct net_buf *b = net_buf_pool_alloc(&pool);

	ck_assert_ptr_nonnull(b);
	return b;
}

static void put(struct net_buf *b)
{
	ck_assert_int_eq(net_buf_pool_free(&pool, b), 0);
}

/* A frame of @len bytes: dst, src, ethertype, then a pattern. */
static void fill_frame(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 7);
}

/* NET-D-01, NET-D-02, FEAT-D-01, FEAT-D-04: what is offered and wanted, nothing else;
 * the config read, never written. */
START_TEST(init_negotiates_and_reads_config)
{
	uint8_t mac[6];

	net_start(NET_WANTED | NET_UNWANTED, NULL);
	ck_assert_uint_eq(ft.tt.drv_features, NET_WANTED);
	ck_assert_uint_eq(net.vdev.features, NET_WANTED);
	virtio_net_mac(&net, mac);
	ck_assert_mem_eq(mac, dev_mac, 6);
	ck_assert_uint_eq(net.mtu, 1500);
	ck_assert_uint_eq(virtio_net_max_frame(&net), 1514);
	ck_assert_uint_eq(virtio_net_hdr_len(&net), 12);
	ck_assert(net.mrg_rxbuf);
	ck_assert(!net.split_hdr);
	ck_assert_uint_eq(net.descs_per_frame, 1);
	ck_assert(ft.q[VIRTIO_NET_RX_QUEUE].set &&
		  ft.q[VIRTIO_NET_TX_QUEUE].set);
	ck_assert(!ft.q[2].set); /* no control queue */
	ck_assert_uint_eq(virtio_net_rx_queue_size(&net), 256);
	ck_assert_uint_eq(virtio_net_tx_queue_size(&net), 256);
	ck_assert_uint_eq(net.rx.vq.flags,
			  VIRTQUEUE_F_INDIRECT | VIRTQUEUE_F_EVENT_IDX);
	ck_assert(virtio_net_can_transmit(&net));
	net_stop();
}
END_TEST

/* The options turn features off; queue sizes follow the device's limit. */
START_TEST(options_and_queue_sizes)
{
	struct virtio_net_options o = {.queue_size = 64,
				       .no_mrg_rxbuf = true,
				       .no_csum = true,
				       .no_event_idx = true,
				       .no_indirect = true};

	net_start(NET_WANTED, &o);
	ck_assert_uint_eq(ft.tt.drv_features,
			  F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |
			      F(VIRTIO_NET_F_MTU) | F(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(virtio_net_rx_queue_size(&net), 64);
	ck_assert_uint_eq(virtio_net_tx_queue_size(&net), 64);
	/* VERSION_1 alone: still the 12-byte header (§5.1.6.1). */
	ck_assert_uint_eq(virtio_net_hdr_len(&net), 12);
	ck_assert(!net.mrg_rxbuf);
	virtio_net_destroy(&net);

	/* 0: the device's maximum, capped at 256. */
	ft.tt.qmax[0] = 96;
	ft.tt.qmax[1] = 1024;
	ft.unsets = 0;
	net_start(MODERN_BASE, NULL);
	ck_assert_uint_eq(virtio_net_rx_queue_size(&net), 64);
	ck_assert_uint_eq(virtio_net_tx_queue_size(&net), 256);
	net_stop();
}
END_TEST

/* A legacy device: 10-byte header without MRG_RXBUF, and without
 * ANY_LAYOUT the header in a descriptor of its own (§5.1.6.6). */
START_TEST(legacy_header_and_layout)
{
	struct virtio_net_options o = {.no_indirect = true};
	struct net_buf *b = buf();
	struct seg s[4];
	uint8_t out[2048];
	uint16_t tok, head;
	unsigned n;

	ft.tt.legacy = true;
	net_start(F(VIRTIO_NET_F_MAC), &o);
	ck_assert_uint_eq(virtio_net_hdr_len(&net), 10);
	ck_assert(net.split_hdr);
	ck_assert_uint_eq(net.descs_per_frame, 2);
	memset(b->buf, 0xee, 10);
	fill_frame(b->buf + 10, 60, 1);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, b->buf, 70, &tok), 0);
	ck_assert(dev_pop(VIRTIO_NET_TX_QUEUE, &head));
	ck_assert_uint_eq(head, tok);
	n = dev_chain(VIRTIO_NET_TX_QUEUE, head, s, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0].len, 10);
	ck_assert_uint_eq(s[1].len, 60);
	ck_assert_uint_eq(dev_read(s, n, out, sizeof(out)), 70);
	for (unsigned i = 0; i < 10; i++)
		ck_assert_uint_eq(out[i], 0);
	ck_assert_mem_eq(out + 10, b->buf + 10, 60);
	/* Receive buffers too: header, then the rest. */
	ck_assert_int_eq(
	    virtio_net_receive_begin(&net, b->buf + 1024, 1524, &tok), 0);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &head));
	n = dev_chain(VIRTIO_NET_RX_QUEUE, head, s, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert(s[0].write && s[1].write);
	ck_assert_uint_eq(s[0].len, 10);
	ck_assert_uint_eq(s[1].len, 1514);
	virtio_net_destroy(&net);
	put(b);

	/* With ANY_LAYOUT (taken when offered) and MRG_RXBUF: one
	 * descriptor, and the 12-byte header. */
	ft.unsets = 0;
	net_start(F(VIRTIO_NET_F_MAC) | F(VIRTIO_F_ANY_LAYOUT) |
		      F(VIRTIO_NET_F_MRG_RXBUF),
		  NULL);
	ck_assert(ft.tt.drv_features & F(VIRTIO_F_ANY_LAYOUT));
	ck_assert(!net.split_hdr);
	ck_assert_uint_eq(virtio_net_hdr_len(&net), 12);
	net_stop();
}
END_TEST

/* NET-V-02 from the driver's side: an mtu below 68 is refused, FAILED;
 * without MTU the config field is not even looked at (INIT-D-05). */
START_TEST(mtu_checked_and_optional)
{
	uint8_t zero[sizeof(net)] = {0};

	set_mtu(67);
	ft.tt.dev_features = MODERN_BASE | F(VIRTIO_NET_F_MTU);
	ck_assert_int_eq(virtio_net_init(&net, &ft.tt.base, NULL, DEV_LINE),
			 -VIRTIO_ERR_UNSUPPORTED);
	ck_assert(ft.tt.status & VIRTIO_CONFIG_S_FAILED);
	ck_assert_uint_eq(ft.tt.status & VIRTIO_CONFIG_S_DRIVER_OK, 0);
	ck_assert_mem_eq(&net, zero, sizeof(net));

	set_mtu(68);
	ft.unsets = 0;
	net_start(MODERN_BASE | F(VIRTIO_NET_F_MTU), NULL);
	ck_assert_uint_eq(net.mtu, 68);
	ck_assert_uint_eq(virtio_net_max_frame(&net), 82);
	virtio_net_destroy(&net);

	set_mtu(9000);
	ft.unsets = 0;
	net_start(MODERN_BASE, NULL);
	ck_assert_uint_eq(net.mtu, 1500);
	virtio_net_destroy(&net);

	set_mtu(65535);
	ft.unsets = 0;
	net_start(MODERN_BASE | F(VIRTIO_NET_F_MTU), NULL);
	ck_assert_uint_eq(net.mtu, 65535);

	/* A config space too short for the fields wanted. */
	virtio_net_destroy(&net);
	ft.config_len = 8;
	ck_assert_int_eq(virtio_net_init(&net, &ft.tt.base, NULL, DEV_LINE),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);
	ck_assert(ft.tt.status & VIRTIO_CONFIG_S_FAILED);
	ck_assert_uint_eq(ft.config_writes, 0);
	finish_machine();
}
END_TEST

/* NET-D-02: no MAC offered: the options' address, else the default. */
START_TEST(fallback_mac)
{
	struct virtio_net_options o = {
	    .fallback_mac = {0x06, 0x11, 0x22, 0x33, 0x44, 0x55}};
	uint8_t mac[6];

	net_start(F(VIRTIO_F_VERSION_1), &o);
	virtio_net_mac(&net, mac);
	ck_assert_mem_eq(mac, o.fallback_mac, 6);
	virtio_net_destroy(&net);
	ft.unsets = 0;
	net_start(F(VIRTIO_F_VERSION_1), NULL);
	virtio_net_mac(&net, mac);
	ck_assert_mem_eq(mac, virtio_net_default_mac, 6);
	/* Locally administered (bit 1), unicast (bit 0 clear). */
	ck_assert_uint_eq(mac[0] & 3, 2);
	net_stop();
}
END_TEST

/* STATUS: read on demand through the generation loop (INIT-D-04); a
 * config interrupt says it may have changed. Without STATUS: up. */
START_TEST(link_status)
{
	struct virtio_net_options o = {.use_irq = true};
	unsigned reads;

	net_start(MODERN_BASE | F(VIRTIO_NET_F_STATUS), &o);
	ck_assert(virtio_net_link_up(&net));
	set_link(0);
	ck_assert(!virtio_net_link_up(&net));
	/* The generation moves under the first two reads: read again. */
	set_link(VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
	reads = ft.config_reads;
	ft.gen_bumps = 2;
	ck_assert(virtio_net_link_up(&net));
	ck_assert_uint_eq(ft.config_reads - reads, 3);

	/* A config interrupt wakes a waiter and is remembered. */
	ck_assert(!virtio_net_config_changed(&net));
	ft.tt.isr = VIRTIO_INT_CONFIG;
	irq_set_level(&m.irq, DEV_LINE, true);
	ck_assert_int_eq(virtio_net_wait(&net, true, true), 0);
	ck_assert(virtio_net_config_changed(&net));
	ck_assert(!virtio_net_config_changed(&net));
	ft.tt.isr = VIRTIO_INT_CONFIG;
	irq_set_level(&m.irq, DEV_LINE, true);
	ck_assert_int_eq(virtio_net_wait(&net, false, false), 0);
	ck_assert(virtio_net_link_up(&net)); /* clears it too */
	ck_assert(!virtio_net_config_changed(&net));
	/* Nothing can happen any more. */
	ck_assert_int_eq(virtio_net_wait(&net, true, true),
			 -VIRTIO_ERR_NOT_READY);
	virtio_net_destroy(&net);

	ft.unsets = 0;
	set_link(0);
	net_start(MODERN_BASE, NULL);
	reads = ft.config_reads;
	ck_assert(virtio_net_link_up(&net)); /* no STATUS: up */
	ck_assert_uint_eq(ft.config_reads, reads);
	net_stop();
}
END_TEST

/* NET-D-06, NET-D-07, NET-D-11, NET-D-14: the header is all zero (flags 0, GSO_NONE,
 * num_buffers 0) whatever the buffer held; NET-D-04: no frame above
 * mtu + 14; and the frame goes out untouched. */
START_TEST(transmit_header_and_limits)
{
	struct net_buf *b = buf();
	struct seg s[4];
	uint8_t out[2048];
	uint16_t tok, head;
	unsigned notifies;

	net_start(NET_WANTED, NULL);
	memset(b->buf, 0xff, b->capacity);
	fill_frame(b->buf + 12, 1514, 3);
	notifies = ft.q[VIRTIO_NET_TX_QUEUE].notifies;
	ck_assert_int_eq(
	    virtio_net_transmit_begin(&net, b->buf, 12 + 1514, &tok), 0);
	/* Kicked: EVENT_IDX with avail_event 0 wants the first one. */
	ck_assert_uint_eq(ft.q[VIRTIO_NET_TX_QUEUE].notifies, notifies + 1);
	ck_assert_ptr_eq(virtio_net_tx_buf(&net, tok), b->buf);
	ck_assert(dev_pop(VIRTIO_NET_TX_QUEUE, &head));
	ck_assert_uint_eq(head, tok);
	ck_assert_uint_eq(dev_chain(VIRTIO_NET_TX_QUEUE, head, s, 4), 1);
	ck_assert(!s[0].write);
	ck_assert_uint_eq(dev_read(s, 1, out, sizeof(out)), 1526);
	{
		static const uint8_t zero[12];

		ck_assert_mem_eq(out, zero, 12);
	}
	ck_assert_mem_eq(out + 12, b->buf + 12, 1514);

	/* One byte more than mtu + 14, one less than an Ethernet header. */
	ck_assert_int_eq(
	    virtio_net_transmit_begin(&net, b->buf + 2, 12 + 1515, &tok),
	    -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    virtio_net_transmit_begin(&net, b->buf + 2, 12 + 13, &tok),
	    -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, b->buf + 2, 5, &tok),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, NULL, 100, &tok),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, b->buf + 2, 26, NULL),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    virtio_net_transmit_begin(&net, b->buf + 1600, 26, &tok),
	    0); /* the shortest: a bare Ethernet header */
	put(b);
	net_stop();
}
END_TEST

/* QueueFull once the ring is full; can_transmit says so first. */
START_TEST(transmit_queue_full)
{
	struct virtio_net_options o = {.queue_size = 8};
	struct net_buf *b[9];
	uint16_t tok;

	net_start(MODERN_BASE, &o);
	for (unsigned i = 0; i < 9; i++)
		b[i] = buf();
	for (unsigned i = 0; i < 8; i++) {
		ck_assert(virtio_net_can_transmit(&net));
		ck_assert_int_eq(
		    virtio_net_transmit_begin(&net, b[i]->buf, 100, &tok), 0);
	}
	ck_assert(!virtio_net_can_transmit(&net));
	ck_assert_int_eq(virtio_net_transmit_begin(&net, b[8]->buf, 100, &tok),
			 -VIRTIO_ERR_QUEUE_FULL);
	/* A full ring took nothing: the ninth buffer was not shared. */
	virtio_net_destroy(&net);
	for (unsigned i = 0; i < 9; i++)
		put(b[i]);
	ck_assert_uint_eq(ft.status_at_unset, 0);
	finish_machine();
}
END_TEST

/* poll hands each used chain out once; complete checks the buffer; a
 * used id not in flight is WrongToken or AlreadyUsed, never trusted. */
START_TEST(transmit_poll_and_complete)
{
	struct net_buf *a = buf(), *b = buf();
	uint16_t ta, tb, t;

	net_start(MODERN_BASE, NULL);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t), 0);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, a->buf, 100, &ta), 0);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, b->buf, 200, &tb), 0);
	ck_assert_uint_ne(ta, tb);
	/* Used out of order: b first. */
	dev_push_used(VIRTIO_NET_TX_QUEUE, tb, 0);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t), 1);
	ck_assert_uint_eq(t, tb);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t), 0);
	/* Not its buffer, or not polled: nothing changes. */
	ck_assert_int_eq(virtio_net_transmit_complete(&net, tb, a->buf),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtio_net_transmit_complete(&net, ta, a->buf),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtio_net_transmit_complete(&net, 999, a->buf),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtio_net_transmit_complete(&net, tb, b->buf), 0);
	ck_assert_ptr_null(virtio_net_tx_buf(&net, tb));
	ck_assert_int_eq(virtio_net_transmit_complete(&net, tb, b->buf),
			 -VIRTIO_ERR_WRONG_TOKEN);

	/* A broken device: an id out of range, then tb again (done and
	 * released), then the real one. */
	dev_push_used(VIRTIO_NET_TX_QUEUE, 300, 0);
	dev_push_used(VIRTIO_NET_TX_QUEUE, tb, 0);
	dev_push_used(VIRTIO_NET_TX_QUEUE, ta, 0);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t), 1);
	ck_assert_uint_eq(t, ta);
	/* The same id once more while it is held: AlreadyUsed. */
	dev_push_used(VIRTIO_NET_TX_QUEUE, ta, 0);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert_int_eq(virtio_net_transmit_complete(&net, ta, a->buf), 0);
	ck_assert_uint_eq(net.tx_frames, 2);
	put(a);
	put(b);
	net_stop();
}
END_TEST

/* NET-D-15: every receive buffer holds the header; NET-D-03: without
 * MRG_RXBUF a whole mtu + 14 frame too. */
START_TEST(receive_buffer_sizes)
{
	struct virtio_net_options o = {.no_mrg_rxbuf = true};
	struct net_buf *b = buf();
	uint16_t tok;

	net_start(MODERN_BASE | F(VIRTIO_NET_F_MRG_RXBUF), &o);
	ck_assert_int_eq(virtio_net_receive_begin(&net, b->buf, 1525, &tok),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_net_receive_begin(&net, b->buf, 1526, &tok), 0);
	virtio_net_destroy(&net);

	ft.unsets = 0;
	net_start(MODERN_BASE | F(VIRTIO_NET_F_MRG_RXBUF), NULL);
	ck_assert_int_eq(virtio_net_receive_begin(&net, b->buf, 11, &tok),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_net_receive_begin(&net, b->buf, 12, &tok), 0);
	ck_assert_int_eq(virtio_net_receive_begin(&net, NULL, 1526, &tok),
			 -VIRTIO_ERR_INVALID_PARAM);
	virtio_net_destroy(&net);
	put(b);
	finish_machine();
}
END_TEST

/* The device writes @frame (@len bytes) behind a header with
 * @num_buffers into the chain @head, and marks it used with @used. */
static void dev_receive(uint16_t head, const uint8_t *frame, size_t len,
			uint16_t num_buffers, uint8_t flags, uint32_t used)
{
	uint8_t data[4096] = {0};
	struct seg s[4];
	unsigned n = dev_chain(VIRTIO_NET_RX_QUEUE, head, s, 4);

	data[0] = flags;
	virtio_st_le16(data + 10, num_buffers);
	memcpy(data + 12, frame, len);
	ck_assert_uint_le(12 + len, seg_total(s, n));
	dev_write(s, n, data, 12 + len);
	dev_push_used(VIRTIO_NET_RX_QUEUE, head, used);
}

/* Post @b (whole), poll it once the device used it. */
static uint16_t post_rx(struct net_buf *b, size_t len)
{
	uint16_t tok, head;

	ck_assert_int_eq(virtio_net_receive_begin(&net, b->buf, len, &tok), 0);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &head));
	ck_assert_uint_eq(head, tok);
	return tok;
}

struct rx_out {
	size_t hdr, frame;
	uint16_t nbufs;
};

static int complete_rx(uint16_t tok, struct net_buf *b, struct rx_out *o)
{
	uint16_t t;

	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_uint_eq(t, tok);
	*o = (struct rx_out){99, 99, 99};
	return virtio_net_receive_complete(&net, tok, b->buf, &o->hdr,
					   &o->frame, &o->nbufs);
}

/* VQ-D-14 and NET-V-10 from the driver's side: the used length must
 * cover the header and stay in the buffer; without MRG_RXBUF a frame is
 * one buffer whatever num_buffers says (QEMU leaves it 0); a used
 * length of 0 is a frame the device dropped, not an error. */
START_TEST(receive_checks_used_length_and_num_buffers)
{
	struct virtio_net_options o = {.no_mrg_rxbuf = true};
	struct net_buf *b = buf();
	uint8_t frame[1514];
	struct rx_out r;
	uint16_t tok;

	fill_frame(frame, sizeof(frame), 9);
	net_start(MODERN_BASE, &o);

	tok = post_rx(b, 1526);
	dev_receive(tok, frame, 60, 1, 0, 12 + 60);
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.hdr, 12);
	ck_assert_uint_eq(r.frame, 60);
	ck_assert_uint_eq(r.nbufs, 1);
	ck_assert_mem_eq(b->buf + 12, frame, 60);

	/* The largest frame, filling the buffer exactly. */
	tok = post_rx(b, 1526);
	dev_receive(tok, frame, 1514, 1, 0, 1526);
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.frame, 1514);

	/* Dropped by the device: back empty. */
	tok = post_rx(b, 1526);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, 0);
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.hdr, 0);
	ck_assert_uint_eq(r.frame, 0);
	ck_assert_uint_eq(r.nbufs, 0);

	/* Shorter than the header, longer than the buffer. */
	tok = post_rx(b, 1526);
	dev_receive(tok, frame, 60, 1, 0, 5);
	ck_assert_int_eq(complete_rx(tok, b, &r), -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(r.frame, 0);
	tok = post_rx(b, 1526);
	dev_receive(tok, frame, 60, 1, 0, 1527);
	ck_assert_int_eq(complete_rx(tok, b, &r), -VIRTIO_ERR_IO_ERROR);
	/* num_buffers 0 (as QEMU leaves it) and 2 without MRG_RXBUF:
	 * one buffer, one frame all the same. */
	tok = post_rx(b, 1526);
	dev_receive(tok, frame, 60, 0, 0, 72);
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.nbufs, 1);
	ck_assert_uint_eq(r.frame, 60);
	tok = post_rx(b, 1526);
	dev_receive(tok, frame, 60, 2, 0, 72);
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.nbufs, 1);
	ck_assert_uint_eq(net.rx_errors, 2);
	/* Errors and completions alike gave the buffer back: the token
	 * is free, complete again is WrongToken. */
	ck_assert_ptr_null(virtio_net_rx_buf(&net, tok));
	ck_assert_int_eq(
	    virtio_net_receive_complete(&net, tok, b->buf, NULL, NULL, NULL),
	    -VIRTIO_ERR_WRONG_TOKEN);

	/* A legacy 10-byte header has no num_buffers to check. */
	virtio_net_destroy(&net);
	ft.unsets = 0;
	ft.tt.legacy = true;
	net_start(F(VIRTIO_NET_F_MAC) | F(VIRTIO_F_ANY_LAYOUT), NULL);
	ck_assert_uint_eq(virtio_net_hdr_len(&net), 10);
	tok = post_rx(b, 1524);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, 10 + 60);
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.hdr, 10);
	ck_assert_uint_eq(r.frame, 60);
	ck_assert_uint_eq(r.nbufs, 1);
	virtio_net_destroy(&net);
	put(b);
	finish_machine();
}
END_TEST

/* A bounced buffer (host memory, not DMA): the device's bytes are
 * copied back before complete reads the header. */
START_TEST(receive_into_bounced_buffer)
{
	uint8_t *host = malloc(1526);
	uint8_t frame[100];
	struct rx_out r = {0};
	uint16_t tok, head, t;

	ck_assert_ptr_nonnull(host);
	fill_frame(frame, sizeof(frame), 5);
	net_start(MODERN_BASE, NULL);
	ck_assert_int_eq(virtio_net_receive_begin(&net, host, 1526, &tok), 0);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &head));
	dev_receive(head, frame, 100, 1, 0, 112);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(virtio_net_receive_complete(&net, t, host, &r.hdr,
						     &r.frame, &r.nbufs),
			 0);
	ck_assert_uint_eq(r.frame, 100);
	ck_assert_mem_eq(host + 12, frame, 100);
	net_stop();
	free(host);
}
END_TEST

/* Small MRG_RXBUF buffers: post @n of @len bytes, return their tokens. */
static void post_small(struct net_buf *b, unsigned n, size_t len,
		       uint16_t *toks)
{
	for (unsigned i = 0; i < n; i++) {
		uint16_t head;

		ck_assert_int_eq(virtio_net_receive_begin(
				     &net, b->buf + i * 256, len, &toks[i]),
				 0);
		ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &head));
	}
}

static int complete_small(struct net_buf *b, unsigned i, uint16_t tok,
			  struct rx_out *o)
{
	*o = (struct rx_out){99, 99, 99};
	return virtio_net_receive_complete(&net, tok, b->buf + i * 256, &o->hdr,
					   &o->frame, &o->nbufs);
}

/* NET-V-11, NET-V-12 from the driver's side: a frame over num_buffers buffers,
 * the continuations headerless and in order, every one but the last
 * full; a bad count is IoError. */
START_TEST(receive_mergeable_buffers)
{
	struct virtio_net_options o = {.queue_size = 16};
	struct net_buf *b = buf();
	uint8_t frame[200], hdr[64] = {0};
	struct rx_out r;
	uint16_t tok[8], t;

	fill_frame(frame, sizeof(frame), 11);
	net_start(MODERN_BASE | F(VIRTIO_NET_F_MRG_RXBUF), &o);
	ck_assert(net.mrg_rxbuf);
	/* 12 + 140 bytes over three buffers of 64: 64, 64, 24. */
	post_small(b, 3, 64, tok);
	virtio_st_le16(hdr + 10, 3);
	memcpy(hdr + 12, frame, 52);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	memcpy(gpa(b->paddr + 256, 64), frame + 52, 64);
	memcpy(gpa(b->paddr + 512, 24), frame + 116, 24);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[1], 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[2], 24);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
		ck_assert_uint_eq(t, tok[i]);
	}
	/* Out of turn: the second before the head. */
	ck_assert_int_eq(complete_small(b, 1, tok[1], &r),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r), 0);
	ck_assert_uint_eq(r.hdr, 12);
	ck_assert_uint_eq(r.frame, 52);
	ck_assert_uint_eq(r.nbufs, 3);
	ck_assert_int_eq(complete_small(b, 1, tok[1], &r), 0);
	ck_assert_uint_eq(r.hdr, 0);
	ck_assert_uint_eq(r.frame, 64);
	ck_assert_uint_eq(r.nbufs, 0);
	ck_assert_int_eq(complete_small(b, 2, tok[2], &r), 0);
	ck_assert_uint_eq(r.hdr, 0);
	ck_assert_uint_eq(r.frame, 24);
	ck_assert_mem_eq(b->buf + 12, frame, 52);
	ck_assert_mem_eq(b->buf + 256, frame + 52, 64);
	ck_assert_mem_eq(b->buf + 512, frame + 116, 24);

	/* Then a one-buffer frame: a head again. */
	post_small(b, 1, 64, tok);
	virtio_st_le16(hdr + 10, 1);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 40);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r), 0);
	ck_assert_uint_eq(r.hdr, 12);
	ck_assert_uint_eq(r.frame, 28);
	ck_assert_uint_eq(r.nbufs, 1);

	/* num_buffers 0, or above the queue size (16). */
	virtio_st_le16(hdr + 10, 0);
	post_small(b, 1, 64, tok);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 64);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r),
			 -VIRTIO_ERR_IO_ERROR);
	virtio_st_le16(hdr + 10, 17);
	post_small(b, 1, 64, tok);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 64);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(net.rx_cont_left, 0);

	/* The head of a 2-buffer frame not filled (NET-V-12): refused,
	 * and the next buffer still counts as its continuation. */
	virtio_st_le16(hdr + 10, 2);
	post_small(b, 2, 64, tok);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 63);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[1], 64);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(net.rx_cont_left, 1);
	ck_assert_int_eq(complete_small(b, 1, tok[1], &r), 0);
	ck_assert_uint_eq(r.hdr, 0);
	ck_assert_uint_eq(r.frame, 64);
	ck_assert_uint_eq(net.rx_cont_left, 0);

	/* A continuation with no bytes, or past its buffer. */
	post_small(b, 2, 64, tok);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[1], 0);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r), 0);
	ck_assert_uint_eq(r.nbufs, 2);
	ck_assert_int_eq(complete_small(b, 1, tok[1], &r),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(net.rx_cont_left, 0);
	post_small(b, 2, 64, tok);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[1], 65);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r), 0);
	ck_assert_int_eq(complete_small(b, 1, tok[1], &r),
			 -VIRTIO_ERR_IO_ERROR);
	/* A middle continuation not filled (NET-V-12). */
	virtio_st_le16(hdr + 10, 3);
	post_small(b, 3, 64, tok);
	memcpy(gpa(b->paddr, 64), hdr, 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[0], 64);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[1], 10);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok[2], 10);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert_int_eq(complete_small(b, 0, tok[0], &r), 0);
	ck_assert_int_eq(complete_small(b, 1, tok[1], &r),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_int_eq(complete_small(b, 2, tok[2], &r), 0);
	ck_assert_uint_eq(r.frame, 10);
	ck_assert_uint_eq(net.rx_cont_left, 0);
	virtio_net_destroy(&net);
	put(b);
	finish_machine();
}
END_TEST

/* An IPv4/UDP frame of @payload bytes; returns its length. */
static size_t udp_frame(uint8_t *f, size_t payload)
{
	size_t ip_len = 20 + 8 + payload;

	memset(f, 0, 14 + ip_len);
	memcpy(f, dev_mac, 6);
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[16] = (uint8_t)(ip_len >> 8);
	f[17] = (uint8_t)ip_len;
	f[22] = 64;
	f[23] = 17; /* UDP */
	memcpy(f + 26, (uint8_t[]){10, 0, 2, 15}, 4);
	memcpy(f + 30, (uint8_t[]){10, 0, 2, 2}, 4);
	f[34] = 0x30;
	f[35] = 0x39;
	f[36] = 0x00;
	f[37] = 0x35;
	f[38] = (uint8_t)((8 + payload) >> 8);
	f[39] = (uint8_t)(8 + payload);
	for (size_t i = 0; i < payload; i++)
		f[42 + i] = (uint8_t)(i * 13 + 1);
	return 14 + ip_len;
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The UDP pseudo-header sum: what a device leaves with NEEDS_CSUM. */
static uint16_t udp_pseudo(const uint8_t *f)
{
	uint32_t s = sum16(0, f + 26, 8);

	s += 17;
	s += (uint32_t)f[38] << 8 | f[39];
	return fold(s);
}

/* A whole UDP checksum verifies to 0xffff over pseudo-header + UDP. */
static bool udp_ok(const uint8_t *f, size_t len)
{
	uint32_t s = udp_pseudo(f);

	return fold(sum16(s, f + 34, len - 34)) == 0xffff;
}

/* NET-D-16, NET-D-17, NET-D-19 (and NET-D-10's rules read from the receiving side):
 * a NEEDS_CSUM frame is completed, bounds checked; unknown flags are
 * ignored; RSC_INFO means the offsets are not used. */
START_TEST(receive_completes_partial_checksum)
{
	struct virtio_net_options o = {.no_mrg_rxbuf = true};
	struct net_buf *b = buf();
	uint8_t f[200], hdr[12] = {0}, data[256];
	struct rx_out r;
	uint16_t tok;
	size_t len = udp_frame(f, 33); /* odd: the last byte is padded */

	net_start(NET_WANTED, &o);
	ck_assert(net.vdev.features & F(VIRTIO_NET_F_GUEST_CSUM));
	f[40] = (uint8_t)(udp_pseudo(f) >> 8);
	f[41] = (uint8_t)udp_pseudo(f);
	ck_assert(!udp_ok(f, len));

	hdr[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	virtio_st_le16(hdr + 6, 34); /* csum_start: the UDP header */
	virtio_st_le16(hdr + 8, 6);  /* csum_offset: its checksum */
	virtio_st_le16(hdr + 10, 1);
	memcpy(data, hdr, 12);
	memcpy(data + 12, f, len);
	tok = post_rx(b, 1526);
	memcpy(gpa(b->paddr, 12 + len), data, 12 + len);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, (uint32_t)(12 + len));
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_uint_eq(r.frame, len);
	ck_assert(udp_ok(b->buf + 12, len));
	ck_assert_mem_eq(b->buf, hdr, 12); /* the header as written */

	/* Offsets outside the frame: IoError, the frame not touched. */
	virtio_st_le16(data + 8, (uint16_t)(len - 34 - 1));
	tok = post_rx(b, 1526);
	memcpy(gpa(b->paddr, 12 + len), data, 12 + len);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, (uint32_t)(12 + len));
	ck_assert_int_eq(complete_rx(tok, b, &r), -VIRTIO_ERR_IO_ERROR);
	ck_assert_mem_eq(b->buf + 12, f, len);
	virtio_st_le16(data + 6, 0xffff);
	virtio_st_le16(data + 8, 0xffff);
	tok = post_rx(b, 1526);
	memcpy(gpa(b->paddr, 12 + len), data, 12 + len);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, (uint32_t)(12 + len));
	ck_assert_int_eq(complete_rx(tok, b, &r), -VIRTIO_ERR_IO_ERROR);

	/* Unknown flags and DATA_VALID: delivered as they are. */
	data[0] = 0xf0 | VIRTIO_NET_HDR_F_DATA_VALID;
	tok = post_rx(b, 1526);
	memcpy(gpa(b->paddr, 12 + len), data, 12 + len);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, (uint32_t)(12 + len));
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_mem_eq(b->buf + 12, f, len);
	/* RSC_INFO: csum_start/csum_offset mean something else. */
	data[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_RSC_INFO;
	tok = post_rx(b, 1526);
	memcpy(gpa(b->paddr, 12 + len), data, 12 + len);
	dev_push_used(VIRTIO_NET_RX_QUEUE, tok, (uint32_t)(12 + len));
	ck_assert_int_eq(complete_rx(tok, b, &r), 0);
	ck_assert_mem_eq(b->buf + 12, f, len);
	put(b);
	net_stop();
}
END_TEST

/* INIT-D-13: destroy resets first, then unshares what was posted, used
 * and not polled, and polled and not completed, bounced or not. */
START_TEST(destroy_reclaims_everything)
{
	uint8_t *host = malloc(1526);
	struct net_buf *b[6];
	uint16_t tok[6], t, head;

	ck_assert_ptr_nonnull(host);
	net_start(NET_WANTED, NULL);
	for (unsigned i = 0; i < 6; i++)
		b[i] = buf();
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(
		    virtio_net_receive_begin(&net, b[i]->buf, 1526, &tok[i]),
		    0);
	for (unsigned i = 3; i < 6; i++)
		ck_assert_int_eq(
		    virtio_net_transmit_begin(&net, b[i]->buf, 80, &tok[i]), 0);
	ck_assert_int_eq(virtio_net_transmit_begin(&net, host, 100, &t), 0);
	/* One of each used; one of those polled. */
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &head));
	dev_push_used(VIRTIO_NET_RX_QUEUE, head, 0);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &head));
	dev_push_used(VIRTIO_NET_RX_QUEUE, head, 0);
	ck_assert_int_eq(virtio_net_receive_poll(&net, &t), 1);
	ck_assert(dev_pop(VIRTIO_NET_TX_QUEUE, &head));
	dev_push_used(VIRTIO_NET_TX_QUEUE, head, 0);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &t), 1);
	for (unsigned i = 0; i < 6; i++)
		put(b[i]);
	net_stop(); /* finish_machine: the HAL's books are clean */
	free(host);
}
END_TEST

/* ---- the net device (adapter) ---- */

static struct virtio_net_device nd;
static struct net_device *dev;
static const struct virtio_net_device zero_nd;

static void nd_start(uint64_t features, const struct virtio_net_options *o)
{
	ft.tt.dev_features = features;
	ck_assert_int_eq(
	    virtio_net_device_init(&nd, &ft.tt.base, o, DEV_LINE, &pool), 0);
	dev = virtio_net_device_base(&nd);
	ck_assert_ptr_nonnull(dev->ops);
}

/* The pool invariant, and the caller's count of what it holds. */
static void assert_books(size_t held)
{
	ck_assert_uint_eq(net_buf_pool_free_count(&pool) + nd.rx_posted +
			      nd.tx_in_flight + nd.held,
			  net_buf_pool_capacity(&pool));
	ck_assert_uint_eq(nd.held, held);
}

/* The chains on the receive ring the device has not taken yet. */
static unsigned dev_pop_all(unsigned qi, uint16_t *heads, unsigned max)
{
	unsigned n = 0;

	while (n < max && dev_pop(qi, &heads[n]))
		n++;
	return n;
}

static void nd_stop(size_t held)
{
	assert_books(held);
	virtio_net_device_destroy(&nd);
	ck_assert_uint_eq(ft.status_at_unset, 0); /* INIT-D-13 */
	ck_assert_mem_eq(&nd, &zero_nd, sizeof(nd));
	ck_assert_uint_eq(net_buf_pool_free_count(&pool),
			  net_buf_pool_capacity(&pool) - held);
	ck_assert_uint_eq(ft.config_writes, 0); /* NET-D-01 */
}

/* Bad pools are refused; receive buffers: what the ring takes, half the
 * pool at most; the ops say what the driver negotiated. */
START_TEST(device_init_and_identity)
{
	struct virtio_net_options o = {.queue_size = 16};
	struct net_buf_pool small, one, unset = {0};
	uint16_t heads[256];
	uint8_t mac[6];

	ft.tt.dev_features = NET_WANTED;
	ck_assert_int_eq(net_buf_pool_init(&one, machine_hal(&m), 1, 2048), 0);
	ck_assert_int_eq(
	    virtio_net_device_init(&nd, &ft.tt.base, NULL, DEV_LINE, &one),
	    -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    virtio_net_device_init(&nd, &ft.tt.base, NULL, DEV_LINE, &unset),
	    -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    virtio_net_device_init(&nd, &ft.tt.base, NULL, DEV_LINE, NULL),
	    -DEV_ERR_INVALID_PARAM);
	/* NET-D-03: 1526-byte buffers cannot take a 9000-byte mtu frame. */
	set_mtu(9000);
	ck_assert_int_eq(net_buf_pool_init(&small, machine_hal(&m), 8, 1526),
			 0);
	ck_assert_int_eq(
	    virtio_net_device_init(&nd, &ft.tt.base, NULL, DEV_LINE, &small),
	    -DEV_ERR_INVALID_PARAM);
	ck_assert_mem_eq(&nd, &zero_nd, sizeof(nd));
	ck_assert_uint_eq(net_buf_pool_free_count(&small), 8);
	/* A device the driver refuses: its error, mapped (Unsupported). */
	set_mtu(20);
	ck_assert_int_eq(
	    virtio_net_device_init(&nd, &ft.tt.base, NULL, DEV_LINE, &pool),
	    -DEV_ERR_UNSUPPORTED);
	set_mtu(1500);
	ck_assert_uint_eq(net_buf_pool_destroy(&small), 0);
	ck_assert_uint_eq(net_buf_pool_destroy(&one), 0);

	/* The ring (16) is the limit: 16 posted. */
	nd_start(NET_WANTED, &o);
	ck_assert_str_eq(dev->ops->name(dev), "virtio-net");
	ck_assert_int_eq(dev->ops->type(dev), DEV_TYPE_NET);
	dev->ops->mac_address(dev, mac);
	ck_assert_mem_eq(mac, dev_mac, 6);
	ck_assert_uint_eq(dev->ops->rx_queue_size(dev), 16);
	ck_assert_uint_eq(dev->ops->tx_queue_size(dev), 16);
	ck_assert_uint_eq(nd.rx_posted, 16);
	ck_assert_uint_eq(dev_pop_all(VIRTIO_NET_RX_QUEUE, heads, 256), 16);
	ck_assert(dev->ops->can_transmit(dev));
	ck_assert(!dev->ops->can_receive(dev));
	assert_books(0);
	nd_stop(0);

	/* Half the pool (64) is the limit: 32 posted on a ring of 256,
	 * each a whole buffer. */
	ft.unsets = 0;
	nd_start(NET_WANTED, NULL);
	ck_assert_uint_eq(nd.rx_posted, 32);
	ck_assert_uint_eq(dev_pop_all(VIRTIO_NET_RX_QUEUE, heads, 256), 32);
	{
		struct seg sg[2];

		ck_assert_uint_eq(
		    dev_chain(VIRTIO_NET_RX_QUEUE, heads[0], sg, 2), 1);
		ck_assert(sg[0].write);
		ck_assert_uint_eq(sg[0].len, 2048);
	}
	nd_stop(0);

	/* Legacy, no ANY_LAYOUT, no INDIRECT: two descriptors a buffer,
	 * 8 fit a ring of 16. */
	ft.unsets = 0;
	ft.tt.legacy = true;
	o.no_indirect = true;
	nd_start(F(VIRTIO_NET_F_MAC), &o);
	ck_assert_uint_eq(nd.rx_posted, 8);
	nd_stop(0);
	finish_machine();
}
END_TEST

/* alloc_tx_buffer: the header reserved; too big goes back (unlike the
 * anchor); an empty pool is NoMemory. */
START_TEST(device_alloc_tx_buffer)
{
	struct net_buf *b, *all[64];
	size_t n = 0, free0;

	nd_start(NET_WANTED, NULL);
	free0 = net_buf_pool_free_count(&pool);
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 2048 - 12 + 1, &b),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_ptr_null(b);
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), free0);
	assert_books(0);
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 2048 - 12, &b), 0);
	ck_assert_uint_eq(b->header_len, 12);
	ck_assert_uint_eq(b->packet_len, 2036);
	ck_assert_ptr_eq(net_buf_packet(b), b->buf + 12);
	all[n++] = b;
	assert_books(1);
	while (dev->ops->alloc_tx_buffer(dev, 60, &b) == 0)
		all[n++] = b;
	ck_assert_uint_eq(n, free0);
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b),
			 -DEV_ERR_NO_MEMORY);
	ck_assert(!dev->ops->can_transmit(dev));
	assert_books(n);
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, NULL),
			 -DEV_ERR_INVALID_PARAM);
	nd_stop(n);
	for (size_t i = 0; i < n; i++)
		put(all[i]);
	finish_machine();
}
END_TEST

/* transmit consumes a held buffer whatever happens; buffers that are not
 * the caller's are refused and left alone; the pool stays whole. */
START_TEST(device_transmit_paths)
{
	struct virtio_net_options o = {.queue_size = 4};
	struct net_buf_pool other;
	struct net_buf *b, *f, *tx[4];
	uint8_t out[2048];
	struct seg sg[2];
	uint16_t head;
	size_t free0;

	ck_assert_int_eq(net_buf_pool_init(&other, machine_hal(&m), 2, 2048),
			 0);
	nd_start(NET_WANTED, &o);
	free0 = net_buf_pool_free_count(&pool);

	/* Sent: the device reads a zero header and the frame. */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b), 0);
	fill_frame(net_buf_packet(b), 60, 4);
	memset(b->buf, 0x5a, 12);
	ck_assert_int_eq(dev->ops->transmit(dev, b), 0);
	assert_books(0);
	ck_assert_uint_eq(nd.tx_in_flight, 1);
	ck_assert(dev_pop(VIRTIO_NET_TX_QUEUE, &head));
	ck_assert_uint_eq(dev_chain(VIRTIO_NET_TX_QUEUE, head, sg, 2), 1);
	ck_assert_uint_eq(dev_read(sg, 1, out, sizeof(out)), 72);
	for (unsigned i = 0; i < 12; i++)
		ck_assert_uint_eq(out[i], 0); /* NET-D-06, NET-D-07, NET-D-11, NET-D-14 */
	ck_assert_mem_eq(out + 12, net_buf_packet(b), 60);
	ck_assert_uint_eq(nd.stats.tx_frames, 1);
	ck_assert_uint_eq(nd.stats.tx_bytes, 60);
	/* In flight: not the caller's any more. */
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_BAD_STATE);
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, b),
			 -DEV_ERR_BAD_STATE);
	assert_books(0);

	/* NET-D-04: above mtu + 14 (fits the buffer, not the MTU). */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 1515, &b), 0);
	assert_books(1);
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_INVALID_PARAM);
	assert_books(0);
	ck_assert(net_buf_pool_is_free(&pool, b));
	/* Shorter than an Ethernet header. */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 13, &b), 0);
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_INVALID_PARAM);
	assert_books(0);
	/* A header_len or packet_len the caller broke. */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b), 0);
	b->header_len = 0;
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b), 0);
	b->packet_len = 4096;
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b), 0);
	b->buf += 64; /* moved: the device would get the wrong bytes */
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_INVALID_PARAM);
	ck_assert(net_buf_pool_is_free(&pool, b));
	assert_books(0);
	ck_assert_uint_eq(nd.stats.tx_errors, 5);

	/* Not the caller's: free in the pool, another pool's, a copy. */
	f = net_buf_pool_alloc(&pool);
	put(f);
	ck_assert_int_eq(dev->ops->transmit(dev, f), -DEV_ERR_BAD_STATE);
	b = net_buf_pool_alloc(&other);
	ck_assert_int_eq(dev->ops->transmit(dev, b), -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, b),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_uint_eq(net_buf_pool_free_count(&other), 1);
	ck_assert_int_eq(net_buf_pool_free(&other, b), 0);
	ck_assert_int_eq(dev->ops->transmit(dev, NULL), -DEV_ERR_INVALID_PARAM);
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), free0 - 1);
	assert_books(0);

	/* The ring (4) full: BadState (QueueFull), the buffer back. */
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &tx[i]), 0);
		ck_assert_int_eq(dev->ops->transmit(dev, tx[i]), 0);
	}
	ck_assert(!dev->ops->can_transmit(dev));
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &tx[3]), 0);
	ck_assert_int_eq(dev->ops->transmit(dev, tx[3]), -DEV_ERR_BAD_STATE);
	ck_assert(net_buf_pool_is_free(&pool, tx[3]));
	ck_assert_uint_eq(nd.tx_in_flight, 4);
	assert_books(0);
	nd_stop(0);
	ck_assert_uint_eq(net_buf_pool_destroy(&other), 0);
	finish_machine();
}
END_TEST

/* recycle_tx_buffers: every used chain back in the pool; a bad used
 * entry is reported, the rest collected. */
START_TEST(device_recycle_tx_buffers)
{
	struct net_buf *b[3];
	uint16_t head[3];
	size_t free0;

	nd_start(NET_WANTED, NULL);
	free0 = net_buf_pool_free_count(&pool);
	ck_assert_int_eq(dev->ops->recycle_tx_buffers(dev), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 100, &b[i]), 0);
		ck_assert_int_eq(dev->ops->transmit(dev, b[i]), 0);
		ck_assert(dev_pop(VIRTIO_NET_TX_QUEUE, &head[i]));
	}
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), free0 - 3);
	dev_push_used(VIRTIO_NET_TX_QUEUE, head[2], 0);
	dev_push_used(VIRTIO_NET_TX_QUEUE, head[0], 0);
	ck_assert_int_eq(dev->ops->recycle_tx_buffers(dev), 0);
	ck_assert_uint_eq(nd.tx_in_flight, 1);
	ck_assert(net_buf_pool_is_free(&pool, b[0]));
	ck_assert(net_buf_pool_is_free(&pool, b[2]));
	ck_assert(!net_buf_pool_is_free(&pool, b[1]));
	assert_books(0);
	/* A duplicate, then the real one. */
	dev_push_used(VIRTIO_NET_TX_QUEUE, head[0], 0);
	dev_push_used(VIRTIO_NET_TX_QUEUE, head[1], 0);
	ck_assert_int_eq(dev->ops->recycle_tx_buffers(dev),
			 -DEV_ERR_ALREADY_EXISTS); /* AlreadyUsed, mapped */
	ck_assert_int_eq(dev->ops->recycle_tx_buffers(dev), 0);
	ck_assert_uint_eq(nd.tx_in_flight, 0);
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), free0);
	assert_books(0);
	nd_stop(0);
	finish_machine();
}
END_TEST

/* The device writes a frame into receive chain @head. */
static void nd_deliver(uint16_t head, const uint8_t *frame, size_t len)
{
	dev_receive(head, frame, len, 1, 0, (uint32_t)(12 + len));
}

/* receive: Again with nothing; a frame with its lengths; empty
 * completions re-posted silently; a refused completion is Io and its
 * buffer re-posted; recycle_rx_buffer posts again. */
START_TEST(device_receive_paths)
{
	struct virtio_net_options o = {.no_mrg_rxbuf = true};
	uint8_t frame[1514];
	struct net_buf *b, *c;
	uint16_t heads[64];
	unsigned n;
	size_t posted;

	fill_frame(frame, sizeof(frame), 21);
	nd_start(NET_WANTED, &o);
	posted = nd.rx_posted;
	n = dev_pop_all(VIRTIO_NET_RX_QUEUE, heads, 64);
	ck_assert_uint_eq(n, posted);
	ck_assert(!dev->ops->can_receive(dev));
	ck_assert_int_eq(dev->ops->receive(dev, &b), -DEV_ERR_AGAIN);
	ck_assert_ptr_null(b);

	nd_deliver(heads[0], frame, 1514);
	ck_assert(dev->ops->can_receive(dev));
	ck_assert(dev->ops->can_receive(dev)); /* still: not taken */
	assert_books(0);
	ck_assert_int_eq(dev->ops->receive(dev, &b), 0);
	ck_assert_uint_eq(b->header_len, 12);
	ck_assert_uint_eq(b->packet_len, 1514);
	ck_assert_mem_eq(net_buf_packet(b), frame, 1514);
	ck_assert_uint_eq(nd.rx_posted, posted - 1);
	assert_books(1);
	ck_assert_uint_eq(nd.stats.rx_frames, 1);
	ck_assert_uint_eq(nd.stats.rx_bytes, 1514);
	ck_assert(!dev->ops->can_receive(dev));
	/* Held: transmit-once-more would be fine, recycle too; twice not. */
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, b), 0);
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, b),
			 -DEV_ERR_BAD_STATE);
	ck_assert_uint_eq(nd.rx_posted, posted);
	assert_books(0);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &heads[0]));

	/* Empty (dropped by the device), then a frame: one receive. */
	dev_push_used(VIRTIO_NET_RX_QUEUE, heads[1], 0);
	nd_deliver(heads[2], frame + 1, 60);
	ck_assert_int_eq(dev->ops->receive(dev, &b), 0);
	ck_assert_uint_eq(b->packet_len, 60);
	ck_assert_mem_eq(net_buf_packet(b), frame + 1, 60);
	ck_assert_uint_eq(nd.stats.rx_empty, 1);
	ck_assert_uint_eq(nd.rx_posted, posted - 1);
	assert_books(1);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &heads[1])); /* re-posted */

	/* A received buffer may be sent on as it is (forwarding). */
	ck_assert_int_eq(dev->ops->transmit(dev, b), 0);
	assert_books(0);

	/* Refused by the driver (VQ-D-14): Io, the buffer re-posted. */
	dev_receive(heads[3], frame, 60, 1, 0, 7);
	ck_assert_int_eq(dev->ops->receive(dev, &b), -DEV_ERR_IO);
	ck_assert_uint_eq(nd.stats.rx_errors, 1);
	/* The forwarded buffer was replaced from the pool on the way. */
	ck_assert_uint_eq(nd.rx_posted, posted);
	ck_assert(dev_pop(VIRTIO_NET_RX_QUEUE, &heads[3]));
	/* Met by can_receive: it says so, the next receive reports it. */
	dev_receive(heads[4], frame, 60, 1, 0, 5000);
	ck_assert(dev->ops->can_receive(dev));
	ck_assert(dev->ops->can_receive(dev));
	ck_assert_int_eq(dev->ops->receive(dev, &b), -DEV_ERR_IO);
	ck_assert(!dev->ops->can_receive(dev));
	ck_assert_int_eq(dev->ops->receive(dev, &b), -DEV_ERR_AGAIN);
	assert_books(0);
	/* A bad used id: BadState (WrongToken), nothing moves. */
	dev_push_used(VIRTIO_NET_RX_QUEUE, 999, 100);
	ck_assert_int_eq(dev->ops->receive(dev, &c), -DEV_ERR_BAD_STATE);
	assert_books(0);
	ck_assert_int_eq(dev->ops->receive(dev, NULL), -DEV_ERR_INVALID_PARAM);
	nd_stop(0);
	finish_machine();
}
END_TEST

/* MRG_RXBUF: a frame over two buffers cannot be one net_buf: dropped,
 * counted, both buffers re-posted; the next frame comes through. */
START_TEST(device_drops_multi_buffer_frames)
{
	uint8_t frame[1514], hdr[2048] = {0};
	uint16_t heads[64];
	struct net_buf *b;
	size_t posted;

	fill_frame(frame, sizeof(frame), 2);
	nd_start(NET_WANTED, NULL);
	posted = nd.rx_posted;
	dev_pop_all(VIRTIO_NET_RX_QUEUE, heads, 64);
	virtio_st_le16(hdr + 10, 2);
	{
		struct seg sg[2];

		dev_chain(VIRTIO_NET_RX_QUEUE, heads[0], sg, 2);
		dev_write(sg, 1, hdr, 2048);
		dev_chain(VIRTIO_NET_RX_QUEUE, heads[1], sg, 2);
		dev_write(sg, 1, frame, 100);
	}
	dev_push_used(VIRTIO_NET_RX_QUEUE, heads[0], 2048);
	dev_push_used(VIRTIO_NET_RX_QUEUE, heads[1], 100);
	nd_deliver(heads[2], frame, 200);
	ck_assert(dev->ops->can_receive(dev));
	ck_assert_int_eq(dev->ops->receive(dev, &b), 0);
	ck_assert_uint_eq(b->packet_len, 200);
	ck_assert_mem_eq(net_buf_packet(b), frame, 200);
	ck_assert_uint_eq(nd.stats.rx_dropped, 1);
	ck_assert_uint_eq(nd.stats.rx_frames, 1);
	ck_assert_uint_eq(nd.rx_posted, posted - 1);
	ck_assert_uint_eq(dev_pop_all(VIRTIO_NET_RX_QUEUE, heads, 64), 2);
	assert_books(1);
	nd_stop(1);
	put(b);
	finish_machine();
}
END_TEST

/* recycle_rx_buffer that cannot post (the ring is full): the buffer goes
 * back to the pool and the error is returned. */
START_TEST(device_recycle_rx_failure)
{
	struct virtio_net_options o = {.queue_size = 16};
	struct net_buf *b;

	nd_start(NET_WANTED, &o);
	ck_assert_uint_eq(nd.rx_posted, 16); /* the ring is full */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b), 0);
	assert_books(1);
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, b),
			 -DEV_ERR_BAD_STATE);
	ck_assert(net_buf_pool_is_free(&pool, b));
	assert_books(0);
	/* A held buffer whose buf was moved: back to the pool too. */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &b), 0);
	b->buf = NULL;
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, b),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert(net_buf_pool_is_free(&pool, b));
	ck_assert_ptr_nonnull(b->buf);
	assert_books(0);
	nd_stop(0);
	finish_machine();
}
END_TEST

/* destroy: reset, then every buffer the device had back in the pool (a
 * frame can_receive took included); the caller's stay the caller's. */
START_TEST(device_destroy_gives_buffers_back)
{
	uint8_t frame[100];
	uint16_t heads[64];
	struct net_buf *held[2], *t;

	fill_frame(frame, sizeof(frame), 8);
	nd_start(NET_WANTED, NULL);
	dev_pop_all(VIRTIO_NET_RX_QUEUE, heads, 64);
	nd_deliver(heads[0], frame, 100);
	nd_deliver(heads[1], frame, 100);
	ck_assert_int_eq(dev->ops->receive(dev, &held[0]), 0);
	ck_assert(dev->ops->can_receive(dev)); /* the second, taken */
	ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 60, &held[1]), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(dev->ops->alloc_tx_buffer(dev, 80, &t), 0);
		ck_assert_int_eq(dev->ops->transmit(dev, t), 0);
	}
	assert_books(2);
	nd_stop(2);
	put(held[0]);
	put(held[1]);
	finish_machine(); /* every share undone, every page back */
}
END_TEST

/* A pool with buffers out before init: they count as the caller's. */
START_TEST(device_pool_partly_taken)
{
	struct net_buf *mine = net_buf_pool_alloc(&pool);

	nd_start(NET_WANTED, NULL);
	assert_books(1);
	ck_assert_uint_eq(nd.rx_posted, 32);
	ck_assert_int_eq(dev->ops->recycle_rx_buffer(dev, mine), 0);
	assert_books(0);
	nd_stop(0);
	finish_machine();
}
END_TEST

static Suite *net_driver_suite(void)
{
	Suite *s = suite_create("net_driver");
	TCase *tc = tcase_create("driver");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, init_negotiates_and_reads_config);
	tcase_add_test(tc, options_and_queue_sizes);
	tcase_add_test(tc, legacy_header_and_layout);
	tcase_add_test(tc, mtu_checked_and_optional);
	tcase_add_test(tc, fallback_mac);
	tcase_add_test(tc, link_status);
	tcase_add_test(tc, transmit_header_and_limits);
	tcase_add_test(tc, transmit_queue_full);
	tcase_add_test(tc, transmit_poll_and_complete);
	tcase_add_test(tc, receive_buffer_sizes);
	tcase_add_test(tc, receive_checks_used_length_and_num_buffers);
	tcase_add_test(tc, receive_into_bounced_buffer);
	tcase_add_test(tc, receive_mergeable_buffers);
	tcase_add_test(tc, receive_completes_partial_checksum);
	tcase_add_test(tc, destroy_reclaims_everything);
	suite_add_tcase(s, tc);

	tc = tcase_create("device");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, device_init_and_identity);
	tcase_add_test(tc, device_alloc_tx_buffer);
	tcase_add_test(tc, device_transmit_paths);
	tcase_add_test(tc, device_recycle_tx_buffers);
	tcase_add_test(tc, device_receive_paths);
	tcase_add_test(tc, device_drops_multi_buffer_frames);
	tcase_add_test(tc, device_recycle_rx_failure);
	tcase_add_test(tc, device_destroy_gives_buffers_back);
	tcase_add_test(tc, device_pool_partly_taken);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(net_driver_suite)
