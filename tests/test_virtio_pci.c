/* SPDX-License-Identifier: MIT */
/*
 * The virtio-pci front-end on a machine, driven through bus_read and
 * bus_write on ECAM and BAR addresses: identity, the 64-bit BAR, the
 * capability list, common configuration, a real virtio-blk request, ISR
 * and INTx, config generation, the PCI_CFG window, and the quirks that
 * build broken functions for driver tests. Checklist IDs in comments.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/blk/blk_model.h"
#include "devices/blk/disk.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_pci.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/machine.h"
#include "tests/test_ring.h"
#include "tests/testutil.h"

#define DISK_SIZE (1ull << 20)
#define BAR_ADDR (MACHINE_PCI_MMIO_BASE + 0x100000)
#define CC(field) (BAR_ADDR + offsetof(struct virtio_pci_common_cfg, field))
#define ISR_ADDR (BAR_ADDR + VIRTIO_PCI_ISR_OFFSET)
#define DEVCFG_ADDR (BAR_ADDR + VIRTIO_PCI_DEVICE_OFFSET)
#define NOTIFY_ADDR (BAR_ADDR + VIRTIO_PCI_NOTIFY_OFFSET)
#define RING_GPA (MACHINE_RAM_BASE + 0x100000)
#define QSIZE 16

static struct machine m;
static char disk_path[PATH_MAX];
static struct virtio_dev *blk;
static int slot;

/* A tiny device for multi-function tests: id 4 (rng), one queue. */
struct tiny {
	struct virtio_dev vdev;
};

static void tiny_free(void *dev)
{
	virtio_dev_release(dev);
	free(dev); /* vdev is the first member */
}

static const struct virtio_dev_ops tiny_ops = {
    .device_id = VIRTIO_ID_RNG,
    .num_queues = 1,
    .queue_size_max = 64,
};

static struct virtio_dev *tiny_create(void)
{
	struct tiny *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	virtio_dev_init(&t->vdev, &tiny_ops, "tiny", &m.env, 0, NULL, 0);
	ck_assert_int_eq(machine_on_destroy(&m, tiny_free, t), 0);
	return &t->vdev;
}

static struct virtio_dev *make_blk(void)
{
	return test_blk_model(&m, disk_path, false, "pci-serial");
}

static void setup_machine(void)
{
	ck_assert_int_eq(machine_init(&m, NULL), 0);
	test_make_file(disk_path, sizeof(disk_path), "vpci", DISK_SIZE, 1);
}

static void setup(void)
{
	setup_machine();
	blk = make_blk();
	slot = virtio_pci_attach(&m, blk, NULL);
	ck_assert_int_eq(slot, 1); /* 00:00.0 is the host bridge */
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	unlink(disk_path);
}

static uint32_t cfg_rd(unsigned reg, unsigned size)
{
	return bus_read(&m.bus, machine_pci_config_addr(slot, 0, reg), size);
}

static void cfg_wr(unsigned reg, uint32_t val, unsigned size)
{
	bus_write(&m.bus, machine_pci_config_addr(slot, 0, reg), val, size);
}

static uint32_t rd(uint64_t a, unsigned size)
{
	return bus_read(&m.bus, a, size);
}

static void wr(uint64_t a, uint32_t val, unsigned size)
{
	bus_write(&m.bus, a, val, size);
}

/* What firmware does: BAR 4 at BAR_ADDR, memory decode and bus master. */
static void enable(uint16_t cmd)
{
	cfg_wr(PCI_BAR0 + 4 * VIRTIO_PCI_BAR, (uint32_t)BAR_ADDR, 4);
	cfg_wr(PCI_BAR0 + 4 * VIRTIO_PCI_BAR + 4, 0, 4);
	cfg_wr(PCI_COMMAND, cmd, 2);
}

struct found_cap {
	uint8_t off, cap_len, cfg_type, bar;
	uint32_t offset, length;
};

/*
 * Walk the capability list of @s.@fn like a careful driver: returns the
 * number of vendor caps found, or -1 on a loop (a pointer seen twice).
 */
static int walk_caps(unsigned s, unsigned fn, struct found_cap *caps,
		     unsigned max)
{
	uint8_t seen[256] = {0};
	unsigned off, n = 0;

	if (!(bus_read(&m.bus, machine_pci_config_addr(s, fn, PCI_STATUS), 2) &
	      PCI_STATUS_CAP_LIST))
		return 0;
	off = bus_read(&m.bus, machine_pci_config_addr(s, fn, 0x34), 1);
	while (off) {
		uint64_t a = machine_pci_config_addr(s, fn, off);

		if (seen[off]++)
			return -1;
		ck_assert_uint_ge(off, PCI_CAP_MIN_OFFSET);
		ck_assert_uint_eq(off % 4, 0);
		if (bus_read(&m.bus, a, 1) == PCI_CAP_ID_VNDR && n < max) {
			caps[n] = (struct found_cap){
			    .off = (uint8_t)off,
			    .cap_len = (uint8_t)bus_read(&m.bus, a + 2, 1),
			    .cfg_type = (uint8_t)bus_read(&m.bus, a + 3, 1),
			    .bar = (uint8_t)bus_read(&m.bus, a + 4, 1),
			    .offset = bus_read(&m.bus, a + 8, 4),
			    .length = bus_read(&m.bus, a + 12, 4),
			};
			n++;
		}
		off = bus_read(&m.bus, a + 1, 1);
	}
	return (int)n;
}

static const struct found_cap *cap_of(const struct found_cap *caps, int n,
				      uint8_t type)
{
	for (int i = 0; i < n; i++) {
		if (caps[i].cfg_type == type && caps[i].bar < PCI_NUM_BARS)
			return &caps[i];
	}
	return NULL;
}

static bool line_high(void)
{
	unsigned line = MACHINE_PCI_IRQ_BASE + (slot % 4); /* INTA swizzle */

	return m.irq.level & (1ull << line);
}

START_TEST(identity)
{
	/* PCI-V-01, PCI-V-02, PCI-V-03, PCI-N-01 */
	ck_assert_uint_eq(cfg_rd(PCI_VENDOR_ID, 2), VIRTIO_PCI_VENDOR_ID);
	ck_assert_uint_eq(cfg_rd(PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_BLOCK);
	ck_assert_uint_ge(cfg_rd(PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(cfg_rd(PCI_CLASS, 1), 0x01);
	ck_assert_uint_eq(cfg_rd(PCI_SUBCLASS, 1), 0x00);
	ck_assert_uint_eq(cfg_rd(PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	ck_assert_uint_eq(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_ge(cfg_rd(PCI_SUBSYSTEM_ID, 2), 0x40);
	ck_assert_uint_eq(cfg_rd(PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(cfg_rd(PCI_INTERRUPT_LINE, 1),
			  MACHINE_PCI_IRQ_BASE + (slot % 4));
	/* Read-only ids. */
	cfg_wr(PCI_VENDOR_ID, 0, 4);
	cfg_wr(PCI_SUBSYSTEM_VENDOR_ID, 0, 4);
	ck_assert_uint_eq(cfg_rd(PCI_VENDOR_ID, 4),
			  (0x1040u + VIRTIO_ID_BLOCK) << 16 | 0x1af4);
	ck_assert_uint_eq(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	/* The slot after is empty. */
	ck_assert_uint_eq(bus_read(&m.bus, machine_pci_config_addr(2, 0, 0), 4),
			  0xffffffffu);
}
END_TEST

START_TEST(bar64_sizing)
{
	unsigned lo = PCI_BAR0 + 4 * VIRTIO_PCI_BAR;

	ck_assert_uint_eq(cfg_rd(lo, 4),
			  PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	cfg_wr(lo, 0xffffffffu, 4);
	cfg_wr(lo + 4, 0xffffffffu, 4);
	ck_assert_uint_eq(cfg_rd(lo, 4), (uint32_t) ~(VIRTIO_PCI_BAR_SIZE - 1) |
					     PCI_BAR_MEM_TYPE_64 |
					     PCI_BAR_MEM_PREFETCH);
	ck_assert_uint_eq(cfg_rd(lo + 4, 4), 0xffffffffu);
	/* Every other BAR is unimplemented. */
	for (unsigned b = 0; b < VIRTIO_PCI_BAR; b++) {
		cfg_wr(PCI_BAR0 + 4 * b, 0xffffffffu, 4);
		ck_assert_uint_eq(cfg_rd(PCI_BAR0 + 4 * b, 4), 0);
	}
	/* A 64-bit address above 4 GiB is stored whole, but decodes only in
	 * the host's window. */
	cfg_wr(lo, 0x4000, 4);
	cfg_wr(lo + 4, 1, 4);
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ck_assert_uint_eq(cfg_rd(lo + 4, 4), 1);
	ck_assert_uint_eq(rd(0x100004000ull + 0x12, 2), 0xffff);
}
END_TEST

START_TEST(bar_decode_follows_command_and_moves)
{
	enable(0);
	ck_assert_uint_eq(rd(CC(num_queues), 2), 0xffff);
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ck_assert_uint_eq(rd(CC(num_queues), 2), 1);
	/* Move it: the old address goes dark. */
	cfg_wr(PCI_BAR0 + 4 * VIRTIO_PCI_BAR, (uint32_t)BAR_ADDR + 0x10000, 4);
	ck_assert_uint_eq(rd(CC(num_queues), 2), 0xffff);
	ck_assert_uint_eq(rd(CC(num_queues) + 0x10000, 2), 1);
	cfg_wr(PCI_COMMAND, 0, 2);
	ck_assert_uint_eq(rd(CC(num_queues) + 0x10000, 2), 0xffff);
}
END_TEST

START_TEST(capability_walk)
{
	struct found_cap caps[16];
	const struct found_cap *c;
	int n = walk_caps(slot, 0, caps, 16);

	ck_assert_int_eq(n, 5);
	/* PCI-V-07, PCI-V-06 */
	c = cap_of(caps, n, VIRTIO_PCI_CAP_COMMON_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->bar, VIRTIO_PCI_BAR);
	ck_assert_uint_eq(c->offset, VIRTIO_PCI_COMMON_OFFSET);
	ck_assert_uint_eq(c->offset % 4, 0);
	ck_assert_uint_eq(c->length, sizeof(struct virtio_pci_common_cfg));
	ck_assert_uint_eq(c->cap_len, 16); /* PCI-V-05 */
	/* PCI-V-18, PCI-V-19: multiplier 4, length covers every queue. */
	c = cap_of(caps, n, VIRTIO_PCI_CAP_NOTIFY_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->bar, VIRTIO_PCI_BAR);
	ck_assert_uint_eq(c->offset, VIRTIO_PCI_NOTIFY_OFFSET);
	ck_assert_uint_eq(c->cap_len, 20);
	ck_assert_uint_eq(cfg_rd(c->off + 16, 4), VIRTIO_PCI_NOTIFY_MULTIPLIER);
	ck_assert_uint_ge(c->length, 0 * 4 + 2);
	/* PCI-V-21 */
	c = cap_of(caps, n, VIRTIO_PCI_CAP_ISR_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->bar, VIRTIO_PCI_BAR);
	ck_assert_uint_eq(c->offset, VIRTIO_PCI_ISR_OFFSET);
	ck_assert_uint_ge(c->length, 1);
	/* PCI-V-26, PCI-V-27 */
	c = cap_of(caps, n, VIRTIO_PCI_CAP_DEVICE_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->bar, VIRTIO_PCI_BAR);
	ck_assert_uint_eq(c->offset, VIRTIO_PCI_DEVICE_OFFSET);
	ck_assert_uint_eq(c->offset % 4, 0);
	ck_assert_uint_eq(c->length, sizeof(struct virtio_blk_config));
	/* PCI-V-28 */
	c = cap_of(caps, n, VIRTIO_PCI_CAP_PCI_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->cap_len, 20);
	for (int i = 0; i < n; i++) {
		if (caps[i].cfg_type == VIRTIO_PCI_CAP_PCI_CFG)
			continue;
		ck_assert_uint_le((uint64_t)caps[i].offset + caps[i].length,
				  VIRTIO_PCI_BAR_SIZE);
	}
	/* PCI-D-09: caps are read-only apart from the PCI_CFG window. */
	c = cap_of(caps, n, VIRTIO_PCI_CAP_COMMON_CFG);
	cfg_wr(c->off + 8, 0x1234, 4);
	ck_assert_uint_eq(cfg_rd(c->off + 8, 4), 0);
}
END_TEST

START_TEST(feature_windows)
{
	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* PCI-V-08 */
	wr(CC(device_feature_select), 0, 4);
	ck_assert_uint_eq(rd(CC(device_feature), 4),
			  (uint32_t)blk->host_features);
	wr(CC(device_feature_select), 1, 4);
	ck_assert_uint_eq(rd(CC(device_feature), 4),
			  (uint32_t)(blk->host_features >> 32));
	ck_assert(rd(CC(device_feature), 4) & 1); /* VERSION_1 */
	wr(CC(device_feature_select), 2, 4);
	ck_assert_uint_eq(rd(CC(device_feature), 4), 0);
	wr(CC(device_feature_select), 0xffffffffu, 4);
	ck_assert_uint_eq(rd(CC(device_feature), 4), 0);
	ck_assert_uint_eq(rd(CC(device_feature_select), 4), 0xffffffffu);
	/* PCI-V-09: each window reads back what was written there. */
	wr(CC(driver_feature_select), 0, 4);
	wr(CC(driver_feature), 0x202, 4);
	wr(CC(driver_feature_select), 1, 4);
	wr(CC(driver_feature), 1, 4);
	ck_assert_uint_eq(rd(CC(driver_feature), 4), 1);
	wr(CC(driver_feature_select), 0, 4);
	ck_assert_uint_eq(rd(CC(driver_feature), 4), 0x202);
	/* PCI-D-10: device_feature and num_queues are read-only. */
	wr(CC(device_feature), 0, 4);
	wr(CC(num_queues), 9, 2);
	ck_assert_uint_eq(rd(CC(num_queues), 2), 1);
	/* No MSI-X: vectors read NO_VECTOR, even after a write (PCI-V-35). */
	wr(CC(config_msix_vector), 0, 2);
	ck_assert_uint_eq(rd(CC(config_msix_vector), 2), VIRTIO_MSI_NO_VECTOR);
	wr(CC(queue_msix_vector), 0, 2);
	ck_assert_uint_eq(rd(CC(queue_msix_vector), 2), VIRTIO_MSI_NO_VECTOR);
}
END_TEST

START_TEST(features_ok_refused_for_unoffered)
{
	uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr(CC(device_status), s, 1);
	wr(CC(driver_feature_select), 1, 4);
	wr(CC(driver_feature), 1 | 1u << 20, 4); /* VERSION_1 + bit 52 */
	wr(CC(device_status), s | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	ck_assert_uint_eq(rd(CC(device_status), 1), s); /* FEAT-V-02 */
	/* PCI-V-11: reset reads 0; then only offered bits: accepted. */
	wr(CC(device_status), 0, 1);
	ck_assert_uint_eq(rd(CC(device_status), 1), 0);
	wr(CC(device_status), s, 1);
	wr(CC(driver_feature_select), 1, 4);
	wr(CC(driver_feature), 1, 4);
	wr(CC(device_status), s | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	ck_assert_uint_eq(rd(CC(device_status), 1),
			  s | VIRTIO_CONFIG_S_FEATURES_OK);
}
END_TEST

/* The driver's init dance up to FEATURES_OK (VERSION_1 only). */
static void driver_features(void)
{
	uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	wr(CC(device_status), 0, 1);
	wr(CC(device_status), s, 1);
	wr(CC(driver_feature_select), 1, 4);
	wr(CC(driver_feature), 1, 4);
	wr(CC(device_status), s | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	ck_assert(rd(CC(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK);
}

/* Queue 0: the descriptor table, the available ring right after it. */
static const struct test_ring ring = {&m.mem, RING_GPA, RING_GPA + 16 * QSIZE,
				      RING_GPA + 0x1000, QSIZE};
#define HDR_GPA (RING_GPA + 0x2000)
#define DATA_GPA (RING_GPA + 0x3000)
#define STATUS_GPA (RING_GPA + 0x4000)

static void write_addr(uint64_t reg, uint64_t gpa)
{
	wr(reg, (uint32_t)gpa, 4);
	wr(reg + 4, (uint32_t)(gpa >> 32), 4);
}

/* PCI-N-02: select, size, addresses, enable; then DRIVER_OK. */
static void setup_queue(void)
{
	memset(guest_mem_span(&m.mem, RING_GPA, 0x5000), 0, 0x5000);
	wr(CC(queue_select), 0, 2);
	ck_assert_uint_eq(rd(CC(queue_size), 2), BLK_MODEL_QUEUE_SIZE);
	wr(CC(queue_size), QSIZE, 2);
	ck_assert_uint_eq(rd(CC(queue_notify_off), 2), 0);
	write_addr(CC(queue_desc), ring.desc);
	write_addr(CC(queue_driver), ring.avail);
	write_addr(CC(queue_device), ring.used);
	ck_assert_uint_eq(rd(CC(queue_desc), 4), (uint32_t)ring.desc);
	ck_assert_uint_eq(rd(CC(queue_desc) + 4, 4), 0);
	wr(CC(queue_enable), 1, 2);
	ck_assert_uint_eq(rd(CC(queue_enable), 2), 1);
	wr(CC(device_status),
	   rd(CC(device_status), 1) | VIRTIO_CONFIG_S_DRIVER_OK, 1);
	ck_assert(rd(CC(device_status), 1) & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Queue a one-sector read of @sector as chain 0..2 and make it available. */
static void post_read(uint64_t sector, uint16_t avail_idx)
{
	uint8_t *h = guest_mem_span(&m.mem, HDR_GPA, 16);

	virtio_st_le32(h, VIRTIO_BLK_T_IN);
	virtio_st_le32(h + 4, 0);
	virtio_st_le64(h + 8, sector);
	*(uint8_t *)guest_mem_span(&m.mem, STATUS_GPA, 1) = 0xee;
	test_desc_at(&m.mem, ring.desc, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&m.mem, ring.desc, 1, DATA_GPA, 512,
		     VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	test_desc_at(&m.mem, ring.desc, 2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE,
		     0);
	test_ring_avail_put(&ring, (uint16_t)(avail_idx - 1), 0);
	test_ring_set_avail_idx(&ring, avail_idx);
}

static void check_sector(uint64_t sector)
{
	const uint8_t *d = guest_mem_span(&m.mem, DATA_GPA, 512);

	test_expect_pattern(d, 512, sector * 512);
}

START_TEST(queue_setup_and_blk_read)
{
	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	driver_features();
	ck_assert_uint_eq(rd(CC(num_queues), 2), 1);
	/* PCI-V-15: a queue that is not there reads size 0. */
	wr(CC(queue_select), 1, 2);
	ck_assert_uint_eq(rd(CC(queue_size), 2), 0);
	ck_assert_uint_eq(rd(CC(queue_enable), 2), 0);
	/* PCI-V-16: zero, too large, and not a power of 2 are refused. */
	wr(CC(queue_select), 0, 2);
	wr(CC(queue_size), 0, 2);
	wr(CC(queue_size), 1024, 2);
	wr(CC(queue_size), 100, 2);
	ck_assert_uint_eq(rd(CC(queue_size), 2), BLK_MODEL_QUEUE_SIZE);
	ck_assert_uint_eq(rd(CC(queue_enable), 2), 0); /* PCI-V-12 */
	setup_queue();
	/* Live queue: its layout is frozen. */
	wr(CC(queue_size), 32, 2);
	ck_assert_uint_eq(rd(CC(queue_size), 2), QSIZE);
	wr(CC(queue_desc), 0, 4);
	ck_assert_uint_eq(rd(CC(queue_desc), 4), (uint32_t)ring.desc);
	/* PCI-D-15: writing 0 does not disable. */
	wr(CC(queue_enable), 0, 2);
	ck_assert_uint_eq(rd(CC(queue_enable), 2), 1);

	post_read(3, 1);
	ck_assert(!line_high());
	wr(NOTIFY_ADDR + 0 * VIRTIO_PCI_NOTIFY_MULTIPLIER, 0, 2); /* PCI-D-23 */
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert_uint_eq(test_ring_used_id(&ring, 0), 0);
	ck_assert_uint_eq(test_ring_used_len(&ring, 0), 513);
	ck_assert_uint_eq(*(uint8_t *)guest_mem_span(&m.mem, STATUS_GPA, 1),
			  VIRTIO_BLK_S_OK);
	check_sector(3);
	/* PCI-V-23, PCI-V-24, PCI-V-25: ISR bit 0, INTx and status bit; read clears. */
	ck_assert(line_high());
	ck_assert(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	ck_assert_uint_eq(rd(ISR_ADDR, 1), VIRTIO_PCI_ISR_QUEUE);
	ck_assert(!line_high());
	ck_assert(!(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
	ck_assert_uint_eq(rd(ISR_ADDR, 1), 0);
	ck_assert_uint_eq(blk_model_stats(blk)->reads, 1);
	/* A 32-bit notify works too; a second request completes. */
	post_read(7, 2);
	wr(NOTIFY_ADDR, 0, 4);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 2);
	check_sector(7);
}
END_TEST

START_TEST(notify_needs_bus_master)
{
	struct virtio_pci_dev *vp =
	    virtio_pci_from_function(pci_host_function(&m.pci, 0, slot, 0));

	ck_assert_ptr_nonnull(vp);
	enable(PCI_COMMAND_MEMORY);
	driver_features();
	setup_queue();
	post_read(1, 1);
	wr(NOTIFY_ADDR, 0, 2);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);
	ck_assert_uint_eq(vp->notifies_dropped, 1);
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	wr(NOTIFY_ADDR, 0, 2);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	check_sector(1);
}
END_TEST

/*
 * Bus Master gates the device's DMA whenever it happens, not only at
 * notify: a deferred completion due after the driver cleared it writes
 * neither the used ring nor the status byte, and raises nothing.
 */
START_TEST(bus_master_off_holds_deferred_completions)
{
	m.env.mode = SIM_MODE_DEFERRED;
	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	driver_features();
	setup_queue();
	post_read(1, 1);
	wr(NOTIFY_ADDR, 0, 2);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0); /* deferred: not yet */
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	while (evloop_step(&m.loop, 0) != EVLOOP_IDLE)
		;
	ck_assert_uint_eq(test_ring_used_idx(&ring), 0);
	ck_assert_uint_eq(*(uint8_t *)guest_mem_span(&m.mem, STATUS_GPA, 1),
			  0xee);
	ck_assert(!line_high());
	/* Back on, a notify finds the request where the driver left it. */
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	wr(NOTIFY_ADDR, 0, 2);
	while (evloop_step(&m.loop, 0) != EVLOOP_IDLE)
		;
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	check_sector(1);
}
END_TEST

START_TEST(intx_disable_masks_line)
{
	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	       PCI_COMMAND_INTX_DISABLE);
	driver_features();
	setup_queue();
	post_read(0, 1);
	wr(NOTIFY_ADDR, 0, 2);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	ck_assert(!line_high());
	ck_assert(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	ck_assert(line_high());
	ck_assert_uint_eq(rd(ISR_ADDR, 1), VIRTIO_PCI_ISR_QUEUE);
	ck_assert(!line_high());
}
END_TEST

START_TEST(config_generation_and_config_interrupt)
{
	uint32_t gen, lo, hi;

	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	driver_features();
	setup_queue();
	/* Device config through the BAR: capacity in two halves. */
	lo = rd(DEVCFG_ADDR, 4);
	hi = rd(DEVCFG_ADDR + 4, 4);
	ck_assert_uint_eq((uint64_t)hi << 32 | lo, DISK_SIZE / 512);
	ck_assert_uint_eq(rd(DEVCFG_ADDR, 1), (DISK_SIZE / 512) & 0xff);
	ck_assert_uint_eq(rd(DEVCFG_ADDR + 0x1000 - 4, 4), 0); /* past end */
	gen = rd(CC(config_generation), 1);
	/* PCI-V-10, PCI-V-22: the model changes its config. */
	virtio_dev_config_changed(blk);
	ck_assert_uint_ne(rd(CC(config_generation), 1), gen);
	ck_assert(line_high());
	ck_assert_uint_eq(rd(ISR_ADDR, 1), VIRTIO_PCI_ISR_CONFIG);
	ck_assert(!line_high());
	/* PCI-D-25: both causes in one interrupt. */
	virtio_dev_config_changed(blk);
	post_read(2, 1);
	wr(NOTIFY_ADDR, 0, 2);
	ck_assert_uint_eq(rd(ISR_ADDR, 4),
			  VIRTIO_PCI_ISR_CONFIG | VIRTIO_PCI_ISR_QUEUE);
}
END_TEST

START_TEST(reset_clears_queues_and_isr)
{
	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	driver_features();
	setup_queue();
	post_read(0, 1);
	wr(NOTIFY_ADDR, 0, 2);
	ck_assert(line_high());
	wr(CC(device_status), 0, 1);
	ck_assert_uint_eq(rd(CC(device_status), 1), 0); /* PCI-V-11 */
	ck_assert_uint_eq(rd(CC(queue_enable), 2), 0);	/* PCI-V-12 */
	ck_assert_uint_eq(rd(CC(queue_size), 2), BLK_MODEL_QUEUE_SIZE);
	ck_assert_uint_eq(rd(CC(queue_desc), 4), 0);
	ck_assert_uint_eq(rd(CC(queue_reset), 2), 0); /* PCI-V-13 */
	ck_assert(!line_high());
	ck_assert_uint_eq(rd(ISR_ADDR, 1), 0);
}
END_TEST

START_TEST(bad_guest_input_is_harmless)
{
	enable(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	driver_features();
	/* Rings outside RAM: the enable fails and the device needs reset. */
	wr(CC(queue_select), 0, 2);
	write_addr(CC(queue_desc), 0xfffffffffffff000ull);
	write_addr(CC(queue_driver), MACHINE_PCI_MMIO_BASE);
	write_addr(CC(queue_device), 0);
	wr(CC(queue_enable), 1, 2);
	ck_assert_uint_eq(rd(CC(queue_enable), 2), 0);
	ck_assert(rd(CC(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Widths that fit no field, notifies for missing queues. */
	wr(CC(device_status), 0xffffffffu, 4);
	wr(CC(queue_desc), 0xffff, 2);
	wr(NOTIFY_ADDR, 0, 1);
	wr(NOTIFY_ADDR + 40, 10, 2);
	wr(NOTIFY_ADDR + 0xffc, 0xffff, 2);
	wr(ISR_ADDR, 0xff, 1);
	wr(DEVCFG_ADDR + 0xff0, 0xffffffffu, 4);
	wr(CC(queue_select), 0xffff, 2);
	wr(CC(queue_size), 8, 2);
	wr(CC(queue_enable), 1, 2);
	ck_assert_uint_eq(rd(CC(queue_size), 2), 0);
	ck_assert_uint_eq(rd(BAR_ADDR + 0x40, 4), 0);
	ck_assert_uint_eq(rd(NOTIFY_ADDR, 2), 0);
	/* Misaligned BAR access: refused by the bus. */
	ck_assert_uint_eq(rd(CC(num_queues) + 1, 2), 0xffff);
	wr(CC(device_status), 0, 1);
	ck_assert_uint_eq(rd(CC(device_status), 1), 0);
}
END_TEST

/* Program the PCI_CFG window (§4.1.4.9) at config offset @co. */
static void cfg_window(unsigned co, uint8_t bar, uint32_t off, uint32_t len)
{
	cfg_wr(co + 4, bar, 1);
	cfg_wr(co + 8, off, 4);
	cfg_wr(co + 12, len, 4);
}

START_TEST(pci_cfg_capability_access)
{
	struct found_cap caps[16];
	int n = walk_caps(slot, 0, caps, 16);
	const struct found_cap *c = cap_of(caps, n, VIRTIO_PCI_CAP_PCI_CFG);
	unsigned co, data;

	ck_assert_ptr_nonnull(c);
	co = c->off;
	data = co + 16;
	/* Memory decode stays off: the window is the only way in. */
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	/* PCI-V-30: a read of pci_cfg_data reads the BAR. */
	cfg_window(co, VIRTIO_PCI_BAR,
		   offsetof(struct virtio_pci_common_cfg, num_queues), 2);
	ck_assert_uint_eq(cfg_rd(co + 4, 1), VIRTIO_PCI_BAR);
	ck_assert_uint_eq(cfg_rd(co + 12, 4), 2);
	ck_assert_uint_eq(cfg_rd(data, 4) & 0xffff, 1);
	cfg_window(co, VIRTIO_PCI_BAR, VIRTIO_PCI_DEVICE_OFFSET, 4);
	ck_assert_uint_eq(cfg_rd(data, 4), (uint32_t)(DISK_SIZE / 512));
	/* PCI-V-29: a write of pci_cfg_data writes the BAR. */
	cfg_window(co, VIRTIO_PCI_BAR,
		   offsetof(struct virtio_pci_common_cfg, device_status), 1);
	cfg_wr(data, VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
	ck_assert_uint_eq(blk->status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(cfg_rd(data, 1), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* ISR through the window is still read-to-clear. */
	virtio_dev_config_changed(blk); /* no DRIVER_OK: no interrupt */
	blk->irq.notify(blk->irq.opaque, 0, true);
	cfg_window(co, VIRTIO_PCI_BAR, VIRTIO_PCI_ISR_OFFSET, 1);
	ck_assert_uint_eq(cfg_rd(data, 1), VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(cfg_rd(data, 1), 0);
	/* Windows the device does not serve: data is left alone. */
	cfg_wr(data, 0xa5a5a5a5u, 4);
	cfg_window(co, 0, 0, 4);
	ck_assert_uint_eq(cfg_rd(data, 4), 0xa5a5a5a5u);
	cfg_window(co, VIRTIO_PCI_BAR, 2, 4); /* PCI-D-18: misaligned */
	ck_assert_uint_eq(cfg_rd(data, 4), 0xa5a5a5a5u);
	cfg_window(co, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, 4);
	ck_assert_uint_eq(cfg_rd(data, 4), 0xa5a5a5a5u);
	cfg_window(co, VIRTIO_PCI_BAR, 0, 3);
	ck_assert_uint_eq(cfg_rd(data, 4), 0xa5a5a5a5u);
	/* The other cap fields stay read-only. */
	cfg_wr(co, 0, 4);
	ck_assert_uint_eq(cfg_rd(co, 1), PCI_CAP_ID_VNDR);
	ck_assert_uint_eq(cfg_rd(co + 3, 1), VIRTIO_PCI_CAP_PCI_CFG);
}
END_TEST

START_TEST(multi_function_device)
{
	struct virtio_dev *t = tiny_create();

	ck_assert_int_eq(virtio_pci_attach_function(&m, slot, 1, t, NULL), 0);
	ck_assert_uint_eq(cfg_rd(PCI_HEADER_TYPE, 1),
			  PCI_HEADER_TYPE_MULTI_FUNCTION);
	ck_assert_uint_eq(
	    bus_read(&m.bus, machine_pci_config_addr(slot, 1, PCI_DEVICE_ID),
		     2),
	    0x1040 + VIRTIO_ID_RNG);
	ck_assert_uint_eq(
	    bus_read(&m.bus, machine_pci_config_addr(slot, 1, PCI_CLASS), 1),
	    0xff);
	ck_assert_uint_eq(
	    bus_read(&m.bus, machine_pci_config_addr(slot, 2, PCI_VENDOR_ID),
		     2),
	    0xffff);
	/* No device config: no DEVICE_CFG capability, the other four. */
	{
		struct found_cap caps[16];
		int n = walk_caps(slot, 1, caps, 16);

		ck_assert_int_eq(n, 4);
		ck_assert_ptr_null(cap_of(caps, n, VIRTIO_PCI_CAP_DEVICE_CFG));
	}
	/* Taken places and bad arguments. */
	t = tiny_create();
	ck_assert_int_eq(virtio_pci_attach_function(&m, slot, 1, t, NULL),
			 -EEXIST);
	ck_assert_int_eq(virtio_pci_attach_function(&m, 32, 0, t, NULL),
			 -EINVAL);
	ck_assert_int_eq(virtio_pci_attach(&m, NULL, NULL), -EINVAL);
	ck_assert_int_eq(virtio_pci_attach(&m, t, NULL), slot + 1);
}
END_TEST

/* One function per quirk, on top of the default blk at slot 1. */
/* A function of its own: a writable disk has its image alone. */
static struct virtio_dev *make_other_blk(void)
{
	char path[64];
	struct virtio_dev *dev;

	test_make_file(path, sizeof(path), "vpci-other", DISK_SIZE, 1);
	dev = test_blk_model(&m, path, false, "pci-other");
	unlink(path); /* the model has it open */
	return dev;
}

static int add_quirky(unsigned flags)
{
	struct virtio_pci_quirks q = {.flags = flags};
	int s = virtio_pci_attach(&m, make_other_blk(), &q);

	ck_assert_int_ge(s, 2);
	return s;
}

START_TEST(quirk_variants)
{
	struct found_cap caps[16];
	const struct found_cap *c;
	int s, n;

	s = add_quirky(VIRTIO_PCI_QUIRK_NO_DEVICE_CFG);
	n = walk_caps(s, 0, caps, 16);
	ck_assert_int_eq(n, 4);
	ck_assert_ptr_null(cap_of(caps, n, VIRTIO_PCI_CAP_DEVICE_CFG));

	s = add_quirky(VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG);
	n = walk_caps(s, 0, caps, 16);
	c = cap_of(caps, n, VIRTIO_PCI_CAP_DEVICE_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->length, 4);

	s = add_quirky(VIRTIO_PCI_QUIRK_CAP_OUTSIDE_BAR);
	n = walk_caps(s, 0, caps, 16);
	c = cap_of(caps, n, VIRTIO_PCI_CAP_DEVICE_CFG);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_gt((uint64_t)c->offset + c->length, VIRTIO_PCI_BAR_SIZE);

	s = add_quirky(VIRTIO_PCI_QUIRK_CAP_LOOP);
	ck_assert_int_eq(walk_caps(s, 0, caps, 16), -1);

	s = add_quirky(VIRTIO_PCI_QUIRK_NO_CAPS);
	ck_assert_int_eq(walk_caps(s, 0, caps, 16), 0);
	ck_assert_uint_eq(
	    bus_read(&m.bus, machine_pci_config_addr(s, 0, PCI_STATUS), 2) &
		PCI_STATUS_CAP_LIST,
	    0);

	s = add_quirky(VIRTIO_PCI_QUIRK_NO_COMMON_CFG |
		       VIRTIO_PCI_QUIRK_NO_PCI_CFG);
	n = walk_caps(s, 0, caps, 16);
	ck_assert_int_eq(n, 3);
	ck_assert_ptr_null(cap_of(caps, n, VIRTIO_PCI_CAP_COMMON_CFG));
	ck_assert_ptr_null(cap_of(caps, n, VIRTIO_PCI_CAP_PCI_CFG));

	/* PCI-D-05, PCI-D-06, PCI-D-07 material: reserved type, bar 7, long cap_len. */
	s = add_quirky(VIRTIO_PCI_QUIRK_ODD_CAPS);
	n = walk_caps(s, 0, caps, 16);
	ck_assert_int_eq(n, 7);
	ck_assert_uint_eq(caps[0].cfg_type, 0x63);
	ck_assert_uint_eq(caps[1].cfg_type, VIRTIO_PCI_CAP_COMMON_CFG);
	ck_assert_uint_eq(caps[1].bar, 7);
	c = cap_of(caps, n, VIRTIO_PCI_CAP_COMMON_CFG);
	ck_assert_uint_eq(c->bar, VIRTIO_PCI_BAR);
	ck_assert_uint_gt(c->cap_len, 16);
	ck_assert_uint_eq(c->length, sizeof(struct virtio_pci_common_cfg));
}
END_TEST

START_TEST(quirky_function_still_works)
{
	/* A short DEVICE_CFG cap does not shrink what the BAR serves. */
	struct virtio_pci_quirks q = {VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG};
	struct virtio_dev *dev = make_other_blk();
	int s = virtio_pci_attach(&m, dev, &q);
	uint64_t bar = MACHINE_PCI_MMIO_BASE + 0x200000;
	uint64_t a = machine_pci_config_addr(s, 0, PCI_BAR0 + 16);

	bus_write(&m.bus, a, (uint32_t)bar, 4);
	bus_write(&m.bus, a + 4, 0, 4);
	bus_write(&m.bus, machine_pci_config_addr(s, 0, PCI_COMMAND),
		  PCI_COMMAND_MEMORY, 2);
	ck_assert_uint_eq(
	    bus_read(&m.bus,
		     bar + VIRTIO_PCI_DEVICE_OFFSET +
			 offsetof(struct virtio_blk_config, blk_size),
		     4),
	    512); /* blk_size */
}
END_TEST

static Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *tc = tcase_create("front-end");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity);
	tcase_add_test(tc, bar64_sizing);
	tcase_add_test(tc, bar_decode_follows_command_and_moves);
	tcase_add_test(tc, capability_walk);
	tcase_add_test(tc, feature_windows);
	tcase_add_test(tc, features_ok_refused_for_unoffered);
	tcase_add_test(tc, queue_setup_and_blk_read);
	tcase_add_test(tc, notify_needs_bus_master);
	tcase_add_test(tc, bus_master_off_holds_deferred_completions);
	tcase_add_test(tc, intx_disable_masks_line);
	tcase_add_test(tc, config_generation_and_config_interrupt);
	tcase_add_test(tc, reset_clears_queues_and_isr);
	tcase_add_test(tc, bad_guest_input_is_harmless);
	tcase_add_test(tc, pci_cfg_capability_access);
	tcase_add_test(tc, multi_function_device);
	tcase_add_test(tc, quirk_variants);
	tcase_add_test(tc, quirky_function_still_works);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(virtio_pci_suite)
