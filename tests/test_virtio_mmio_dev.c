/* SPDX-License-Identifier: MIT */
/*
 * The device side end to end through the bus: the MMIO front-end
 * (devices/virtio/virtio_mmio.c), the device core (virtio_dev.c) and the
 * virtio-blk model on a file (blk_model.c, disk_file.c), driven by raw
 * bus_read/bus_write and rings built by hand in guest RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/machine.h"
#include "tests/test_ring.h"
#include "tests/testutil.h"

#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/blk_model.h"
#include "devices/blk/disk.h"
#endif

#define RAM_SIZE (16ull << 20)
#define QSZ 16
#define DESC (MACHINE_RAM_BASE + 0x10000)
#define AVAIL (MACHINE_RAM_BASE + 0x11000)
#define USED (MACHINE_RAM_BASE + 0x12000)
#define BUF (MACHINE_RAM_BASE + 0x20000)
#define LEGACY_PFN 0x40100u /* 0x40100000: legacy ring, page size 4096 */

static struct machine m;
static uint64_t win; /* MMIO window of the device under test */
static unsigned line;

/* A tiny test device --------------------------------------------------- */

#define TEST_ID 42
#define TEST_F_A 0   /* offered */
#define TEST_F_B 3   /* offered, but only together with A */
#define TEST_F_NOT 5 /* never offered */

struct test_dev {
	struct virtio_dev vdev;
	uint8_t config[12]; /* le64 big, le32 small */
	unsigned notified, config_writes;
	/* hold: keep popped requests, as a model with a slow backend does,
	 * until test_finish_held or queue_stop. */
	bool hold;
	struct virtio_req *held[QSZ];
	unsigned nheld, stopped;
};

/* Echo: copy the readable bytes into the writable ones. */
static void test_echo(struct virtio_req *r)
{
	const struct vq_elem *e = &r->elem;
	uint32_t n = 0;

	for (unsigned i = 0; i < e->n_out && e->n_in; i++) {
		uint32_t c = e->seg[i].len < e->seg[e->n_out].len - n
				 ? (uint32_t)e->seg[i].len
				 : (uint32_t)(e->seg[e->n_out].len - n);
		memcpy((uint8_t *)e->seg[e->n_out].host + n, e->seg[i].host,
		       c);
		n += c;
	}
	virtio_dev_complete(r, n);
}

static void test_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct test_dev *t = (struct test_dev *)dev;
	struct virtio_req *r;

	t->notified++;
	while (virtio_dev_pop_req(dev, q, &r) > 0) {
		if (t->hold)
			t->held[t->nheld++] = r;
		else
			test_echo(r);
	}
}

static void test_finish_held(struct test_dev *t)
{
	while (t->nheld)
		test_echo(t->held[--t->nheld]);
}

static void test_queue_stop(struct virtio_dev *dev, unsigned q)
{
	struct test_dev *t = (struct test_dev *)dev;

	t->stopped++;
	test_finish_held(t);
}

static bool test_features_ok(struct virtio_dev *dev, uint64_t f)
{
	return !(f & VIRTIO_BIT(TEST_F_B)) || (f & VIRTIO_BIT(TEST_F_A));
}

static void test_config_write(struct virtio_dev *dev, uint32_t off,
			      unsigned len)
{
	((struct test_dev *)dev)->config_writes++;
}

static void test_free(void *dev)
{
	virtio_dev_release(dev);
	free(dev);
}

static const struct virtio_dev_ops test_ops = {
    .device_id = TEST_ID,
    .num_queues = 2,
    .queue_size_max = QSZ,
    .config_write = test_config_write,
    .features_ok = test_features_ok,
    .queue_notify = test_queue_notify,
    .queue_stop = test_queue_stop,
};

static struct test_dev *tdev;

static void add_test_dev(int version)
{
	int slot;

	tdev = calloc(1, sizeof(*tdev));
	ck_assert_ptr_nonnull(tdev);
	virtio_st_le64(tdev->config, 0x1122334455667788ull);
	virtio_st_le32(tdev->config + 8, 0xa1b2c3d4u);
	ck_assert_int_eq(machine_on_destroy(&m, test_free, tdev), 0);
	virtio_dev_init(&tdev->vdev, &test_ops, "test-dev", &m.env,
			VIRTIO_BIT(TEST_F_A) | VIRTIO_BIT(TEST_F_B) |
			    VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
			    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC),
			tdev->config, sizeof(tdev->config));
	slot = virtio_mmio_attach(&m, &tdev->vdev, version);
	ck_assert_int_ge(slot, 0);
	win = machine_mmio_slot_base((unsigned)slot);
	line = MACHINE_MMIO_IRQ_BASE + (unsigned)slot;
}

static void setup(void)
{
	struct machine_options o = {.mem_size = RAM_SIZE};

	ck_assert_int_eq(machine_init(&m, &o), 0);
}

static void setup_v2(void)
{
	setup();
	/* An empty slot first, so the device is not at slot 0. */
	ck_assert_int_eq(virtio_mmio_attach_empty(&m), 0);
	add_test_dev(2);
}

static void setup_v1(void)
{
	setup();
	add_test_dev(1);
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

/* The front-end behind MMIO slot @slot, as the bus dispatches to it. */
static struct virtio_mmio_dev *front(unsigned slot)
{
	const struct bus_region *r =
	    bus_find(&m.bus, machine_mmio_slot_base(slot), 4);

	ck_assert_ptr_nonnull(r);
	return r->opaque;
}

/* Driver-side helpers -------------------------------------------------- */

static uint32_t rd(unsigned off)
{
	return bus_read(&m.bus, win + off, 4);
}

static void wr(unsigned off, uint32_t val)
{
	bus_write(&m.bus, win + off, val, 4);
}

static void *gp(uint64_t gpa)
{
	return test_gpa(&m.mem, gpa, 1);
}

static bool line_up(void)
{
	return m.irq.level & (1ull << line);
}

static void set_features(uint64_t f)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint64_t offered(void)
{
	uint64_t f;

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void queue_setup_v2(unsigned q, unsigned num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(DESC >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The §3.1 dance up to DRIVER_OK with @features, queue 0 ready. */
static void bring_up(uint64_t features, bool driver_ok)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	set_features(features | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	memset(gp(DESC), 0, 0x3000);
	queue_setup_v2(0, QSZ);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	if (driver_ok)
		wr(VIRTIO_MMIO_STATUS,
		   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		       VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static const struct test_ring ring = {&m.mem, DESC, AVAIL, USED, QSZ};

/* Post an echo request on queue 0: @n readable bytes from BUF. */
static void post_echo(unsigned n)
{
	memset(gp(BUF), 0x5a, n);
	test_desc_at(&m.mem, DESC, 0, BUF, n, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, DESC, 1, BUF + 0x1000, n, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);
}

/* Header, features, status ------------------------------------------- */

/* MMIO-V-01, MMIO-V-02 */
START_TEST(header_registers)
{
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), TEST_ID);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VENDOR_ID), 0x554d4551u);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	ck_assert(!tdev->vdev.legacy);
}
END_TEST

/* An empty slot: magic and version, DeviceID 0, nothing else (MMIO-D-06). */
START_TEST(empty_slot)
{
	uint64_t e = machine_mmio_slot_base(0);

	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_MAGIC_VALUE, 4),
			  VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_VERSION, 4), 2);
	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_DEVICE_ID, 4), 0);
	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_VENDOR_ID, 4), 0);
	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_QUEUE_NUM_MAX, 4),
			  0);
	bus_write(&m.bus, e + VIRTIO_MMIO_STATUS, 1, 4);
	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_STATUS, 4), 0);
	ck_assert_uint_eq(bus_read(&m.bus, e + VIRTIO_MMIO_CONFIG, 4), 0);
	bus_write(&m.bus, e + VIRTIO_MMIO_QUEUE_NOTIFY, 0, 4);
}
END_TEST

/* FEAT-V-04, PCI-V-08-like windows: sel 0, 1, beyond. */
START_TEST(feature_windows)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES),
			  (1u << TEST_F_A) | (1u << TEST_F_B) |
			      (1u << VIRTIO_F_EVENT_IDX) |
			      (1u << VIRTIO_F_INDIRECT_DESC));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES),
			  1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	ck_assert_uint_eq(offered(), tdev->vdev.host_features);
	set_features(VIRTIO_BIT(TEST_F_A) | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(tdev->vdev.guest_features,
			  VIRTIO_BIT(TEST_F_A) |
			      VIRTIO_BIT(VIRTIO_F_VERSION_1));
}
END_TEST

static void try_features_ok(uint64_t f)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	set_features(f);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FEATURES_OK);
}

/* FEAT-V-02: FEATURES_OK reads back clear when refused. */
START_TEST(features_ok_refused)
{
	uint64_t v1 = VIRTIO_BIT(VIRTIO_F_VERSION_1);

	try_features_ok(v1 | VIRTIO_BIT(TEST_F_NOT)); /* never offered */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	try_features_ok(VIRTIO_BIT(TEST_F_A)); /* modern without VERSION_1 */
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK));
	try_features_ok(v1 | VIRTIO_BIT(TEST_F_B)); /* the model says no */
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK));
	/* DRIVER_OK without FEATURES_OK is refused too. */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK));

	try_features_ok(v1 | VIRTIO_BIT(TEST_F_A) | VIRTIO_BIT(TEST_F_B));
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* Features are frozen once FEATURES_OK is set. */
	set_features(v1);
	ck_assert(tdev->vdev.guest_features & VIRTIO_BIT(TEST_F_A));
}
END_TEST

/* Only a reset clears status bits; NEEDS_RESET is the device's. */
START_TEST(status_bits_sticky)
{
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_FAILED);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FAILED);
}
END_TEST

/* Control registers take aligned 32-bit accesses only (MMIO-D-02). */
START_TEST(wrong_size_register_access)
{
	ck_assert_uint_eq(bus_read(&m.bus, win + VIRTIO_MMIO_MAGIC_VALUE, 2),
			  0);
	ck_assert_uint_eq(bus_read(&m.bus, win + VIRTIO_MMIO_MAGIC_VALUE, 1),
			  0);
	bus_write(&m.bus, win + VIRTIO_MMIO_STATUS, 1, 1);
	bus_write(&m.bus, win + VIRTIO_MMIO_STATUS, 1, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	/* Misaligned: refused by the bus. */
	ck_assert_uint_eq(
	    bus_read(&m.bus, win + VIRTIO_MMIO_MAGIC_VALUE + 2, 4),
	    0xffffffffu);
}
END_TEST

/* Queues --------------------------------------------------------------- */

/* PCI-V-15-like: a queue the model does not have reads size max 0. */
START_TEST(queue_num_max)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
}
END_TEST

START_TEST(queue_num_rejected)
{
	struct virtio_mmio_queue *mq = &front(1)->queue[0];

	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 0);
	ck_assert_uint_eq(mq->num, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ + 1);
	ck_assert_uint_eq(mq->num, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 6); /* any size is fine for modern split */
	ck_assert_uint_eq(mq->num, 6);
}
END_TEST

/* Rings outside RAM: QueueReady stays 0 and the device needs a reset. */
START_TEST(queue_ready_bad_rings)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}
END_TEST

/* INIT-V-01: nothing is consumed before DRIVER_OK. */
START_TEST(notify_before_driver_ok_ignored)
{
	bring_up(VIRTIO_BIT(TEST_F_A), false);
	post_echo(32);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(tdev->notified, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);
	ck_assert(!line_up());

	wr(VIRTIO_MMIO_STATUS,
	   rd(VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(tdev->notified, 1);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert_uint_eq(test_ring_used_len(&ring, 0), 32);
	ck_assert_mem_eq(gp(BUF + 0x1000), gp(BUF), 32);
	/* Notify for a queue that does not exist, or is not ready. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_uint_eq(tdev->notified, 1);
}
END_TEST

/*
 * A model that completes after its notify returns: when the driver stops
 * the queue, or resets the device, the core has it give back what it
 * holds, and none of it reaches the used ring or the interrupt line
 * (INIT-V-04). The queue then starts afresh.
 */
START_TEST(held_requests_given_back_when_the_queue_stops)
{
	bring_up(VIRTIO_BIT(TEST_F_A), true);
	tdev->hold = true;
	post_echo(32);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(tdev->nheld, 1);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(tdev->stopped, 1);
	ck_assert_uint_eq(tdev->nheld, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);
	ck_assert(!line_up());

	/* Started again on fresh rings: held, then finished, is used. */
	memset(gp(DESC), 0, 0x3000);
	queue_setup_v2(0, QSZ);
	post_echo(16);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(tdev->nheld, 1);
	test_finish_held(tdev);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert(line_up());

	/* A reset with a request held: given back, nothing used. */
	post_echo(8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(tdev->nheld, 1);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(tdev->stopped, 2);
	ck_assert_uint_eq(tdev->nheld, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert(!line_up());
}
END_TEST

/* MMIO-V-03: the bit stays until acked; ack lowers the line. */
START_TEST(interrupt_status_and_ack)
{
	bring_up(VIRTIO_BIT(TEST_F_A), true);
	post_echo(8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	ck_assert(line_up());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);

	virtio_dev_config_changed(&tdev->vdev);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	ck_assert(line_up());
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!line_up());
}
END_TEST

/* VQ-V-07 through the front-end: NO_INTERRUPT suppresses the line. */
START_TEST(no_interrupt_suppresses_line)
{
	bring_up(0, true);
	virtio_st_le16(gp(AVAIL), VIRTQ_AVAIL_F_NO_INTERRUPT);
	post_echo(8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!line_up());
}
END_TEST

/* INIT-V-03, MMIO-V-04: reset clears status, queues and interrupts. */
START_TEST(reset_clears_everything)
{
	bring_up(VIRTIO_BIT(TEST_F_A), true);
	post_echo(8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert(line_up());

	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!line_up());
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(tdev->vdev.guest_features, 0);
	ck_assert_uint_eq(front(1)->queue[0].desc_lo, 0);
	/* INIT-V-04: no queue is touched after the reset. */
	test_ring_avail_add(&ring, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
}
END_TEST

/* INIT-V-02: a guest violation sets NEEDS_RESET and a config interrupt. */
START_TEST(malformed_chain_needs_reset)
{
	bring_up(VIRTIO_BIT(TEST_F_A), true);
	test_desc_at(&m.mem, DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT,
		     0); /* loops to itself */
	test_ring_avail_add(&ring, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);

	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & 0x40, 64);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	ck_assert(line_up());
	ck_assert(tdev->vdev.broken);
	ck_assert_uint_eq(tdev->vdev.guest_errors, 1);
	ck_assert_ptr_nonnull(strstr(tdev->vdev.broken_reason, "loop"));
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);

	/* Broken: nothing more is processed until reset. */
	post_echo(8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(tdev->notified, 1);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);

	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert(!tdev->vdev.broken);
	bring_up(VIRTIO_BIT(TEST_F_A), true);
	post_echo(8);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
}
END_TEST

/* Config space --------------------------------------------------------- */

/* MMIO-D-03: 8, 16, 32-bit accesses; 64-bit fields as 2 x 32. */
START_TEST(config_access_widths)
{
	uint64_t c = win + VIRTIO_MMIO_CONFIG;

	ck_assert_uint_eq(bus_read(&m.bus, c, 4), 0x55667788u);
	ck_assert_uint_eq(bus_read(&m.bus, c + 4, 4), 0x11223344u);
	ck_assert_uint_eq(bus_read(&m.bus, c + 8, 4), 0xa1b2c3d4u);
	ck_assert_uint_eq(bus_read(&m.bus, c + 8, 2), 0xc3d4u);
	ck_assert_uint_eq(bus_read(&m.bus, c + 10, 2), 0xa1b2u);
	ck_assert_uint_eq(bus_read(&m.bus, c + 11, 1), 0xa1u);
	/* Out of range reads 0, writes drop. */
	ck_assert_uint_eq(bus_read(&m.bus, c + 12, 4), 0);
	ck_assert_uint_eq(bus_read(&m.bus, c + 0xfc, 4), 0);
	bus_write(&m.bus, c + 16, 0xffffffffu, 4);
	ck_assert_uint_eq(tdev->config_writes, 0);
	/* Writes land byte-exact and the model sees them. */
	bus_write(&m.bus, c + 9, 0xee, 1);
	ck_assert_uint_eq(bus_read(&m.bus, c + 8, 4), 0xa1b2eed4u);
	ck_assert_uint_eq(tdev->config_writes, 1);
}
END_TEST

/* MMIO-V-05: ConfigGeneration moves on a config change. */
START_TEST(config_generation)
{
	uint32_t g = rd(VIRTIO_MMIO_CONFIG_GENERATION);

	virtio_dev_config_changed(&tdev->vdev);
	ck_assert_uint_ne(rd(VIRTIO_MMIO_CONFIG_GENERATION), g);
	/* No interrupt before DRIVER_OK. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert(!line_up());
}
END_TEST

/* Legacy (v1) ----------------------------------------------------------- */

/* MMIO-V-02, MMIO-L-02..04, LEG-V-02: PFN and the contiguous layout. */
START_TEST(legacy_pfn_layout)
{
	uint64_t base = (uint64_t)LEGACY_PFN * 4096;
	uint64_t avail = base + 16 * 8;
	uint64_t used = base + virtq_legacy_used_offset(8, 4096);
	const struct test_ring legacy = {&m.mem, base, avail, used, 8};
	struct vq_dev *vq = &tdev->vdev.vq[0];

	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 1);
	ck_assert(tdev->vdev.legacy);
	/* 32 feature bits only; VERSION_1 is not visible. */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);

	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES,
	   (1u << TEST_F_A) | (1u << TEST_F_NOT) | (1u << VIRTIO_F_EVENT_IDX));
	/* No refusal step: unoffered bits are simply dropped. */
	ck_assert_uint_eq(tdev->vdev.guest_features,
			  VIRTIO_BIT(TEST_F_A) |
			      VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	wr(VIRTIO_MMIO_QUEUE_NUM, 6); /* legacy: power of 2 only */
	ck_assert_uint_eq(front(0)->queue[0].num, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, LEGACY_PFN);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), LEGACY_PFN);
	ck_assert(vq->ready);
	ck_assert_uint_eq(vq->size, 8);
	ck_assert_uint_eq(vq->desc_gpa, base);
	ck_assert_uint_eq(vq->avail_gpa, avail);
	ck_assert_uint_eq(vq->used_gpa, used);
	ck_assert_uint_eq(used, base + 4096);
	ck_assert(vq->event_idx);

	/* LEG-V-04: queues work before DRIVER_OK; no FEATURES_OK exists. */
	memset(gp(BUF), 0x33, 16);
	test_desc_at(&m.mem, base, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, base, 1, BUF + 0x1000, 16, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&legacy, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&legacy), 1);
	ck_assert_uint_eq(test_ring_used_len(&legacy, 0), 16);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert(!line_up());

	/* MMIO-L-03: PFN 0 stops the queue; reset zeroes every PFN. */
	wr(VIRTIO_MMIO_QUEUE_PFN, 0);
	ck_assert(!vq->ready);
	wr(VIRTIO_MMIO_QUEUE_PFN, LEGACY_PFN);
	ck_assert(vq->ready);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	ck_assert(!vq->ready);
}
END_TEST

START_TEST(legacy_pfn_outside_ram)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0x10);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}
END_TEST

#ifdef VIRTSIM_HAVE_BLK
/* virtio-blk on a file -------------------------------------------------- */

#define DISK_SIZE (1ull << 20)
#define HDR (MACHINE_RAM_BASE + 0x30000)
#define DATA (MACHINE_RAM_BASE + 0x40000)
#define STATUS (MACHINE_RAM_BASE + 0x31000)

static char disk_path[4096];
static struct virtio_dev *blk;

static void blk_add(bool readonly, int version)
{
	int slot;

	blk = test_blk_model(&m, disk_path, readonly, "serial-123");
	slot = virtio_mmio_attach(&m, blk, version);
	ck_assert_int_ge(slot, 0);
	win = machine_mmio_slot_base((unsigned)slot);
	line = MACHINE_MMIO_IRQ_BASE + (unsigned)slot;
}

static void blk_setup_common(bool readonly)
{
	setup();
	test_make_file(disk_path, sizeof(disk_path), "blkdev", DISK_SIZE, 1);
	blk_add(readonly, 2);
	bring_up(offered() & ~VIRTIO_BIT(VIRTIO_F_VERSION_1), true);
}

static void blk_setup(void)
{
	blk_setup_common(false);
}

static void blk_setup_ro(void)
{
	blk_setup_common(true);
}

static void blk_teardown(void)
{
	teardown();
	unlink(disk_path);
}

/*
 * One request: header, optional data (@dlen bytes at DATA, @dwrite for
 * device-writable), status. Returns the status byte; *used_len if asked.
 */
static int blk_req(uint32_t type, uint64_t sector, uint32_t dlen, bool dwrite,
		   uint32_t *used_len)
{
	uint8_t *h = gp(HDR);
	uint16_t before = test_ring_used_idx(&ring);
	unsigned n = 0;

	virtio_st_le32(h, type);
	virtio_st_le32(h + 4, 0);
	virtio_st_le64(h + 8, sector);
	*(uint8_t *)gp(STATUS) = 0xff;
	test_desc_at(&m.mem, DESC, n, HDR, 16, VIRTQ_DESC_F_NEXT,
		     (uint16_t)(n + 1));
	n++;
	if (dlen) {
		test_desc_at(&m.mem, DESC, n, DATA, dlen,
			     VIRTQ_DESC_F_NEXT |
				 (dwrite ? VIRTQ_DESC_F_WRITE : 0),
			     (uint16_t)(n + 1));
		n++;
	}
	test_desc_at(&m.mem, DESC, n, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), (uint16_t)(before + 1));
	ck_assert_uint_eq(test_ring_used_id(&ring, before), 0);
	if (used_len)
		*used_len = test_ring_used_len(&ring, before);
	return *(uint8_t *)gp(STATUS);
}

static uint32_t cfg32(unsigned off)
{
	return bus_read(&m.bus, win + VIRTIO_MMIO_CONFIG + off, 4);
}

START_TEST(blk_identity_and_config)
{
	uint64_t f = offered();

	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)); /* BLK-V-01 */
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX));
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX));
	ck_assert(f & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	ck_assert(f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	ck_assert(!(f & VIRTIO_BIT(VIRTIO_BLK_F_RO)));
	ck_assert_uint_eq(cfg32(0), DISK_SIZE / 512);
	ck_assert_uint_eq(cfg32(4), 0);
	ck_assert_uint_eq(cfg32(8), BLK_MODEL_SIZE_MAX);
	ck_assert_uint_eq(cfg32(12), BLK_MODEL_SEG_MAX);
	ck_assert_uint_eq(cfg32(20), 512);
	ck_assert_uint_eq(cfg32(32), 0); /* BLK-V-03: writeback, unused0 */
	/* The driver cannot change capacity. */
	bus_write(&m.bus, win + VIRTIO_MMIO_CONFIG, 5, 4);
	ck_assert_uint_eq(cfg32(0), DISK_SIZE / 512);
}
END_TEST

START_TEST(blk_read)
{
	uint32_t len;
	uint8_t *d = gp(DATA);

	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 3, 1024, true, &len),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 1025);
	test_expect_pattern(d, 1024, 3 * 512);
	ck_assert_uint_eq(blk_model_stats(blk)->reads, 1);
	ck_assert_uint_eq(blk_model_stats(blk)->bytes_read, 1024);
	/* The queue interrupt was raised (EVENT_IDX, used_event 0). */
	ck_assert(line_up());
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
}
END_TEST

START_TEST(blk_write)
{
	uint8_t back[512];
	uint32_t len;

	memset(gp(DATA), 0xc5, 512);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, 5, 512, false, &len),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 1);
	test_file_read(disk_path, back, 512, 5 * 512);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(back[i], 0xc5);
	ck_assert_uint_eq(blk_model_stats(blk)->writes, 1);
	/* Read it back through the device. */
	memset(gp(DATA), 0, 512);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 5, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(gp(DATA), back, 512);
}
END_TEST

START_TEST(blk_flush)
{
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	/* LEG-D-09: the legacy FLUSH_OUT alias. */
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_FLUSH_OUT, 0, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_model_stats(blk)->flushes, 2);
}
END_TEST

/* BLK-N-01: up to 20 bytes, NUL-padded, cut to the buffer. */
START_TEST(blk_get_id)
{
	char want[20] = "serial-123";
	uint32_t len;

	memset(gp(DATA), 0xff, 20);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_GET_ID, 0, 20, true, &len),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 21);
	ck_assert_mem_eq(gp(DATA), want, 20);
	memset(gp(DATA), 0xff, 20);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_GET_ID, 0, 4, true, &len),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(gp(DATA), "seri", 4);
	ck_assert_uint_eq(((uint8_t *)gp(DATA))[4], 0xff);
}
END_TEST

START_TEST(blk_unsupported)
{
	ck_assert_int_eq(blk_req(99, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
	/* BLK-V-11: zone requests without ZONED. */
	ck_assert_int_eq(blk_req(16, 0, 512, true, NULL), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(blk_model_stats(blk)->unsupported, 2);
}
END_TEST

START_TEST(blk_past_end)
{
	uint64_t cap = DISK_SIZE / 512;

	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, cap - 1, 1024, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, cap, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* sector * 512 would overflow 64 bits. */
	ck_assert_int_eq(
	    blk_req(VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, true, NULL),
	    VIRTIO_BLK_S_IOERR);
	/* Not a whole number of sectors. */
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 0, 100, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* The last sector itself is fine. */
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, cap - 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_model_stats(blk)->errors, 4);
}
END_TEST

/* A blk model with @o on a fresh DISK_SIZE image, on MMIO v2. */
static void blk_setup_opts(const struct blk_model_options *o)
{
	int slot;

	setup();
	test_make_file(disk_path, sizeof(disk_path), "blkopt", DISK_SIZE, 1);
	blk = test_blk_model_opts(&m, disk_path, false, o);
	slot = virtio_mmio_attach(&m, blk, 2);
	ck_assert_int_ge(slot, 0);
	win = machine_mmio_slot_base((unsigned)slot);
	line = MACHINE_MMIO_IRQ_BASE + (unsigned)slot;
}

/*
 * blk_size=4096: config blk_size says so (BLK_SIZE offered, INIT-D-05),
 * capacity stays in 512-byte sectors, aligned I/O is byte-exact, and a
 * request raw on the ring that is not aligned to 4096 bytes in sector
 * or length fails with IOERR, as QEMU's virtio_blk_sect_range_ok does,
 * and changes nothing on the image. BLK-D-05 lengths (multiples of 512)
 * are not enough on such a disk.
 */
START_TEST(blk_4k_blocks_refuse_misaligned)
{
	struct blk_model_options o = {.blk_size = 4096};
	static uint8_t back[8192];
	uint8_t *d;

	blk_setup_opts(&o);
	ck_assert(offered() & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE));
	bring_up(offered() & ~VIRTIO_BIT(VIRTIO_F_VERSION_1), true);
	d = gp(DATA);
	ck_assert_uint_eq(cfg32(20), 4096);
	ck_assert_uint_eq(cfg32(0), DISK_SIZE / 512);

	/* Aligned: sector 8 is block 1. */
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 8, 8192, true, NULL),
			 VIRTIO_BLK_S_OK);
	test_expect_pattern(d, 8192, 4096);
	memset(d, 0xa7, 4096);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, 16, 4096, false, NULL),
			 VIRTIO_BLK_S_OK);
	test_file_read(disk_path, back, 4096, 16 * 512);
	for (unsigned i = 0; i < 4096; i++)
		ck_assert_uint_eq(back[i], 0xa7);

	/* Misaligned sector, misaligned length, both directions. */
	memset(d, 0x3c, 8192);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, 1, 4096, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, 24, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, 28, 4096, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 4, 4096, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 8, 1024, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* Nothing of the refused writes reached the image. */
	test_file_read(disk_path, back, 8192, 0);
	test_expect_pattern(back, 8192, 0);
	test_file_read(disk_path, back, 8192, 24 * 512);
	test_expect_pattern(back, 8192, 24 * 512);
	ck_assert_uint_eq(blk_model_stats(blk)->writes, 1);
	ck_assert_uint_eq(blk_model_stats(blk)->reads, 1);
	ck_assert_uint_eq(blk_model_stats(blk)->errors, 5);
	blk_teardown();
}
END_TEST

/* The model takes only block sizes it can honour on its image. */
START_TEST(blk_bad_block_sizes_refused)
{
	const uint32_t bad[] = {256, 1000, 3072, 131072, 1u << 31};
	struct disk *d;
	char err[256];

	setup();
	test_make_file(disk_path, sizeof(disk_path), "blkbs", 6 * 4096, 0);
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct blk_model_options o = {.blk_size = bad[k]};

		d = disk_file_open(disk_path, false, err, sizeof(err));
		ck_assert_ptr_nonnull(d);
		ck_assert_ptr_null(blk_model_create(&m.env, d, &o));
	}
	/* 24 KiB is no multiple of 16 KiB, but of 8 KiB. */
	{
		struct blk_model_options o = {.blk_size = 16384};
		struct virtio_dev *dev;

		d = disk_file_open(disk_path, false, err, sizeof(err));
		ck_assert_ptr_null(blk_model_create(&m.env, d, &o));
		o.blk_size = 8192;
		d = disk_file_open(disk_path, false, err, sizeof(err));
		dev = blk_model_create(&m.env, d, &o);
		ck_assert_ptr_nonnull(dev);
		blk_model_destroy(dev);
	}
	blk_teardown();
}
END_TEST

/*
 * access_platform: ACCESS_PLATFORM (bit 33) is offered, and a driver
 * that does not accept it gets FEATURES_OK refused (FEAT-V-02; the
 * device MAY, §6.2, and QEMU's iommu_platform=on does); accepting it
 * works (FEAT-D-08). Without the option it is not offered.
 */
START_TEST(blk_access_platform_required)
{
	struct blk_model_options o = {.access_platform = true};
	uint64_t v1 = VIRTIO_BIT(VIRTIO_F_VERSION_1);
	uint64_t ap = VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);

	blk_setup_opts(&o);
	ck_assert(offered() & ap);
	try_features_ok(v1);
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK));
	try_features_ok(v1 | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK));
	try_features_ok(v1 | ap);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* And the device works for it. */
	bring_up(ap, true);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 3, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	blk_teardown();

	o.access_platform = false;
	blk_setup_opts(&o);
	ck_assert(!(offered() & ap));
	blk_teardown();
}
END_TEST

/* BLK-V-05: RO offered, writes fail with IOERR and write nothing. */
START_TEST(blk_readonly)
{
	uint8_t back[512];

	ck_assert(offered() & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	memset(gp(DATA), 0xc5, 512);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_OUT, 1, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	test_file_read(disk_path, back, 512, 512);
	test_expect_pattern(back, 512, 512);
	ck_assert_int_eq(blk_req(VIRTIO_BLK_T_IN, 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
}
END_TEST

/* The header may be split over descriptors (any layout), data too. */
START_TEST(blk_split_header)
{
	uint8_t *h = gp(HDR);
	uint8_t *d = gp(DATA);

	virtio_st_le32(h, VIRTIO_BLK_T_IN);
	virtio_st_le32(h + 4, 0);
	virtio_st_le64(h + 8, 2);
	test_desc_at(&m.mem, DESC, 0, HDR, 5, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, DESC, 1, HDR + 5, 11, VIRTQ_DESC_F_NEXT, 2);
	test_desc_at(&m.mem, DESC, 2, DATA, 300,
		     VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	/* Last data bytes and the status share one buffer. */
	test_desc_at(&m.mem, DESC, 3, DATA + 300, 213, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert_uint_eq(test_ring_used_len(&ring, 0), 513);
	ck_assert_uint_eq(d[512], VIRTIO_BLK_S_OK);
	test_expect_pattern(d, 512, 2 * 512);
}
END_TEST

/* Missing header or status: a device error, not a status (NEEDS_RESET). */
START_TEST(blk_malformed_requests)
{
	test_desc_at(&m.mem, DESC, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, DESC, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);

	bring_up(offered() & ~VIRTIO_BIT(VIRTIO_F_VERSION_1), true);
	test_desc_at(&m.mem, DESC, 0, HDR, 16, 0, 0); /* no status byte */
	test_ring_avail_add(&ring, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_ptr_nonnull(strstr(blk->broken_reason, "status"));
}
END_TEST

/* Indirect chain on the blk queue. */
START_TEST(blk_indirect)
{
	uint64_t it = MACHINE_RAM_BASE + 0x50000;
	uint8_t *h = gp(HDR);
	uint8_t *d = gp(DATA);

	virtio_st_le32(h, VIRTIO_BLK_T_IN);
	virtio_st_le32(h + 4, 0);
	virtio_st_le64(h + 8, 7);
	test_desc_at(&m.mem, it, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, it, 1, DATA, 512,
		     VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	test_desc_at(&m.mem, it, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	test_desc_at(&m.mem, DESC, 4, it, 48, VIRTQ_DESC_F_INDIRECT, 0);
	test_ring_avail_add(&ring, 4);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert_uint_eq(test_ring_used_id(&ring, 0), 4);
	ck_assert_uint_eq(*(uint8_t *)gp(STATUS), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(d[0], test_pattern_byte(7 * 512));
}
END_TEST

/* The blk model through the legacy interface. */
START_TEST(blk_legacy)
{
	uint64_t base = (uint64_t)LEGACY_PFN * 4096;
	uint64_t avail = base + 16 * 8;
	uint64_t used = base + virtq_legacy_used_offset(8, 4096);
	const struct test_ring legacy = {&m.mem, base, avail, used, 8};
	uint8_t *h;

	setup();
	h = gp(HDR);
	test_make_file(disk_path, sizeof(disk_path), "blkleg", DISK_SIZE, 1);
	blk_add(false, 1);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, rd(VIRTIO_MMIO_DEVICE_FEATURES));
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_PFN, LEGACY_PFN);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				   VIRTIO_CONFIG_S_DRIVER |
				   VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK,
			  VIRTIO_CONFIG_S_DRIVER_OK);

	virtio_st_le32(h, VIRTIO_BLK_T_IN);
	virtio_st_le32(h + 4, 0);
	virtio_st_le64(h + 8, 1);
	test_desc_at(&m.mem, base, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, base, 1, DATA, 512,
		     VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	test_desc_at(&m.mem, base, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&legacy, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(test_ring_used_idx(&legacy), 1);
	ck_assert_uint_eq(test_ring_used_len(&legacy, 0), 513);
	ck_assert_uint_eq(*(uint8_t *)gp(STATUS), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(((uint8_t *)gp(DATA))[5], test_pattern_byte(512 + 5));
	blk_teardown();
}
END_TEST

/* disk_file_open ------------------------------------------------------- */

START_TEST(disk_open_errors)
{
	char path[4096], err[512];
	struct disk *d;

	d = disk_file_open("/nonexistent/disk.img", false, err, sizeof(err));
	ck_assert_ptr_null(d);
	ck_assert_str_eq(err,
			 "/nonexistent/disk.img: No such file or directory");

	test_make_file(path, sizeof(path), "odd", 1000, 0);
	ck_assert_ptr_null(disk_file_open(path, false, err, sizeof(err)));
	ck_assert_ptr_nonnull(
	    strstr(err, "size 1000 is not a multiple of 512 bytes"));
	unlink(path);

	test_make_file(path, sizeof(path), "empty", 0, 0);
	ck_assert_ptr_null(disk_file_open(path, true, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, ": empty image"));
	unlink(path);

	ck_assert_ptr_null(disk_file_open("/", true, err, sizeof(err)));
	ck_assert_str_eq(err, "/: not a regular file or block device");
}
END_TEST

static int disk_io_result;

static void disk_io_done(struct disk_req *req, int err)
{
	disk_io_result = err;
}

/* One request on @d; the file backend is done before submit returns. */
static int disk_io(struct disk *d, enum disk_op op, uint64_t off, void *buf,
		   size_t len)
{
	struct iovec v = {buf, len};
	struct disk_req r = {op, off, &v, 1, len, disk_io_done};

	disk_io_result = 1;
	d->ops->submit(d, &r);
	ck_assert_int_ne(disk_io_result, 1);
	return disk_io_result;
}

START_TEST(disk_read_write_bounds)
{
	char path[4096], err[512];
	uint8_t buf[1024];
	struct disk *d;

	test_make_file(path, sizeof(path), "rw", 4096, 1);
	d = disk_file_open(path, false, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_uint_eq(d->size, 4096);
	ck_assert(!d->readonly);
	ck_assert_int_eq(disk_io(d, DISK_READ, 4096 - 512, buf, 512), 0);
	ck_assert_uint_eq(buf[0], test_pattern_byte(4096 - 512));
	ck_assert_int_eq(disk_io(d, DISK_READ, 4096 - 512, buf, 1024), -EINVAL);
	ck_assert_int_eq(disk_io(d, DISK_READ, UINT64_MAX - 10, buf, 512),
			 -EINVAL);
	ck_assert_int_eq(disk_io(d, DISK_WRITE, 4096, buf, 1), -EINVAL);
	ck_assert_int_eq(disk_io(d, DISK_FLUSH, 0, NULL, 0), 0);
	disk_close(d);

	d = disk_file_open(path, true, err, sizeof(err));
	ck_assert_ptr_nonnull(d);
	ck_assert(d->readonly);
	ck_assert_int_eq(disk_io(d, DISK_WRITE, 0, buf, 512), -EROFS);
	disk_close(d);
	unlink(path);
}
END_TEST

/* 64-bit offsets: a sparse image above 4 GiB. */
START_TEST(disk_large_sparse)
{
	char path[4096], err[512];
	uint64_t size = 5ull << 30, off = (4ull << 30) + 4096;
	uint8_t w[512], r[512];
	struct disk *d;

	test_make_file(path, sizeof(path), "big", size, 0);
	d = disk_file_open(path, false, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_uint_eq(d->size, size);
	memset(w, 0x7e, sizeof(w));
	ck_assert_int_eq(disk_io(d, DISK_WRITE, off, w, sizeof(w)), 0);
	ck_assert_int_eq(disk_io(d, DISK_READ, off, r, sizeof(r)), 0);
	ck_assert_mem_eq(r, w, sizeof(w));
	ck_assert_int_eq(disk_io(d, DISK_READ, size - 512, r, 512), 0);
	ck_assert_uint_eq(r[0], 0);
	disk_close(d);
	unlink(path);
}
END_TEST
#endif /* VIRTSIM_HAVE_BLK */

static Suite *virtio_mmio_dev_suite(void)
{
	Suite *s = suite_create("virtio_mmio_dev");
	TCase *tc = tcase_create("modern");

	tcase_add_checked_fixture(tc, setup_v2, teardown);
	tcase_add_test(tc, header_registers);
	tcase_add_test(tc, empty_slot);
	tcase_add_test(tc, feature_windows);
	tcase_add_test(tc, features_ok_refused);
	tcase_add_test(tc, status_bits_sticky);
	tcase_add_test(tc, wrong_size_register_access);
	tcase_add_test(tc, queue_num_max);
	tcase_add_test(tc, queue_num_rejected);
	tcase_add_test(tc, queue_ready_bad_rings);
	tcase_add_test(tc, notify_before_driver_ok_ignored);
	tcase_add_test(tc, held_requests_given_back_when_the_queue_stops);
	tcase_add_test(tc, interrupt_status_and_ack);
	tcase_add_test(tc, no_interrupt_suppresses_line);
	tcase_add_test(tc, reset_clears_everything);
	tcase_add_test(tc, malformed_chain_needs_reset);
	tcase_add_test(tc, config_access_widths);
	tcase_add_test(tc, config_generation);
	suite_add_tcase(s, tc);

	tc = tcase_create("legacy");
	tcase_add_checked_fixture(tc, setup_v1, teardown);
	tcase_add_test(tc, legacy_pfn_layout);
	tcase_add_test(tc, legacy_pfn_outside_ram);
	suite_add_tcase(s, tc);

#ifdef VIRTSIM_HAVE_BLK
	tc = tcase_create("blk");
	tcase_add_checked_fixture(tc, blk_setup, blk_teardown);
	tcase_add_test(tc, blk_identity_and_config);
	tcase_add_test(tc, blk_read);
	tcase_add_test(tc, blk_write);
	tcase_add_test(tc, blk_flush);
	tcase_add_test(tc, blk_get_id);
	tcase_add_test(tc, blk_unsupported);
	tcase_add_test(tc, blk_past_end);
	tcase_add_test(tc, blk_split_header);
	tcase_add_test(tc, blk_malformed_requests);
	tcase_add_test(tc, blk_indirect);
	suite_add_tcase(s, tc);

	tc = tcase_create("blk_ro");
	tcase_add_checked_fixture(tc, blk_setup_ro, blk_teardown);
	tcase_add_test(tc, blk_readonly);
	suite_add_tcase(s, tc);

	tc = tcase_create("disk");
	tcase_add_test(tc, blk_legacy);
	tcase_add_test(tc, disk_open_errors);
	tcase_add_test(tc, disk_read_write_bounds);
	tcase_add_test(tc, disk_large_sparse);
	tcase_add_test(tc, blk_4k_blocks_refuse_misaligned);
	tcase_add_test(tc, blk_bad_block_sizes_refused);
	tcase_add_test(tc, blk_access_platform_required);
	suite_add_tcase(s, tc);
#endif
	return s;
}

VIRTSIM_TEST_MAIN(virtio_mmio_dev_suite)
