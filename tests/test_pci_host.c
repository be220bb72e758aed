/* SPDX-License-Identifier: MIT */
/*
 * The PCIe host bridge, driven as a driver would: bus_read/bus_write on
 * the ECAM window and on BAR addresses of a machine. Plain test functions
 * (no virtio) exercise the generic header: 32- and 64-bit BARs, decode
 * control, multi-function devices, capability lists and INTx routing.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sim/machine.h"
#include "sim/pci_host.h"
#include "tests/testutil.h"

static struct machine m;

/* A test BAR: a scratch register file that records what it saw. */
struct scratch {
	uint32_t reg[64];
	unsigned reads, writes;
};

static uint32_t scratch_read(void *opaque, uint64_t off, unsigned size)
{
	struct scratch *s = opaque;

	s->reads++;
	return off / 4 < 64 ? s->reg[off / 4] : 0x5a5a5a5a;
}

static void scratch_write(void *opaque, uint64_t off, uint32_t val,
			  unsigned size)
{
	struct scratch *s = opaque;

	s->writes++;
	if (off / 4 < 64)
		s->reg[off / 4] = val;
}

static const struct bus_region_ops scratch_ops = {
    .read = scratch_read,
    .write = scratch_write,
    .sizes = BUS_SIZE_32,
    .aligned_only = true,
};

static struct pci_function tf[4];
static struct scratch sc[4];

static void setup(void)
{
	ck_assert_int_eq(machine_init(&m, NULL), 0);
	memset(tf, 0, sizeof(tf));
	memset(sc, 0, sizeof(sc));
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

static uint32_t cfg_rd(unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		       unsigned size)
{
	return bus_read(&m.bus, pci_host_ecam_addr(&m.pci, bus, dev, fn, reg),
			size);
}

static void cfg_wr(unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		   uint32_t val, unsigned size)
{
	bus_write(&m.bus, pci_host_ecam_addr(&m.pci, bus, dev, fn, reg), val,
		  size);
}

/* A plain function: 32-bit BAR0 (4 KiB) and 64-bit prefetchable BAR2. */
static struct pci_function *make_fn(unsigned i, unsigned dev, unsigned fn,
				    uint8_t pin)
{
	struct pci_function *f = &tf[i];

	pci_function_init(f, NULL, "test-fn", 0x1234, (uint16_t)(0x5670 + i), 2,
			  0xff, 0, 0, pin);
	ck_assert_int_eq(pci_function_set_bar(f, 0, 0x1000, false, false,
					      &scratch_ops, &sc[i]),
			 0);
	ck_assert_int_eq(pci_function_set_bar(f, 2, 0x100000, true, true,
					      &scratch_ops, &sc[i]),
			 0);
	/* BAR 3 is the upper half of the 64-bit BAR 2: not a BAR of its own. */
	ck_assert_int_eq(pci_function_set_bar(f, 3, 0x1000, false, false,
					      &scratch_ops, &sc[i]),
			 -EINVAL);
	ck_assert_int_eq(pci_host_add_function(&m.pci, f, 0, dev, fn), 0);
	return f;
}

START_TEST(absent_functions_read_all_ones)
{
	uint64_t before = m.pci.unclaimed;

	/* PCIe §7.2.2: an unclaimed config read completes as all ones. */
	ck_assert_uint_eq(cfg_rd(0, 5, 0, PCI_VENDOR_ID, 4), 0xffffffffu);
	ck_assert_uint_eq(cfg_rd(0, 31, 7, PCI_DEVICE_ID, 2), 0xffff);
	ck_assert_uint_eq(cfg_rd(15, 0, 0, PCI_HEADER_TYPE, 1), 0xff);
	ck_assert_uint_eq(cfg_rd(0, 0, 1, PCI_VENDOR_ID, 2), 0xffff);
	cfg_wr(0, 5, 0, PCI_COMMAND, 0x6, 2); /* dropped */
	ck_assert_uint_eq(cfg_rd(0, 5, 0, PCI_COMMAND, 2), 0xffff);
	ck_assert_uint_ge(m.pci.unclaimed, before + 6);
	/* Past the last bus there is no ECAM at all. */
	ck_assert_uint_eq(
	    bus_read(&m.bus,
		     MACHINE_ECAM_BASE + ((uint64_t)MACHINE_ECAM_BUSES << 20),
		     4),
	    0xffffffffu);
}
END_TEST

START_TEST(ecam_decodes_bus_device_function)
{
	struct pci_function *f = &tf[0];

	pci_function_init(f, NULL, "far", 0xabcd, 0x0042, 0, 0xff, 0, 0, 0);
	ck_assert_int_eq(pci_host_add_function(&m.pci, f, 2, 7, 3), 0);
	ck_assert_ptr_eq(pci_host_function(&m.pci, 2, 7, 3), f);
	ck_assert_uint_eq(
	    bus_read(&m.bus,
		     MACHINE_ECAM_BASE + (2u << 20 | 7u << 15 | 3u << 12), 4),
	    0x0042abcdu);
	/* Its neighbours in every coordinate are absent. */
	ck_assert_uint_eq(cfg_rd(1, 7, 3, PCI_VENDOR_ID, 2), 0xffff);
	ck_assert_uint_eq(cfg_rd(2, 6, 3, PCI_VENDOR_ID, 2), 0xffff);
	ck_assert_uint_eq(cfg_rd(2, 7, 2, PCI_VENDOR_ID, 2), 0xffff);
	/* The PCIe extended space is there too (reads 0, not all ones). */
	ck_assert_uint_eq(cfg_rd(2, 7, 3, 0xffc, 4), 0);
}
END_TEST

START_TEST(host_bridge_is_function_zero)
{
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_VENDOR_ID, 2),
			  PCI_HOST_BRIDGE_VENDOR);
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_DEVICE_ID, 2),
			  PCI_HOST_BRIDGE_DEVICE);
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_CLASS, 1), PCI_CLASS_BRIDGE);
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_SUBCLASS, 1),
			  PCI_SUBCLASS_BRIDGE_HOST);
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_HEADER_TYPE, 1),
			  PCI_HEADER_TYPE_NORMAL);
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_INTERRUPT_PIN, 1), 0);
	/* No BARs: sizing reads 0 everywhere. */
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		cfg_wr(0, 0, 0, PCI_BAR0 + 4 * b, 0xffffffffu, 4);
		ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_BAR0 + 4 * b, 4), 0);
	}
	ck_assert_int_eq(pci_host_free_device(&m.pci, 0), 1);
}
END_TEST

START_TEST(ids_are_read_only)
{
	make_fn(0, 2, 0, 1);
	cfg_wr(0, 2, 0, PCI_VENDOR_ID, 0xdeadbeef, 4);
	cfg_wr(0, 2, 0, PCI_REVISION_ID, 0xffffffff, 4);
	cfg_wr(0, 2, 0, PCI_HEADER_TYPE, 0xff, 1);
	cfg_wr(0, 2, 0, PCI_INTERRUPT_PIN, 3, 1);
	cfg_wr(0, 0, 0, PCI_VENDOR_ID, 0, 2);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_VENDOR_ID, 4), 0x56701234u);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_REVISION_ID, 4), 0xff000002u);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(cfg_rd(0, 0, 0, PCI_VENDOR_ID, 2),
			  PCI_HOST_BRIDGE_VENDOR);
	/* Writable: command bits we implement, interrupt line. */
	cfg_wr(0, 2, 0, PCI_COMMAND, 0xffff, 2);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_COMMAND, 2),
			  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			      PCI_COMMAND_INTX_DISABLE);
	cfg_wr(0, 2, 0, PCI_INTERRUPT_LINE, 42, 1);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_INTERRUPT_LINE, 1), 42);
}
END_TEST

START_TEST(misaligned_config_access_refused)
{
	uint64_t bad = m.bus.bad_access;

	make_fn(0, 2, 0, 1);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, 1, 2), 0xffff);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, 2, 4), 0xffffffffu);
	cfg_wr(0, 2, 0, PCI_COMMAND + 1, 0xffff, 2);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_COMMAND, 2), 0);
	ck_assert_uint_eq(m.bus.bad_access, bad + 3);
	/* Byte and word access inside a dword is fine. */
	ck_assert_uint_eq(cfg_rd(0, 2, 0, 1, 1), 0x12);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, 2, 2), 0x5670);
}
END_TEST

START_TEST(bar32_sizing)
{
	make_fn(0, 2, 0, 1);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0, 4), 0); /* 32-bit, mem */
	cfg_wr(0, 2, 0, PCI_BAR0, 0xffffffffu, 4);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0, 4), 0xfffff000u);
	cfg_wr(0, 2, 0, PCI_BAR0, 0x10002345u, 4);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0, 4), 0x10002000u);
	/* Unimplemented BARs read 0 whatever is written. */
	cfg_wr(0, 2, 0, PCI_BAR0 + 4, 0xffffffffu, 4);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0 + 4, 4), 0);
	cfg_wr(0, 2, 0, PCI_BAR0 + 20, 0xffffffffu, 4);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0 + 20, 4), 0);
}
END_TEST

START_TEST(bar64_sizing_both_halves)
{
	make_fn(0, 2, 0, 1);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0 + 8, 4),
			  PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	cfg_wr(0, 2, 0, PCI_BAR0 + 8, 0xffffffffu, 4);
	cfg_wr(0, 2, 0, PCI_BAR0 + 12, 0xffffffffu, 4);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0 + 8, 4),
			  0xfff00000u | PCI_BAR_MEM_TYPE_64 |
			      PCI_BAR_MEM_PREFETCH);
	ck_assert_uint_eq(cfg_rd(0, 2, 0, PCI_BAR0 + 12, 4), 0xffffffffu);
}
END_TEST

START_TEST(bar_decoded_only_with_memory_enable)
{
	struct pci_function *f = make_fn(0, 2, 0, 1);
	uint64_t a = MACHINE_PCI_MMIO_BASE + 0x3000;

	sc[0].reg[1] = 0xcafe0001;
	cfg_wr(0, 2, 0, PCI_BAR0, (uint32_t)a, 4);
	ck_assert_uint_eq(bus_read(&m.bus, a + 4, 4), 0xffffffffu);
	ck_assert(!f->bar[0].mapped);
	cfg_wr(0, 2, 0, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ck_assert_uint_eq(bus_read(&m.bus, a + 4, 4), 0xcafe0001u);
	bus_write(&m.bus, a + 8, 77, 4);
	ck_assert_uint_eq(sc[0].reg[2], 77);
	/* Reprogrammed while decoding: it moves. */
	cfg_wr(0, 2, 0, PCI_BAR0, (uint32_t)(a + 0x10000), 4);
	ck_assert_uint_eq(bus_read(&m.bus, a + 4, 4), 0xffffffffu);
	ck_assert_uint_eq(bus_read(&m.bus, a + 0x10004, 4), 0xcafe0001u);
	/* The 64-bit BAR at an address the driver programmed in halves. */
	cfg_wr(0, 2, 0, PCI_BAR0 + 8, 0x10100000u, 4);
	cfg_wr(0, 2, 0, PCI_BAR0 + 12, 0, 4);
	ck_assert_uint_eq(bus_read(&m.bus, 0x10100004ull, 4), 0xcafe0001u);
	/* Memory decode off: both gone. */
	cfg_wr(0, 2, 0, PCI_COMMAND, 0, 2);
	ck_assert_uint_eq(bus_read(&m.bus, a + 0x10004, 4), 0xffffffffu);
	ck_assert_uint_eq(bus_read(&m.bus, 0x10100004ull, 4), 0xffffffffu);
	ck_assert(!f->bar[0].mapped && !f->bar[2].mapped);
}
END_TEST

START_TEST(bar_outside_window_or_overlapping_not_decoded)
{
	struct pci_function *f0 = make_fn(0, 2, 0, 1);
	struct pci_function *f1 = make_fn(1, 3, 0, 1);
	uint64_t a = MACHINE_PCI_MMIO_BASE + 0x8000;

	/* Sizing left the BAR at all ones: outside the window, no decode. */
	cfg_wr(0, 2, 0, PCI_BAR0, 0xffffffffu, 4);
	cfg_wr(0, 2, 0, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ck_assert(!f0->bar[0].mapped);
	/* Over the MMIO slots (outside the window): no decode either. */
	cfg_wr(0, 2, 0, PCI_BAR0, (uint32_t)MACHINE_MMIO_BASE, 4);
	ck_assert(!f0->bar[0].mapped);
	ck_assert_uint_eq(bus_read(&m.bus, MACHINE_MMIO_BASE, 4), 0xffffffffu);
	/* Two functions at one address: the first one wins... */
	cfg_wr(0, 2, 0, PCI_BAR0, (uint32_t)a, 4);
	cfg_wr(0, 3, 0, PCI_BAR0, (uint32_t)a, 4);
	cfg_wr(0, 3, 0, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ck_assert(f0->bar[0].mapped);
	ck_assert(!f1->bar[0].mapped);
	sc[1].reg[0] = 0x11111111;
	/* ... until it moves away and the other one can decode. */
	cfg_wr(0, 2, 0, PCI_BAR0, (uint32_t)(a + 0x1000), 4);
	ck_assert(f1->bar[0].mapped);
	ck_assert_uint_eq(bus_read(&m.bus, a, 4), 0x11111111u);
}
END_TEST

START_TEST(multi_function_bit)
{
	/* Function 1 first: function 0 gets the bit when it arrives. */
	make_fn(1, 4, 1, 2);
	make_fn(0, 4, 0, 1);
	ck_assert_uint_eq(cfg_rd(0, 4, 0, PCI_HEADER_TYPE, 1),
			  PCI_HEADER_TYPE_MULTI_FUNCTION);
	ck_assert_uint_eq(cfg_rd(0, 4, 1, PCI_HEADER_TYPE, 1) &
			      PCI_HEADER_TYPE_MASK,
			  PCI_HEADER_TYPE_NORMAL);
	ck_assert_uint_eq(cfg_rd(0, 4, 1, PCI_DEVICE_ID, 2), 0x5671);
	ck_assert_uint_eq(cfg_rd(0, 4, 2, PCI_VENDOR_ID, 2), 0xffff);
	/* A single-function device does not have it. */
	make_fn(2, 5, 0, 1);
	ck_assert_uint_eq(cfg_rd(0, 5, 0, PCI_HEADER_TYPE, 1), 0);
	/* Taken and out-of-range places are refused. */
	ck_assert_int_eq(pci_host_add_function(&m.pci, &tf[3], 0, 4, 1),
			 -EEXIST);
	ck_assert_int_eq(pci_host_add_function(&m.pci, &tf[3], 0, 32, 0),
			 -EINVAL);
	ck_assert_int_eq(pci_host_add_function(&m.pci, &tf[3], 16, 0, 0),
			 -EINVAL);
	ck_assert_int_eq(pci_host_free_device(&m.pci, 0), 1);
}
END_TEST

START_TEST(capability_list)
{
	struct pci_function *f = &tf[0];
	int c1, c2;
	unsigned off, n = 0;

	pci_function_init(f, NULL, "caps", 0x1234, 0x1, 0, 0xff, 0, 0, 0);
	ck_assert_uint_eq(f->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST, 0);
	c1 = pci_function_add_cap(f, PCI_CAP_ID_VNDR, 6);
	c2 = pci_function_add_cap(f, PCI_CAP_ID_EXP, 8);
	ck_assert_int_eq(c1, 0x40);
	ck_assert_int_eq(c2, 0x48); /* dword aligned */
	ck_assert_int_eq(pci_function_add_cap(f, 1, 1), -EINVAL);
	ck_assert_int_eq(pci_function_add_cap(f, 1, 0x100), -ENOSPC);
	ck_assert_int_eq(pci_host_add_function(&m.pci, f, 0, 6, 0), 0);
	ck_assert(cfg_rd(0, 6, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (off = cfg_rd(0, 6, 0, PCI_CAPABILITY_LIST, 1); off && n < 10;
	     off = cfg_rd(0, 6, 0, off + 1, 1), n++)
		ck_assert_uint_eq(cfg_rd(0, 6, 0, off, 1),
				  n ? PCI_CAP_ID_EXP : PCI_CAP_ID_VNDR);
	ck_assert_uint_eq(n, 2);
	/* The list itself is read-only. */
	cfg_wr(0, 6, 0, 0x40, 0xffffffffu, 4);
	ck_assert_uint_eq(cfg_rd(0, 6, 0, 0x40, 2), 0x4809);
}
END_TEST

START_TEST(intx_swizzle_and_shared_line)
{
	struct pci_function *a = make_fn(0, 1, 0, 1); /* INTA of dev 1 */
	struct pci_function *b = make_fn(1, 5, 0, 1); /* INTA of dev 5 */
	struct pci_function *c = make_fn(2, 1, 1, 2); /* INTB of dev 1 */
	unsigned line = MACHINE_PCI_IRQ_BASE + 1;
	uint64_t bit = 1ull << line;

	ck_assert_uint_eq(a->intx_line, line);
	ck_assert_uint_eq(b->intx_line, line); /* (5 + 0) % 4 == 1 */
	ck_assert_uint_eq(c->intx_line, MACHINE_PCI_IRQ_BASE + 2);
	ck_assert_uint_eq(cfg_rd(0, 1, 1, PCI_INTERRUPT_LINE, 1),
			  MACHINE_PCI_IRQ_BASE + 2);
	ck_assert_uint_eq(pci_host_intx_line(&m.pci, 3, 2),
			  MACHINE_PCI_IRQ_BASE + 0);
	/* Wired OR: the line stays up until the last function lets go. */
	pci_function_set_irq(a, true);
	ck_assert(m.irq.level & bit);
	ck_assert(cfg_rd(0, 1, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_function_set_irq(b, true);
	pci_function_set_irq(a, false);
	ck_assert(m.irq.level & bit);
	ck_assert(!(cfg_rd(0, 1, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
	pci_function_set_irq(b, false);
	ck_assert(!(m.irq.level & bit));
	/* INTx disable masks the line, the status bit still shows it. */
	pci_function_set_irq(c, true);
	ck_assert(m.irq.level & (bit << 1));
	cfg_wr(0, 1, 1, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	ck_assert(!(m.irq.level & (bit << 1)));
	ck_assert(cfg_rd(0, 1, 1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_wr(0, 1, 1, PCI_COMMAND, 0, 2);
	ck_assert(m.irq.level & (bit << 1));
	pci_function_set_irq(c, false);
	ck_assert(!(m.irq.level & (bit << 1)));
}
END_TEST

static Suite *pci_host_suite(void)
{
	Suite *s = suite_create("pci_host");
	TCase *tc = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, absent_functions_read_all_ones);
	tcase_add_test(tc, ecam_decodes_bus_device_function);
	tcase_add_test(tc, host_bridge_is_function_zero);
	tcase_add_test(tc, ids_are_read_only);
	tcase_add_test(tc, misaligned_config_access_refused);
	tcase_add_test(tc, bar32_sizing);
	tcase_add_test(tc, bar64_sizing_both_halves);
	tcase_add_test(tc, bar_decoded_only_with_memory_enable);
	tcase_add_test(tc, bar_outside_window_or_overlapping_not_decoded);
	tcase_add_test(tc, multi_function_bit);
	tcase_add_test(tc, capability_list);
	tcase_add_test(tc, intx_swizzle_and_shared_line);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(pci_host_suite)
