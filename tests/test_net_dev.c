/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net device model (devices/net/net_model.c) and the loop
 * backend (net_loop.c), driven through raw MMIO registers and rings
 * built by hand in guest RAM, with a capturing test backend. Each test
 * names the requirements of spec-checklist.md it covers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/net/net_backend.h"
#include "devices/net/net_loop.h"
#include "devices/net/net_model.h"
#include "devices/net/pcap.h"
#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_net.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/machine.h"
#include "tests/test_ring.h"
#include "tests/testutil.h"

#define RAM_SIZE (16ull << 20)
#define QSZ 16
#define MAX_NICS 8
#define HLEN VIRTIO_NET_HDR_SIZE
#define F(b) VIRTIO_BIT(b)
#define RXQ VIRTIO_NET_RX_QUEUE
#define TXQ VIRTIO_NET_TX_QUEUE
#define MAX_FRAME (NET_MODEL_MTU_MAX + VIRTIO_NET_ETH_HLEN)

static struct machine m;

/* A backend that keeps what the model sends ---------------------------- */

struct test_be {
	struct net_backend be;
	unsigned frames;
	uint64_t bytes;
	uint8_t last[MAX_FRAME];
	size_t last_len;
	const void *last_ptr; /* where the model's frame was */
};

static unsigned be_destroyed;

static void test_be_send(struct net_backend *b, const void *frame, size_t len)
{
	struct test_be *t = (struct test_be *)b;

	ck_assert_uint_le(len, sizeof(t->last));
	memcpy(t->last, frame, len);
	t->last_len = len;
	t->last_ptr = frame;
	t->frames++;
	t->bytes += len;
}

static void test_be_destroy(struct net_backend *b)
{
	be_destroyed++;
	free(b);
}

static const struct net_backend_ops test_be_ops = {
    .send = test_be_send,
    .destroy = test_be_destroy,
};

static struct test_be *test_be_new(void)
{
	struct test_be *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	t->be.ops = &test_be_ops;
	t->be.link_up = true;
	return t;
}

/* A NIC on the machine, and the driver-side view of its rings ---------- */

struct nic {
	struct virtio_dev *dev;
	struct test_be *be; /* NULL on another backend */
	unsigned index;
	uint64_t win;
	unsigned line;
	uint16_t qsz;
	struct test_ring ring[2]; /* RXQ, TXQ: n->qsz entries each */
	uint16_t next[2]; /* next free descriptor */
};

static struct nic nics[MAX_NICS];
static unsigned nnics;
static struct nic *nic0;

static void destroy_model(void *dev)
{
	net_model_destroy(dev);
}

static struct nic *add_nic_on(struct net_backend *be,
			      const struct net_model_options *o, int version)
{
	struct nic *n = &nics[nnics];
	int slot;

	ck_assert_uint_lt(nnics, MAX_NICS);
	memset(n, 0, sizeof(*n));
	n->index = nnics++;
	n->qsz = QSZ;
	n->dev = net_model_create(&m.env, be, o);
	ck_assert_ptr_nonnull(n->dev);
	/* Registered before the attach: released after the front-end. */
	ck_assert_int_eq(machine_on_destroy(&m, destroy_model, n->dev), 0);
	slot = virtio_mmio_attach(&m, n->dev, version);
	ck_assert_int_ge(slot, 0);
	n->win = machine_mmio_slot_base((unsigned)slot);
	n->line = machine_mmio_slot_irq((unsigned)slot);
	return n;
}

static struct nic *add_nic(const struct net_model_options *o)
{
	struct test_be *be = test_be_new();
	struct nic *n = add_nic_on(&be->be, o, 2);

	n->be = be;
	return n;
}

static struct nic *add_loop_nic(void)
{
	struct net_backend *be = net_loop_create(&m.env);

	ck_assert_ptr_nonnull(be);
	return add_nic_on(be, NULL, 2);
}

static void machine_up(enum sim_mode mode, uint64_t seed)
{
	struct machine_options o = {
	    .mem_size = RAM_SIZE, .mode = mode, .seed = seed};

	ck_assert_int_eq(machine_init(&m, &o), 0);
	nnics = 0;
	be_destroyed = 0;
}

static void setup_machine(void)
{
	machine_up(SIM_MODE_SYNC, 1);
}

static void setup(void)
{
	setup_machine();
	nic0 = add_nic(NULL);
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

static uint32_t rd(struct nic *n, unsigned off)
{
	return bus_read(&m.bus, n->win + off, 4);
}

static void wr(struct nic *n, unsigned off, uint32_t val)
{
	bus_write(&m.bus, n->win + off, val, 4);
}

static uint32_t cfg(struct nic *n, unsigned off, unsigned size)
{
	return bus_read(&m.bus, n->win + VIRTIO_MMIO_CONFIG + off, size);
}

static void *gp(uint64_t gpa)
{
	return test_gpa(&m.mem, gpa, 1);
}

static bool line_up(struct nic *n)
{
	return m.irq.level & (1ull << n->line);
}

static void ack_all(struct nic *n)
{
	wr(n, VIRTIO_MMIO_INTERRUPT_ACK, rd(n, VIRTIO_MMIO_INTERRUPT_STATUS));
}

static bool broken(struct nic *n)
{
	return rd(n, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

static void nic_mac(struct nic *n, uint8_t *mac)
{
	for (unsigned i = 0; i < VIRTIO_NET_ETH_ALEN; i++)
		mac[i] = (uint8_t)cfg(n, i, 1);
}

static const struct net_model_stats *stats(struct nic *n)
{
	return net_model_stats(n->dev);
}

static uint64_t offered(struct nic *n)
{
	uint64_t f;

	wr(n, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(n, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(n, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(n, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

/* What the tests negotiate: everything but EVENT_IDX, for plain IRQs. */
static uint64_t std_features(struct nic *n)
{
	return offered(n) & ~(F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_EVENT_IDX));
}

static uint64_t ring_base(struct nic *n, unsigned q)
{
	return MACHINE_RAM_BASE + 0x10000 + n->index * 0x10000ull +
	       q * 0x8000ull;
}

/* Descriptor @d's buffer on queue @q: 16 KiB each. */
static uint64_t buf_addr(struct nic *n, unsigned q, unsigned d)
{
	return MACHINE_RAM_BASE + 0x100000 + n->index * 0x100000ull +
	       q * 0x80000ull + d * 0x4000ull;
}

static void queue_up(struct nic *n, unsigned q)
{
	uint64_t base = ring_base(n, q);

	memset(gp(base), 0, 0x3000);
	n->ring[q] = (struct test_ring){&m.mem, base, base + 0x1000,
					base + 0x2000, n->qsz};
	n->next[q] = 0;
	wr(n, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(n, VIRTIO_MMIO_QUEUE_NUM, n->qsz);
	wr(n, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)n->ring[q].desc);
	wr(n, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(n->ring[q].desc >> 32));
	wr(n, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)n->ring[q].avail);
	wr(n, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(n, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)n->ring[q].used);
	wr(n, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(n, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_QUEUE_READY), 1);
}

/* The §3.1 dance to DRIVER_OK with @features (VERSION_1 added). */
static void bring_up(struct nic *n, uint64_t features)
{
	const uint32_t ad =
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	uint64_t f = features | F(VIRTIO_F_VERSION_1);

	wr(n, VIRTIO_MMIO_STATUS, 0);
	wr(n, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(n, VIRTIO_MMIO_STATUS, ad);
	wr(n, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(n, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(n, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(n, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(n, VIRTIO_MMIO_STATUS, ad | VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(rd(n, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	queue_up(n, RXQ);
	queue_up(n, TXQ);
	wr(n, VIRTIO_MMIO_STATUS,
	   ad | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(rd(n, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* A legacy (MMIO v1) driver: 32 feature bits, PFN rings, no FEATURES_OK. */
static void bring_up_legacy(struct nic *n, uint32_t features)
{
	const uint32_t ad =
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	wr(n, VIRTIO_MMIO_STATUS, 0);
	wr(n, VIRTIO_MMIO_STATUS, ad);
	wr(n, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(n, VIRTIO_MMIO_DRIVER_FEATURES, features);
	wr(n, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	for (unsigned q = 0; q < 2; q++) {
		uint64_t base = ring_base(n, q);

		memset(gp(base), 0, 0x3000);
		n->ring[q] = (struct test_ring){
		    &m.mem, base, base + virtq_desc_size(n->qsz),
		    base + virtq_legacy_used_offset(n->qsz, 4096), n->qsz};
		n->next[q] = 0;
		wr(n, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(n, VIRTIO_MMIO_QUEUE_NUM, n->qsz);
		wr(n, VIRTIO_MMIO_QUEUE_ALIGN, 4096);
		wr(n, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(base / 4096));
	}
	wr(n, VIRTIO_MMIO_STATUS, ad | VIRTIO_CONFIG_S_DRIVER_OK);
}

static uint16_t take_desc(struct nic *n, unsigned q)
{
	uint16_t d = n->next[q];

	n->next[q] = (uint16_t)((d + 1) % n->qsz);
	return d;
}

static void kick(struct nic *n, unsigned q)
{
	wr(n, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* Frames and headers ------------------------------------------------- */

static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint8_t frame_byte(size_t i, unsigned seed)
{
	return (uint8_t)(i * 7u + seed * 31u + (i >> 8));
}

/* An Ethernet frame (local experimental ethertype), payload by @seed. */
static void make_frame(uint8_t *f, size_t len, const uint8_t *dst,
		       const uint8_t *src, unsigned seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (size_t i = 14; i < len; i++)
		f[i] = frame_byte(i, seed);
}

static void check_frame(const uint8_t *f, size_t len, unsigned seed)
{
	size_t i = 14;

	/* One assertion per frame: Check records every one it runs. */
	while (i < len && f[i] == frame_byte(i, seed))
		i++;
	ck_assert_msg(i == len || len < 14, "byte %zu of seed %u: 0x%02x", i,
		      seed, i < len ? f[i] : 0);
}

struct hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

static void put_hdr(uint8_t *h, const struct hdr *v)
{
	h[0] = v->flags;
	h[1] = v->gso_type;
	virtio_st_le16(h + 2, v->hdr_len);
	virtio_st_le16(h + 4, v->gso_size);
	virtio_st_le16(h + 6, v->csum_start);
	virtio_st_le16(h + 8, v->csum_offset);
	virtio_st_le16(h + 10, v->num_buffers);
}

static uint8_t pkt[HLEN + MAX_FRAME];

/*
 * Queue one transmit chain of the @len bytes at @bytes, cut into
 * segments of the sizes in @cuts, the last segment taking the rest; no
 * kick. Returns the head.
 */
static uint16_t tx_post(struct nic *n, const uint8_t *bytes, size_t len,
			const size_t *cuts, unsigned ncuts)
{
	uint16_t head = n->next[TXQ];
	size_t off = 0;

	for (unsigned i = 0; i <= ncuts; i++) {
		size_t s = i < ncuts ? cuts[i] : len - off;
		uint16_t d = take_desc(n, TXQ);
		bool last = i == ncuts;

		memcpy(gp(buf_addr(n, TXQ, d)), bytes + off, s);
		test_desc_at(&m.mem, n->ring[TXQ].desc, d, buf_addr(n, TXQ, d),
			     (uint32_t)s, last ? 0 : VIRTQ_DESC_F_NEXT,
			     n->next[TXQ]);
		off += s;
	}
	test_ring_avail_add(&n->ring[TXQ], head);
	return head;
}

/* Transmit header @h (NULL: zero) and @flen frame bytes, cut as said. */
static uint16_t tx(struct nic *n, const struct hdr *h, const uint8_t *frame,
		   size_t flen, const size_t *cuts, unsigned ncuts)
{
	struct hdr zero = {0};
	uint16_t head;

	put_hdr(pkt, h ? h : &zero);
	memcpy(pkt + HLEN, frame, flen);
	head = tx_post(n, pkt, HLEN + flen, cuts, ncuts);
	kick(n, TXQ);
	return head;
}

/* Post @count receive buffers of @size bytes, one descriptor each. */
static void rx_post(struct nic *n, unsigned count, uint32_t size)
{
	for (unsigned i = 0; i < count; i++) {
		uint16_t d = take_desc(n, RXQ);

		ck_assert_uint_le(size, 0x4000);
		memset(gp(buf_addr(n, RXQ, d)), 0xee, size);
		test_desc_at(&m.mem, n->ring[RXQ].desc, d, buf_addr(n, RXQ, d),
			     size, VIRTQ_DESC_F_WRITE, 0);
		test_ring_avail_add(&n->ring[RXQ], d);
	}
}

/* One receive buffer of several segments, contiguous in memory. */
static uint16_t rx_post_chain(struct nic *n, const uint32_t *sizes,
			      unsigned count)
{
	uint16_t head = n->next[RXQ];
	uint64_t addr = buf_addr(n, RXQ, head);

	for (unsigned i = 0; i < count; i++) {
		uint16_t d = take_desc(n, RXQ);

		memset(gp(addr), 0xee, sizes[i]);
		test_desc_at(&m.mem, n->ring[RXQ].desc, d, addr, sizes[i],
			     VIRTQ_DESC_F_WRITE |
				 (i + 1 < count ? VIRTQ_DESC_F_NEXT : 0),
			     n->next[RXQ]);
		addr += sizes[i];
	}
	test_ring_avail_add(&n->ring[RXQ], head);
	return head;
}

static uint8_t *rx_buf(struct nic *n, unsigned d)
{
	return gp(buf_addr(n, RXQ, d));
}

/* A frame from the outside world for @n, through its backend. */
static void deliver(struct nic *n, size_t len, unsigned seed)
{
	static uint8_t f[MAX_FRAME];
	uint8_t mac[6];

	nic_mac(n, mac);
	make_frame(f, len, mac, peer_mac, seed);
	net_backend_deliver(net_model_backend(n->dev), f, len);
}

/* The header the device wrote: flags 0, GSO NONE (NET-V-13, NET-V-14). */
static void check_rx_hdr(const uint8_t *h, uint16_t num_buffers)
{
	static const uint8_t zero[10];

	ck_assert_mem_eq(h, zero, 10);
	ck_assert_uint_eq(virtio_ld_le16(h + 10), num_buffers);
}

/* Identity, features, config ----------------------------------------- */

/* NET-V-01, NET-V-02; NET-D-02: the MAC the driver uses. */
START_TEST(identity_and_config)
{
	struct nic *n = nic0;
	uint32_t low = 0x123456 + n->dev->id;
	uint8_t mac[6];

	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	nic_mac(n, mac);
	ck_assert_uint_eq(mac[0], 0x52);
	ck_assert_uint_eq(mac[1], 0x54);
	ck_assert_uint_eq(mac[2], 0x00);
	ck_assert_uint_eq(mac[3], (low >> 16) & 0xff);
	ck_assert_uint_eq(mac[4], (low >> 8) & 0xff);
	ck_assert_uint_eq(mac[5], low & 0xff);
	ck_assert_uint_eq(cfg(n, 6, 2), VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(cfg(n, 8, 2), 1);	/* max_virtqueue_pairs */
	ck_assert_uint_eq(cfg(n, 10, 2), 1500); /* mtu */
	ck_assert_uint_eq(cfg(n, 12, 4), 0);
	wr(n, VIRTIO_MMIO_QUEUE_SEL, RXQ);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	wr(n, VIRTIO_MMIO_QUEUE_SEL, TXQ);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	wr(n, VIRTIO_MMIO_QUEUE_SEL, 2); /* no control queue */
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
}
END_TEST

/* No GSO, control queue or multiqueue is offered (NET-D-08, NET-D-11). */
START_TEST(features_offered)
{
	ck_assert_uint_eq(offered(nic0),
			  F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) |
			      F(VIRTIO_NET_F_MTU) | F(VIRTIO_NET_F_MAC) |
			      F(VIRTIO_NET_F_MRG_RXBUF) |
			      F(VIRTIO_NET_F_STATUS) |
			      F(VIRTIO_F_INDIRECT_DESC) |
			      F(VIRTIO_F_EVENT_IDX) | F(VIRTIO_F_VERSION_1));
}
END_TEST

/* NET-D-01: the config is read-only; writes change nothing. */
START_TEST(config_read_only)
{
	struct nic *n = nic0;
	uint8_t before[12], after[12];
	uint32_t gen = rd(n, VIRTIO_MMIO_CONFIG_GENERATION);

	for (unsigned i = 0; i < 12; i++)
		before[i] = (uint8_t)cfg(n, i, 1);
	bus_write(&m.bus, n->win + VIRTIO_MMIO_CONFIG, 0x11223344, 4);
	bus_write(&m.bus, n->win + VIRTIO_MMIO_CONFIG + 4, 0xffff, 2);
	bus_write(&m.bus, n->win + VIRTIO_MMIO_CONFIG + 6, 0, 2);
	bus_write(&m.bus, n->win + VIRTIO_MMIO_CONFIG + 10, 9000, 2);
	for (unsigned i = 0; i < 12; i++)
		after[i] = (uint8_t)cfg(n, i, 1);
	ck_assert_mem_eq(before, after, 12);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_CONFIG_GENERATION), gen);
}
END_TEST

START_TEST(options_shape_the_device)
{
	struct net_model_options o = {
	    .mac = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee},
	    .mtu = 9000,
	    .queue_size = 64,
	    .no_mrg_rxbuf = true,
	    .no_csum = true,
	    .no_status = true,
	};
	struct nic *n = add_nic(&o), *a = add_nic(NULL), *b = add_nic(NULL);
	uint8_t mac[6], ma[6], mb[6];
	uint64_t f = offered(n);

	nic_mac(n, mac);
	ck_assert_mem_eq(mac, o.mac, 6);
	ck_assert_uint_eq(cfg(n, 10, 2), 9000);
	ck_assert_uint_eq(cfg(n, 6, 2), 0); /* no STATUS: no status */
	wr(n, VIRTIO_MMIO_QUEUE_SEL, RXQ);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
	ck_assert(!(f & F(VIRTIO_NET_F_MRG_RXBUF)));
	ck_assert(!(f & F(VIRTIO_NET_F_CSUM)));
	ck_assert(!(f & F(VIRTIO_NET_F_GUEST_CSUM)));
	ck_assert(!(f & F(VIRTIO_NET_F_STATUS)));
	ck_assert(f & F(VIRTIO_NET_F_MAC));
	ck_assert(f & F(VIRTIO_NET_F_MTU));
	/* Default addresses: locally administered unicast, one per NIC. */
	nic_mac(a, ma);
	nic_mac(b, mb);
	ck_assert_mem_ne(ma, mb, 6);
	ck_assert_uint_eq(ma[0] & 3, 2);
	ck_assert_uint_eq(mb[0] & 3, 2);
	/* Without STATUS, a link change raises no config interrupt. */
	bring_up(n, offered(n) & ~F(VIRTIO_F_VERSION_1));
	net_model_set_link(n->dev, false);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}
END_TEST

static void expect_refused(const struct net_model_options *o, int err)
{
	unsigned before = be_destroyed;
	struct test_be *be = test_be_new();

	errno = 0;
	ck_assert_ptr_null(net_model_create(&m.env, &be->be, o));
	ck_assert_int_eq(errno, err);
	ck_assert_uint_eq(be_destroyed, before + 1); /* ours on failure too */
}

/* NET-V-02: mtu 68..65535; queue sizes powers of 2 up to 1024. */
START_TEST(bad_options_refused)
{
	struct net_model_options o;
	struct virtio_dev *dev;
	struct test_be *be;

	errno = 0;
	ck_assert_ptr_null(net_model_create(&m.env, NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	expect_refused(&(struct net_model_options){.mtu = 67}, EINVAL);
	expect_refused(&(struct net_model_options){.mtu = 65536}, EINVAL);
	expect_refused(&(struct net_model_options){.queue_size = 48}, EINVAL);
	expect_refused(&(struct net_model_options){.queue_size = 2048}, EINVAL);
	expect_refused(&(struct net_model_options){.mac = {1, 2, 3, 4, 5, 6}},
		       EINVAL);
	expect_refused(
	    &(struct net_model_options){.pcap = "/nonexistent/dir/x.pcap"},
	    ENOENT);

	/* The edges are fine. */
	o = (struct net_model_options){.mtu = 68, .queue_size = 1024};
	be = test_be_new();
	dev = net_model_create(&m.env, &be->be, &o);
	ck_assert_ptr_nonnull(dev);
	net_model_destroy(dev);
	o.mtu = 65535;
	be = test_be_new();
	dev = net_model_create(&m.env, &be->be, &o);
	ck_assert_ptr_nonnull(dev);
	ck_assert_ptr_eq(net_model_backend(dev), &be->be);
	net_model_destroy(dev);
	ck_assert_uint_eq(be_destroyed, 8);
	ck_assert_ptr_null(net_model_stats(NULL));
}
END_TEST

/* Transmit ----------------------------------------------------------- */

/* NET-V-04: a frame up to mtu + 14 goes out whole, byte-exact. */
START_TEST(tx_frame_reaches_backend)
{
	struct nic *n = nic0;
	uint8_t f[1514], mac[6];
	uint64_t gpa;
	uint16_t head;

	bring_up(n, std_features(n));
	nic_mac(n, mac);
	make_frame(f, 100, peer_mac, mac, 1);
	head = tx(n, NULL, f, 100, NULL, 0);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[TXQ]), 1);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[TXQ], 0), head);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[TXQ], 0), 0);
	ck_assert(line_up(n));
	ck_assert_uint_eq(n->be->frames, 1);
	ck_assert_uint_eq(n->be->last_len, 100);
	ck_assert_mem_eq(n->be->last, f, 100);
	/* One segment: handed over in place, no copy. */
	ck_assert(guest_mem_gpa_of(&m.mem, n->be->last_ptr, 100, &gpa));
	ck_assert_uint_eq(gpa, buf_addr(n, TXQ, head) + HLEN);

	make_frame(f, 1514, peer_mac, mac, 2);
	tx(n, NULL, f, 1514, NULL, 0);
	ck_assert_uint_eq(n->be->frames, 2);
	ck_assert_mem_eq(n->be->last, f, 1514);
	ck_assert_uint_eq(stats(n)->tx_frames, 2);
	ck_assert_uint_eq(stats(n)->tx_bytes, 1614);
	ck_assert(!broken(n));
}
END_TEST

/* The header and the frame split anywhere over descriptors. */
START_TEST(tx_split_segments)
{
	struct nic *n = nic0;
	const size_t cuts[] = {5, 4, 23, 1, 100};
	const size_t hdr_only[] = {HLEN};
	uint8_t f[300];
	uint64_t gpa;
	uint16_t head;

	bring_up(n, std_features(n));
	make_frame(f, sizeof(f), bcast_mac, peer_mac, 3);
	tx(n, NULL, f, sizeof(f), cuts, 5);
	ck_assert_uint_eq(n->be->frames, 1);
	ck_assert_uint_eq(n->be->last_len, sizeof(f));
	ck_assert_mem_eq(n->be->last, f, sizeof(f));
	ck_assert(!guest_mem_gpa_of(&m.mem, n->be->last_ptr, 1, &gpa));

	/* The header alone, then the frame in one segment: in place. */
	head = tx(n, NULL, f, sizeof(f), hdr_only, 1);
	ck_assert_uint_eq(n->be->frames, 2);
	ck_assert_mem_eq(n->be->last, f, sizeof(f));
	ck_assert(guest_mem_gpa_of(&m.mem, n->be->last_ptr, 1, &gpa));
	ck_assert_uint_eq(gpa, buf_addr(n, TXQ, (head + 1u) % QSZ));
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[TXQ]), 2);
}
END_TEST

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* An IPv4/UDP frame whose checksum field holds the pseudo-header sum. */
static size_t make_udp(uint8_t *f, size_t payload, uint32_t *pseudo)
{
	size_t udp_len = 8 + payload;
	uint8_t ph[12];

	memset(f, 0, 42);
	memcpy(f, peer_mac, 6);
	memcpy(f + 6, bcast_mac, 6);
	f[6] = 0x02;
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + udp_len) >> 8);
	f[17] = (uint8_t)(20 + udp_len);
	f[22] = 64;
	f[23] = 17; /* UDP */
	memcpy(f + 26, (uint8_t[]){10, 0, 2, 15}, 4);
	memcpy(f + 30, (uint8_t[]){10, 0, 2, 2}, 4);
	f[34] = 0x30, f[35] = 0x39; /* 12345 */
	f[36] = 0x00, f[37] = 0x35; /* 53 */
	f[38] = (uint8_t)(udp_len >> 8);
	f[39] = (uint8_t)udp_len;
	for (size_t i = 0; i < payload; i++)
		f[42 + i] = (uint8_t)(i * 13 + 1);
	memcpy(ph, f + 26, 8);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = (uint8_t)(udp_len >> 8);
	ph[11] = (uint8_t)udp_len;
	*pseudo = sum16(ph, 12, 0);
	/* What a driver leaves for the device: the folded pseudo sum. */
	f[40] = (uint8_t)(fold(*pseudo) >> 8);
	f[41] = (uint8_t)fold(*pseudo);
	return 42 + payload;
}

/* NET-D-10: NEEDS_CSUM with CSUM: the device completes the checksum. */
START_TEST(tx_checksum_completion)
{
	struct nic *n = nic0;
	struct hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.csum_start = 34,
			.csum_offset = 6};
	const size_t cuts[] = {HLEN + 37};
	uint8_t f[200];
	uint32_t pseudo;
	size_t len;

	bring_up(n, std_features(n));
	for (unsigned odd = 0; odd < 2; odd++) {
		len = make_udp(f, 33 + odd * 70, &pseudo);
		tx(n, &h, f, len, odd ? cuts : NULL, odd);
		ck_assert_uint_eq(n->be->frames, odd + 1);
		ck_assert_uint_eq(n->be->last_len, len);
		/* Pseudo-header plus the UDP datagram sums to all ones. */
		ck_assert_uint_eq(
		    fold(sum16(n->be->last + 34, len - 34, pseudo)), 0xffff);
		ck_assert_uint_ne(n->be->last[40] | n->be->last[41], 0);
		ck_assert_mem_eq(n->be->last, f, 40);
		ck_assert_mem_eq(n->be->last + 42, f + 42, len - 42);
	}
	/* The guest's readable buffers were not written. */
	ck_assert_mem_eq((uint8_t *)gp(buf_addr(n, TXQ, 1)) + HLEN, f, 37);
	ck_assert_mem_eq(gp(buf_addr(n, TXQ, 2)), f + 37, len - 37);
	ck_assert(!broken(n));
}
END_TEST

/* NET-V-07, NET-V-08, NET-V-09: unknown flags, csum fields without
 * NEEDS_CSUM, and hdr_len are ignored. */
START_TEST(tx_ignores_unknown_flags_and_hints)
{
	struct nic *n = nic0;
	struct hdr h = {.flags = 0x40 | 0x08,
			.hdr_len = 0xffff,
			.gso_size = 0x1234,
			.csum_start = 0xfff0,
			.csum_offset = 0xfff0};
	uint8_t f[80];

	bring_up(n, std_features(n));
	make_frame(f, sizeof(f), peer_mac, peer_mac, 4);
	tx(n, &h, f, sizeof(f), NULL, 0);
	ck_assert(!broken(n));
	ck_assert_uint_eq(n->be->frames, 1);
	ck_assert_mem_eq(n->be->last, f, sizeof(f));
}
END_TEST

/* A refused transmit: NEEDS_RESET, why, nothing sent, nothing used. */
static void expect_tx_refused(struct nic *n, const char *why)
{
	ck_assert(broken(n));
	ck_assert(n->dev->broken);
	ck_assert_msg(strstr(n->dev->broken_reason, why), "reason: %s",
		      n->dev->broken_reason);
	ck_assert(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(net_model_stats(n->dev)->guest_errors, 1);
	/* Broken: nothing more is taken until reset. */
	tx(n, NULL, (uint8_t[60]){0}, 60, NULL, 0);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[TXQ]), 0);
}

static void tx_with_hdr(struct nic *n, const struct hdr *h, size_t flen)
{
	static uint8_t f[MAX_FRAME];

	make_frame(f, flen, peer_mac, peer_mac, 5);
	tx(n, h, f, flen, NULL, 0);
}

START_TEST(tx_refuses_short_chain)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	memset(pkt, 0, HLEN);
	tx_post(n, pkt, HLEN - 1, NULL, 0);
	kick(n, TXQ);
	expect_tx_refused(n, "shorter than the 12-byte header");
	ck_assert_uint_eq(n->be->frames, 0);
}
END_TEST

/* NET-D-08, NET-D-11: no HOST_TSO/UFO offered, so gso_type is NONE. */
START_TEST(tx_refuses_gso)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	tx_with_hdr(n,
		    &(struct hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				  .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				  .gso_size = 1448,
				  .csum_start = 34,
				  .csum_offset = 16},
		    200);
	expect_tx_refused(n, "NET-D-08");
	/* ECN alone is no GSO type either. */
	bring_up(n, std_features(n));
	tx_with_hdr(n, &(struct hdr){.gso_type = VIRTIO_NET_HDR_GSO_ECN}, 200);
	ck_assert(broken(n));
	ck_assert_uint_eq(n->be->frames, 0);
}
END_TEST

/* NET-D-14 */
START_TEST(tx_refuses_data_valid)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	tx_with_hdr(n, &(struct hdr){.flags = VIRTIO_NET_HDR_F_DATA_VALID},
		    100);
	expect_tx_refused(n, "NET-D-14");
	ck_assert_uint_eq(n->be->frames, 0);
}
END_TEST

/* NET-D-14 */
START_TEST(tx_refuses_rsc_info)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	tx_with_hdr(n, &(struct hdr){.flags = VIRTIO_NET_HDR_F_RSC_INFO}, 100);
	expect_tx_refused(n, "NET-D-14");
	ck_assert_uint_eq(n->be->frames, 0);
}
END_TEST

/* NET-D-07: without CSUM, no NEEDS_CSUM. */
START_TEST(tx_refuses_needs_csum_without_csum)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n) & ~F(VIRTIO_NET_F_CSUM));
	tx_with_hdr(n,
		    &(struct hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				  .csum_start = 34,
				  .csum_offset = 6},
		    100);
	expect_tx_refused(n, "NET-D-07");
	ck_assert_uint_eq(n->be->frames, 0);
}
END_TEST

/* NET-D-06 */
START_TEST(tx_refuses_num_buffers)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	tx_with_hdr(n, &(struct hdr){.num_buffers = 1}, 100);
	expect_tx_refused(n, "NET-D-06");
	ck_assert_uint_eq(n->be->frames, 0);
}
END_TEST

/* NET-D-04: mtu + 14 is the longest frame. */
START_TEST(tx_refuses_frame_over_mtu)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	tx_with_hdr(n, NULL, 1514);
	ck_assert(!broken(n));
	ck_assert_uint_eq(n->be->frames, 1);
	tx_with_hdr(n, NULL, 1515);
	ck_assert(broken(n));
	ck_assert_ptr_nonnull(strstr(n->dev->broken_reason, "NET-D-04"));
	ck_assert_uint_eq(n->be->frames, 1);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[TXQ]), 1);
}
END_TEST

/*
 * Without MTU negotiated NET-D-04 binds no driver: a frame over the
 * device's MTU is dropped and counted, the device goes on.
 */
START_TEST(tx_drops_frame_over_mtu_without_mtu_negotiated)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n) & ~F(VIRTIO_NET_F_MTU));
	tx_with_hdr(n, NULL, 1515);
	ck_assert(!broken(n));
	ck_assert_uint_eq(n->be->frames, 0);
	ck_assert_uint_eq(stats(n)->tx_dropped, 1);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[TXQ]), 1);
	tx_with_hdr(n, NULL, 1514);
	ck_assert_uint_eq(n->be->frames, 1);
}
END_TEST

/* Shorter than an Ethernet header is no frame. */
START_TEST(tx_refuses_runt_frame)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	tx_with_hdr(n, NULL, 14);
	ck_assert(!broken(n));
	tx_with_hdr(n, NULL, 13);
	ck_assert(broken(n));
	ck_assert_ptr_nonnull(strstr(n->dev->broken_reason, "13 bytes"));
	ck_assert_uint_eq(n->be->frames, 1);
}
END_TEST

/* NET-D-10: the checksum field lies within the frame. */
START_TEST(tx_refuses_checksum_past_frame)
{
	struct nic *n = nic0;
	struct hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.csum_start = 90,
			.csum_offset = 8};

	bring_up(n, std_features(n));
	tx_with_hdr(n, &h, 100); /* field at 98..99: the last two bytes */
	ck_assert(!broken(n));
	ck_assert_uint_eq(n->be->frames, 1);
	h.csum_offset = 9;
	tx_with_hdr(n, &h, 100);
	ck_assert(broken(n));
	ck_assert_ptr_nonnull(strstr(n->dev->broken_reason, "NET-D-10"));
	ck_assert_uint_eq(n->be->frames, 1);
	/* Offsets that would wrap 16 bits are past the frame too. */
	bring_up(n, std_features(n));
	h.csum_start = 0xffff;
	h.csum_offset = 0xffff;
	tx_with_hdr(n, &h, 100);
	ck_assert(broken(n));
}
END_TEST

/* §5.1.6.1: a legacy device without MRG_RXBUF uses the 10-byte header. */
START_TEST(legacy_header_sizes)
{
	struct test_be *be = test_be_new();
	struct nic *n = add_nic_on(&be->be, NULL, 1);
	uint8_t f[60], mac[6];

	n->be = be;
	bring_up_legacy(
	    n, (uint32_t)(std_features(n) & ~F(VIRTIO_NET_F_MRG_RXBUF)));
	ck_assert(n->dev->legacy);
	memset(pkt, 0, 10);
	make_frame(f, sizeof(f), peer_mac, peer_mac, 6);
	memcpy(pkt + 10, f, sizeof(f));
	tx_post(n, pkt, 10 + sizeof(f), NULL, 0);
	kick(n, TXQ);
	ck_assert(!broken(n));
	ck_assert_uint_eq(be->last_len, sizeof(f));
	ck_assert_mem_eq(be->last, f, sizeof(f));
	rx_post(n, 1, 1524);
	kick(n, RXQ);
	deliver(n, 60, 7);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 0), 70);
	ck_assert_mem_eq(rx_buf(n, 0), (uint8_t[10]){0}, 10);
	nic_mac(n, mac);
	ck_assert_mem_eq(rx_buf(n, 0) + 10, mac, 6);
	check_frame(rx_buf(n, 0) + 10, 60, 7);

	/* With MRG_RXBUF the header has num_buffers: 12 bytes. */
	bring_up_legacy(n, (uint32_t)std_features(n));
	tx_with_hdr(n, NULL, 60);
	ck_assert(!broken(n));
	ck_assert_uint_eq(be->frames, 2);
	ck_assert_uint_eq(be->last_len, 60);
	rx_post(n, 1, 1526);
	deliver(n, 60, 8);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 0), 72);
	check_rx_hdr(rx_buf(n, 0), 1);
	check_frame(rx_buf(n, 0) + 12, 60, 8);
}
END_TEST

/* Receive ------------------------------------------------------------ */

/* NET-V-11, NET-V-13, NET-V-14: the header, then the frame. */
START_TEST(rx_frame_lands_byte_exact)
{
	struct nic *n = nic0;
	uint8_t mac[6];

	bring_up(n, std_features(n));
	rx_post(n, 1, 1526);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ack_all(n);
	deliver(n, 200, 9);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], 0), 0);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 0), HLEN + 200);
	check_rx_hdr(rx_buf(n, 0), 1);
	nic_mac(n, mac);
	ck_assert_mem_eq(rx_buf(n, 0) + HLEN, mac, 6);
	ck_assert_mem_eq(rx_buf(n, 0) + HLEN + 6, peer_mac, 6);
	check_frame(rx_buf(n, 0) + HLEN, 200, 9);
	ck_assert_uint_eq(rx_buf(n, 0)[HLEN + 200], 0xee);
	ck_assert(line_up(n));
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(stats(n)->rx_frames, 1);
	ck_assert_uint_eq(stats(n)->rx_bytes, 200);
}
END_TEST

/* NET-V-10: without MRG_RXBUF one buffer per frame, num_buffers 1. */
START_TEST(rx_without_mrg_one_buffer_per_frame)
{
	struct nic *n = nic0;
	const uint32_t segs[] = {5, 7, 1514};
	const size_t lens[] = {60, 1514, 100};
	uint8_t *b;

	bring_up(n, std_features(n) & ~F(VIRTIO_NET_F_MRG_RXBUF));
	rx_post(n, 3, 1526);
	kick(n, RXQ);
	for (unsigned i = 0; i < 3; i++)
		deliver(n, lens[i], 10 + i);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], i), i);
		ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], i),
				  HLEN + lens[i]);
		check_rx_hdr(rx_buf(n, i), 1);
		check_frame(rx_buf(n, i) + HLEN, lens[i], 10 + i);
	}
	/* A buffer of three segments: the header split over two. */
	rx_post_chain(n, segs, 3);
	deliver(n, 1514, 13);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 4);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], 3), 3);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 3), HLEN + 1514);
	b = rx_buf(n, 3);
	check_rx_hdr(b, 1);
	check_frame(b + HLEN, 1514, 13);
	ck_assert_uint_eq(stats(n)->rx_frames, 4);
}
END_TEST

/* Buffers a 4000-byte frame spans with MRG_RXBUF (mtu 9000). */
static void check_mrg_4000(struct nic *n, unsigned first_used,
			   unsigned first_desc, unsigned seed)
{
	static uint8_t got[4000];
	size_t off = 0;

	for (unsigned i = 0; i < 5; i++) {
		uint32_t id = test_ring_used_id(&n->ring[RXQ], first_used + i);
		uint32_t len =
		    test_ring_used_len(&n->ring[RXQ], first_used + i);
		const uint8_t *b = rx_buf(n, id);

		ck_assert_uint_eq(id, (first_desc + i) % n->qsz);
		/* NET-V-12: all but the last filled completely. */
		ck_assert_uint_eq(len, i < 4 ? 1000 : 12);
		if (i == 0) {
			check_rx_hdr(b, 5); /* NET-V-11 */
			b += HLEN;
			len -= HLEN;
		}
		memcpy(got + off, b, len);
		off += len;
	}
	ck_assert_uint_eq(off, 4000);
	check_frame(got, 4000, seed);
}

/* NET-V-11, NET-V-12: one frame over several buffers, used together. */
START_TEST(rx_mrg_spans_buffers)
{
	struct nic *n = add_nic(&(struct net_model_options){.mtu = 9000});

	bring_up(n, std_features(n));
	rx_post(n, 8, 1000);
	kick(n, RXQ);
	ack_all(n);
	deliver(n, 4000, 14);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 5);
	check_mrg_4000(n, 0, 0, 14);
	ck_assert(line_up(n));
	ck_assert_uint_eq(stats(n)->rx_frames, 1);
	ck_assert_uint_eq(stats(n)->rx_bytes, 4000);
	/* The next frame starts in the next buffer. */
	deliver(n, 100, 15);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 6);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], 5), 5);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 5), HLEN + 100);
	check_rx_hdr(rx_buf(n, 5), 1);
	/* A full-size frame over two buffers and a bit. */
	deliver(n, 9014, 16);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]),
			  6); /* 2000 bytes posted: waits */
	rx_post(n, 8, 1000);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 6 + 10);
	check_rx_hdr(rx_buf(n, 6), 10);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 15), 9026 - 9000);
}
END_TEST

/* Without MRG_RXBUF, a buffer too small for the frame is handed back
 * empty and the frame dropped (NET-N-01 is only a SHOULD). */
START_TEST(rx_too_small_buffer_without_mrg)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n) & ~F(VIRTIO_NET_F_MRG_RXBUF));
	rx_post(n, 1, 100);
	kick(n, RXQ);
	deliver(n, 200, 17);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 0), 0);
	ck_assert_uint_eq(rx_buf(n, 0)[0], 0xee);
	ck_assert_uint_eq(stats(n)->rx_too_small, 1);
	ck_assert_uint_eq(stats(n)->rx_frames, 0);
	ck_assert(!broken(n));
	rx_post(n, 1, 1526);
	deliver(n, 200, 18);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 2);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 1), HLEN + 200);
	check_frame(rx_buf(n, 1) + HLEN, 200, 18);
}
END_TEST

/* NET-D-15: with MRG_RXBUF every buffer holds at least the header. */
START_TEST(rx_mrg_buffer_smaller_than_header)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	rx_post(n, 1, 11);
	kick(n, RXQ);
	deliver(n, 60, 19);
	ck_assert(broken(n));
	ck_assert_ptr_nonnull(strstr(n->dev->broken_reason, "NET-D-15"));
	ck_assert_uint_eq(stats(n)->guest_errors, 1);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
}
END_TEST

/* Buffers popped for a frame wait with the model for more. */
START_TEST(rx_mrg_waits_for_enough_buffers)
{
	struct nic *n = add_nic(&(struct net_model_options){.mtu = 9000});

	bring_up(n, std_features(n));
	rx_post(n, 2, 1000);
	kick(n, RXQ);
	deliver(n, 4000, 20);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert_uint_eq(stats(n)->rx_frames, 0);
	rx_post(n, 1, 1000);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	rx_post(n, 3, 1000);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 5);
	check_mrg_4000(n, 0, 0, 20);
	ck_assert_uint_eq(stats(n)->rx_dropped, 0);
}
END_TEST

/*
 * Buffers held for a frame that was then dropped (the link went down)
 * serve the next frames, in the order they were posted.
 */
START_TEST(rx_mrg_held_buffers_serve_next_frames)
{
	struct nic *n = add_nic(&(struct net_model_options){.mtu = 9000});

	bring_up(n, std_features(n));
	rx_post(n, 3, 1000);
	kick(n, RXQ);
	deliver(n, 4000, 23);
	ck_assert_uint_eq(n->dev->queue[RXQ].in_flight, 3);
	net_model_set_link(n->dev, false);
	net_model_set_link(n->dev, true);
	ck_assert_uint_eq(stats(n)->rx_dropped, 1);
	deliver(n, 100, 24);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], 0), 0);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 0), HLEN + 100);
	check_rx_hdr(rx_buf(n, 0), 1);
	deliver(n, 1500, 25);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 3);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], 1), 1);
	ck_assert_uint_eq(test_ring_used_id(&n->ring[RXQ], 2), 2);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 1), 1000);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 2),
			  HLEN + 1500 - 1000);
	check_rx_hdr(rx_buf(n, 1), 2);
	ck_assert_uint_eq(n->dev->queue[RXQ].in_flight, 0);
	/* Nothing is held now: the next frame waits for a buffer. */
	deliver(n, 60, 26);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 3);
	rx_post(n, 1, 1000);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 4);
	check_frame(rx_buf(n, 3) + HLEN, 60, 26);
}
END_TEST

/* The whole ring too small for a frame: dropped, buffers back empty. */
START_TEST(rx_mrg_ring_too_small)
{
	struct nic *n = add_nic(&(struct net_model_options){.mtu = 9000});

	n->qsz = 4;
	bring_up(n, std_features(n));
	rx_post(n, 4, 100);
	kick(n, RXQ);
	deliver(n, 4000, 21);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], i), 0);
	ck_assert_uint_eq(stats(n)->rx_too_small, 1);
	ck_assert(!broken(n));
	/* Bigger buffers from the driver: traffic again. */
	rx_post(n, 4, 2000);
	kick(n, RXQ);
	deliver(n, 4000, 22);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 7);
	check_rx_hdr(rx_buf(n, 0), 3);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 6), 12);
}
END_TEST

/* Frames before any buffer is posted wait, then arrive in order. */
START_TEST(rx_backpressure)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	for (unsigned i = 0; i < 3; i++)
		deliver(n, 100 + i, 30 + i);
	ck_assert_uint_eq(stats(n)->rx_frames, 0);
	ck_assert_uint_eq(stats(n)->rx_backlog_max, 3);
	rx_post(n, 2, 1526);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 2);
	rx_post(n, 2, 1526);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], i),
				  HLEN + 100 + i);
		check_frame(rx_buf(n, i) + HLEN, 100 + i, 30 + i);
	}
	/* The buffer left over takes the next frame at once. */
	deliver(n, 64, 33);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 4);
	check_frame(rx_buf(n, 3) + HLEN, 64, 33);
	ck_assert_uint_eq(stats(n)->rx_dropped, 0);

	/* A frame behind waiting ones goes after them, even when the
	 * buffer it finds was posted without a kick. */
	deliver(n, 70, 34);
	deliver(n, 71, 35);
	rx_post(n, 1, 1526);
	deliver(n, 72, 36);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 5);
	check_frame(rx_buf(n, 4) + HLEN, 70, 34);
	rx_post(n, 2, 1526);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 7);
	check_frame(rx_buf(n, 5) + HLEN, 71, 35);
	check_frame(rx_buf(n, 6) + HLEN, 72, 36);
}
END_TEST

/* 256 frames wait; more are dropped and counted; all drain, in order. */
START_TEST(rx_backlog_overflow)
{
	struct nic *n = nic0;
	unsigned got = 0;

	bring_up(n, std_features(n) & ~F(VIRTIO_NET_F_MRG_RXBUF));
	for (unsigned i = 0; i < 261; i++)
		deliver(n, 60 + i % 50, i);
	ck_assert_uint_eq(stats(n)->rx_dropped, 5);
	ck_assert_uint_eq(stats(n)->rx_backlog_max, 256);
	while (got < 256) {
		rx_post(n, QSZ, 1526);
		kick(n, RXQ);
		ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), got + QSZ);
		for (unsigned i = 0; i < QSZ; i++, got++)
			check_frame(
			    rx_buf(n, test_ring_used_id(&n->ring[RXQ], got)) +
				HLEN,
			    test_ring_used_len(&n->ring[RXQ], got) - HLEN, got);
	}
	/* No stall: a posted buffer takes the next frame at once. */
	rx_post(n, 1, 1526);
	kick(n, RXQ);
	deliver(n, 77, 999);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 257);
	ck_assert_uint_eq(stats(n)->rx_frames, 257);
	ck_assert_uint_eq(stats(n)->rx_dropped, 5);
}
END_TEST

/* The backlog's byte bound (1 MiB), and its ring wrapping around. */
START_TEST(rx_backlog_byte_bound)
{
	struct nic *n = add_nic(&(struct net_model_options){.mtu = 9000});
	unsigned got = 0;

	bring_up(n, std_features(n) & ~F(VIRTIO_NET_F_MRG_RXBUF));
	for (unsigned seed = 0; seed < 120; seed++)
		deliver(n, 9014, seed);
	/* 116 * 9014 bytes fit in 1 MiB, the 117th does not. */
	ck_assert_uint_eq(stats(n)->rx_backlog_max, 116);
	ck_assert_uint_eq(stats(n)->rx_dropped, 4);
	while (got < 116 + 16) {
		unsigned want = 116 + 16 - got < QSZ ? 116 + 16 - got : QSZ;

		rx_post(n, want, 9026);
		kick(n, RXQ);
		ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]),
				  got + want);
		for (unsigned i = got; i < got + want; i++) {
			ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], i),
					  HLEN + 9014);
			check_frame(
			    rx_buf(n, test_ring_used_id(&n->ring[RXQ], i)) +
				HLEN,
			    9014, i < 116 ? i : 200 + i - 116);
		}
		if (!got) {
			/* Sixteen more fit where the first sixteen were. */
			for (unsigned i = 0; i < 17; i++)
				deliver(n, 9014, 200 + i);
			ck_assert_uint_eq(stats(n)->rx_dropped, 5);
		}
		got += want;
	}
	ck_assert_uint_eq(stats(n)->rx_frames, 132);
}
END_TEST

/* NET-V-03: nothing longer than mtu + 14 reaches the guest. */
START_TEST(rx_over_mtu_dropped)
{
	struct nic *n = nic0;

	bring_up(n, std_features(n));
	rx_post(n, 2, 4096);
	kick(n, RXQ);
	deliver(n, 1515, 40);
	deliver(n, 13, 41);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert_uint_eq(stats(n)->rx_dropped, 2);
	deliver(n, 1514, 42);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 0), HLEN + 1514);
}
END_TEST

/* A NIC without a running driver drops what comes. */
START_TEST(rx_before_driver_ok_dropped)
{
	struct nic *n = nic0;

	deliver(n, 100, 43);
	ck_assert_uint_eq(stats(n)->rx_dropped, 1);
	bring_up(n, std_features(n));
	rx_post(n, 1, 1526);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	deliver(n, 100, 44);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	check_frame(rx_buf(n, 0) + HLEN, 100, 44);
}
END_TEST

/* Link ----------------------------------------------------------------- */

static void expect_link(struct nic *n, bool up)
{
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	ck_assert(line_up(n));
	ck_assert_uint_eq(cfg(n, 6, 2), up ? VIRTIO_NET_S_LINK_UP : 0);
	ack_all(n);
}

/* STATUS: LINK_UP follows the link; each change a config interrupt. */
START_TEST(link_down_and_up)
{
	struct nic *n = nic0;
	struct net_backend *be = &n->be->be;
	uint32_t gen;

	bring_up(n, std_features(n));
	gen = rd(n, VIRTIO_MMIO_CONFIG_GENERATION);
	net_model_set_link(n->dev, false);
	expect_link(n, false);
	ck_assert_uint_ne(rd(n, VIRTIO_MMIO_CONFIG_GENERATION), gen);

	/* Down: frames either way are dropped and counted. */
	tx_with_hdr(n, NULL, 100);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[TXQ]), 1);
	ck_assert_uint_eq(n->be->frames, 0);
	ck_assert_uint_eq(stats(n)->tx_dropped, 1);
	ack_all(n);
	rx_post(n, 1, 1526);
	kick(n, RXQ);
	deliver(n, 100, 50);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert_uint_eq(stats(n)->rx_dropped, 1);

	net_model_set_link(n->dev, true);
	expect_link(n, true);
	tx_with_hdr(n, NULL, 100);
	ck_assert_uint_eq(n->be->frames, 1);
	deliver(n, 100, 51);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
	ack_all(n);

	/* The backend's link counts too: up only when both say so. */
	net_backend_set_link(be, false);
	expect_link(n, false);
	net_model_set_link(n->dev, true);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(cfg(n, 6, 2), 0);
	net_backend_set_link(be, true);
	expect_link(n, true);

	/* A frame waiting for a buffer when the link goes is dropped. */
	deliver(n, 100, 52);
	ck_assert_uint_eq(stats(n)->rx_dropped, 1);
	net_model_set_link(n->dev, false);
	ck_assert_uint_eq(stats(n)->rx_dropped, 2);
	net_model_set_link(n->dev, true);
	rx_post(n, 1, 1526);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 1);
}
END_TEST

/* The loop switch ------------------------------------------------------ */

/* Send a frame from @from to @dst_mac; @seed marks it. */
static void loop_send(struct nic *from, const uint8_t *dst_mac, size_t len,
		      unsigned seed)
{
	uint8_t f[1514], mac[6];

	nic_mac(from, mac);
	make_frame(f, len, dst_mac, mac, seed);
	tx(from, NULL, f, len, NULL, 0);
	ck_assert(!broken(from));
}

static void expect_rx(struct nic *n, unsigned count, size_t len, unsigned seed,
		      const uint8_t *src_mac)
{
	const uint8_t *b;

	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), count);
	b = rx_buf(n, test_ring_used_id(&n->ring[RXQ], count - 1));
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], count - 1),
			  HLEN + len);
	ck_assert_mem_eq(b + HLEN + 6, src_mac, 6);
	check_frame(b + HLEN, len, seed);
}

START_TEST(loop_two_nics_exchange)
{
	struct nic *a = add_loop_nic(), *b = add_loop_nic();
	uint8_t ma[6], mb[6];

	ck_assert_uint_eq(net_loop_ports(&m.env), 2);
	nic_mac(a, ma);
	nic_mac(b, mb);
	ck_assert_uint_eq(cfg(a, 6, 2), VIRTIO_NET_S_LINK_UP);
	bring_up(a, std_features(a));
	bring_up(b, std_features(b));
	rx_post(a, 4, 1526);
	kick(a, RXQ);
	rx_post(b, 4, 1526);
	kick(b, RXQ);

	loop_send(a, mb, 300, 60);
	expect_rx(b, 1, 300, 60, ma);
	ck_assert_uint_eq(test_ring_used_idx(&a->ring[RXQ]), 0);
	loop_send(b, ma, 1514, 61);
	expect_rx(a, 1, 1514, 61, mb);
	ck_assert_uint_eq(net_model_stats(a->dev)->tx_frames, 1);
	ck_assert_uint_eq(net_model_stats(a->dev)->rx_frames, 1);
	ck_assert_uint_eq(net_model_stats(b->dev)->rx_bytes, 300);
}
END_TEST

/* Learned addresses go to their port only; the rest floods. */
START_TEST(loop_learning)
{
	struct nic *a = add_loop_nic(), *b = add_loop_nic(),
		   *c = add_loop_nic();
	uint8_t ma[6], mb[6], mc[6];

	nic_mac(a, ma);
	nic_mac(b, mb);
	nic_mac(c, mc);
	for (unsigned i = 0; i < 3; i++) {
		bring_up(&nics[i], std_features(&nics[i]));
		rx_post(&nics[i], 8, 1526);
		kick(&nics[i], RXQ);
	}
	loop_send(a, mb, 100, 70); /* b unknown: flooded to b and c */
	expect_rx(b, 1, 100, 70, ma);
	expect_rx(c, 1, 100, 70, ma);
	ck_assert_uint_eq(test_ring_used_idx(&a->ring[RXQ]), 0);
	loop_send(b, ma, 100, 71); /* a learned: a only */
	expect_rx(a, 1, 100, 71, mb);
	ck_assert_uint_eq(test_ring_used_idx(&c->ring[RXQ]), 1);
	loop_send(a, mb, 100, 72); /* b learned now: b only */
	expect_rx(b, 2, 100, 72, ma);
	ck_assert_uint_eq(test_ring_used_idx(&c->ring[RXQ]), 1);
	loop_send(c, bcast_mac, 100, 73); /* broadcast: everyone else */
	expect_rx(a, 2, 100, 73, mc);
	expect_rx(b, 3, 100, 73, mc);
	ck_assert_uint_eq(test_ring_used_idx(&c->ring[RXQ]), 1);
	loop_send(a, peer_mac, 100, 74); /* nobody's: flooded */
	ck_assert_uint_eq(test_ring_used_idx(&b->ring[RXQ]), 4);
	ck_assert_uint_eq(test_ring_used_idx(&c->ring[RXQ]), 2);
}
END_TEST

/* A NIC alone on its switch gets its own frames back. */
START_TEST(loop_hairpin)
{
	struct nic *a = add_loop_nic();
	uint8_t ma[6];

	nic_mac(a, ma);
	bring_up(a, std_features(a));
	rx_post(a, 2, 1526);
	kick(a, RXQ);
	ack_all(a);
	loop_send(a, peer_mac, 500, 80);
	expect_rx(a, 1, 500, 80, ma);
	ck_assert_uint_eq(test_ring_used_idx(&a->ring[TXQ]), 1);
	ck_assert(rd(a, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING);
	loop_send(a, ma, 60, 81);
	expect_rx(a, 2, 60, 81, ma);
}
END_TEST

static unsigned port_rx[4];

static void port_receive(void *opaque, const void *frame, size_t len)
{
	port_rx[(uintptr_t)opaque]++;
}

static void port_attach(struct net_backend *be, uintptr_t i)
{
	struct net_backend_client c = {.receive = port_receive,
				       .opaque = (void *)i};

	net_backend_attach(be, &c);
}

/* One switch per machine; ports come and go, and their addresses. */
START_TEST(loop_ports_come_and_go)
{
	struct sim_env other = {0};
	struct net_backend *p[3], *q;
	uint8_t f[60];

	memset(port_rx, 0, sizeof(port_rx));
	q = net_loop_create(&other);
	ck_assert_uint_eq(net_loop_ports(&other), 1);
	ck_assert_uint_eq(net_loop_ports(&m.env), 0);
	for (uintptr_t i = 0; i < 2; i++) {
		p[i] = net_loop_create(&m.env);
		ck_assert(p[i]->link_up);
		port_attach(p[i], i);
	}
	ck_assert_uint_eq(net_loop_ports(&m.env), 2);
	/* Port 1 learns peer_mac; port 0 sends to it: port 1 only. */
	make_frame(f, 60, bcast_mac, peer_mac, 0);
	p[1]->ops->send(p[1], f, 60);
	ck_assert_uint_eq(port_rx[0], 1);
	make_frame(f, 60, peer_mac, bcast_mac, 0);
	f[6] = 0x02;
	p[0]->ops->send(p[0], f, 60);
	ck_assert_uint_eq(port_rx[1], 1);
	/* Port 1 leaves; what it learned goes with it. */
	net_backend_destroy(p[1]);
	ck_assert_uint_eq(net_loop_ports(&m.env), 1);
	p[2] = net_loop_create(&m.env);
	port_attach(p[2], 2);
	p[0]->ops->send(p[0], f, 60);
	ck_assert_uint_eq(port_rx[2], 1); /* flooded */
	net_backend_destroy(p[2]);
	p[0]->ops->send(p[0], f, 60); /* alone: hairpin */
	ck_assert_uint_eq(port_rx[0], 2);
	net_backend_destroy(p[0]);
	ck_assert_uint_eq(net_loop_ports(&m.env), 0);
	ck_assert_uint_eq(net_loop_ports(&other), 1);
	net_backend_destroy(q);
	ck_assert_uint_eq(net_loop_ports(&other), 0);
}
END_TEST

/* pcap ------------------------------------------------------------------- */

struct pcap_rec {
	uint32_t ts_sec, ts_usec, incl, orig;
};

/* Every frame both ways, as sent and as delivered; dropped ones not. */
START_TEST(pcap_records_both_ways)
{
	char path[4096];
	struct net_model_options o = {.pcap = path};
	static uint8_t file[1 << 16];
	uint8_t f[1514];
	struct pcap_rec r;
	size_t len, off;
	struct nic *n;
	FILE *fp;
	const size_t want[] = {100, 60, 1514, 200};

	setup_machine();
	test_make_file(path, sizeof(path), "netpcap", 0, 0);
	n = add_nic(&o);
	bring_up(n, std_features(n));
	make_frame(f, 100, peer_mac, peer_mac, 90);
	tx(n, NULL, f, 100, NULL, 0); /* 1: tx */
	rx_post(n, 2, 1526);
	kick(n, RXQ);
	deliver(n, 60, 91);   /* 2: rx */
	deliver(n, 1515, 92); /* over the MTU: not captured */
	make_frame(f, 1514, peer_mac, peer_mac, 93);
	tx(n, NULL, f, 1514, NULL, 0); /* 3: tx */
	net_model_set_link(n->dev, false);
	tx(n, NULL, f, 300, NULL, 0); /* dropped: not captured */
	net_model_set_link(n->dev, true);
	deliver(n, 200, 94); /* 4: rx */
	ck_assert_uint_eq(machine_destroy(&m, true), 0);

	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	len = fread(file, 1, sizeof(file), fp);
	fclose(fp);
	ck_assert_uint_ge(len, 24);
	ck_assert_uint_eq(*(uint32_t *)(void *)file, NET_PCAP_MAGIC);
	ck_assert_uint_eq(*(uint16_t *)(void *)(file + 4), 2);
	ck_assert_uint_eq(*(uint16_t *)(void *)(file + 6), 4);
	ck_assert_uint_eq(*(uint32_t *)(void *)(file + 16), 65535);
	ck_assert_uint_eq(*(uint32_t *)(void *)(file + 20), 1);
	off = 24;
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_le(off + sizeof(r), len);
		memcpy(&r, file + off, sizeof(r));
		ck_assert_uint_eq(r.incl, want[i]);
		ck_assert_uint_eq(r.orig, want[i]);
		ck_assert_uint_gt(r.ts_sec, 1600000000u); /* wall clock */
		ck_assert_uint_lt(r.ts_usec, 1000000u);
		off += sizeof(r);
		check_frame(file + off, r.incl, 90 + i + (i >= 2));
		off += r.incl;
	}
	ck_assert_uint_eq(off, len);
	/* Where tcpdump is installed, it reads the four frames too. */
	if (system("command -v tcpdump >/dev/null 2>&1") == 0) {
		char cmd[4200];

		snprintf(cmd, sizeof(cmd),
			 "test \"$(tcpdump -nn -r '%s' 2>/dev/null | "
			 "grep -c '^[0-9]')\" -eq 4",
			 path);
		ck_assert_msg(system(cmd) == 0, "tcpdump -r %s", path);
	}
	unlink(path);
}
END_TEST

/* A write error ends the capture with one message, never the run. */
START_TEST(pcap_write_error_stops_capture)
{
	char errpath[4096], msg[1024];
	struct net_model_options o = {.pcap = "/dev/full"};
	uint8_t f[1000];
	struct nic *n;
	unsigned count = 0;
	int fd, saved;
	ssize_t len;
	char *p;

	setup_machine();
	test_make_file(errpath, sizeof(errpath), "netpcaperr", 0, 0);
	fd = open(errpath, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	close(fd);
	n = add_nic(&o);
	bring_up(n, std_features(n));
	make_frame(f, sizeof(f), peer_mac, peer_mac, 95);
	for (unsigned i = 0; i < 20; i++)
		tx(n, NULL, f, sizeof(f), NULL, 0);
	ck_assert_uint_eq(n->be->frames, 20);
	ck_assert_uint_eq(stats(n)->tx_frames, 20);
	ck_assert(!broken(n));
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);

	fd = open(errpath, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	len = read(fd, msg, sizeof(msg) - 1);
	close(fd);
	unlink(errpath);
	ck_assert_int_ge(len, 0);
	msg[len] = '\0';
	for (p = msg; (p = strstr(p, "capture stopped")); p++)
		count++;
	ck_assert_msg(count == 1, "stderr: %s", msg);
	ck_assert_ptr_nonnull(strstr(msg, "/dev/full"));
}
END_TEST

/* queue_stop: held buffers go back, nothing is used ------------------- */

/* A 1514-byte frame needs 4 buffers of 500: hold 2 of them. */
static void hold_two(struct nic *n)
{
	bring_up(n, std_features(n));
	rx_post(n, 2, 500);
	kick(n, RXQ);
	deliver(n, 1514, 100);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert_uint_eq(n->dev->queue[RXQ].in_flight, 2);
}

START_TEST(held_buffers_back_on_queue_ready_0)
{
	struct nic *n = nic0;

	hold_two(n);
	ack_all(n);
	wr(n, VIRTIO_MMIO_QUEUE_SEL, RXQ);
	wr(n, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(n, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert(!line_up(n));
	ck_assert_uint_eq(n->dev->queue[RXQ].in_flight, 0);
	/* Fresh rings: the frame that waited gets the new buffers. */
	queue_up(n, RXQ);
	rx_post(n, 4, 500);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 4);
	check_rx_hdr(rx_buf(n, 0), 4);
	ck_assert_uint_eq(test_ring_used_len(&n->ring[RXQ], 3), 1526 - 1500);
	check_frame(rx_buf(n, 0) + HLEN, 488, 100);
}
END_TEST

START_TEST(held_buffers_back_on_reset)
{
	struct nic *n = nic0;

	hold_two(n);
	wr(n, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	ck_assert(!line_up(n));
	ck_assert_uint_eq(stats(n)->rx_dropped, 1); /* the waiting frame */
	bring_up(n, std_features(n));
	rx_post(n, 4, 500);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
	deliver(n, 1514, 101);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 4);
	check_frame(rx_buf(n, 0) + HLEN, 488, 101);
}
END_TEST

/* Broken while holding: the reset gives them back. */
START_TEST(held_buffers_back_after_guest_error)
{
	struct nic *n = nic0;

	hold_two(n);
	tx_with_hdr(n, &(struct hdr){.num_buffers = 3}, 100);
	ck_assert(broken(n));
	wr(n, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(n->dev->queue[RXQ].in_flight, 0);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 0);
}
END_TEST

/* Held at teardown: the model gives them back before the core goes. */
START_TEST(held_buffers_at_teardown)
{
	hold_two(nic0);
}
END_TEST

/* Deferred mode -------------------------------------------------------- */

static void setup_deferred(void)
{
	machine_up(SIM_MODE_DEFERRED, 7);
}

/* Step the loop until idle, checking @check after every step. */
static void run_until_idle(struct nic *n, void (*check)(struct nic *n))
{
	unsigned steps = 0;

	while (evloop_step(&m.loop, 0) == EVLOOP_RAN) {
		if (check)
			check(n);
		ck_assert_uint_lt(++steps, 100000);
	}
}

static void used_by_fives(struct nic *n)
{
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]) % 5, 0);
}

/*
 * NET-V-12 in deferred mode: completions come late and out of order,
 * but a frame's buffers reach the used ring together and in order.
 * Looped over seeds, so the scheduler's order varies.
 */
START_TEST(deferred_mrg_buffers_stay_together)
{
	struct nic *n;
	unsigned first[2];

	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	machine_up(SIM_MODE_DEFERRED, 100 + (uint64_t)_i);
	n = add_nic(&(struct net_model_options){.mtu = 9000});
	bring_up(n, std_features(n));
	deliver(n, 4000, 110);
	deliver(n, 4000, 111);
	rx_post(n, 10, 1000);
	kick(n, RXQ);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]),
			  0); /* nothing yet */
	run_until_idle(n, used_by_fives);
	ck_assert_uint_eq(test_ring_used_idx(&n->ring[RXQ]), 10);
	/* Frame 110 took descriptors 0-4, frame 111 5-9. */
	for (unsigned g = 0; g < 2; g++)
		first[g] = test_ring_used_id(&n->ring[RXQ], 5 * g);
	ck_assert((first[0] == 0 && first[1] == 5) ||
		  (first[0] == 5 && first[1] == 0));
	for (unsigned g = 0; g < 2; g++)
		check_mrg_4000(n, 5 * g, first[g], first[g] ? 111 : 110);
	ck_assert(rd(n, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(stats(n)->rx_frames, 2);
}
END_TEST

/* Two NICs on the loop switch in deferred mode. */
START_TEST(deferred_loop_exchange)
{
	struct nic *a = add_loop_nic(), *b = add_loop_nic();
	uint8_t ma[6], mb[6], f[200];

	nic_mac(a, ma);
	nic_mac(b, mb);
	bring_up(a, std_features(a));
	bring_up(b, std_features(b));
	rx_post(b, 2, 1526);
	kick(b, RXQ);
	make_frame(f, sizeof(f), mb, ma, 120);
	tx(a, NULL, f, sizeof(f), NULL, 0);
	ck_assert_uint_eq(test_ring_used_idx(&b->ring[RXQ]), 0);
	run_until_idle(b, NULL);
	ck_assert_uint_eq(test_ring_used_idx(&a->ring[TXQ]), 1);
	expect_rx(b, 1, sizeof(f), 120, ma);
}
END_TEST

static Suite *net_dev_suite(void)
{
	Suite *s = suite_create("net_dev");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity_and_config);
	tcase_add_test(tc, features_offered);
	tcase_add_test(tc, config_read_only);
	tcase_add_test(tc, options_shape_the_device);
	tcase_add_test(tc, bad_options_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("tx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tx_frame_reaches_backend);
	tcase_add_test(tc, tx_split_segments);
	tcase_add_test(tc, tx_checksum_completion);
	tcase_add_test(tc, tx_ignores_unknown_flags_and_hints);
	tcase_add_test(tc, tx_refuses_short_chain);
	tcase_add_test(tc, tx_refuses_gso);
	tcase_add_test(tc, tx_refuses_data_valid);
	tcase_add_test(tc, tx_refuses_rsc_info);
	tcase_add_test(tc, tx_refuses_needs_csum_without_csum);
	tcase_add_test(tc, tx_refuses_num_buffers);
	tcase_add_test(tc, tx_refuses_frame_over_mtu);
	tcase_add_test(tc, tx_drops_frame_over_mtu_without_mtu_negotiated);
	tcase_add_test(tc, tx_refuses_runt_frame);
	tcase_add_test(tc, tx_refuses_checksum_past_frame);
	suite_add_tcase(s, tc);

	tc = tcase_create("legacy");
	tcase_add_checked_fixture(tc, setup_machine, teardown);
	tcase_add_test(tc, legacy_header_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("rx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rx_frame_lands_byte_exact);
	tcase_add_test(tc, rx_without_mrg_one_buffer_per_frame);
	tcase_add_test(tc, rx_mrg_spans_buffers);
	tcase_add_test(tc, rx_too_small_buffer_without_mrg);
	tcase_add_test(tc, rx_mrg_buffer_smaller_than_header);
	tcase_add_test(tc, rx_mrg_waits_for_enough_buffers);
	tcase_add_test(tc, rx_mrg_held_buffers_serve_next_frames);
	tcase_add_test(tc, rx_mrg_ring_too_small);
	tcase_add_test(tc, rx_backpressure);
	tcase_add_test(tc, rx_backlog_overflow);
	tcase_add_test(tc, rx_backlog_byte_bound);
	tcase_add_test(tc, rx_over_mtu_dropped);
	tcase_add_test(tc, rx_before_driver_ok_dropped);
	tcase_add_test(tc, link_down_and_up);
	suite_add_tcase(s, tc);

	tc = tcase_create("loop");
	tcase_add_checked_fixture(tc, setup_machine, teardown);
	tcase_add_test(tc, loop_two_nics_exchange);
	tcase_add_test(tc, loop_learning);
	tcase_add_test(tc, loop_hairpin);
	tcase_add_test(tc, loop_ports_come_and_go);
	suite_add_tcase(s, tc);

	tc = tcase_create("pcap");
	tcase_add_test(tc, pcap_records_both_ways);
	tcase_add_test(tc, pcap_write_error_stops_capture);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue_stop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, held_buffers_back_on_queue_ready_0);
	tcase_add_test(tc, held_buffers_back_on_reset);
	tcase_add_test(tc, held_buffers_back_after_guest_error);
	tcase_add_test(tc, held_buffers_at_teardown);
	suite_add_tcase(s, tc);

	tc = tcase_create("deferred");
	tcase_add_checked_fixture(tc, setup_deferred, teardown);
	tcase_add_loop_test(tc, deferred_mrg_buffers_stay_together, 0, 8);
	tcase_add_test(tc, deferred_loop_exchange);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(net_dev_suite)
