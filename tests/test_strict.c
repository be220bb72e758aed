/* SPDX-License-Identifier: MIT */
/*
 * --strict (sim/strict.h): for every rule the checker claims, a driver
 * sequence that breaks it, driven through raw MMIO and PCI registers and
 * rings built by hand, reports exactly that rule; the same sequence done
 * right reports nothing. The real blk, net and GPU drivers run their
 * self tests clean under strict, and strict off reports nothing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/wire/pci_regs.h"
#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_pci.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/machine.h"
#include "tests/test_ring.h"
#include "tests/testutil.h"
#include "tools/vm/vm.h"

#ifdef VIRTSIM_HAVE_BLK
#include "tools/vm/blk_class.h"
#endif
#ifdef VIRTSIM_HAVE_NET
#include "tools/vm/net_class.h"
#endif
#ifdef VIRTSIM_HAVE_GPU
#include "drivers/wire/virtio_gpu.h"
#include "tools/vm/gpu_class.h"
#endif

#define RAM_SIZE (64ull << 20)
#define QSZ 16
#define DESC (MACHINE_RAM_BASE + 0x10000)
#define AVAIL (MACHINE_RAM_BASE + 0x11000)
#define USED (MACHINE_RAM_BASE + 0x12000)
#define TABLE (MACHINE_RAM_BASE + 0x13000) /* an indirect table */
#define BUF (MACHINE_RAM_BASE + 0x20000)
#define BAR_ADDR (MACHINE_PCI_MMIO_BASE + 0x100000)
#define CC(field) (BAR_ADDR + offsetof(struct virtio_pci_common_cfg, field))
#define NOTIFY_ADDR (BAR_ADDR + VIRTIO_PCI_NOTIFY_OFFSET)

/* What the strict hook saw. */
static struct {
	unsigned n;
	enum strict_rule rule[8];
} seen;

static void on_violation(void *opaque, enum strict_rule rule,
			 const char *device, const char *what)
{
	(void)opaque;
	ck_assert_ptr_nonnull(device);
	ck_assert_ptr_nonnull(what);
	if (seen.n < 8)
		seen.rule[seen.n] = rule;
	seen.n++;
}

/* Nothing reported so far: the sequence up to here was correct. */
static void expect_clean(void)
{
	ck_assert_msg(seen.n == 0, "%u violations, the first %s", seen.n,
		      strict_rule_id(seen.rule[0]));
}

/* Exactly one violation, of @r; then start counting again. */
static void expect_only(enum strict_rule r)
{
	ck_assert_msg(seen.n == 1, "%u violations, want one %s (first: %s)",
		      seen.n, strict_rule_id(r),
		      seen.n ? strict_rule_id(seen.rule[0]) : "none");
	ck_assert_str_eq(strict_rule_id(seen.rule[0]), strict_rule_id(r));
	seen.n = 0;
}

/* A tiny device: one echo-less queue model that completes what it pops,
 * or holds it (a slow backend) when asked. */
#define TEST_F_A 0 /* offered */
#define TEST_F_NOT 5

static struct machine m;
static struct virtio_dev *tdev;
static uint64_t win;
static unsigned pci_slot;
static bool hold;
static struct virtio_req *held[QSZ];
static unsigned nheld;
static uint8_t tconfig[8];

static void t_notify(struct virtio_dev *dev, unsigned q)
{
	struct virtio_req *r;

	while (virtio_dev_pop_req(dev, q, &r) > 0) {
		if (hold)
			held[nheld++] = r;
		else
			virtio_dev_complete(r, 0);
	}
}

static void t_stop(struct virtio_dev *dev, unsigned q)
{
	(void)dev;
	(void)q;
	while (nheld)
		virtio_dev_complete(held[--nheld], 0);
}

static const struct virtio_dev_ops t_ops = {
    .device_id = 42,
    .num_queues = 2,
    .queue_size_max = QSZ,
    .queue_notify = t_notify,
    .queue_stop = t_stop,
};

static void t_free(void *dev)
{
	virtio_dev_release(dev);
	free(dev);
}

static void new_machine(bool strict)
{
	struct machine_options o = {.mem_size = RAM_SIZE,
				    .strict = strict,
				    .strict_violation = on_violation};

	memset(&seen, 0, sizeof(seen));
	hold = false;
	nheld = 0;
	ck_assert_int_eq(machine_init(&m, &o), 0);
	tdev = calloc(1, sizeof(*tdev));
	ck_assert_ptr_nonnull(tdev);
	virtio_dev_init(tdev, &t_ops, "test-dev", &m.env,
			VIRTIO_BIT(TEST_F_A) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
			    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC),
			tconfig, sizeof(tconfig));
	ck_assert_int_eq(machine_on_destroy(&m, t_free, tdev), 0);
}

static void attach_mmio(int version)
{
	int slot = virtio_mmio_attach(&m, tdev, version);

	ck_assert_int_ge(slot, 0);
	win = machine_mmio_slot_base((unsigned)slot);
}

static void setup_v2(void)
{
	new_machine(true);
	attach_mmio(2);
}

static void setup_v1(void)
{
	new_machine(true);
	attach_mmio(1);
}

static void cfg_wr(unsigned reg, uint32_t val, unsigned size)
{
	bus_write(&m.bus, machine_pci_config_addr(pci_slot, 0, reg), val, size);
}

static uint32_t cfg_rd(unsigned reg, unsigned size)
{
	return bus_read(&m.bus, machine_pci_config_addr(pci_slot, 0, reg),
			size);
}

static void setup_pci(void)
{
	int slot;

	new_machine(true);
	slot = virtio_pci_attach(&m, tdev, NULL);
	ck_assert_int_gt(slot, 0);
	pci_slot = (unsigned)slot;
	/* What firmware does: BAR 4 at BAR_ADDR, memory and bus master. */
	cfg_wr(PCI_BAR0 + 4 * VIRTIO_PCI_BAR, (uint32_t)BAR_ADDR, 4);
	cfg_wr(PCI_BAR0 + 4 * VIRTIO_PCI_BAR + 4, 0, 4);
	cfg_wr(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

/* Raw MMIO driving ------------------------------------------------------ */

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

static void status(uint8_t s)
{
	wr(VIRTIO_MMIO_STATUS, s);
}

#define S_AD (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)
#define S_ADF (S_AD | VIRTIO_CONFIG_S_FEATURES_OK)
#define S_ADFO (S_ADF | VIRTIO_CONFIG_S_DRIVER_OK)

static void features(uint64_t f)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static void queue_at(uint64_t desc)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* §3.1.1 done right, with @f (VERSION_1 added) and queue 0 ready. */
static void bring_up(uint64_t f, bool driver_ok)
{
	status(0);
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	features(f | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	status(S_ADF);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	memset(gp(DESC), 0, 0x4000);
	queue_at(DESC);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	if (driver_ok)
		status(S_ADFO);
	expect_clean();
}

static const struct test_ring ring = {&m.mem, DESC, AVAIL, USED, QSZ};

/* A descriptor of queue 0's own table. */
static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	test_desc_at(&m.mem, DESC, i, addr, len, flags, next);
}

/* Make @head available and kick queue 0. */
static void post(uint16_t head)
{
	test_ring_avail_add(&ring, head);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/* One good chain, readable then writable: used, nothing reported. */
static void good_chain(void)
{
	uint16_t before = test_ring_used_idx(&ring);

	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF + 16, 16, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), (uint16_t)(before + 1));
	expect_clean();
}

/* Status ---------------------------------------------------------------- */

START_TEST(init_d_01_status_out_of_order)
{
	status(VIRTIO_CONFIG_S_DRIVER);
	expect_only(STRICT_INIT_D_01);
	status(0);
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	features(VIRTIO_BIT(VIRTIO_F_VERSION_1)); /* acceptable features */
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FEATURES_OK);
	expect_only(STRICT_INIT_D_01);
	status(0);
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER_OK);
	expect_only(STRICT_INIT_D_01);
	bring_up(0, true); /* the right order is clean */
}
END_TEST

START_TEST(init_d_02_status_bit_cleared)
{
	bring_up(0, true);
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER_OK |
	       VIRTIO_CONFIG_S_FEATURES_OK);
	expect_only(STRICT_INIT_D_02);
	status(S_ADFO); /* rewriting what is set clears nothing */
	status(S_ADFO | VIRTIO_CONFIG_S_FAILED);
	expect_clean();
}
END_TEST

START_TEST(init_d_07_driver_ok_before_features_ok)
{
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	features(VIRTIO_BIT(VIRTIO_F_VERSION_1));
	status(S_AD | VIRTIO_CONFIG_S_DRIVER_OK);
	expect_only(STRICT_INIT_D_07);
}
END_TEST

START_TEST(init_d_07_legacy_has_no_features_ok)
{
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	features(VIRTIO_BIT(TEST_F_A));
	status(S_AD | VIRTIO_CONFIG_S_DRIVER_OK); /* LEG-D-04 */
	expect_clean();
}
END_TEST

/* Config and features --------------------------------------------------- */

START_TEST(init_d_08_config_written_before_features_ok)
{
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	(void)bus_read(&m.bus, win + VIRTIO_MMIO_CONFIG, 4); /* reads: fine */
	expect_clean();
	bus_write(&m.bus, win + VIRTIO_MMIO_CONFIG, 1, 1);
	expect_only(STRICT_INIT_D_08);
	bring_up(0, true);
	bus_write(&m.bus, win + VIRTIO_MMIO_CONFIG, 1, 1);
	expect_clean();
}
END_TEST

START_TEST(init_d_09_features_after_features_ok)
{
	bring_up(0, true);
	features(VIRTIO_BIT(VIRTIO_F_VERSION_1)); /* the same bits again */
	expect_clean();
	features(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(TEST_F_A));
	expect_only(STRICT_INIT_D_09);
}
END_TEST

START_TEST(feat_d_01_unoffered_feature)
{
	ck_assert(!(rd(VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_BIT(TEST_F_NOT)));
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	features(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(TEST_F_NOT));
	status(S_ADF);
	expect_only(STRICT_FEAT_D_01);
	ck_assert(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK));
}
END_TEST

START_TEST(feat_d_01_unoffered_feature_legacy)
{
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_BIT(TEST_F_A));
	expect_clean();
	wr(VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_BIT(TEST_F_NOT));
	expect_only(STRICT_FEAT_D_01);
}
END_TEST

START_TEST(feat_d_07_version_1_not_accepted)
{
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	status(S_AD);
	features(VIRTIO_BIT(TEST_F_A));
	status(S_ADF);
	expect_only(STRICT_FEAT_D_07);
}
END_TEST

/* Notifications and queue set-up ---------------------------------------- */

START_TEST(init_d_11_notify_before_driver_ok)
{
	bring_up(0, false);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_only(STRICT_INIT_D_11);
	status(S_ADFO);
	good_chain();
}
END_TEST

START_TEST(init_d_12_head_available_twice)
{
	bring_up(0, true);
	hold = true;
	desc(0, BUF, 16, 0, 0);
	post(0);
	expect_clean();
	post(0); /* head 0 is still the device's */
	expect_only(STRICT_INIT_D_12);
}
END_TEST

START_TEST(vq_d_01_misaligned_ring)
{
	bring_up(0, false);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(DESC + 0x2008));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL + 0x800);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED + 0x800);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	expect_only(STRICT_VQ_D_01);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
}
END_TEST

/* Chains ---------------------------------------------------------------- */

START_TEST(vq_d_02_readable_after_writable)
{
	bring_up(0, true);
	good_chain();
	desc(2, BUF, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	desc(3, BUF + 16, 16, 0, 0);
	post(2);
	expect_only(STRICT_VQ_D_02);
}
END_TEST

START_TEST(vq_d_03_chain_over_4_gib)
{
	/* Buffers of almost all of RAM: 64 of them are 64 bytes short of
	 * 4 GiB, 65 are past it. */
	bring_up(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), true);
	for (unsigned i = 0; i < 65; i++)
		test_desc_at(&m.mem, TABLE, i, MACHINE_RAM_BASE,
			     (uint32_t)RAM_SIZE - 1, VIRTQ_DESC_F_NEXT,
			     (uint16_t)(i + 1));
	test_desc_at(&m.mem, TABLE, 63, MACHINE_RAM_BASE,
		     (uint32_t)RAM_SIZE - 1, 0, 0);
	desc(0, TABLE, 16 * 64, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_clean();
	test_desc_at(&m.mem, TABLE, 63, MACHINE_RAM_BASE,
		     (uint32_t)RAM_SIZE - 1, VIRTQ_DESC_F_NEXT, 64);
	test_desc_at(&m.mem, TABLE, 64, MACHINE_RAM_BASE,
		     (uint32_t)RAM_SIZE - 1, 0, 0);
	desc(1, TABLE, 16 * 65, VIRTQ_DESC_F_INDIRECT, 0);
	post(1);
	expect_only(STRICT_VQ_D_03);
}
END_TEST

START_TEST(vq_d_05_indirect_not_negotiated)
{
	bring_up(0, true);
	test_desc_at(&m.mem, TABLE, 0, BUF, 16, 0, 0);
	desc(0, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_only(STRICT_VQ_D_05);
}
END_TEST

START_TEST(vq_d_06_nested_indirect)
{
	bring_up(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), true);
	test_desc_at(&m.mem, TABLE, 0, BUF, 16, 0, 0);
	desc(0, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0); /* one level: fine */
	expect_clean();
	test_desc_at(&m.mem, TABLE, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(1, TABLE + 16, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(1);
	expect_only(STRICT_VQ_D_06);
}
END_TEST

START_TEST(vq_d_07_chain_loops)
{
	bring_up(0, true);
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	post(0);
	expect_only(STRICT_VQ_D_07);
}
END_TEST

START_TEST(vq_d_08_indirect_with_next)
{
	bring_up(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC), true);
	test_desc_at(&m.mem, TABLE, 0, BUF, 16, 0, 0);
	desc(0, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 16, 0, 0);
	post(0);
	expect_only(STRICT_VQ_D_08);
}
END_TEST

START_TEST(vq_d_10_avail_idx_moved_back)
{
	bring_up(0, true);
	good_chain();
	good_chain();
	test_ring_set_avail_idx(&ring, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_only(STRICT_VQ_D_10);
}
END_TEST

START_TEST(vq_d_11_avail_flags_without_event_idx)
{
	bring_up(0, true);
	virtio_st_le16(gp(AVAIL), VIRTQ_AVAIL_F_NO_INTERRUPT);
	good_chain(); /* 1 is the hint */
	virtio_st_le16(gp(AVAIL), 2);
	desc(0, BUF, 16, 0, 0);
	post(0);
	expect_only(STRICT_VQ_D_11);
}
END_TEST

START_TEST(vq_d_12_avail_flags_with_event_idx)
{
	bring_up(VIRTIO_BIT(VIRTIO_F_EVENT_IDX), true);
	good_chain();
	virtio_st_le16(gp(AVAIL), VIRTQ_AVAIL_F_NO_INTERRUPT);
	desc(0, BUF, 16, 0, 0);
	post(0);
	expect_only(STRICT_VQ_D_12);
}
END_TEST

/* MMIO registers -------------------------------------------------------- */

START_TEST(mmio_d_01_read_only_and_write_only)
{
	bring_up(0, true);
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	expect_only(STRICT_MMIO_D_01);
	wr(VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
	expect_only(STRICT_MMIO_D_01);
	(void)rd(VIRTIO_MMIO_QUEUE_NOTIFY);
	expect_only(STRICT_MMIO_D_01);
	(void)rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	(void)rd(VIRTIO_MMIO_CONFIG_GENERATION);
	expect_clean();
}
END_TEST

START_TEST(mmio_d_01_v2_register_on_v1)
{
	wr(VIRTIO_MMIO_QUEUE_READY, 1); /* not in the legacy table */
	expect_only(STRICT_MMIO_D_01);
}
END_TEST

START_TEST(mmio_d_02_narrow_access)
{
	(void)bus_read(&m.bus, win + VIRTIO_MMIO_STATUS, 1);
	expect_only(STRICT_MMIO_D_02);
	bus_write(&m.bus, win + VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE,
		  2);
	expect_only(STRICT_MMIO_D_02);
	(void)bus_read(&m.bus, win + VIRTIO_MMIO_CONFIG + 1, 1); /* config */
	expect_clean();
}
END_TEST

START_TEST(mmio_d_09_queue_num_above_max)
{
	status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	expect_clean();
	wr(VIRTIO_MMIO_QUEUE_NUM, 2 * QSZ);
	expect_only(STRICT_MMIO_D_09);
}
END_TEST

START_TEST(mmio_d_10_queue_registers_while_ready)
{
	bring_up(0, true);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ / 2);
	expect_only(STRICT_MMIO_D_10);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC + 0x1000);
	expect_only(STRICT_MMIO_D_10);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1); /* another queue is not ready */
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ / 2);
	expect_clean();
}
END_TEST

START_TEST(mmio_d_12_undefined_interrupt_ack_bits)
{
	bring_up(0, true);
	good_chain();
	wr(VIRTIO_MMIO_INTERRUPT_ACK, rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	expect_clean();
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 4);
	expect_only(STRICT_MMIO_D_12);
}
END_TEST

/* PCI registers --------------------------------------------------------- */

static void pci_wr(uint64_t a, uint32_t val, unsigned size)
{
	bus_write(&m.bus, a, val, size);
}

/* The PCI_CFG capability's config offset, found as a driver would. */
static unsigned pci_cfg_cap(void)
{
	unsigned off = cfg_rd(PCI_CAPABILITY_LIST, 1);

	for (unsigned n = 0; off && n < 48; n++) {
		if (cfg_rd(off, 1) == PCI_CAP_ID_VNDR &&
		    cfg_rd(off + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			return off;
		off = cfg_rd(off + 1, 1);
	}
	ck_abort_msg("no PCI_CFG capability");
	return 0;
}

/* Program the PCI_CFG window and read pci_cfg_data through it. */
static void pci_cfg_access(uint8_t bar, uint32_t offset, uint32_t length)
{
	unsigned co = pci_cfg_cap();

	cfg_wr(co + offsetof(struct virtio_pci_cap, bar), bar, 1);
	cfg_wr(co + offsetof(struct virtio_pci_cap, offset), offset, 4);
	cfg_wr(co + offsetof(struct virtio_pci_cap, length), length, 4);
	(void)cfg_rd(co + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), 4);
}

START_TEST(pci_d_04_field_width)
{
	pci_wr(CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
	pci_wr(CC(driver_feature_select), 0, 4);
	expect_clean();
	pci_wr(CC(driver_feature), 0, 2);
	expect_only(STRICT_PCI_D_04);
	pci_wr(CC(queue_desc), 0, 2);
	expect_only(STRICT_PCI_D_04);
	pci_wr(CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE, 2);
	expect_only(STRICT_PCI_D_04);
}
END_TEST

START_TEST(pci_d_10_read_only_fields)
{
	pci_wr(CC(num_queues), 1, 2);
	expect_only(STRICT_PCI_D_10);
	pci_wr(CC(device_feature), 0, 4);
	expect_only(STRICT_PCI_D_10);
	pci_wr(CC(queue_notify_off), 0, 2);
	expect_only(STRICT_PCI_D_10);
	pci_wr(CC(config_generation), 0, 1);
	expect_only(STRICT_PCI_D_10);
	pci_wr(CC(queue_notif_config_data), 0, 2);
	expect_only(STRICT_PCI_D_10);
}
END_TEST

START_TEST(pci_d_12_queue_size_not_power_of_2)
{
	pci_wr(CC(queue_select), 0, 2);
	pci_wr(CC(queue_size), QSZ / 2, 2);
	expect_clean();
	pci_wr(CC(queue_size), 3, 2);
	expect_only(STRICT_PCI_D_12);
	pci_wr(CC(queue_size), 0, 2);
	expect_only(STRICT_PCI_D_12);
}
END_TEST

/* The §3.1 dance through common config, queue 0 at DESC, DRIVER_OK. */
static void pci_bring_up(void)
{
	pci_wr(CC(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
	pci_wr(CC(device_status), S_AD, 1);
	pci_wr(CC(driver_feature_select), 1, 4);
	pci_wr(CC(driver_feature), VIRTIO_BIT(VIRTIO_F_VERSION_1) >> 32, 4);
	pci_wr(CC(device_status), S_ADF, 1);
	pci_wr(CC(queue_select), 0, 2);
	pci_wr(CC(queue_size), QSZ, 2);
	pci_wr(CC(queue_desc), (uint32_t)DESC, 4);
	pci_wr(CC(queue_desc) + 4, 0, 4);
	pci_wr(CC(queue_driver), (uint32_t)AVAIL, 4);
	pci_wr(CC(queue_driver) + 4, 0, 4);
	pci_wr(CC(queue_device), (uint32_t)USED, 4);
	pci_wr(CC(queue_device) + 4, 0, 4);
	pci_wr(CC(queue_enable), 1, 2);
	pci_wr(CC(device_status), S_ADFO, 1);
	ck_assert_uint_eq(bus_read(&m.bus, CC(device_status), 1), S_ADFO);
	ck_assert_uint_eq(bus_read(&m.bus, CC(queue_enable), 2), 1);
	expect_clean();
}

START_TEST(pci_d_15_queue_enable_0)
{
	pci_bring_up();
	pci_wr(CC(queue_enable), 0, 2);
	expect_only(STRICT_PCI_D_15);
}
END_TEST

START_TEST(pci_d_18_pci_cfg_length)
{
	pci_cfg_access(VIRTIO_PCI_BAR, VIRTIO_PCI_DEVICE_OFFSET, 4);
	expect_clean();
	pci_cfg_access(VIRTIO_PCI_BAR, VIRTIO_PCI_DEVICE_OFFSET, 3);
	expect_only(STRICT_PCI_D_18);
	pci_cfg_access(VIRTIO_PCI_BAR, VIRTIO_PCI_DEVICE_OFFSET + 1, 2);
	expect_only(STRICT_PCI_D_18);
}
END_TEST

START_TEST(pci_d_19_pci_cfg_outside_bar)
{
	pci_cfg_access(0, 0, 4);
	expect_only(STRICT_PCI_D_19);
	pci_cfg_access(VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, 4);
	expect_only(STRICT_PCI_D_19);
}
END_TEST

START_TEST(pci_d_23_notify_width)
{
	pci_bring_up();
	desc(0, BUF, 16, 0, 0);
	test_ring_avail_put(&ring, 0, 0);
	test_ring_set_avail_idx(&ring, 1);
	pci_wr(NOTIFY_ADDR, 0, 2);
	ck_assert_uint_eq(test_ring_used_idx(&ring), 1);
	expect_clean();
	pci_wr(NOTIFY_ADDR, 0, 4);
	expect_only(STRICT_PCI_D_23);
}
END_TEST

START_TEST(pci_d_24_notify_value)
{
	pci_bring_up();
	pci_wr(NOTIFY_ADDR, 1, 2); /* queue 1's index at queue 0's address */
	expect_only(STRICT_PCI_D_24);
}
END_TEST

/* Strict off: the same broken writes report nothing, change nothing. */
START_TEST(strict_off_reports_nothing)
{
	teardown();
	new_machine(false);
	attach_mmio(2);
	ck_assert_ptr_null(m.env.strict);
	status(VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 4);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), VIRTIO_CONFIG_S_DRIVER);
	ck_assert_uint_eq(seen.n, 0);
	ck_assert_uint_eq(m.strict.violations, 0);
}
END_TEST

static void nothing(void *opaque)
{
	(void)opaque;
}

/* After a violation the HAL's wait idles: a waiting driver stops. */
START_TEST(violation_stops_the_wait)
{
	const struct hal *h = machine_hal(&m);
	struct ev_timer t;

	ev_timer_init(&t, nothing, NULL);
	bring_up(0, true);
	/* Something to wait for: the wait runs it. */
	ck_assert_int_eq(evloop_timer_arm(&m.loop, &t, 1000), 0);
	ck_assert_int_eq(h->ops->wait(h->ctx), 0);
	ck_assert_int_eq(evloop_timer_arm(&m.loop, &t, 2000), 0);
	status(S_ADF); /* DRIVER_OK cleared */
	expect_only(STRICT_INIT_D_02);
	ck_assert_uint_eq(m.strict.violations, 1);
	ck_assert_str_eq(strict_rule_id(m.strict.first), "INIT-D-02");
	ck_assert_int_eq(h->ops->wait(h->ctx), -HAL_EIDLE);
	evloop_timer_cancel(&m.loop, &t);
}
END_TEST

/* The real drivers, and the device models' own rules -------------------- */

#if defined(VIRTSIM_HAVE_BLK) || defined(VIRTSIM_HAVE_NET) ||                \
    defined(VIRTSIM_HAVE_GPU)
#define HAVE_A_CLASS 1 /* with every class left out there is no driver */

static struct vm vm;

static void vm_up(const struct vm_device_config *devs, unsigned n,
		  enum sim_mode mode)
{
	struct vm_config cfg = {.mem_size = 64u << 20,
				.mode = mode,
				.seed = 7,
				.devices = devs,
				.device_count = n,
				.strict = true,
				.strict_violation = on_violation};
	char err[256];

	memset(&seen, 0, sizeof(seen));
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
}

/* Every class's selftest on MMIO v1, v2 and PCI, in both modes. */
START_TEST(real_drivers_are_clean)
{
	struct vm_device_config devs[VM_MAX_DEVICES];
	unsigned n = vm_selftest_devices(devs, VM_MAX_DEVICES);
	struct vm_selftest st = {.out = fopen("/dev/null", "w")};

	ck_assert_ptr_nonnull(st.out);
	vm_up(devs, n, _i ? SIM_MODE_DEFERRED : SIM_MODE_SYNC);
	for (unsigned i = 0; i < vm.device_count; i++) {
		struct vm_device *d = &vm.devices[i];

		if (d->cls->selftest)
			ck_assert_int_eq(d->cls->selftest(&vm, d, &st), 0);
	}
	fclose(st.out);
	ck_assert_uint_gt(st.requests, 0);
	expect_clean();
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
	expect_clean();
}
END_TEST
#endif /* HAVE_A_CLASS */

#ifdef VIRTSIM_HAVE_BLK
#define DISK_SECTORS 2048u
static char disk_path[4096];

/* The blk model on a 1 MiB scratch disk, raw on MMIO v2, queue 0 up. */
static void setup_blk(void)
{
	struct machine_options o = {.mem_size = RAM_SIZE,
				    .strict = true,
				    .strict_violation = on_violation};
	int slot;

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(machine_init(&m, &o), 0);
	test_make_file(disk_path, sizeof(disk_path), "strict",
		       DISK_SECTORS * 512ull, 1);
	slot = virtio_mmio_attach(
	    &m, test_blk_model(&m, disk_path, false, NULL), 2);
	ck_assert_int_ge(slot, 0);
	win = machine_mmio_slot_base((unsigned)slot);
	bring_up(0, true);
}

static void teardown_blk(void)
{
	teardown();
	unlink(disk_path);
}

/* An IN request: header, @len bytes to read, status; its status byte. */
static uint8_t blk_read(uint64_t sector, uint32_t len)
{
	uint8_t *h = gp(BUF);
	uint16_t before = test_ring_used_idx(&ring);

	virtio_st_le32(h, VIRTIO_BLK_T_IN);
	virtio_st_le32(h + 4, 0);
	virtio_st_le64(h + 8, sector);
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF + 0x1000, len, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	desc(2, BUF + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), (uint16_t)(before + 1));
	return *(uint8_t *)gp(BUF + 0x100);
}

START_TEST(blk_d_03_past_capacity)
{
	ck_assert_uint_eq(blk_read(DISK_SECTORS - 1, 512), VIRTIO_BLK_S_OK);
	expect_clean();
	ck_assert_uint_eq(blk_read(DISK_SECTORS - 1, 1024), VIRTIO_BLK_S_IOERR);
	expect_only(STRICT_BLK_D_03);
}
END_TEST

START_TEST(blk_d_05_partial_sector)
{
	ck_assert_uint_eq(blk_read(0, 100), VIRTIO_BLK_S_IOERR);
	expect_only(STRICT_BLK_D_05);
}
END_TEST
#endif

#if defined(VIRTSIM_HAVE_NET) || defined(VIRTSIM_HAVE_GPU)
/* The driver is up and clean; then a raw config write at @off. */
static void model_config_write(const struct device_class *cls, unsigned off,
			       enum strict_rule r)
{
	struct vm_device_config dc = {
	    .cls = cls, .transport = VM_TRANSPORT_MMIO, .mmio_version = 2};
	struct vm_device *d;

	vm_up(&dc, 1, SIM_MODE_SYNC);
	d = vm_device(&vm, cls, 0);
	ck_assert_ptr_nonnull(d);
	expect_clean();
	bus_write(&vm.machine.bus,
		  machine_mmio_slot_base(d->where) + VIRTIO_MMIO_CONFIG + off,
		  0, 4);
	expect_only(r);
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
}
#endif

#ifdef VIRTSIM_HAVE_NET
START_TEST(net_d_01_config_written)
{
	model_config_write(&net_class, 0, STRICT_NET_D_01); /* mac */
}
END_TEST
#endif

#ifdef VIRTSIM_HAVE_GPU
START_TEST(gpu_d_01_events_read_written)
{
	model_config_write(&gpu_class,
			   offsetof(struct virtio_gpu_config, events_read),
			   STRICT_GPU_D_01);
}
END_TEST
#endif

/* Every listed rule has a name of its own and text. */
START_TEST(rule_list)
{
	for (unsigned i = 0; i < STRICT_NUM_RULES; i++) {
		ck_assert(strlen(strict_rule_id(i)) > 4);
		ck_assert(strlen(strict_rule_help(i)) > 10);
		for (unsigned j = 0; j < i; j++)
			ck_assert_str_ne(strict_rule_id(i), strict_rule_id(j));
	}
	ck_assert_str_eq(strict_rule_id(STRICT_NUM_RULES), "?");
}
END_TEST

static Suite *strict_suite(void)
{
	Suite *s = suite_create("strict");
	TCase *tc = tcase_create("mmio-v2");
	TCase *v1 = tcase_create("mmio-v1");
	TCase *pci = tcase_create("pci");
	TCase *real = tcase_create("drivers");

	tcase_add_checked_fixture(tc, setup_v2, teardown);
	tcase_add_test(tc, init_d_01_status_out_of_order);
	tcase_add_test(tc, init_d_02_status_bit_cleared);
	tcase_add_test(tc, init_d_07_driver_ok_before_features_ok);
	tcase_add_test(tc, init_d_08_config_written_before_features_ok);
	tcase_add_test(tc, init_d_09_features_after_features_ok);
	tcase_add_test(tc, feat_d_01_unoffered_feature);
	tcase_add_test(tc, feat_d_07_version_1_not_accepted);
	tcase_add_test(tc, init_d_11_notify_before_driver_ok);
	tcase_add_test(tc, init_d_12_head_available_twice);
	tcase_add_test(tc, vq_d_01_misaligned_ring);
	tcase_add_test(tc, vq_d_02_readable_after_writable);
	tcase_add_test(tc, vq_d_03_chain_over_4_gib);
	tcase_add_test(tc, vq_d_05_indirect_not_negotiated);
	tcase_add_test(tc, vq_d_06_nested_indirect);
	tcase_add_test(tc, vq_d_07_chain_loops);
	tcase_add_test(tc, vq_d_08_indirect_with_next);
	tcase_add_test(tc, vq_d_10_avail_idx_moved_back);
	tcase_add_test(tc, vq_d_11_avail_flags_without_event_idx);
	tcase_add_test(tc, vq_d_12_avail_flags_with_event_idx);
	tcase_add_test(tc, mmio_d_01_read_only_and_write_only);
	tcase_add_test(tc, mmio_d_02_narrow_access);
	tcase_add_test(tc, mmio_d_09_queue_num_above_max);
	tcase_add_test(tc, mmio_d_10_queue_registers_while_ready);
	tcase_add_test(tc, mmio_d_12_undefined_interrupt_ack_bits);
	tcase_add_test(tc, strict_off_reports_nothing);
	tcase_add_test(tc, violation_stops_the_wait);
	tcase_add_test(tc, rule_list);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(v1, setup_v1, teardown);
	tcase_add_test(v1, init_d_07_legacy_has_no_features_ok);
	tcase_add_test(v1, feat_d_01_unoffered_feature_legacy);
	tcase_add_test(v1, mmio_d_01_v2_register_on_v1);
	suite_add_tcase(s, v1);

	tcase_add_checked_fixture(pci, setup_pci, teardown);
	tcase_add_test(pci, pci_d_04_field_width);
	tcase_add_test(pci, pci_d_10_read_only_fields);
	tcase_add_test(pci, pci_d_12_queue_size_not_power_of_2);
	tcase_add_test(pci, pci_d_15_queue_enable_0);
	tcase_add_test(pci, pci_d_18_pci_cfg_length);
	tcase_add_test(pci, pci_d_19_pci_cfg_outside_bar);
	tcase_add_test(pci, pci_d_23_notify_width);
	tcase_add_test(pci, pci_d_24_notify_value);
	suite_add_tcase(s, pci);

	tcase_set_timeout(real, 120);
#ifdef HAVE_A_CLASS
	tcase_add_loop_test(real, real_drivers_are_clean, 0, 2);
#endif
#ifdef VIRTSIM_HAVE_NET
	tcase_add_test(real, net_d_01_config_written);
#endif
#ifdef VIRTSIM_HAVE_GPU
	tcase_add_test(real, gpu_d_01_events_read_written);
#endif
	suite_add_tcase(s, real);
#ifdef VIRTSIM_HAVE_BLK
	{
		TCase *blk = tcase_create("blk");

		tcase_add_checked_fixture(blk, setup_blk, teardown_blk);
		tcase_add_test(blk, blk_d_03_past_capacity);
		tcase_add_test(blk, blk_d_05_partial_sector);
		suite_add_tcase(s, blk);
	}
#endif
	return s;
}

VIRTSIM_TEST_MAIN(strict_suite)
