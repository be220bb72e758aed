/* SPDX-License-Identifier: MIT */
/*
 * End to end: the virtio-net stack -- the driver, and the net device
 * adapter over it with its buffer pool and NetDriverOps -- against the
 * net model on the loop switch, built by the machine builder, over MMIO
 * v2, MMIO v1 (legacy) and PCI, taking interrupts or polling, in the
 * sync and the deferred execution mode. Frames are checked byte for
 * byte where they arrive: on another NIC of the machine, or back on the
 * sender when it is alone on the switch.
 *
 * Loop index i picks the variant as in test_blk.c: i % 6 is 0 MMIO v2,
 * 1 MMIO v1 (legacy), 2 MMIO v2 polling, 3 MMIO v1 polling, 4 PCI, 5 PCI
 * polling; i < 6 runs in sync mode, i >= 6 in deferred mode (seed i).
 * A second NIC, where a test has one, sits on another transport: PCI
 * beside an MMIO NIC, MMIO v1 beside a PCI one.
 */
#include <string.h>

#include "devices/net/net_loop.h"
#include "devices/net/net_model.h"
#include "drivers/adapter/adapter.h"
#include "drivers/adapter/net_device.h"
#include "drivers/virtio/virtio_net.h"
#include "drivers/wire/virtio_pci.h"
#include "drivers/wire/virtio_types.h"
#include "tests/testutil.h"
#include "tools/vm/net_class.h"
#include "tools/vm/vm.h"

#define VARIANTS 12
#define ETH_MIN 60u
#define ETH_FULL 1514u
#define TEST_ETHERTYPE 0x88b5u /* IEEE local experimental 1 */
#define FRAME_HEAD 18u	       /* dst, src, ethertype, seq */
#define ANNOUNCE_SEQ 0xa0a0a0a0u
#define JUMBO_MTU 9000u
#define JUMBO_FRAME (JUMBO_MTU + 14u)

/*
 * ck_assert without the bookkeeping Check does on every passing call (a
 * message to the parent process each time): for checks made per frame.
 */
#define FAST_ASSERT(c)                                             \
	do {                                                       \
		if (!(c))                                          \
			ck_abort_msg("Assertion '%s' failed", #c); \
	} while (0)

static bool variant_pci(int i)
{
	return i % 6 >= 4;
}

static bool variant_poll(int i)
{
	return variant_pci(i) ? i % 6 == 5 : (i % 6 & 2) != 0;
}

static int variant_mmio_version(int i)
{
	return !variant_pci(i) && (i & 1) ? 1 : 2;
}

static bool variant_legacy(int i)
{
	return variant_mmio_version(i) == 1;
}

static enum sim_mode variant_mode(int i)
{
	return i >= 6 ? SIM_MODE_DEFERRED : SIM_MODE_SYNC;
}

static struct vm vm;
static bool vm_up; /* created and not destroyed yet */

static const uint8_t mac0[NET_MAC_LEN] = {0x52, 0x54, 0x00, 0xe2, 0xe0, 0x10};
static const uint8_t mac1[NET_MAC_LEN] = {0x52, 0x54, 0x00, 0xe2, 0xe0, 0x11};
static const uint8_t broadcast[NET_MAC_LEN] = {0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff};
static const uint8_t nobody[NET_MAC_LEN] = {0x52, 0x54, 0x00, 0xde, 0xad, 0x00};

/* A NIC on the loop switch with @mac (NULL: the model's default). */
static struct net_options loop_nic(const uint8_t *mac)
{
	struct net_options o = {.backend = NET_BACKEND_LOOP};

	if (mac)
		memcpy(o.model.mac, mac, NET_MAC_LEN);
	return o;
}

/* The variant's transport. */
static struct vm_device_config nic_config(int i, const struct net_options *o)
{
	return (struct vm_device_config){
	    .cls = &net_class,
	    .options = o,
	    .transport = variant_pci(i) ? VM_TRANSPORT_PCI : VM_TRANSPORT_MMIO,
	    .mmio_version = variant_pci(i) ? 0 : variant_mmio_version(i)};
}

/* Another transport: PCI beside MMIO, MMIO v1 beside PCI. */
static struct vm_device_config peer_config(int i, const struct net_options *o)
{
	if (variant_pci(i))
		return (struct vm_device_config){&net_class, o,
						 VM_TRANSPORT_MMIO, 1};
	return (struct vm_device_config){&net_class, o, VM_TRANSPORT_PCI, 0};
}

static void start_seeded(int i, uint64_t seed,
			 const struct vm_device_config *dc, unsigned n,
			 uint64_t mem)
{
	struct vm_config cfg = {.mem_size = mem ? mem : 16u << 20,
				.mode = variant_mode(i),
				.seed = seed,
				.devices = dc,
				.device_count = n,
				.poll = variant_poll(i)};
	char err[256];

	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	vm_up = true;
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
}

/* net0 with @o0 on the variant's transport; net1 with @o1 (if any) on
 * another. */
static void start(int i, const struct net_options *o0,
		  const struct net_options *o1)
{
	struct vm_device_config dc[2] = {nic_config(i, o0)};
	unsigned n = 1;

	if (o1)
		dc[n++] = peer_config(i, o1);
	start_seeded(i, (uint64_t)i, dc, n, 0);
}

static void stop(void)
{
	vm_up = false;
	/* Every DMA page freed and every share undone (HAL books). */
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
}

static struct vm_device *dev(unsigned n)
{
	return vm_device(&vm, &net_class, n);
}

static struct net_device *nic(unsigned n)
{
	return vm_nic(&vm, n);
}

static struct virtio_net_device *vnd(unsigned n)
{
	return dev(n)->driver;
}

static struct virtio_net *vnet(unsigned n)
{
	return vm_virtio_net(&vm, n);
}

static const struct net_model_stats *mstats(unsigned n)
{
	return net_model_stats(dev(n)->model);
}

static const struct hal *hal(void)
{
	return machine_hal(&vm.machine);
}

static struct virtio_transport *transport(unsigned n)
{
	return dev(n)->found->transport;
}

/* Run the machine until nothing is left to happen (deferred mode: every
 * device turn, completion and interrupt on its way). */
static void settle(void)
{
	unsigned k = 0;

	while (hal_wait(hal()) == 0)
		FAST_ASSERT(++k < 10000000);
}

/*
 * The pool invariant of net_device.h, with @held buffers in the caller's
 * hands, and the adapter's books against the driver's queues: every
 * buffer posted for receive is a chain on the receive queue (or the one
 * can_receive took off it), every one in flight a chain on the transmit
 * queue.
 */
static void check_pool_at(unsigned n, size_t held, int line)
{
	struct virtio_net_device *d = vnd(n);
	struct net_buf_pool *p = d->pool;
	size_t free = net_buf_pool_free_count(p), marked = 0;
	struct virtqueue *rq = &d->net.rx.vq, *tq = &d->net.tx.vq;

	for (size_t k = 0; k < net_buf_pool_capacity(p); k++)
		marked += net_buf_pool_is_free(p, &p->descs[k]);
	if (free + d->rx_posted + d->tx_in_flight + d->held !=
		net_buf_pool_capacity(p) ||
	    marked != free || d->held != held ||
	    d->rx_posted != virtqueue_num_in_flight(rq) +
				virtqueue_num_held(rq) +
				(d->rx_ready != NULL) ||
	    d->tx_in_flight !=
		virtqueue_num_in_flight(tq) + virtqueue_num_held(tq))
		ck_abort_msg(
		    "line %d: net%u pool: free %zu (%zu marked) + rx "
		    "%zu + tx %zu + held %zu (want %zu) of %zu; rx "
		    "queue %u+%u, tx queue %u+%u",
		    line, n, free, marked, d->rx_posted, d->tx_in_flight,
		    d->held, held, net_buf_pool_capacity(p),
		    virtqueue_num_in_flight(rq), virtqueue_num_held(rq),
		    virtqueue_num_in_flight(tq), virtqueue_num_held(tq));
}
#define check_pool(n, held) check_pool_at(n, held, __LINE__)

static uint8_t pattern_byte(size_t len, uint32_t seq, size_t i)
{
	return (uint8_t)(len * 7 + i * 13 + (i >> 8) + seq * 31);
}

/* A test frame: @dst, @src, the ethertype, @seq, then the pattern. */
static void frame_fill(uint8_t *p, const uint8_t *dst, const uint8_t *src,
		       uint32_t seq, size_t len)
{
	memcpy(p, dst, NET_MAC_LEN);
	memcpy(p + NET_MAC_LEN, src, NET_MAC_LEN);
	p[12] = TEST_ETHERTYPE >> 8;
	p[13] = TEST_ETHERTYPE & 0xff;
	memcpy(p + 14, &seq, sizeof(seq));
	for (size_t i = FRAME_HEAD; i < len; i++)
		p[i] = pattern_byte(len, seq, i);
}

static bool frame_matches(const uint8_t *p, size_t got, const uint8_t *dst,
			  const uint8_t *src, uint32_t seq, size_t len)
{
	static uint8_t want[NET_BUF_MAX_LEN];

	if (got != len)
		return false;
	frame_fill(want, dst, src, seq, len);
	return !memcmp(p, want, len);
}

static bool frame_is(struct net_buf *b, const uint8_t *dst, const uint8_t *src,
		     uint32_t seq, size_t len)
{
	return frame_matches(net_buf_packet(b), b->packet_len, dst, src, seq,
			     len);
}

static uint32_t frame_seq(struct net_buf *b)
{
	uint32_t seq;

	memcpy(&seq, net_buf_packet(b) + 14, sizeof(seq));
	return seq;
}

static void mac_of(unsigned n, uint8_t mac[NET_MAC_LEN])
{
	nic(n)->ops->mac_address(nic(n), mac);
}

/* Wait until net@n can transmit, giving back what it sent meanwhile. */
static void wait_tx_room(unsigned n)
{
	struct net_device *d = nic(n);

	for (unsigned k = 0;; k++) {
		int err = d->ops->recycle_tx_buffers(d);

		if (err)
			ck_abort_msg("net%u: recycle_tx_buffers: %s", n,
				     dev_err_name(err));
		if (d->ops->can_transmit(d))
			return;
		FAST_ASSERT(k < 100000);
		err = virtio_net_wait(vnet(n), false, true);
		if (err)
			ck_abort_msg("net%u: waiting for transmit room: %s", n,
				     virtio_error_name(err));
	}
}

/* Transmit test frame @seq of @len bytes from net@n to @dst. */
static void send_frame(unsigned n, const uint8_t *dst, uint32_t seq, size_t len)
{
	struct net_device *d = nic(n);
	uint8_t src[NET_MAC_LEN];
	struct net_buf *b;
	int err;

	wait_tx_room(n);
	mac_of(n, src);
	err = d->ops->alloc_tx_buffer(d, len, &b);
	if (err)
		ck_abort_msg("net%u: alloc_tx_buffer(%zu): %s", n, len,
			     dev_err_name(err));
	frame_fill(net_buf_packet(b), dst, src, seq, len);
	err = d->ops->transmit(d, b);
	if (err)
		ck_abort_msg("net%u: transmit of %zu bytes: %s", n, len,
			     dev_err_name(err));
}

/* The next frame net@n receives, waiting for it; the test fails if none
 * can come. */
static struct net_buf *recv_frame(unsigned n)
{
	struct net_device *d = nic(n);
	struct net_buf *b;

	for (unsigned k = 0;; k++) {
		int err = d->ops->receive(d, &b);

		if (!err)
			return b;
		if (err != -DEV_ERR_AGAIN)
			ck_abort_msg("net%u: receive: %s", n,
				     dev_err_name(err));
		if (k > 100000)
			ck_abort_msg("net%u: no frame arrived", n);
		err = virtio_net_wait(vnet(n), true, false);
		if (err)
			ck_abort_msg("net%u: waiting for a frame: %s", n,
				     virtio_error_name(err));
	}
}

static void recycle(unsigned n, struct net_buf *b)
{
	int err = nic(n)->ops->recycle_rx_buffer(nic(n), b);

	if (err)
		ck_abort_msg("net%u: recycle_rx_buffer: %s", n,
			     dev_err_name(err));
}

/* Once the machine has nothing left to do, net@n has received nothing. */
static void expect_nothing(unsigned n)
{
	struct net_buf *b;

	settle();
	ck_assert(!nic(n)->ops->can_receive(nic(n)));
	ck_assert_int_eq(nic(n)->ops->receive(nic(n), &b), -DEV_ERR_AGAIN);
	ck_assert_ptr_null(b);
}

/*
 * net@n says where it is: a frame from its address to itself, which the
 * switch learns from and hands straight back to it (it knows the
 * destination: the port it just came from). From then on frames to net@n
 * go to it alone, none flooded.
 */
static void announce(unsigned n)
{
	uint8_t mac[NET_MAC_LEN];
	struct net_buf *b;

	mac_of(n, mac);
	send_frame(n, mac, ANNOUNCE_SEQ, ETH_MIN);
	b = recv_frame(n);
	ck_assert(frame_is(b, mac, mac, ANNOUNCE_SEQ, ETH_MIN));
	recycle(n, b);
	settle();
	ck_assert_int_eq(nic(n)->ops->recycle_tx_buffers(nic(n)), 0);
	ck_assert_uint_eq(vnd(n)->tx_in_flight, 0);
}

/* Send @count frames @from -> @to and check they all arrive. */
static void frames_flow(unsigned from, unsigned to, uint32_t seq,
			unsigned count)
{
	uint8_t src[NET_MAC_LEN], dst[NET_MAC_LEN];

	mac_of(from, src);
	mac_of(to, dst);
	for (unsigned k = 0; k < count; k++, seq++) {
		struct net_buf *b;

		send_frame(from, dst, seq, 100 + k);
		b = recv_frame(to);
		FAST_ASSERT(frame_is(b, dst, src, seq, 100 + k));
		recycle(to, b);
	}
}

/* Identity ---------------------------------------------------------------- */

/*
 * The probe finds both NICs where the host put them; the net device says
 * who it is: name, type, the MAC from the config (NET-D-02: the one given
 * in the options, or the model's default, each NIC its own), the
 * negotiated queue sizes, the config's MTU (NET-V-02) with every pool
 * buffer able to take a header and an mtu + 14 frame (NET-D-03), every
 * receive ring full; DRIVER_OK set and the link up.
 */
START_TEST(identity)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(NULL);
	uint8_t mac[NET_MAC_LEN], want1[NET_MAC_LEN] = {0x52, 0x54, 0x00};
	struct net_device *d;
	uint32_t low;

	o0.model.queue_size = 128;
	o0.model.mtu = 4000;
	start(_i, &o0, &o1);
	for (unsigned n = 0; n < 2; n++) {
		struct platform_device *f = dev(n)->found;

		ck_assert_ptr_nonnull(f);
		ck_assert(f->found);
		ck_assert_int_eq(f->type, DEV_TYPE_NET);
		ck_assert_uint_eq(f->device_id, VIRTIO_ID_NET);
		ck_assert_ptr_eq(vnet(n)->vdev.transport, f->transport);
	}
	if (variant_pci(_i)) {
		const struct platform_pci_function *f = vm.platform.pci;

		ck_assert_uint_eq(vm.platform.pci_count, 2);
		ck_assert_ptr_eq(dev(0)->found, &f[1].dev);
		ck_assert_uint_eq(f[1].info.device_id,
				  VIRTIO_PCI_DEVICE_ID_MODERN_BASE +
				      VIRTIO_ID_NET);
		ck_assert_ptr_eq(dev(1)->found, &vm.platform.mmio[0].dev);
		ck_assert_uint_eq(vm.platform.mmio[0].version, 1);
	} else {
		ck_assert_ptr_eq(dev(0)->found, &vm.platform.mmio[0].dev);
		ck_assert_uint_eq(vm.platform.mmio[0].version,
				  variant_mmio_version(_i));
		ck_assert_ptr_eq(dev(1)->found, &vm.platform.pci[1].dev);
	}
	ck_assert(virtio_transport_is_legacy(transport(0)) ==
		  variant_legacy(_i));

	d = nic(0);
	ck_assert_str_eq(d->ops->name(d), "virtio-net");
	ck_assert_int_eq(d->ops->type(d), DEV_TYPE_NET);
	d->ops->mac_address(d, mac);
	ck_assert_mem_eq(mac, mac0, NET_MAC_LEN);
	/* The model's default: 52:54:00:12:34:56 plus its instance id. */
	low = 0x123456u + dev(1)->model->id;
	want1[3] = (uint8_t)(low >> 16);
	want1[4] = (uint8_t)(low >> 8);
	want1[5] = (uint8_t)low;
	mac_of(1, mac);
	ck_assert_mem_eq(mac, want1, NET_MAC_LEN);
	ck_assert_mem_ne(want1, mac0, NET_MAC_LEN);

	ck_assert_uint_eq(d->ops->rx_queue_size(d), 128);
	ck_assert_uint_eq(d->ops->tx_queue_size(d), 128);
	ck_assert_uint_eq(nic(1)->ops->rx_queue_size(nic(1)), 256);
	ck_assert_uint_eq(nic(1)->ops->tx_queue_size(nic(1)), 256);
	ck_assert_uint_eq(vnet(0)->mtu, 4000);
	ck_assert_uint_eq(vnet(1)->mtu, 1500);
	ck_assert_uint_eq(virtio_net_max_frame(vnet(0)), 4014);
	for (unsigned n = 0; n < 2; n++) {
		struct virtio_net_device *v = vnd(n);

		/* MRG_RXBUF offered and taken: the 12-byte header. */
		ck_assert(v->net.mrg_rxbuf);
		ck_assert_uint_eq(virtio_net_hdr_len(&v->net), 12);
		ck_assert_uint_ge(net_buf_pool_buf_len(v->pool),
				  12 + virtio_net_max_frame(&v->net));
		ck_assert_uint_eq(net_buf_pool_capacity(v->pool), 512);
		ck_assert(virtio_net_link_up(&v->net));
		ck_assert(v->net.has_status);
		ck_assert(v->base.ops->can_transmit(&v->base));
		ck_assert(!v->base.ops->can_receive(&v->base));
		ck_assert_uint_eq(virtio_transport_get_status(transport(n)) &
				      VIRTIO_CONFIG_S_DRIVER_OK,
				  VIRTIO_CONFIG_S_DRIVER_OK);
	}
	/* Every receive ring full: 128, and half the pool for 256. */
	ck_assert_uint_eq(vnd(0)->rx_posted, 128);
	ck_assert_uint_eq(vnd(1)->rx_posted, 256);
	check_pool(0, 0);
	check_pool(1, 0);
	ck_assert_uint_eq(net_loop_ports(&vm.machine.env), 2);
	stop();
}
END_TEST

/* Frames ------------------------------------------------------------------ */

/* Every length from 60 to 1514, @from to @to, checked byte for byte. */
static void every_length(unsigned from, unsigned to)
{
	uint8_t src[NET_MAC_LEN], dst[NET_MAC_LEN];
	size_t bad = 0;
	uint64_t tx0 = mstats(from)->tx_frames, rx0 = mstats(to)->rx_frames;

	mac_of(from, src);
	mac_of(to, dst);
	for (size_t len = ETH_MIN; len <= ETH_FULL; len++) {
		struct net_buf *b;

		send_frame(from, dst, (uint32_t)len, len);
		b = recv_frame(to);
		if (!bad && !frame_is(b, dst, src, (uint32_t)len, len))
			bad = len;
		recycle(to, b);
	}
	ck_assert_msg(!bad,
		      "net%u -> net%u: the %zu-byte frame arrived "
		      "otherwise",
		      from, to, bad);
	ck_assert_uint_eq(mstats(from)->tx_frames - tx0,
			  ETH_FULL - ETH_MIN + 1);
	ck_assert_uint_eq(mstats(to)->rx_frames - rx0, ETH_FULL - ETH_MIN + 1);
}

/*
 * Two NICs on different transports: every frame length from 60 to
 * mtu + 14 both ways, byte for byte, nothing else arriving (NET-V-04:
 * frames up to mtu + 14 forwarded whole; VQ-V-11: the used length is
 * header and frame, every byte of it written). Interrupts were taken, or
 * none raised at all when polling (VQ-D-12: used_event set out of reach,
 * VQ-V-09: the device honours it, on both queues of both NICs).
 */
START_TEST(frames_every_length_both_ways)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	every_length(0, 1);
	every_length(1, 0);
	expect_nothing(0);
	expect_nothing(1);
	for (unsigned n = 0; n < 2; n++) {
		ck_assert_int_eq(nic(n)->ops->recycle_tx_buffers(nic(n)), 0);
		check_pool(n, 0);
		ck_assert_uint_eq(vnd(n)->tx_in_flight, 0);
		ck_assert_uint_eq(mstats(n)->rx_dropped, 0);
		ck_assert_uint_eq(mstats(n)->guest_errors, 0);
		if (variant_poll(_i))
			ck_assert_uint_eq(
			    vm.machine.irq.raised[dev(n)->found->irq_line], 0);
		else
			ck_assert_uint_gt(vnet(n)->vdev.irqs, 0);
	}
	stop();
}
END_TEST

/*
 * NICs of different MTUs on one switch: what the larger one sends beyond
 * the smaller one's mtu + 14 never reaches the smaller one's driver; the
 * model drops and counts it (NET-V-03). Up to mtu + 14 frames arrive.
 */
START_TEST(frames_over_the_receivers_mtu_dropped)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct vm_device_config dc[2] = {nic_config(_i, &o0),
					 peer_config(_i, &o1)};
	static const size_t lens[] = {ETH_FULL + 1, 3000, JUMBO_FRAME};
	struct net_buf *b;

	o0.model.mtu = JUMBO_MTU;
	start_seeded(_i, (uint64_t)_i, dc, 2, 32u << 20);
	announce(0);
	announce(1);
	ck_assert_uint_eq(virtio_net_max_frame(vnet(0)), JUMBO_FRAME);
	ck_assert_uint_eq(virtio_net_max_frame(vnet(1)), ETH_FULL);
	for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
		send_frame(0, mac1, k, lens[k]);
	expect_nothing(1);
	ck_assert_uint_eq(mstats(1)->rx_dropped, 3);
	ck_assert_uint_eq(mstats(1)->rx_frames, 1);
	send_frame(0, mac1, 10, ETH_FULL);
	b = recv_frame(1);
	ck_assert(frame_is(b, mac1, mac0, 10, ETH_FULL));
	recycle(1, b);
	frames_flow(1, 0, 20, 3);
	check_pool(0, 0);
	check_pool(1, 0);
	stop();
}
END_TEST

/*
 * A NIC alone on the switch gets every frame back (hairpin): to its own
 * address, broadcast or to nobody, any length, byte for byte.
 */
START_TEST(hairpin_alone_on_the_switch)
{
	struct net_options o = loop_nic(mac0);
	const uint8_t *dsts[] = {mac0, broadcast, nobody};
	size_t bad = 0;

	start(_i, &o, NULL);
	ck_assert_uint_eq(net_loop_ports(&vm.machine.env), 1);
	for (size_t len = ETH_MIN; len <= ETH_FULL; len++) {
		const uint8_t *dst = dsts[len % 3];
		struct net_buf *b;

		send_frame(0, dst, (uint32_t)len, len);
		b = recv_frame(0);
		if (!bad && !frame_is(b, dst, mac0, (uint32_t)len, len))
			bad = len;
		recycle(0, b);
	}
	ck_assert_msg(!bad, "the %zu-byte frame came back otherwise", bad);
	expect_nothing(0);
	ck_assert_int_eq(nic(0)->ops->recycle_tx_buffers(nic(0)), 0);
	check_pool(0, 0);
	stop();
}
END_TEST

/* The token API on large frames ------------------------------------------ */

#define SMALL_RXBUF 1000u
#define SMALL_RXBUFS 192u

static struct virtio_net tnet; /* the test's own driver */
static uint8_t *rx_area;
static uint64_t rx_area_paddr;
static size_t rx_area_pages;

/* Take net@n's adapter down; bring the bare driver up on its transport. */
static void own_driver(int i, unsigned n)
{
	struct vm_device *d = dev(n);
	struct platform_device *f = d->found;
	struct virtio_net_options o = {.use_irq = !variant_poll(i) &&
						  f->irq_line != VIRTIO_NO_IRQ};

	d->cls->teardown(d);
	ck_assert_ptr_null(d->driver);
	ck_assert_int_eq(virtio_net_init(&tnet, f->transport, &o, f->irq_line),
			 0);
}

static void rx_area_alloc(size_t bytes)
{
	void *p;

	rx_area_pages = (bytes + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	ck_assert_int_eq(
	    hal_dma_alloc(hal(), rx_area_pages, &rx_area_paddr, &p), 0);
	rx_area = p;
}

static void rx_area_free(void)
{
	ck_assert_int_eq(
	    hal_dma_free(hal(), rx_area_paddr, rx_area, rx_area_pages), 0);
}

static void tnet_post(void *buf, size_t len)
{
	uint16_t tok;
	int err = virtio_net_receive_begin(&tnet, buf, len, &tok);

	if (err)
		ck_abort_msg("receive_begin(%zu): %s", len,
			     virtio_error_name(err));
}

/*
 * The next receive buffer the device used, completed. @wait: wait for
 * it; else it must be there already.
 */
static uint8_t *tnet_next_rx(bool wait, size_t *hl, size_t *fl, uint16_t *nb)
{
	uint16_t tok;
	uint8_t *buf;
	int r;

	while ((r = virtio_net_receive_poll(&tnet, &tok)) == 0) {
		if (!wait)
			ck_abort_msg("a frame's buffers were not used together "
				     "(NET-V-12)");
		r = virtio_net_wait(&tnet, true, false);
		if (r)
			ck_abort_msg("waiting for a frame: %s",
				     virtio_error_name(r));
	}
	FAST_ASSERT(r == 1);
	buf = virtio_net_rx_buf(&tnet, tok);
	FAST_ASSERT(buf != NULL);
	r = virtio_net_receive_complete(&tnet, tok, buf, hl, fl, nb);
	if (r)
		ck_abort_msg("receive_complete: %s", virtio_error_name(r));
	return buf;
}

/* Send test frame @seq of @len bytes to ourselves from @tx (heap: the
 * HAL bounces it); wait until the device gave the buffer back. */
static void tnet_send(uint8_t *tx, uint32_t seq, size_t len)
{
	size_t hdr = virtio_net_hdr_len(&tnet);
	uint16_t tok, got;
	int r;

	frame_fill(tx + hdr, mac0, mac0, seq, len);
	r = virtio_net_transmit_begin(&tnet, tx, hdr + len, &tok);
	if (r)
		ck_abort_msg("transmit_begin(%zu): %s", len,
			     virtio_error_name(r));
	while ((r = virtio_net_transmit_poll(&tnet, &got)) == 0)
		FAST_ASSERT(virtio_net_wait(&tnet, false, true) == 0);
	FAST_ASSERT(r == 1 && got == tok);
	FAST_ASSERT(virtio_net_transmit_complete(&tnet, tok, tx) == 0);
}

/*
 * Receive one frame into @out, over as many buffers (@blen bytes each) as
 * it took, re-posting each: the header in the first alone, as the device
 * wrote it (flags 0, GSO NONE: NET-V-13, NET-V-14; num_buffers the span:
 * NET-V-11), every buffer but the last filled (NET-V-12), all of them
 * used together (NET-V-12). Returns the frame's length, *@nbufs the span.
 */
static size_t tnet_receive(uint8_t *out, size_t room, size_t blen,
			   uint16_t *nbufs)
{
	size_t hdr = virtio_net_hdr_len(&tnet), hl, fl, total;
	uint16_t nb, cnb;
	uint8_t *buf = tnet_next_rx(true, &hl, &fl, &nb);

	FAST_ASSERT(hl == hdr && nb >= 1);
	FAST_ASSERT(buf[offsetof(struct virtio_net_hdr, flags)] == 0);
	FAST_ASSERT(buf[offsetof(struct virtio_net_hdr, gso_type)] ==
		    VIRTIO_NET_HDR_GSO_NONE);
	if (hdr == VIRTIO_NET_HDR_SIZE)
		FAST_ASSERT(virtio_ld_le16(buf + offsetof(struct virtio_net_hdr,
							  num_buffers)) == nb);
	if (nb > 1)
		FAST_ASSERT(hl + fl == blen);
	FAST_ASSERT(fl <= room);
	memcpy(out, buf + hl, fl);
	total = fl;
	tnet_post(buf, blen);
	for (unsigned k = 1; k < nb; k++) {
		buf = tnet_next_rx(false, &hl, &fl, &cnb);
		FAST_ASSERT(hl == 0 && cnb == 0 && fl > 0);
		if (k < nb - 1u)
			FAST_ASSERT(fl == blen);
		FAST_ASSERT(total + fl <= room);
		memcpy(out + total, buf, fl);
		total += fl;
		tnet_post(buf, blen);
	}
	*nbufs = nb;
	return total;
}

static uint8_t *rx_heap;

/* Receive buffer @k: in DMA memory, or every third on the heap, where
 * the HAL bounces it (copied back at complete, from a continuation
 * buffer too). */
static uint8_t *rx_buf(unsigned k)
{
	return (k % 3 == 2 ? rx_heap : rx_area) + (size_t)k * SMALL_RXBUF;
}

/*
 * MRG_RXBUF through the token API, mtu 9000, receive buffers of 1000
 * bytes (NET-D-15: any length from the header up; shorter refused):
 * every frame, up to 9014 bytes, is reassembled byte for byte from its
 * head and continuation buffers, spanning as many buffers as it needs
 * (NET-V-11, NET-V-12), every third receive buffer on the heap, bounced
 * by the HAL. A frame the posted buffers cannot hold yet waits for more
 * and then arrives whole. Every DMA allocation is given back.
 */
START_TEST(mrg_rxbuf_large_frames_token_api)
{
	static const size_t lens[] = {
	    JUMBO_FRAME,     60,	  988,	989,	    1988, 1514, 5000,
	    JUMBO_FRAME - 1, JUMBO_FRAME, 2000, JUMBO_FRAME};
	struct vm_device_config dc;
	struct net_options o = loop_nic(mac0);
	static uint8_t got[JUMBO_FRAME + 64];
	uint8_t *tx = malloc(12 + JUMBO_FRAME);
	size_t hdr, len, bad = 0;
	uint16_t nb, tok;

	o.model.mtu = JUMBO_MTU;
	dc = nic_config(_i, &o);
	start_seeded(_i, (uint64_t)_i, &dc, 1, 32u << 20);
	own_driver(_i, 0);
	ck_assert(tnet.mrg_rxbuf);
	ck_assert_uint_eq(tnet.mtu, JUMBO_MTU);
	hdr = virtio_net_hdr_len(&tnet);
	ck_assert_uint_eq(hdr, 12);
	rx_area_alloc(SMALL_RXBUFS * SMALL_RXBUF);
	rx_heap = malloc(SMALL_RXBUFS * SMALL_RXBUF);
	ck_assert_int_eq(
	    virtio_net_receive_begin(&tnet, rx_area, hdr - 1, &tok),
	    -VIRTIO_ERR_INVALID_PARAM);

	/* Five buffers cannot hold a 9014-byte frame: it waits ... */
	for (unsigned k = 0; k < 5; k++)
		tnet_post(rx_buf(k), SMALL_RXBUF);
	tnet_send(tx, 1000, JUMBO_FRAME);
	settle();
	ck_assert_int_eq(virtio_net_receive_poll(&tnet, &tok), 0);
	ck_assert_uint_eq(mstats(0)->rx_frames, 0);
	ck_assert_uint_eq(mstats(0)->rx_backlog_max, 1);
	/* ... for the rest, then arrives whole over ten. */
	for (unsigned k = 5; k < SMALL_RXBUFS; k++)
		tnet_post(rx_buf(k), SMALL_RXBUF);
	len = tnet_receive(got, sizeof(got), SMALL_RXBUF, &nb);
	ck_assert_uint_eq(nb, 10);
	ck_assert(frame_matches(got, len, mac0, mac0, 1000, JUMBO_FRAME));

	for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t want_nb =
		    (hdr + lens[k] + SMALL_RXBUF - 1) / SMALL_RXBUF;

		tnet_send(tx, k, lens[k]);
		len = tnet_receive(got, sizeof(got), SMALL_RXBUF, &nb);
		if (!bad && (nb != want_nb ||
			     !frame_matches(got, len, mac0, mac0, k, lens[k])))
			ck_abort_msg(
			    "the %zu-byte frame came back as %zu bytes "
			    "over %u buffers (want %zu)",
			    lens[k], len, nb, want_nb);
	}
	settle();
	ck_assert_int_eq(virtio_net_receive_poll(&tnet, &tok), 0);
	ck_assert_uint_eq(mstats(0)->rx_frames,
			  1 + sizeof(lens) / sizeof(lens[0]));
	ck_assert_uint_eq(mstats(0)->rx_too_small, 0);
	ck_assert_uint_eq(mstats(0)->rx_dropped, 0);
	ck_assert_uint_eq(tnet.rx_errors, 0);
	ck_assert_uint_gt(vm.machine.hal.stats.bounces, 0);
	virtio_net_destroy(&tnet);
	rx_area_free();
	free(rx_heap);
	free(tx);
	stop();
}
END_TEST

/*
 * Without MRG_RXBUF (mrg_rxbuf=off): a receive buffer must hold a whole
 * frame (NET-D-03: 1000 bytes or one byte short refused), and each frame
 * takes exactly one buffer with num_buffers 1 (NET-V-10), up to 9014
 * bytes, byte for byte. A legacy device then has the 10-byte header.
 */
START_TEST(no_mrg_rxbuf_one_buffer_per_frame)
{
	static const size_t lens[] = {JUMBO_FRAME, 60,	 1514,
				      4097,	   8999, JUMBO_FRAME};
	struct vm_device_config dc;
	struct net_options o = loop_nic(mac0);
	static uint8_t got[JUMBO_FRAME + 64];
	uint8_t *tx = malloc(12 + JUMBO_FRAME);
	size_t hdr, blen, len;
	uint16_t nb, tok;

	o.model.mtu = JUMBO_MTU;
	o.model.no_mrg_rxbuf = true;
	dc = nic_config(_i, &o);
	start_seeded(_i, (uint64_t)_i, &dc, 1, 32u << 20);
	own_driver(_i, 0);
	ck_assert(!tnet.mrg_rxbuf);
	hdr = virtio_net_hdr_len(&tnet);
	ck_assert_uint_eq(hdr, variant_legacy(_i) ? 10 : 12);
	blen = hdr + JUMBO_FRAME;
	rx_area_alloc(16 * blen);
	ck_assert_int_eq(
	    virtio_net_receive_begin(&tnet, rx_area, SMALL_RXBUF, &tok),
	    -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    virtio_net_receive_begin(&tnet, rx_area, blen - 1, &tok),
	    -VIRTIO_ERR_INVALID_PARAM);
	for (unsigned k = 0; k < 16; k++)
		tnet_post(rx_area + k * blen, blen);
	for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		tnet_send(tx, k, lens[k]);
		len = tnet_receive(got, sizeof(got), blen, &nb);
		ck_assert_uint_eq(nb, 1);
		ck_assert(frame_matches(got, len, mac0, mac0, k, lens[k]));
		/* Nothing else was used for it. */
		settle();
		ck_assert_int_eq(virtio_net_receive_poll(&tnet, &tok), 0);
	}
	ck_assert_uint_eq(tnet.rx_buffers, sizeof(lens) / sizeof(lens[0]));
	ck_assert_uint_eq(mstats(0)->rx_frames, sizeof(lens) / sizeof(lens[0]));
	ck_assert_uint_eq(tnet.rx_errors, 0);
	virtio_net_destroy(&tnet);
	rx_area_free();
	free(tx);
	stop();
}
END_TEST

/* Ring sizes -------------------------------------------------------------- */

/*
 * Rings of 1, 2 and 4 descriptors (the model's queue_size=): frames flow
 * both ways through the adapter, in order, on every ring a frame's chain
 * fits. A legacy device without ANY_LAYOUT takes the header in a
 * descriptor of its own (§5.1.6.6): a chain of two, which a ring of one
 * cannot carry, not even through an indirect table (VQ-D-07). The driver
 * refuses such a ring at virtio_net_init (InvalidParam, the device
 * FAILED: INIT-D-10) rather than come up with queues no frame can be
 * posted to.
 */
START_TEST(small_rings)
{
	static const uint16_t sizes[] = {1, 2, 4};

	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
		struct vm_device_config dc[2] = {nic_config(_i, &o0),
						 peer_config(_i, &o1)};
		struct vm_config cfg = {.mem_size = 16u << 20,
					.mode = variant_mode(_i),
					.seed = (uint64_t)_i,
					.devices = dc,
					.device_count = 2,
					.poll = variant_poll(_i)};
		/* The MMIO v1 NIC: net0 on a legacy variant, else net1
		 * beside a PCI net0. */
		int legacy = variant_legacy(_i) ? 0 : variant_pci(_i) ? 1 : -1;
		char err[256] = "";
		int ret;

		o0.model.queue_size = sizes[k];
		o1.model.queue_size = sizes[k];
		ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s",
			      err);
		vm_up = true;
		ret = vm_probe(&vm, err, sizeof(err));
		if (sizes[k] == 1 && legacy >= 0) {
			struct platform_device *f = dev(legacy)->found;

			ck_assert_int_eq(ret, -DEV_ERR_INVALID_PARAM);
			ck_assert_msg(strstr(err, "InvalidParam"), "%s", err);
			ck_assert_ptr_null(dev(legacy)->driver);
			ck_assert_int_eq(virtio_net_init(&tnet, f->transport,
							 NULL, f->irq_line),
					 -VIRTIO_ERR_INVALID_PARAM);
			ck_assert_uint_eq(
			    virtio_transport_get_status(f->transport) &
				VIRTIO_CONFIG_S_FAILED,
			    VIRTIO_CONFIG_S_FAILED);
			stop();
			continue;
		}
		ck_assert_msg(ret == 0, "%s", err);
		for (unsigned n = 0; n < 2; n++) {
			ck_assert_uint_eq(nic(n)->ops->rx_queue_size(nic(n)),
					  sizes[k]);
			ck_assert_uint_eq(nic(n)->ops->tx_queue_size(nic(n)),
					  sizes[k]);
			ck_assert_uint_eq(vnd(n)->rx_posted, sizes[k]);
		}
		announce(0);
		announce(1);
		frames_flow(0, 1, 0, 50);
		frames_flow(1, 0, 100, 50);
		/* A burst longer than either ring: it waits for room on
		 * net0's transmit ring and in net1's backlog. */
		for (uint32_t s = 0; s < 20; s++)
			send_frame(0, mac1, 200 + s, 100 + s);
		for (uint32_t s = 0; s < 20; s++) {
			struct net_buf *b = recv_frame(1);

			ck_assert_msg(frame_is(b, mac1, mac0, 200 + s, 100 + s),
				      "ring %u: frame %u arrived as %u",
				      sizes[k], 200 + s, frame_seq(b));
			recycle(1, b);
		}
		ck_assert_uint_eq(mstats(1)->rx_dropped, 0);
		check_pool(0, 0);
		check_pool(1, 0);
		stop();
	}
}
END_TEST

/*
 * Bring net@n's net device up again on its transport (a reset, then a
 * new bring-up of a device that ran), with driver options @o; calloc'd,
 * as the class frees it.
 */
static void rebind(int i, unsigned n, struct virtio_net_options o)
{
	struct vm_device *d = dev(n);
	struct platform_device *f = d->found;
	struct virtio_net_device *nd = calloc(1, sizeof(*nd));

	ck_assert_ptr_nonnull(nd);
	d->cls->teardown(d);
	o.use_irq = !variant_poll(i);
	ck_assert_int_eq(virtio_net_device_init_own_pool(nd, f->transport, &o,
							 f->irq_line, 512),
			 0);
	d->driver = nd;
}

/*
 * The driver's options, each NIC rebound to a new set in turn: without
 * INDIRECT_DESC (a legacy NIC's split header then takes two ring
 * descriptors), without EVENT_IDX (notifications by the flags: VQ-D-17,
 * VQ-V-07; with it by the indices: VQ-D-19, VQ-V-09), without MRG_RXBUF
 * and CSUM, with rings of 8. Whatever the two NICs negotiated, frames
 * flow both ways, bursts arrive in order, and no notification is lost
 * (the test would wait for ever, NotReady).
 */
START_TEST(driver_options_and_rebinding)
{
	static const struct virtio_net_options sets[] = {
	    {.no_indirect = true},
	    {.no_event_idx = true},
	    {.no_indirect = true,
	     .no_event_idx = true,
	     .no_mrg_rxbuf = true,
	     .no_csum = true},
	    {.queue_size = 8},
	    {0},
	};
	enum { SETS = sizeof(sets) / sizeof(sets[0]), BURST = 200 };
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);

	start(_i, &o0, &o1);
	for (unsigned k = 0; k < SETS; k++) {
		const struct virtio_net_options *s0 = &sets[k];
		const struct virtio_net_options *s1 = &sets[(k + 1) % SETS];

		rebind(_i, 0, *s0);
		rebind(_i, 1, *s1);
		for (unsigned n = 0; n < 2; n++) {
			const struct virtio_net_options *s = n ? s1 : s0;
			struct virtio_net *v = vnet(n);

			ck_assert(v->mrg_rxbuf == !s->no_mrg_rxbuf);
			ck_assert(virtio_device_has_feature(
				      &v->vdev, VIRTIO_F_INDIRECT_DESC) ==
				  !s->no_indirect);
			ck_assert(virtio_device_has_feature(
				      &v->vdev, VIRTIO_F_EVENT_IDX) ==
				  !s->no_event_idx);
			ck_assert_uint_eq(virtio_net_rx_queue_size(v),
					  s->queue_size ? s->queue_size : 256);
		}
		announce(0);
		announce(1);
		frames_flow(0, 1, 0, 100);
		frames_flow(1, 0, 0, 100);
		/* Fewer than a ring of 8 and the backlog hold. */
		for (uint32_t s = 0; s < BURST; s++)
			send_frame(0, mac1, 1000 + s, 100 + s);
		for (uint32_t s = 0; s < BURST; s++) {
			struct net_buf *b = recv_frame(1);

			if (!frame_is(b, mac1, mac0, 1000 + s, 100 + s))
				ck_abort_msg("set %u: frame %u arrived as %u",
					     k, 1000 + s, frame_seq(b));
			recycle(1, b);
		}
		ck_assert_uint_eq(mstats(1)->rx_dropped, 0);
		check_pool(0, 0);
		check_pool(1, 0);
	}
	stop();
}
END_TEST

/* Back-pressure ----------------------------------------------------------- */

static size_t bp_len(uint32_t seq)
{
	return ETH_MIN + (seq * 37u) % (ETH_FULL - ETH_MIN + 1);
}

/*
 * The receiver holds every buffer it got: frames then wait in the model's
 * backlog, up to its bound of 256, and beyond it are dropped and counted;
 * the sender never stalls (every transmit completes). Once the receiver
 * gives its buffers back, the waiting frames arrive, in the order sent,
 * the dropped ones never, and traffic flows again.
 */
START_TEST(rx_backpressure_backlog_then_drops)
{
	enum { RING = 256, BACKLOG = 256, EXTRA = 10, AFTER = 8 };
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	static struct net_buf *held[RING];
	const struct net_model_stats *st;
	uint64_t tx0;
	uint32_t seq = 0, bad = UINT32_MAX;

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	st = mstats(1);
	tx0 = mstats(0)->tx_frames;
	ck_assert_uint_eq(vnd(1)->rx_posted, RING);
	for (; seq < RING; seq++)
		send_frame(0, mac1, seq, bp_len(seq));
	for (unsigned k = 0; k < RING; k++) {
		held[k] = recv_frame(1);
		if (bad == UINT32_MAX &&
		    !frame_is(held[k], mac1, mac0, k, bp_len(k)))
			bad = k;
	}
	ck_assert_msg(bad == UINT32_MAX, "frame %u", bad);
	check_pool(1, RING);
	ck_assert_uint_eq(vnd(1)->rx_posted, 0);

	/* No buffer left: the next frames wait ... */
	for (; seq < RING + BACKLOG; seq++)
		send_frame(0, mac1, seq, bp_len(seq));
	expect_nothing(1);
	ck_assert_uint_eq(st->rx_backlog_max, BACKLOG);
	ck_assert_uint_eq(st->rx_dropped, 0);
	/* ... and past the bound are dropped; the sender goes on. */
	for (; seq < RING + BACKLOG + EXTRA; seq++)
		send_frame(0, mac1, seq, bp_len(seq));
	settle();
	ck_assert_uint_eq(st->rx_dropped, EXTRA);
	ck_assert_uint_eq(st->rx_backlog_max, BACKLOG);
	ck_assert_int_eq(nic(0)->ops->recycle_tx_buffers(nic(0)), 0);
	ck_assert_uint_eq(vnd(0)->tx_in_flight, 0);
	ck_assert_uint_eq(mstats(0)->tx_frames - tx0, RING + BACKLOG + EXTRA);
	check_pool(0, 0);
	check_pool(1, RING);

	/* Buffers back: the waiting frames come in, in order. */
	for (unsigned k = 0; k < RING; k++)
		recycle(1, held[k]);
	check_pool(1, 0);
	for (uint32_t k = RING; k < RING + BACKLOG; k++) {
		struct net_buf *b = recv_frame(1);

		if (bad == UINT32_MAX && !frame_is(b, mac1, mac0, k, bp_len(k)))
			bad = k;
		recycle(1, b);
	}
	ck_assert_msg(bad == UINT32_MAX, "frame %u", bad);
	expect_nothing(1);
	/* And new ones flow again. */
	for (unsigned k = 0; k < AFTER; k++, seq++) {
		struct net_buf *b;

		send_frame(0, mac1, seq, bp_len(seq));
		b = recv_frame(1);
		ck_assert(frame_is(b, mac1, mac0, seq, bp_len(seq)));
		recycle(1, b);
	}
	ck_assert_uint_eq(st->rx_dropped, EXTRA);
	ck_assert_uint_eq(st->rx_frames, 1 + RING + BACKLOG + AFTER);
	check_pool(1, 0);
	stop();
}
END_TEST

/* Link ----------------------------------------------------------------------
 */

static void noop_timer(void *opaque)
{
}

/*
 * virtio_net_wait never sleeps past what is already there, nor wakes for
 * what is already known: a used receive entry left behind by a wait for
 * transmit alone is seen at once (the interrupt that announced it was
 * taken by that wait), before a timer a virtual second away; and a
 * config change from before the wait does not end the next one.
 */
START_TEST(wait_sees_what_was_left_and_not_old_news)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct ev_timer later;
	struct net_buf *b;
	uint64_t t0;

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	send_frame(0, mac1, 1, 100);
	settle();
	/* Drain transmit completions; the receive entry stays. */
	while (virtio_net_wait(vnet(1), false, true) == 0 &&
	       virtqueue_peek_used(&vnet(1)->tx.vq))
		ck_assert_int_eq(nic(1)->ops->recycle_tx_buffers(nic(1)), 0);
	ev_timer_init(&later, noop_timer, NULL);
	t0 = evloop_now(&vm.machine.loop);
	ck_assert_int_eq(evloop_timer_arm(&vm.machine.loop, &later,
					  t0 + 1000000000ull),
			 0);
	ck_assert_int_eq(virtio_net_wait(vnet(1), true, false), 0);
	ck_assert_uint_eq(evloop_now(&vm.machine.loop), t0);
	b = recv_frame(1);
	ck_assert(frame_is(b, mac1, mac0, 1, 100));
	recycle(1, b);
	evloop_timer_cancel(&vm.machine.loop, &later);

	/* A config interrupt, not acknowledged by config_changed: the next
	 * wait for a frame that never comes ends in NOT_READY, not 0. */
	net_model_set_link(dev(1)->model, false);
	settle();
	net_model_set_link(dev(1)->model, true);
	settle();
	ck_assert_int_eq(virtio_net_wait(vnet(1), true, false),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert(virtio_net_config_changed(vnet(1)) == !variant_poll(_i));
	stop();
}
END_TEST

/*
 * With STATUS: the cable pulled on net0's model is a config change the
 * driver sees (a config interrupt when it takes interrupts, INIT-N-01;
 * a new config generation on a modern transport, MMIO-V-05, PCI-V-10)
 * and virtio_net_link_up says down. Frames net0 sends meanwhile are
 * dropped and counted (tx_dropped), frames to it too (rx_dropped), and
 * its transmit buffers still come back. Plugged back in: up, both ways.
 */
START_TEST(link_down_and_up)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct virtio_net *n0;
	struct virtio_transport *t;
	uint64_t txd, rxd, txf;
	uint32_t gen;
	bool irq = !variant_poll(_i);

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	n0 = vnet(0);
	t = transport(0);
	ck_assert(virtio_net_link_up(n0));
	ck_assert(!virtio_net_config_changed(n0));
	gen = t->ops->config_generation(t);

	net_model_set_link(dev(0)->model, false);
	settle();
	if (irq) {
		ck_assert(virtio_net_config_changed(n0));
		ck_assert(!virtio_net_config_changed(n0));
	}
	if (!variant_legacy(_i))
		ck_assert_uint_ne(t->ops->config_generation(t), gen);
	ck_assert(!virtio_net_link_up(n0));
	ck_assert(virtio_net_link_up(vnet(1)));

	txd = mstats(0)->tx_dropped;
	txf = mstats(0)->tx_frames;
	for (uint32_t k = 0; k < 5; k++)
		send_frame(0, mac1, k, 200);
	expect_nothing(1);
	ck_assert_uint_eq(mstats(0)->tx_dropped, txd + 5);
	ck_assert_uint_eq(mstats(0)->tx_frames, txf);
	ck_assert_int_eq(nic(0)->ops->recycle_tx_buffers(nic(0)), 0);
	ck_assert_uint_eq(vnd(0)->tx_in_flight, 0);
	rxd = mstats(0)->rx_dropped;
	for (uint32_t k = 0; k < 5; k++)
		send_frame(1, mac0, k, 200);
	expect_nothing(0);
	ck_assert_uint_eq(mstats(0)->rx_dropped, rxd + 5);
	ck_assert_uint_eq(mstats(1)->tx_frames, 1 + 5);

	gen = t->ops->config_generation(t);
	net_model_set_link(dev(0)->model, true);
	settle();
	if (irq)
		ck_assert(virtio_net_config_changed(n0));
	if (!variant_legacy(_i))
		ck_assert_uint_ne(t->ops->config_generation(t), gen);
	ck_assert(virtio_net_link_up(n0));
	frames_flow(0, 1, 100, 5);
	frames_flow(1, 0, 200, 5);
	check_pool(0, 0);
	check_pool(1, 0);
	stop();
}
END_TEST

/*
 * Without STATUS (status=off) the driver has no link state to read: the
 * link is up for it (§5.1.4), whatever the cable, and no config change
 * comes; the model still drops what goes out while the cable is pulled.
 */
START_TEST(link_always_up_without_status)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct virtio_net *n0;

	o0.model.no_status = true;
	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	n0 = vnet(0);
	ck_assert(!n0->has_status);
	ck_assert(virtio_net_link_up(n0));
	net_model_set_link(dev(0)->model, false);
	settle();
	ck_assert(!virtio_net_config_changed(n0));
	ck_assert(virtio_net_link_up(n0));
	send_frame(0, mac1, 1, 100);
	expect_nothing(1);
	ck_assert_uint_eq(mstats(0)->tx_dropped, 1);
	net_model_set_link(dev(0)->model, true);
	settle();
	ck_assert(virtio_net_link_up(n0));
	frames_flow(0, 1, 10, 3);
	frames_flow(1, 0, 20, 3);
	stop();
}
END_TEST

/* Malformed transmit chains ----------------------------------------------- */

struct bad_tx {
	const char *what;
	bool no_csum;	  /* the model without CSUM */
	bool short_chain; /* fewer readable bytes than the header */
	bool split;	  /* header and frame in two descriptors */
	uint8_t flags, gso;
	uint16_t num_buffers, csum_start, csum_offset;
	size_t frame_len;
};

static const struct bad_tx bad_tx[] = {
    {.what = "chain shorter than the header", .short_chain = true},
    {.what = "gso TCPV4 without HOST_TSO4 (NET-D-08, NET-D-11)",
     .gso = VIRTIO_NET_HDR_GSO_TCPV4,
     .frame_len = 60,
     .split = true},
    {.what = "gso UDP without HOST_UFO (NET-D-08, NET-D-11)",
     .gso = VIRTIO_NET_HDR_GSO_UDP,
     .frame_len = 1514},
    {.what = "gso TCPV6|ECN without HOST_TSO6 (NET-D-08)",
     .gso = VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN,
     .frame_len = 200},
    {.what = "DATA_VALID on transmit (NET-D-14)",
     .flags = VIRTIO_NET_HDR_F_DATA_VALID,
     .frame_len = 60},
    {.what = "RSC_INFO on transmit (NET-D-14)",
     .flags = VIRTIO_NET_HDR_F_RSC_INFO,
     .frame_len = 60,
     .split = true},
    {.what = "NEEDS_CSUM without CSUM (NET-D-07)",
     .no_csum = true,
     .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
     .csum_start = 34,
     .csum_offset = 6,
     .frame_len = 60},
    {.what = "checksum field past the frame (NET-D-10)",
     .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
     .csum_start = 50,
     .csum_offset = 9,
     .frame_len = 60,
     .split = true},
    {.what = "csum_start past the frame (NET-D-10)",
     .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
     .csum_start = 0xffff,
     .frame_len = 60},
    {.what = "num_buffers not 0 (NET-D-06)", .num_buffers = 1, .frame_len = 60},
    {.what = "no Ethernet header", .frame_len = 13},
    {.what = "frame over mtu + 14 (NET-D-04)",
     .frame_len = 1515,
     .split = true},
};
#define BAD_TX_CASES (sizeof(bad_tx) / sizeof(bad_tx[0]))

/* Make a chain of @hdr + @flen bytes at @pa available on net@n's
 * transmit queue, past the driver, and kick. */
static uint16_t raw_tx(unsigned n, uint64_t pa, size_t hdr, size_t flen,
		       bool split)
{
	struct virtqueue *vq = &vnet(n)->tx.vq;
	struct virtqueue_buf bufs[2] = {{pa, (uint32_t)(hdr + flen), false}};
	unsigned nb = 1;
	uint16_t tok;

	if (split && flen) {
		bufs[0].len = (uint32_t)hdr;
		bufs[1] =
		    (struct virtqueue_buf){pa + hdr, (uint32_t)flen, false};
		nb = 2;
	}
	ck_assert_int_eq(virtqueue_add(vq, bufs, nb, 0, &tok), 0);
	virtqueue_kick(vq);
	return tok;
}

/*
 * A transmit chain the negotiated features forbid (each case on a
 * machine of its own, on every variant) put on the real driver's transmit
 * ring: the device sets DEVICE_NEEDS_RESET, with a config interrupt to a
 * driver that takes them (INIT-V-02), counts it as a guest error, sends
 * nothing and uses no buffer; virtio_net_wait says -VIRTIO_ERR_IO_ERROR
 * (§2.1.2). Only the one field differs from a chain that went out just
 * before. Reclaimed after a reset (INIT-D-13, INIT-V-03), teardown leaks
 * nothing. Cases: the header too short, gso_type without HOST_TSO/UFO
 * (NET-D-08, NET-D-11), DATA_VALID / RSC_INFO (NET-D-14), NEEDS_CSUM
 * without CSUM (NET-D-07), csum_start / csum_offset outside the frame
 * (NET-D-10), num_buffers not 0 (NET-D-06), a runt frame, a frame over
 * mtu + 14 (NET-D-04).
 */
static void malformed_tx(int v, const struct bad_tx *c)
{
	struct net_options o = loop_nic(mac0);
	struct virtio_transport *t;
	struct virtio_net *net;
	struct net_buf *b;
	uint64_t pa, txf;
	uint16_t tok, bad_tok, got;
	size_t hdr;
	uint32_t len;
	uint8_t *p;
	void *vp;
	bool seen_config = false;
	int r;

	o.model.no_csum = c->no_csum;
	start(v, &o, NULL);
	net = vnet(0);
	t = transport(0);
	hdr = virtio_net_hdr_len(net);
	ck_assert(!c->num_buffers || hdr == VIRTIO_NET_HDR_SIZE);
	ck_assert_int_eq(hal_dma_alloc(hal(), 1, &pa, &vp), 0);
	p = vp;

	/* The same chain, well formed, goes out and comes back. */
	memset(p, 0, hdr);
	frame_fill(p + hdr, mac0, mac0, 1, 60);
	txf = mstats(0)->tx_frames;
	tok = raw_tx(0, pa, hdr, 60, c->split);
	while (!virtqueue_peek_used(&net->tx.vq))
		ck_assert_int_eq(virtio_net_wait(net, false, true), 0);
	ck_assert_int_eq(virtqueue_pop_used(&net->tx.vq, &got, &len), 0);
	ck_assert_uint_eq(got, tok);
	ck_assert_uint_eq(len, 0); /* VQ-V-11: nothing written */
	ck_assert(frame_matches(p + hdr, 60, mac0, mac0, 1, 60)); /* VQ-V-02 */
	b = recv_frame(0);
	ck_assert(frame_is(b, mac0, mac0, 1, 60));
	recycle(0, b);
	ck_assert_uint_eq(mstats(0)->tx_frames, txf + 1);
	ck_assert_uint_eq(
	    virtio_transport_get_status(t) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	if (!variant_poll(v))
		ck_assert(!virtio_net_config_changed(net));

	/* Now the bad one. */
	memset(p, 0, 4096);
	p[offsetof(struct virtio_net_hdr, flags)] = c->flags;
	p[offsetof(struct virtio_net_hdr, gso_type)] = c->gso;
	virtio_st_le16(p + offsetof(struct virtio_net_hdr, csum_start),
		       c->csum_start);
	virtio_st_le16(p + offsetof(struct virtio_net_hdr, csum_offset),
		       c->csum_offset);
	if (hdr == VIRTIO_NET_HDR_SIZE)
		virtio_st_le16(p + offsetof(struct virtio_net_hdr, num_buffers),
			       c->num_buffers);
	if (c->frame_len >= FRAME_HEAD)
		frame_fill(p + hdr, mac0, mac0, 2, c->frame_len);
	if (c->short_chain)
		bad_tok = raw_tx(0, pa, hdr - 2, 0, false);
	else
		bad_tok = raw_tx(0, pa, hdr, c->frame_len, c->split);
	for (unsigned k = 0; (r = virtio_net_wait(net, true, true)) == 0; k++) {
		/* Only the config interrupt that says so wakes it. */
		ck_assert_msg(
		    k < 2 && !variant_poll(v) && virtio_net_config_changed(net),
		    "%s: the device went on (a buffer used)", c->what);
		seen_config = true;
	}
	ck_assert_msg(r == -VIRTIO_ERR_IO_ERROR, "%s: wait gave %s", c->what,
		      virtio_error_name(r));
	settle();
	ck_assert_msg(virtio_transport_get_status(t) &
			  VIRTIO_CONFIG_S_NEEDS_RESET,
		      "%s: no NEEDS_RESET", c->what);
	if (!variant_poll(v))
		ck_assert_msg(seen_config || virtio_net_config_changed(net),
			      "%s: no config interrupt", c->what);
	ck_assert_msg(mstats(0)->guest_errors == 1, "%s: %llu guest errors",
		      c->what, (unsigned long long)mstats(0)->guest_errors);
	ck_assert_uint_eq(dev(0)->model->guest_errors, 1);
	ck_assert_msg(mstats(0)->tx_frames == txf + 1, "%s: sent", c->what);
	ck_assert(!virtqueue_peek_used(&net->tx.vq));
	ck_assert(!virtqueue_peek_used(&net->rx.vq));
	ck_assert_uint_eq(p[offsetof(struct virtio_net_hdr, flags)], c->flags);
	ck_assert_uint_eq(p[offsetof(struct virtio_net_hdr, gso_type)], c->gso);
	if (c->frame_len >= FRAME_HEAD)
		ck_assert(frame_matches(p + hdr, c->frame_len, mac0, mac0, 2,
					c->frame_len));
	ck_assert_int_eq(virtio_net_wait(net, true, true),
			 -VIRTIO_ERR_IO_ERROR);

	/* Reset first, then the chain is ours again (INIT-D-13). */
	virtio_transport_reset(t);
	ck_assert_uint_eq(virtio_transport_get_status(t), 0);
	ck_assert_int_eq(virtqueue_detach_unused(&net->tx.vq, &got), 0);
	ck_assert_uint_eq(got, bad_tok);
	ck_assert_int_eq(virtqueue_detach_unused(&net->tx.vq, &got),
			 -VIRTIO_ERR_NOT_READY);
	check_pool(0, 0);
	ck_assert_int_eq(hal_dma_free(hal(), pa, vp, 1), 0);
	stop();
}

START_TEST(malformed_tx_needs_reset)
{
	for (unsigned k = 0; k < BAD_TX_CASES; k++)
		malformed_tx(_i, &bad_tx[k]);
}
END_TEST

/*
 * The device gives up mid-traffic (NEEDS_RESET, §2.1.2): net1 holds a
 * received buffer, has more posted and frames in flight. Its waits say
 * -VIRTIO_ERR_IO_ERROR from then on (after the config interrupt, to a
 * driver taking them: INIT-V-02), nothing more reaches it (the model
 * drops and counts what comes), the ops go on keeping the pool whole,
 * net0 is not affected, and teardown gets every buffer and page back.
 */
START_TEST(device_failure_mid_traffic)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct net_buf *held, *b;
	struct net_device *d1;
	bool seen_config = false;
	uint64_t rxd;
	int r;

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	d1 = nic(1);
	for (uint32_t k = 0; k < 4; k++)
		send_frame(0, mac1, k, 400);
	held = recv_frame(1);
	ck_assert(frame_is(held, mac1, mac0, 0, 400));
	send_frame(1, mac0, 9, 100);
	settle(); /* deferred mode: the frame is out before the failure */
	virtio_dev_fail(dev(1)->model, "test: the device broke");
	for (unsigned k = 0; (r = virtio_net_wait(vnet(1), true, true)) == 0;
	     k++) {
		/* What was used before, or the failure's config change. */
		ck_assert_uint_lt(k, 8);
		while (d1->ops->receive(d1, &b) == 0)
			recycle(1, b);
		ck_assert_int_eq(d1->ops->recycle_tx_buffers(d1), 0);
		seen_config |= virtio_net_config_changed(vnet(1));
	}
	ck_assert_int_eq(r, -VIRTIO_ERR_IO_ERROR);
	settle();
	ck_assert_uint_eq(virtio_transport_get_status(transport(1)) &
			      VIRTIO_CONFIG_S_NEEDS_RESET,
			  VIRTIO_CONFIG_S_NEEDS_RESET);
	seen_config |= virtio_net_config_changed(vnet(1));
	ck_assert(seen_config == !variant_poll(_i));
	while (d1->ops->receive(d1, &b) == 0)
		recycle(1, b);
	check_pool(1, 1);
	/* Nothing reaches it now; net0 goes on. */
	rxd = mstats(1)->rx_dropped;
	send_frame(0, mac1, 20, 200);
	settle();
	ck_assert_uint_eq(mstats(1)->rx_dropped, rxd + 1);
	ck_assert_int_eq(d1->ops->receive(d1, &b), -DEV_ERR_AGAIN);
	ck_assert_int_eq(virtio_net_wait(vnet(1), true, false),
			 -VIRTIO_ERR_IO_ERROR);
	recycle(1, held);
	check_pool(1, 0);
	b = recv_frame(0);
	ck_assert(frame_is(b, mac0, mac1, 9, 100));
	recycle(0, b);
	frames_flow(0, 0, 30, 2);
	check_pool(0, 0);
	stop();
}
END_TEST

/* NetDriverOps semantics -----------------------------------------------------
 */

/* A pool buffer of net@n that is free (@want_free) or posted for
 * receive, other than @not. */
static struct net_buf *pool_buf(unsigned n, bool want_free,
				const struct net_buf * not )
{
	struct net_buf_pool *p = vnd(n)->pool;

	for (size_t k = 0; k < net_buf_pool_capacity(p); k++) {
		struct net_buf *b = &p->descs[k];

		if (b != not &&net_buf_pool_is_free(p, b) == want_free)
			return b;
	}
	ck_abort_msg("no such buffer");
	return NULL;
}

/*
 * What the ops refuse, and that every refusal leaves the pool whole
 * (checked after every call): receive with nothing there -> AGAIN;
 * NULL out-pointers -> INVALID_PARAM; a transmit buffer longer than the
 * MTU frame -> INVALID_PARAM with the buffer back in the pool (NET-D-04);
 * transmit of a buffer not the device's (a copy, another NIC's) ->
 * INVALID_PARAM, left as it is; of one the caller does not hold (free,
 * posted for receive, in flight) -> BAD_STATE, left as it is; of a held
 * one the caller broke (too long, moved, header changed) ->
 * INVALID_PARAM, consumed back into the pool.
 */
START_TEST(ops_refuse_and_keep_the_pool_whole)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct net_device *d0, *d1;
	struct net_buf *b, *c, *x, copy;
	size_t max, free;

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	d0 = nic(0);
	d1 = nic(1);
	max = virtio_net_max_frame(vnet(0));
	check_pool(0, 0);

	ck_assert(!d0->ops->can_receive(d0));
	ck_assert_int_eq(d0->ops->receive(d0, &b), -DEV_ERR_AGAIN);
	ck_assert_ptr_null(b);
	check_pool(0, 0);
	ck_assert_int_eq(d0->ops->receive(d0, NULL), -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, 60, NULL),
			 -DEV_ERR_INVALID_PARAM);
	check_pool(0, 0);

	free = net_buf_pool_free_count(vnd(0)->pool);
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, max + 1, &b),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_ptr_null(b);
	ck_assert_uint_eq(net_buf_pool_free_count(vnd(0)->pool), free);
	check_pool(0, 0);
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, max, &b), 0);
	ck_assert_uint_eq(b->packet_len, max);
	ck_assert_uint_eq(b->header_len, virtio_net_hdr_len(vnet(0)));
	check_pool(0, 1);

	/* Not the device's: left alone. */
	copy = *b;
	ck_assert_int_eq(d0->ops->transmit(d0, &copy), -DEV_ERR_INVALID_PARAM);
	check_pool(0, 1);
	ck_assert_int_eq(d1->ops->alloc_tx_buffer(d1, 60, &c), 0);
	ck_assert_int_eq(d0->ops->transmit(d0, c), -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(d0->ops->recycle_rx_buffer(d0, c),
			 -DEV_ERR_INVALID_PARAM);
	check_pool(0, 1);
	check_pool(1, 1);
	ck_assert(!net_buf_pool_is_free(vnd(1)->pool, c));
	/* Still net1's to send. */
	frame_fill(net_buf_packet(c), mac0, mac1, 7, 60);
	ck_assert_int_eq(d1->ops->transmit(d1, c), 0);
	x = recv_frame(0);
	ck_assert(frame_is(x, mac0, mac1, 7, 60));
	check_pool(0, 2);
	check_pool(1, 0);
	recycle(0, x);
	check_pool(0, 1);

	/* Not held: a free buffer, one posted for receive. */
	x = pool_buf(0, true, b);
	ck_assert_int_eq(d0->ops->transmit(d0, x), -DEV_ERR_BAD_STATE);
	ck_assert_int_eq(d0->ops->recycle_rx_buffer(d0, x), -DEV_ERR_BAD_STATE);
	ck_assert(net_buf_pool_is_free(vnd(0)->pool, x));
	check_pool(0, 1);
	x = pool_buf(0, false, b);
	ck_assert_int_eq(d0->ops->transmit(d0, x), -DEV_ERR_BAD_STATE);
	ck_assert_int_eq(d0->ops->recycle_rx_buffer(d0, x), -DEV_ERR_BAD_STATE);
	check_pool(0, 1);

	/* Held, but longer than the MTU allows: consumed, back in the pool. */
	b->packet_len = max + 1;
	ck_assert_int_eq(d0->ops->transmit(d0, b), -DEV_ERR_INVALID_PARAM);
	ck_assert(net_buf_pool_is_free(vnd(0)->pool, b));
	check_pool(0, 0);
	ck_assert_int_eq(d0->ops->transmit(d0, b), -DEV_ERR_BAD_STATE);
	check_pool(0, 0);
	/* Moved by the caller, or its header changed: the same. */
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, 60, &b), 0);
	b->buf += 4;
	ck_assert_int_eq(d0->ops->transmit(d0, b), -DEV_ERR_INVALID_PARAM);
	ck_assert(net_buf_pool_is_free(vnd(0)->pool, b));
	check_pool(0, 0);
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, 60, &b), 0);
	b->header_len = 0;
	ck_assert_int_eq(d0->ops->transmit(d0, b), -DEV_ERR_INVALID_PARAM);
	ck_assert(net_buf_pool_is_free(vnd(0)->pool, b));
	check_pool(0, 0);

	/* In flight: not the caller's any more. */
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, 80, &b), 0);
	frame_fill(net_buf_packet(b), mac1, mac0, 8, 80);
	ck_assert_int_eq(d0->ops->transmit(d0, b), 0);
	check_pool(0, 0);
	ck_assert_uint_eq(vnd(0)->tx_in_flight, 1);
	ck_assert_int_eq(d0->ops->transmit(d0, b), -DEV_ERR_BAD_STATE);
	ck_assert_int_eq(d0->ops->recycle_rx_buffer(d0, b), -DEV_ERR_BAD_STATE);
	check_pool(0, 0);
	x = recv_frame(1);
	ck_assert(frame_is(x, mac1, mac0, 8, 80));
	recycle(1, x);
	settle();
	ck_assert_int_eq(d0->ops->recycle_tx_buffers(d0), 0);
	ck_assert_uint_eq(vnd(0)->tx_in_flight, 0);
	ck_assert(net_buf_pool_is_free(vnd(0)->pool, b));
	ck_assert_int_eq(d0->ops->recycle_tx_buffers(d0), 0);
	check_pool(0, 0);
	check_pool(1, 0);
	ck_assert_uint_eq(vnd(0)->stats.tx_errors, 3);
	stop();
}
END_TEST

/*
 * A received buffer is the caller's: given back once (a second recycle
 * is BAD_STATE), or transmitted as it is (forwarded, consumed).
 * can_receive takes a frame off the ring and receive hands that one out.
 */
START_TEST(ops_receive_forward_recycle)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct net_device *d0, *d1;
	struct net_buf *b, *x;

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	d0 = nic(0);
	d1 = nic(1);

	send_frame(0, mac1, 1, 300);
	send_frame(0, mac1, 2, 301);
	settle();
	ck_assert(d1->ops->can_receive(d1));
	ck_assert(d1->ops->can_receive(d1)); /* still the same one */
	check_pool(1, 0);
	ck_assert_int_eq(d1->ops->receive(d1, &b), 0);
	ck_assert(frame_is(b, mac1, mac0, 1, 300));
	check_pool(1, 1);
	ck_assert_int_eq(d1->ops->receive(d1, &x), 0);
	ck_assert(frame_is(x, mac1, mac0, 2, 301));
	check_pool(1, 2);
	ck_assert_int_eq(d1->ops->recycle_rx_buffer(d1, x), 0);
	check_pool(1, 1);
	ck_assert_int_eq(d1->ops->recycle_rx_buffer(d1, x), -DEV_ERR_BAD_STATE);
	check_pool(1, 1);
	ck_assert_int_eq(d0->ops->recycle_rx_buffer(d0, b),
			 -DEV_ERR_INVALID_PARAM);
	check_pool(1, 1);

	/* Forward @b back to net0 as it is, addresses swapped. */
	frame_fill(net_buf_packet(b), mac0, mac1, 3, 300);
	ck_assert_int_eq(d1->ops->transmit(d1, b), 0);
	check_pool(1, 0);
	ck_assert_int_eq(d1->ops->recycle_rx_buffer(d1, b), -DEV_ERR_BAD_STATE);
	x = recv_frame(0);
	ck_assert(frame_is(x, mac0, mac1, 3, 300));
	check_pool(0, 1);
	recycle(0, x);
	ck_assert_int_eq(d0->ops->recycle_rx_buffer(d0, x), -DEV_ERR_BAD_STATE);
	check_pool(0, 0);
	settle();
	ck_assert_int_eq(d1->ops->recycle_tx_buffers(d1), 0);
	ck_assert_int_eq(d0->ops->recycle_tx_buffers(d0), 0);
	check_pool(0, 0);
	check_pool(1, 0);
	ck_assert_uint_eq(vnd(1)->tx_in_flight, 0);
	stop();
}
END_TEST

/*
 * A forwarder: net1 sends every frame it receives straight back out,
 * its receive buffer becoming a transmit buffer. Three rings' worth of
 * frames go round; the receive ring is restocked from the pool each
 * time, so none stalls (it ran dry after one ring's worth before).
 */
START_TEST(ops_forwarding_keeps_the_receive_ring_stocked)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct net_device *d1;
	size_t target;

	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	d1 = nic(1);
	target = vnd(1)->rx_target;
	ck_assert_uint_gt(target, 0);
	for (uint32_t k = 0; k < 3 * target; k++) {
		struct net_buf *b, *back;

		send_frame(0, mac1, k, 200);
		b = recv_frame(1);
		ck_assert(frame_is(b, mac1, mac0, k, 200));
		frame_fill(net_buf_packet(b), mac0, mac1, k, 200);
		ck_assert_int_eq(d1->ops->transmit(d1, b), 0);
		back = recv_frame(0);
		ck_assert(frame_is(back, mac0, mac1, k, 200));
		recycle(0, back);
		ck_assert_int_eq(d1->ops->recycle_tx_buffers(d1), 0);
		ck_assert_uint_eq(vnd(1)->rx_posted, target);
		check_pool(1, 0);
	}
	stop();
}
END_TEST

/*
 * The transmit side filled. net0 (rings of 64): a full ring makes
 * transmit BAD_STATE with the buffer back in the pool; then the pool runs
 * dry (NO_MEMORY); held buffers go back through failed transmits.
 * net1 (rings of 256, as many transmit buffers): ring and pool run out
 * together. recycle_tx_buffers then restores everything, and every frame
 * sent arrives, in order.
 */
START_TEST(ops_fill_transmit_side)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct net_device *d0, *d1;
	static struct net_buf *hold[512];
	struct net_buf *b;
	size_t cap, n = 0;
	uint32_t seq = 0, bad = UINT32_MAX;
	int err;

	o0.model.queue_size = 64;
	start(_i, &o0, &o1);
	announce(0);
	announce(1);
	d0 = nic(0);
	d1 = nic(1);
	cap = net_buf_pool_capacity(vnd(0)->pool);
	ck_assert_uint_eq(vnd(0)->rx_posted, 64);
	ck_assert_int_eq(d0->ops->tx_queue_size(d0), 64);

	for (; d0->ops->can_transmit(d0); seq++) {
		ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, 100, &b), 0);
		frame_fill(net_buf_packet(b), mac1, mac0, seq, 100);
		ck_assert_int_eq(d0->ops->transmit(d0, b), 0);
	}
	ck_assert_uint_eq(seq, 64);
	check_pool(0, 0);
	ck_assert_int_eq(d0->ops->alloc_tx_buffer(d0, 100, &b), 0);
	ck_assert_int_eq(d0->ops->transmit(d0, b), -DEV_ERR_BAD_STATE);
	ck_assert(net_buf_pool_is_free(vnd(0)->pool, b));
	check_pool(0, 0);
	while ((err = d0->ops->alloc_tx_buffer(d0, 100, &hold[n])) == 0)
		n++;
	ck_assert_int_eq(err, -DEV_ERR_NO_MEMORY);
	ck_assert_ptr_null(hold[n]);
	ck_assert_uint_eq(n, cap - 64 - 64);
	ck_assert_uint_eq(net_buf_pool_free_count(vnd(0)->pool), 0);
	check_pool(0, n);
	ck_assert(!d0->ops->can_transmit(d0));
	for (size_t k = 0; k < n; k++)
		FAST_ASSERT(d0->ops->transmit(d0, hold[k]) ==
			    -DEV_ERR_BAD_STATE);
	check_pool(0, 0);
	settle();
	ck_assert_int_eq(d0->ops->recycle_tx_buffers(d0), 0);
	ck_assert_uint_eq(vnd(0)->tx_in_flight, 0);
	ck_assert_uint_eq(net_buf_pool_free_count(vnd(0)->pool), cap - 64);
	ck_assert(d0->ops->can_transmit(d0));
	check_pool(0, 0);
	for (uint32_t k = 0; k < 64; k++) {
		b = recv_frame(1);
		if (bad == UINT32_MAX && !frame_is(b, mac1, mac0, k, 100))
			bad = k;
		recycle(1, b);
	}
	ck_assert_msg(bad == UINT32_MAX, "net1: frame %u", bad);
	expect_nothing(1);

	/* net1: ring and pool together. */
	for (seq = 0; d1->ops->can_transmit(d1); seq++) {
		ck_assert_int_eq(d1->ops->alloc_tx_buffer(d1, 90, &b), 0);
		frame_fill(net_buf_packet(b), mac0, mac1, seq, 90);
		FAST_ASSERT(d1->ops->transmit(d1, b) == 0);
	}
	ck_assert_uint_eq(seq, 256);
	ck_assert_int_eq(d1->ops->alloc_tx_buffer(d1, 90, &b),
			 -DEV_ERR_NO_MEMORY);
	check_pool(1, 0);
	ck_assert_uint_eq(vnd(1)->tx_in_flight, 256);
	settle();
	ck_assert_int_eq(d1->ops->recycle_tx_buffers(d1), 0);
	ck_assert_uint_eq(vnd(1)->tx_in_flight, 0);
	ck_assert_uint_eq(net_buf_pool_free_count(vnd(1)->pool),
			  net_buf_pool_capacity(vnd(1)->pool) - 256);
	check_pool(1, 0);
	/* 64 of them in net0's ring, the rest waited in its backlog. */
	for (uint32_t k = 0; k < 256; k++) {
		b = recv_frame(0);
		if (bad == UINT32_MAX && !frame_is(b, mac0, mac1, k, 90))
			bad = k;
		recycle(0, b);
	}
	ck_assert_msg(bad == UINT32_MAX, "net0: frame %u", bad);
	ck_assert_uint_eq(mstats(0)->rx_dropped, 0);
	ck_assert_uint_eq(mstats(0)->rx_backlog_max, 256 - 64);
	expect_nothing(0);
	check_pool(0, 0);
	stop();
}
END_TEST

/* Determinism ------------------------------------------------------------- */

#define DET_ROUNDS 3u
#define DET_BURST 80u
#define DET_FRAMES (2u * DET_ROUNDS * DET_BURST)

static size_t det_len(unsigned n, uint32_t seq)
{
	return ETH_MIN + (seq * 101u + n * 577u) % (ETH_FULL - ETH_MIN + 1);
}

/*
 * One deferred run with @seed: net0 and net1 each send bursts to the
 * other, both receive as frames come. @order gets every arrival, in the
 * order seen ((nic << 16) | seq); each NIC's frames must come in the
 * order sent (the receive queue completes in order), byte for byte.
 * Returns the trace hash.
 */
static uint64_t deferred_run(int i, uint64_t seed, uint32_t *order)
{
	struct net_options o0 = loop_nic(mac0), o1 = loop_nic(mac1);
	struct vm_device_config dc[2] = {nic_config(i, &o0),
					 peer_config(i, &o1)};
	uint32_t next[2] = {0, 0}, sent = 0;
	unsigned got = 0;
	uint64_t hash;

	start_seeded(i, seed, dc, 2, 0);
	announce(0);
	announce(1);
	for (unsigned r = 0; r < DET_ROUNDS; r++) {
		for (unsigned k = 0; k < DET_BURST; k++, sent++) {
			send_frame(0, mac1, sent, det_len(0, sent));
			send_frame(1, mac0, sent, det_len(1, sent));
		}
		while (got < 2 * sent) {
			bool any = false;

			for (unsigned n = 0; n < 2; n++) {
				const uint8_t *dst = n ? mac1 : mac0;
				const uint8_t *src = n ? mac0 : mac1;
				unsigned from = 1 - n;
				struct net_buf *b;

				if (nic(n)->ops->receive(nic(n), &b))
					continue;
				any = true;
				if (!frame_is(b, dst, src, next[n],
					      det_len(from, next[n])))
					ck_abort_msg("net%u: frame %u arrived "
						     "in place of %u",
						     n, frame_seq(b), next[n]);
				order[got++] = n << 16 | next[n]++;
				recycle(n, b);
			}
			if (!any)
				FAST_ASSERT(hal_wait(hal()) == 0);
		}
	}
	for (unsigned n = 0; n < 2; n++) {
		ck_assert_int_eq(nic(n)->ops->recycle_tx_buffers(nic(n)), 0);
		ck_assert_uint_eq(mstats(n)->rx_dropped, 0);
	}
	hash = vm.machine.trace.hash;
	stop();
	return hash;
}

/*
 * Deferred mode is a function of its seed: the same seed twice gives the
 * same trace hash and the same arrivals; another seed another schedule
 * (so the hash sees it). Frames arrive in the order sent in every run.
 */
START_TEST(deferred_same_seed_same_run)
{
	static uint32_t first[DET_FRAMES], again[DET_FRAMES];
	uint64_t seed = 1000u + (uint64_t)_i, h1, h2, h3;

	ck_assert_int_eq(variant_mode(_i), SIM_MODE_DEFERRED);
	h1 = deferred_run(_i, seed, first);
	h2 = deferred_run(_i, seed, again);
	ck_assert_uint_eq(h1, h2);
	ck_assert_mem_eq(first, again, sizeof(first));
	h3 = deferred_run(_i, seed + 1, again);
	ck_assert_uint_ne(h1, h3);
}
END_TEST

/*
 * After a failed test, in case it ran without fork (CK_FORK=no): what it
 * left up goes, or the next test's NICs would join its switch.
 */
static void leftovers(void)
{
	if (tnet.vdev.transport)
		virtio_net_destroy(&tnet);
	if (vm_up)
		vm_destroy(&vm, false);
	vm_up = false;
}

static Suite *net_suite(void)
{
	Suite *s = suite_create("net_end_to_end");
	TCase *tc = tcase_create("net");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, leftovers);
	tcase_add_loop_test(tc, identity, 0, VARIANTS);
	tcase_add_loop_test(tc, frames_every_length_both_ways, 0, VARIANTS);
	tcase_add_loop_test(tc, frames_over_the_receivers_mtu_dropped, 0,
			    VARIANTS);
	tcase_add_loop_test(tc, hairpin_alone_on_the_switch, 0, VARIANTS);
	tcase_add_loop_test(tc, mrg_rxbuf_large_frames_token_api, 0, VARIANTS);
	tcase_add_loop_test(tc, no_mrg_rxbuf_one_buffer_per_frame, 0, VARIANTS);
	tcase_add_loop_test(tc, small_rings, 0, VARIANTS);
	tcase_add_loop_test(tc, driver_options_and_rebinding, 0, VARIANTS);
	tcase_add_loop_test(tc, rx_backpressure_backlog_then_drops, 0,
			    VARIANTS);
	tcase_add_loop_test(tc, link_down_and_up, 0, VARIANTS);
	tcase_add_loop_test(tc, link_always_up_without_status, 0, VARIANTS);
	tcase_add_loop_test(tc, malformed_tx_needs_reset, 0, VARIANTS);
	tcase_add_loop_test(tc, device_failure_mid_traffic, 0, VARIANTS);
	tcase_add_loop_test(tc, ops_refuse_and_keep_the_pool_whole, 0,
			    VARIANTS);
	tcase_add_loop_test(tc, ops_receive_forward_recycle, 0, VARIANTS);
	tcase_add_loop_test(tc, wait_sees_what_was_left_and_not_old_news, 0,
			    VARIANTS);
	tcase_add_loop_test(tc, ops_forwarding_keeps_the_receive_ring_stocked,
			    0, VARIANTS);
	tcase_add_loop_test(tc, ops_fill_transmit_side, 0, VARIANTS);
	tcase_add_loop_test(tc, deferred_same_seed_same_run, 6, VARIANTS);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(net_suite)
