/* SPDX-License-Identifier: MIT */
/*
 * The PCI driver side against a fake ECAM: configuration access,
 * enumeration, BAR sizing and assignment, capability lists, the VirtIO
 * device-type table and the VirtIO PCI transport (PCI-D-* ids).
 */
#include <string.h>

#include "drivers/pci/pci.h"
#include "drivers/platform/platform.h"
#include "drivers/virtio/pci_transport.h"
#include "drivers/wire/virtio_pci.h"
#include "tests/fake_ecam.h"
#include "tests/testutil.h"

static struct machine m;
static struct fake_ecam ecam;
static struct pci_root root;

static void setup(void)
{
	fake_ecam_machine(&ecam, &m, &root);
}

static void teardown(void)
{
	if (m.mem.host)
		machine_destroy(&m, false);
}

/* Configuration access */

START_TEST(root_init_rejects_bad_arguments)
{
	struct pci_root r;
	const struct hal *hal = machine_hal(&m);

	ck_assert_int_eq(pci_root_init(&r, hal, MACHINE_ECAM_BASE, 0),
			 -PCI_ERR_INVALID);
	ck_assert_int_eq(pci_root_init(&r, hal, MACHINE_ECAM_BASE, 257),
			 -PCI_ERR_INVALID);
	ck_assert_int_eq(pci_root_init(&r, hal, MACHINE_ECAM_BASE + 0x1000, 1),
			 -PCI_ERR_INVALID);
	ck_assert_int_eq(pci_root_init(&r, NULL, MACHINE_ECAM_BASE, 1),
			 -PCI_ERR_INVALID);
	ck_assert_str_eq(pci_error_name(-PCI_ERR_BAD_CAP), "BadCap");
	ck_assert_str_eq(pci_error_name(PCI_ERR_NO_WINDOW), "NoWindow");
	ck_assert_str_eq(pci_error_name(-PCI_ERR_NO_DEVICE), "NoDevice");
	ck_assert_str_eq(pci_error_name(0), "Unknown");
	ck_assert_str_eq(pci_error_name(-99), "Unknown");
}
END_TEST

START_TEST(config_access_is_bounds_and_alignment_checked)
{
	struct fake_fn *f = fake_fn_add(&ecam, PCI_BDF(0, 1, 0), 0x1234,
					0x5678, 0x02, 0x00, 0);
	uint64_t before;

	fake_put8(f, PCI_INTERRUPT_LINE, 9);
	ck_assert_uint_eq(pci_config_read16(&root, PCI_BDF(0, 1, 0), 0), 0x1234);
	ck_assert_uint_eq(pci_config_read32(&root, PCI_BDF(0, 1, 0), 0),
			  0x56781234u);
	ck_assert_uint_eq(pci_config_read8(&root, PCI_BDF(0, 1, 0), 3), 0x56);
	/* An absent function reads all ones from the bridge itself. */
	ck_assert_uint_eq(pci_config_read32(&root, PCI_BDF(0, 2, 0), 0),
			  0xffffffffu);

	before = ecam.accesses;
	/* Bad accesses never reach the bus: all ones, writes dropped. */
	ck_assert_uint_eq(pci_config_read16(&root, PCI_BDF(0, 1, 0), 1),
			  0xffff);
	ck_assert_uint_eq(pci_config_read32(&root, PCI_BDF(0, 1, 0), 2),
			  0xffffffffu);
	ck_assert_uint_eq(pci_config_read8(&root, PCI_BDF(0, 1, 0), 4096),
			  0xff);
	ck_assert_uint_eq(pci_config_read32(&root,
					    PCI_BDF(MACHINE_ECAM_BUSES, 0, 0),
					    0),
			  0xffffffffu);
	ck_assert_uint_eq(pci_config_read16(&root, 0x10000u, 0), 0xffff);
	pci_config_write16(&root, PCI_BDF(0, 1, 0), PCI_INTERRUPT_LINE + 1,
			   0x7777);
	pci_config_write32(&root, PCI_BDF(0, 1, 0), PCI_INTERRUPT_LINE + 2, 0);
	pci_config_write8(&root, PCI_BDF(MACHINE_ECAM_BUSES, 1, 0),
			  PCI_INTERRUPT_LINE, 1);
	ck_assert_uint_eq(ecam.accesses, before);
	ck_assert_uint_eq(f->cfg[PCI_INTERRUPT_LINE], 9);

	pci_config_write8(&root, PCI_BDF(0, 1, 0), PCI_INTERRUPT_LINE, 11);
	ck_assert_uint_eq(f->cfg[PCI_INTERRUPT_LINE], 11);
}
END_TEST

START_TEST(function_info_reads_the_header)
{
	struct pci_function_info info;
	struct fake_fn *f = fake_fn_add(&ecam, PCI_BDF(0, 3, 0), 0x1af4,
					0x1001, 0x01, 0x00, 0x80);

	fake_put8(f, PCI_REVISION_ID, 0);
	fake_put8(f, PCI_PROG_IF, 0x5);
	fake_put16(f, PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	fake_put16(f, PCI_SUBSYSTEM_ID, 2);
	fake_put8(f, PCI_INTERRUPT_PIN, 2);
	fake_put8(f, PCI_INTERRUPT_LINE, 6);
	ck_assert_int_eq(pci_function_info_read(&root, PCI_BDF(0, 3, 0), &info),
			 0);
	ck_assert_uint_eq(info.vendor_id, 0x1af4);
	ck_assert_uint_eq(info.device_id, 0x1001);
	ck_assert_uint_eq(info.class_code, 0x01);
	ck_assert_uint_eq(info.prog_if, 0x5);
	ck_assert_uint_eq(info.header_type, 0);
	ck_assert(info.multi_function);
	ck_assert_uint_eq(info.subsystem_vendor_id, 0x1af4);
	ck_assert_uint_eq(info.subsystem_id, 2);
	ck_assert_uint_eq(info.interrupt_pin, 2);
	ck_assert_uint_eq(info.interrupt_line, 6);
	ck_assert_int_eq(pci_function_info_read(&root, PCI_BDF(0, 4, 0), &info),
			 -PCI_ERR_NO_DEVICE);
}
END_TEST

/* Enumeration */

static void build_topology(void)
{
	struct fake_fn *f;

	/* Bus 0: host bridge (class 06/00), not VirtIO. */
	fake_fn_add(&ecam, PCI_BDF(0, 0, 0), 0x8086, 0x29c0, 0x06, 0x00, 0);
	fake_fn_add(&ecam, PCI_BDF(0, 1, 0), 0x1af4, 0x1042, 0x01, 0x00, 0);
	/* Multi-function: fn 0, 1 and 3 (2 absent). */
	fake_fn_add(&ecam, PCI_BDF(0, 2, 0), 0x1234, 0x0001, 0xff, 0, 0x80);
	fake_fn_add(&ecam, PCI_BDF(0, 2, 1), 0x1234, 0x0002, 0xff, 0, 0);
	fake_fn_add(&ecam, PCI_BDF(0, 2, 3), 0x1234, 0x0003, 0xff, 0, 0);
	/* Single-function: its fn 1 answers but must not be listed. */
	fake_fn_add(&ecam, PCI_BDF(0, 3, 0), 0x1234, 0x0010, 0xff, 0, 0);
	fake_fn_add(&ecam, PCI_BDF(0, 3, 1), 0x1234, 0x0011, 0xff, 0, 0);
	/* Bridges: to bus 1, again to bus 1, to a bus beyond the root. */
	f = fake_fn_add(&ecam, PCI_BDF(0, 4, 0), 0x1b36, 0x0001, 0x06, 0x04, 1);
	fake_bridge_buses(f, 0, 1, 2);
	f = fake_fn_add(&ecam, PCI_BDF(0, 5, 0), 0x1b36, 0x0001, 0x06, 0x04, 1);
	fake_bridge_buses(f, 0, 1, 1);
	f = fake_fn_add(&ecam, PCI_BDF(0, 6, 0), 0x1b36, 0x0001, 0x06, 0x04, 1);
	fake_bridge_buses(f, 0, 20, 20);
	/* Bus 1: transitional virtio-net and a bridge to bus 2. */
	fake_fn_add(&ecam, PCI_BDF(1, 0, 0), 0x1af4, 0x1000, 0x02, 0x00, 0);
	f = fake_fn_add(&ecam, PCI_BDF(1, 1, 0), 0x1b36, 0x0001, 0x06, 0x04, 1);
	fake_bridge_buses(f, 1, 2, 2);
	fake_fn_add(&ecam, PCI_BDF(2, 0, 0), 0x1234, 0x0020, 0xff, 0, 0);
	/* Bus 3: behind no bridge. */
	fake_fn_add(&ecam, PCI_BDF(3, 7, 0), 0x1234, 0x0030, 0xff, 0, 0);
}

START_TEST(enumeration_walks_functions_and_bridges)
{
	static const uint32_t want[] = {
		PCI_BDF(0, 0, 0), PCI_BDF(0, 1, 0), PCI_BDF(0, 2, 0),
		PCI_BDF(0, 2, 1), PCI_BDF(0, 2, 3), PCI_BDF(0, 3, 0),
		PCI_BDF(0, 4, 0), PCI_BDF(0, 5, 0), PCI_BDF(0, 6, 0),
		PCI_BDF(1, 0, 0), PCI_BDF(1, 1, 0), PCI_BDF(2, 0, 0),
	};
	struct pci_function_info info;
	struct pci_enum it;
	unsigned n = 0;
	uint32_t bdf;

	build_topology();
	pci_enum_begin(&it, &root, 0);
	while (pci_enum_next(&it, &bdf, &info) > 0) {
		ck_assert_uint_lt(n, sizeof(want) / sizeof(want[0]));
		ck_assert_msg(bdf == want[n], "function %u: %04x, want %04x",
			      n, bdf, want[n]);
		ck_assert_uint_eq(info.vendor_id,
				  fake_get16(fake_fn_find(&ecam, bdf), 0));
		n++;
	}
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	/* Over is over. */
	ck_assert_int_eq(pci_enum_next(&it, &bdf, &info), 0);

	pci_enum_begin(&it, &root, 3);
	ck_assert_int_eq(pci_enum_next(&it, &bdf, NULL), 1);
	ck_assert_uint_eq(bdf, PCI_BDF(3, 7, 0));
	ck_assert_int_eq(pci_enum_next(&it, &bdf, NULL), 0);

	pci_enum_begin(&it, &root, MACHINE_ECAM_BUSES);
	ck_assert_int_eq(pci_enum_next(&it, &bdf, NULL), 0);
}
END_TEST

START_TEST(enumeration_of_an_empty_bus)
{
	struct pci_enum it;
	uint32_t bdf;

	pci_enum_begin(&it, &root, 0);
	ck_assert_int_eq(pci_enum_next(&it, &bdf, NULL), 0);
}
END_TEST

/* BARs */

static struct fake_fn *bar_fn(void)
{
	struct fake_fn *f = fake_fn_add(&ecam, PCI_BDF(0, 8, 0), 0x1234,
					0x0100, 0xff, 0, 0);

	fake_bar32(f, 0, 0x4000, 0);
	fake_bar64(f, 1, 1u << 20, true);
	fake_bar32(f, 3, 0x100, PCI_BAR_SPACE_IO);
	fake_put32(f, PCI_BAR0 + 12, 0xc001); /* firmware's IO address */
	fake_bar32(f, 4, 0x10000, 0);
	/* BAR5 unimplemented. */
	fake_put16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	return f;
}

START_TEST(bar_sizing_restores_bar_and_command)
{
	struct fake_fn *f = bar_fn();
	uint32_t bdf = PCI_BDF(0, 8, 0);
	struct pci_bar_info b;
	uint8_t saved[0x28];

	fake_put32(f, PCI_BAR0, 0x12340000);
	memcpy(saved, f->cfg, sizeof(saved));

	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 0, &b), 0);
	ck_assert_int_eq(b.type, PCI_BAR_MEM32);
	ck_assert_uint_eq(b.size, 0x4000);
	ck_assert_uint_eq(b.address, 0x12340000);
	ck_assert(!b.prefetchable);

	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 1, &b), 0);
	ck_assert_int_eq(b.type, PCI_BAR_MEM64);
	ck_assert_uint_eq(b.size, 1u << 20);
	ck_assert(b.prefetchable);
	/* The upper half of a 64-bit BAR is no BAR. */
	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 2, &b), 0);
	ck_assert_int_eq(b.type, PCI_BAR_NONE);

	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 3, &b), 0);
	ck_assert_int_eq(b.type, PCI_BAR_IO);
	ck_assert_uint_eq(b.size, 0x100);
	ck_assert_uint_eq(b.address, 0xc000);

	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 5, &b), 0);
	ck_assert_int_eq(b.type, PCI_BAR_NONE);
	ck_assert_uint_eq(b.size, 0);

	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 6, &b),
			 -PCI_ERR_INVALID);
	ck_assert_int_eq(pci_bar_info_read(&root, PCI_BDF(0, 9, 0), 0, &b),
			 -PCI_ERR_NO_DEVICE);
	/* Every BAR and the command register as they were; decoding was
	 * off whenever a BAR held all ones. */
	ck_assert_mem_eq(f->cfg, saved, sizeof(saved));
	ck_assert_uint_eq(f->bar_writes_decoding, 0);
}
END_TEST

START_TEST(bar_sizing_rejects_reserved_and_truncated_bars)
{
	struct fake_fn *f = fake_fn_add(&ecam, PCI_BDF(0, 9, 0), 0x1234, 1,
					0xff, 0, 0);
	struct fake_fn *br = fake_fn_add(&ecam, PCI_BDF(0, 10, 0), 0x1b36, 1,
					 0x06, 0x04, 1);
	struct pci_bar_info b;

	fake_bar32(f, 0, 0x1000, PCI_BAR_MEM_TYPE_MASK); /* reserved type */
	fake_bar64(f, 5, 0x1000, false); /* no room for its upper half */
	ck_assert_int_eq(pci_bar_info_read(&root, f->bdf, 0, &b),
			 -PCI_ERR_UNSUPPORTED);
	ck_assert_int_eq(pci_bar_info_read(&root, f->bdf, 5, &b),
			 -PCI_ERR_INVALID);
	ck_assert_int_eq(pci_assign_bars(&root, f->bdf), -PCI_ERR_UNSUPPORTED);

	/* A bridge has two BARs. */
	fake_bar32(br, 1, 0x1000, 0);
	ck_assert_uint_eq(pci_bar_count(1), 2);
	ck_assert_uint_eq(pci_bar_count(0x80), 6);
	ck_assert_uint_eq(pci_bar_count(2), 0);
	ck_assert_int_eq(pci_bar_info_read(&root, br->bdf, 1, &b), 0);
	ck_assert_uint_eq(b.size, 0x1000);
	ck_assert_int_eq(pci_bar_info_read(&root, br->bdf, 2, &b),
			 -PCI_ERR_INVALID);
}
END_TEST

START_TEST(bar_assignment_is_naturally_aligned)
{
	struct fake_fn *f = bar_fn();
	uint32_t bdf = f->bdf;
	struct pci_bar_info b;

	ck_assert_int_eq(pci_assign_bars(&root, bdf), -PCI_ERR_NO_WINDOW);
	pci_root_set_mmio_window(&root, MACHINE_PCI_MMIO_BASE,
				 MACHINE_PCI_MMIO_SIZE);
	ck_assert_int_eq(pci_assign_bars(&root, bdf), 0);
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0), 0x10000000u);
	/* 1 MiB BAR: aligned up past the 16 KiB one, flags kept. */
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0 + 4), 0x10100000u | 0xc);
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0 + 8), 0);
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0 + 12), 0xc001); /* IO kept */
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0 + 16), 0x10200000u);
	ck_assert_uint_eq(fake_get16(f, PCI_COMMAND),
			  PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	ck_assert_uint_eq(f->bar_writes_decoding, 0);

	ck_assert_int_eq(pci_bar_info_read(&root, bdf, 4, &b), 0);
	ck_assert_uint_eq(b.address, 0x10200000u);
	ck_assert_int_eq(pci_bar_assign(&root, bdf, 3, &b),
			 -PCI_ERR_UNSUPPORTED);
	ck_assert_int_eq(pci_bar_assign(&root, bdf, 5, &b), 0);
	ck_assert_int_eq(b.type, PCI_BAR_NONE);
}
END_TEST

START_TEST(bar_assignment_64bit_above_4g_and_32bit_below)
{
	struct fake_fn *f = bar_fn();
	struct pci_bar_info b;

	/* A window straddling 4 GiB: 32-bit BARs only from its low part. */
	pci_root_set_mmio_window(&root, 0xffff0000ull, 0x200000);
	ck_assert_int_eq(pci_bar_assign(&root, f->bdf, 0, &b), 0);
	ck_assert_uint_eq(b.address, 0xffff0000ull);
	ck_assert_int_eq(pci_bar_assign(&root, f->bdf, 4, &b),
			 -PCI_ERR_NO_SPACE);
	ck_assert_int_eq(pci_bar_assign(&root, f->bdf, 1, &b), 0);
	ck_assert_uint_eq(b.address, 0x100000000ull);
	/* Two halves, the low one keeping its type bits. */
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0 + 4), 0xc);
	ck_assert_uint_eq(fake_get32(f, PCI_BAR0 + 8), 1);
	ck_assert_int_eq(pci_bar_info_read(&root, f->bdf, 1, &b), 0);
	ck_assert_uint_eq(b.address, 0x100000000ull);
	/* The window is used up. */
	ck_assert_int_eq(pci_bar_assign(&root, f->bdf, 1, &b),
			 -PCI_ERR_NO_SPACE);
	ck_assert_uint_eq(f->bar_writes_decoding, 0);
}
END_TEST

START_TEST(command_and_enable)
{
	struct fake_fn *f = bar_fn();

	pci_command_write(&root, f->bdf, 0);
	ck_assert_uint_eq(pci_command_read(&root, f->bdf), 0);
	pci_command_write(&root, f->bdf, PCI_COMMAND_INTX_DISABLE);
	pci_enable(&root, f->bdf);
	ck_assert_uint_eq(pci_command_read(&root, f->bdf),
			  PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MEMORY |
				  PCI_COMMAND_MASTER);
}
END_TEST

/* Capabilities */

static struct fake_fn *cap_fn(void)
{
	struct fake_fn *f = fake_fn_add(&ecam, PCI_BDF(0, 11, 0), 0x1234, 2,
					0xff, 0, 0);

	fake_cap_list(f, 0x40);
	fake_put8(f, 0x40, PCI_CAP_ID_VNDR);
	fake_put8(f, 0x41, 0x50);
	fake_put8(f, 0x50, PCI_CAP_ID_EXP);
	fake_put8(f, 0x51, 0x60);
	fake_put8(f, 0x60, PCI_CAP_ID_MSIX);
	fake_put8(f, 0x61, 0);
	return f;
}

START_TEST(capability_list_is_walked)
{
	struct fake_fn *f = cap_fn();
	struct pci_cap_iter it;
	uint8_t off, id;

	pci_cap_iter_begin(&it, &root, f->bdf);
	ck_assert_int_eq(pci_cap_iter_next(&it, &off, &id), 1);
	ck_assert_uint_eq(off, 0x40);
	ck_assert_uint_eq(id, PCI_CAP_ID_VNDR);
	ck_assert_int_eq(pci_cap_iter_next(&it, &off, &id), 1);
	ck_assert_uint_eq(off, 0x50);
	ck_assert_int_eq(pci_cap_iter_next(&it, &off, &id), 1);
	ck_assert_uint_eq(id, PCI_CAP_ID_MSIX);
	ck_assert_int_eq(pci_cap_iter_next(&it, &off, &id), 0);
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, PCI_CAP_ID_MSIX),
			 0x60);
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, 0x05), 0);

	/* No list: status bit clear, or no function at all. */
	f->cfg[PCI_STATUS] = 0;
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, PCI_CAP_ID_VNDR),
			 0);
	ck_assert_int_eq(pci_find_capability(&root, PCI_BDF(0, 12, 0), 9), 0);
}
END_TEST

START_TEST(capability_loop_is_rejected)
{
	struct fake_fn *f = cap_fn();
	struct pci_cap_iter it;
	int n = 0, r;

	fake_put8(f, 0x61, 0x50); /* MSI-X points back to the PCIe cap */
	pci_cap_iter_begin(&it, &root, f->bdf);
	while ((r = pci_cap_iter_next(&it, NULL, NULL)) > 0)
		ck_assert_int_lt(++n, 100);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(r, -PCI_ERR_BAD_CAP);
	/* Sticky. */
	ck_assert_int_eq(pci_cap_iter_next(&it, NULL, NULL), -PCI_ERR_BAD_CAP);
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, 0x05),
			 -PCI_ERR_BAD_CAP);
	/* Found before the loop is found. */
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, PCI_CAP_ID_MSIX),
			 0x60);

	fake_put8(f, 0x41, 0x40); /* a self loop */
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, 0x05),
			 -PCI_ERR_BAD_CAP);
}
END_TEST

START_TEST(capability_bad_pointers_are_rejected)
{
	struct fake_fn *f = cap_fn();

	fake_put8(f, PCI_CAPABILITY_LIST, 0x3c); /* inside the header */
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, 0x05),
			 -PCI_ERR_BAD_CAP);
	fake_put8(f, PCI_CAPABILITY_LIST, 0x42); /* not dword aligned */
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, 0x05),
			 -PCI_ERR_BAD_CAP);
	fake_put8(f, PCI_CAPABILITY_LIST, 0x40);
	fake_put8(f, 0x51, 0x65); /* bad pointer mid-list */
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, PCI_CAP_ID_EXP),
			 0x50);
	ck_assert_int_eq(pci_find_capability(&root, f->bdf, PCI_CAP_ID_MSIX),
			 -PCI_ERR_BAD_CAP);
}
END_TEST

/* VirtIO device type (PCI-D-01, PCI-D-02, PCI-D-03) */

START_TEST(virtio_device_type_table)
{
	struct pci_function_info i = {.vendor_id = 0x1af4};

	i.device_id = 0x1041;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 1);
	i.device_id = 0x1042;
	i.revision = 7; /* PCI-D-03: any revision */
	ck_assert_uint_eq(virtio_pci_device_type(&i), 2);
	i.device_id = 0x1050;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 16);
	i.device_id = 0x107f;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 0x3f);
	i.device_id = 0x1040; /* type 0 is reserved */
	ck_assert_uint_eq(virtio_pci_device_type(&i), 0);
	i.device_id = 0x1080;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 0);
	i.device_id = 0x0fff;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 0);

	/* Transitional: the subsystem device id is the type. */
	i.device_id = 0x1001;
	i.subsystem_id = 2;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 2);
	i.device_id = 0x1000;
	i.subsystem_id = 1;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 1);
	/* ... and the fixed table when it is no type. */
	i.subsystem_id = 0;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 1);
	i.device_id = 0x1002;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 5);
	i.device_id = 0x1003;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 3);
	i.device_id = 0x1004;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 8);
	i.device_id = 0x1005;
	i.subsystem_id = 0x1100;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 4);
	i.device_id = 0x1009;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 9);
	i.device_id = 0x1030;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 0);

	/* Not VirtIO. */
	i.vendor_id = 0x8086;
	i.device_id = 0x1041;
	ck_assert_uint_eq(virtio_pci_device_type(&i), 0);
	ck_assert_uint_eq(virtio_pci_device_type(NULL), 0);
}
END_TEST

/* The VirtIO PCI transport */

static struct fake_vdev vdev;
static struct virtio_pci_transport tp;

#define VDEV_BDF PCI_BDF(0, 1, 0)

static struct fake_fn *vdev_setup(void)
{
	struct fake_fn *f = fake_vdev_add(&ecam, &vdev, VDEV_BDF, 0x1042);

	pci_root_set_mmio_window(&root, MACHINE_PCI_MMIO_BASE,
				 MACHINE_PCI_MMIO_SIZE);
	ck_assert_int_eq(pci_assign_bars(&root, VDEV_BDF), 0);
	fake_vdev_map_bars(&vdev, &m);
	return f;
}

START_TEST(transport_drives_common_cfg)
{
	struct fake_fn *f = vdev_setup();
	struct virtio_transport *t = &tp.base;
	uint8_t cfg[8];

	ck_assert_uint_eq(vdev.bar0, MACHINE_PCI_MMIO_BASE);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	/* Decoding and bus mastering on before any structure is touched. */
	ck_assert_uint_eq(fake_get16(f, PCI_COMMAND) &
				  (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
			  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(t->ops->device_type(t), 2);
	ck_assert(!t->ops->is_legacy(t));
	ck_assert_uint_eq(t->ops->irq_line(t), 5);

	/* 64-bit features through the select windows (PCI-D-04). */
	ck_assert_uint_eq(t->ops->device_features(t), 0x0000000100000206ull);
	t->ops->set_driver_features(t, 0x0000000100000004ull);
	ck_assert_uint_eq(vdev.drvfeat[0], 4);
	ck_assert_uint_eq(vdev.drvfeat[1], 1);

	t->ops->set_status(t, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(vdev.status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(t->ops->get_status(t), VIRTIO_CONFIG_S_ACKNOWLEDGE);

	ck_assert_uint_eq(t->ops->max_queue_size(t, 0), 256);
	ck_assert_uint_eq(t->ops->max_queue_size(t, 1), 128);
	ck_assert_uint_eq(t->ops->max_queue_size(t, 2), 0);

	/* PCI-D-12: powers of two only; never more than offered. */
	ck_assert_int_eq(t->ops->queue_set(t, 1, 96, 0x40001000, 0x40002000,
					   0x40003000),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(t->ops->queue_set(t, 1, 256, 0x40001000, 0x40002000,
					   0x40003000),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(t->ops->queue_set(t, 2, 64, 0x40001000, 0x40002000,
					   0x40003000),
			 -VIRTIO_ERR_UNSUPPORTED);
	ck_assert(!t->ops->queue_used(t, 1));
	ck_assert_int_eq(t->ops->queue_set(t, 1, 64, 0x123456789000ull,
					   0x40002000, 0x40003000),
			 0);
	ck_assert_uint_eq(vdev.q[1].size, 64);
	ck_assert_uint_eq(vdev.q[1].desc[0], 0x56789000u);
	ck_assert_uint_eq(vdev.q[1].desc[1], 0x1234);
	ck_assert_uint_eq(vdev.q[1].driver[0], 0x40002000u);
	ck_assert_uint_eq(vdev.q[1].device[0], 0x40003000u);
	ck_assert_uint_eq(vdev.q[1].enable, 1);
	ck_assert(vdev.q[1].enabled_with_addrs); /* PCI-D-13 */
	ck_assert(t->ops->queue_used(t, 1));
	ck_assert_int_eq(t->ops->queue_set(t, 1, 64, 0x40001000, 0x40002000,
					   0x40003000),
			 -VIRTIO_ERR_NOT_READY);

	/* PCI-N-02, PCI-D-23, PCI-D-24: offset + notify_off * multiplier, 16 bits
	 * of queue index. */
	t->ops->notify(t, 1);
	ck_assert_uint_eq(vdev.notifies, 1);
	ck_assert_uint_eq(vdev.notify_off, 1 * 4);
	ck_assert_uint_eq(vdev.notify_size, 2);
	ck_assert_uint_eq(vdev.notify_val, 1);
	t->ops->notify(t, 0); /* not set up: offset read on the fly */
	ck_assert_uint_eq(vdev.notifies, 2);
	ck_assert_uint_eq(vdev.notify_off, 0);
	ck_assert_uint_eq(vdev.notify_val, 0);

	/* PCI-N-03: the ISR is read to clear. */
	vdev.isr = VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG;
	ck_assert_uint_eq(t->ops->ack_interrupt(t), 3);
	ck_assert_uint_eq(t->ops->ack_interrupt(t), 0);

	vdev.generation = 7;
	ck_assert_uint_eq(t->ops->config_generation(t), 7);

	/* Device config: little-endian, byte exact. */
	for (unsigned i = 0; i < 8; i++)
		vdev.mem[FAKE_VDEV_DEVCFG + i] = (uint8_t)(0x10 + i);
	ck_assert_int_eq(t->ops->config_read(t, 1, cfg, 7), 0);
	for (unsigned i = 0; i < 7; i++)
		ck_assert_uint_eq(cfg[i], 0x11 + i);
	memcpy(cfg, "\xaa\xbb\xcc\xdd\xee", 5);
	ck_assert_int_eq(t->ops->config_write(t, 0x1b, cfg, 5), 0);
	ck_assert_mem_eq(&vdev.mem[FAKE_VDEV_DEVCFG + 0x1b], cfg, 5);
	ck_assert_int_eq(t->ops->config_read(t, 0x1c, cfg, 5),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);

	ck_assert_uint_eq(vdev.decode_off_accesses, 0);
}
END_TEST

/*
 * PCI-V: notify_off_multiplier is 0 or an even power of 2 (§4.1.4.4); a
 * device that says otherwise would swallow doorbells, so init refuses it.
 */
START_TEST(transport_refuses_odd_notify_multiplier)
{
	const uint32_t good[] = {0, 2, 4, 8}, bad[] = {1, 3, 6, 0x80000001u};
	struct fake_fn *f = vdev_setup();

	for (unsigned i = 0; i < 4; i++) {
		fake_put32(f, 0x50 + 16, good[i]);
		ck_assert_msg(virtio_pci_transport_init(&tp, &root, VDEV_BDF) ==
				      0,
			      "multiplier %u", good[i]);
		fake_put32(f, 0x50 + 16, bad[i]);
		ck_assert_msg(virtio_pci_transport_init(&tp, &root, VDEV_BDF) ==
				      -VIRTIO_ERR_UNSUPPORTED,
			      "multiplier %u", bad[i]);
	}
}
END_TEST

START_TEST(transport_without_device_cap_is_config_space_missing)
{
	struct fake_fn *f = vdev_setup();
	uint8_t buf[4];

	/* PCI-D-05: an unknown cfg_type is ignored, so no DEVICE cap. */
	fake_put8(f, 0x74 + 3, 7);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0, buf, 4),
			 -VIRTIO_ERR_CONFIG_SPACE_MISSING);
	ck_assert_int_eq(tp.base.ops->config_write(&tp.base, 0, buf, 1),
			 -VIRTIO_ERR_CONFIG_SPACE_MISSING);
}
END_TEST

START_TEST(transport_short_device_cap_is_config_space_too_small)
{
	struct fake_fn *f = vdev_setup();
	uint8_t buf[8];

	fake_put32(f, 0x74 + 12, 4); /* DEVICE length 4 */
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0, buf, 4), 0);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0, buf, 8),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 4, buf, 1),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0xffffffffu, buf,
						  2),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);
	ck_assert_int_eq(tp.base.ops->config_write(&tp.base, 2, buf, 4),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);
}
END_TEST

START_TEST(transport_skips_caps_outside_their_bar)
{
	struct fake_fn *f = vdev_setup();
	uint8_t buf[4];

	/* Past the end of BAR0, then a 32-bit wrap: both skipped. */
	fake_put32(f, 0x74 + 8, FAKE_VDEV_BAR0_SIZE - 0x10);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0, buf, 4),
			 -VIRTIO_ERR_CONFIG_SPACE_MISSING);
	fake_put32(f, 0x74 + 8, 0xfffffff0u);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0, buf, 4),
			 -VIRTIO_ERR_CONFIG_SPACE_MISSING);

	/* The first *valid* one wins: a later good DEVICE cap is taken. */
	fake_vcap(f, 0x84, 0x98, 16, VIRTIO_PCI_CAP_DEVICE_CFG, 0,
		  FAKE_VDEV_DEVCFG + 0x10, 0x10, 0);
	vdev.mem[FAKE_VDEV_DEVCFG + 0x10] = 0x5a;
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0, buf, 1), 0);
	ck_assert_uint_eq(buf[0], 0x5a);
	ck_assert_int_eq(tp.base.ops->config_read(&tp.base, 0x10, buf, 1),
			 -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL);
}
END_TEST

START_TEST(transport_ignores_reserved_bar_and_short_caps)
{
	struct fake_fn *f = vdev_setup();

	/* PCI-D-07: COMMON in BAR 7 is ignored; nothing else -> no COMMON. */
	fake_put8(f, 0x40 + 4, 7);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF),
			 -VIRTIO_ERR_UNSUPPORTED);
	/* A valid COMMON later in the list is taken. */
	fake_vcap(f, 0x84, 0x98, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x40, 0);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_uint_eq(tp.base.ops->max_queue_size(&tp.base, 0), 256);

	/* A NOTIFY cap shorter than notify_cap: no NOTIFY. */
	fake_put8(f, 0x50 + 2, 16);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF),
			 -VIRTIO_ERR_UNSUPPORTED);
	/* PCI-D-06: a longer cap_len is fine. */
	fake_put8(f, 0x50 + 2, 24);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);

	/* No ISR at all. */
	fake_put8(f, 0x64 + 3, VIRTIO_PCI_CAP_VENDOR_CFG);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF),
			 -VIRTIO_ERR_UNSUPPORTED);
}
END_TEST

START_TEST(transport_rejects_malformed_lists_and_other_functions)
{
	struct fake_fn *f = vdev_setup();

	fake_put8(f, 0x98 + 1, 0x50); /* MSI-X loops back */
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF),
			 -VIRTIO_ERR_UNSUPPORTED);
	ck_assert_ptr_null(tp.base.ops);
	fake_put8(f, 0x98 + 1, 0);
	fake_put8(f, PCI_CAPABILITY_LIST, 0x3d);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF),
			 -VIRTIO_ERR_UNSUPPORTED);
	/* PCI-D-26: no capabilities at all (legacy only): fail cleanly. */
	f->cfg[PCI_STATUS] = 0;
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF),
			 -VIRTIO_ERR_UNSUPPORTED);

	fake_fn_add(&ecam, PCI_BDF(0, 0, 0), 0x8086, 0x29c0, 0x06, 0x00, 0);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root,
						   PCI_BDF(0, 0, 0)),
			 -VIRTIO_ERR_UNSUPPORTED);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root,
						   PCI_BDF(0, 9, 0)),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, NULL, VDEV_BDF),
			 -VIRTIO_ERR_INVALID_PARAM);
}
END_TEST

START_TEST(transport_keeps_doorbells_inside_the_notify_region)
{
	struct virtio_transport *t = &tp.base;

	vdev_setup();
	vdev.q[0].notify_off = FAKE_VDEV_BAR2_SIZE / 4; /* one past the end */
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(t->ops->queue_set(t, 0, 16, 0x40001000, 0x40002000,
					   0x40003000),
			 -VIRTIO_ERR_UNSUPPORTED);
	ck_assert_uint_eq(vdev.q[0].enable, 0);
	t->ops->notify(t, 0);
	ck_assert_uint_eq(vdev.notifies, 0);
	/* The last doorbell that fits. */
	vdev.q[0].notify_off = FAKE_VDEV_BAR2_SIZE / 4 - 1;
	ck_assert_int_eq(t->ops->queue_set(t, 0, 16, 0x40001000, 0x40002000,
					   0x40003000),
			 0);
	t->ops->notify(t, 0);
	ck_assert_uint_eq(vdev.notifies, 1);
	ck_assert_uint_eq(vdev.notify_off, FAKE_VDEV_BAR2_SIZE - 4);
}
END_TEST

START_TEST(transport_irq_line_unknown_without_pin)
{
	struct fake_fn *f = vdev_setup();

	fake_put8(f, PCI_INTERRUPT_PIN, 0);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_uint_eq(tp.base.ops->irq_line(&tp.base), VIRTIO_NO_IRQ);
	fake_put8(f, PCI_INTERRUPT_PIN, 1);
	fake_put8(f, PCI_INTERRUPT_LINE, 0xff);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_uint_eq(tp.base.ops->irq_line(&tp.base), VIRTIO_NO_IRQ);
}
END_TEST

/*
 * PCI_INTERRUPT_LINE resets to 0 and only firmware writes it: a 0 there
 * (bare metal, no firmware) is no line, so the driver polls, instead of
 * registering line 0 and waiting for an interrupt that never comes.
 */
START_TEST(transport_irq_line_zero_is_unassigned)
{
	struct fake_fn *f = vdev_setup();

	fake_put8(f, PCI_INTERRUPT_LINE, 0);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_uint_eq(tp.base.ops->irq_line(&tp.base), VIRTIO_NO_IRQ);
	fake_put8(f, PCI_INTERRUPT_LINE, 9);
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_uint_eq(tp.base.ops->irq_line(&tp.base), 9);
}
END_TEST

#ifdef VIRTSIM_HAVE_BLK
static unsigned route_calls;

/* A board's swizzle: INTA..INTD of device d on 32 + (d + pin - 1) % 4. */
static unsigned test_intx_route(void *ctx, uint32_t bdf, uint8_t pin)
{
	ck_assert_ptr_eq(ctx, &route_calls);
	route_calls++;
	return 32 + (pci_bdf_dev(bdf) + pin - 1u) % 4u;
}

/*
 * The platform decides what line 0 means: by default nothing (poll);
 * with line_zero_assigned (firmware, or the simulator's host bridge,
 * wrote every line) line 0; with its own INTx routing, that, whatever
 * the register says. A function without a pin is polled in every case.
 * The fake function is a virtio-blk: the probe finds it only in builds
 * with blk.
 */
START_TEST(platform_routes_intx)
{
	static struct platform p;
	struct platform_pci_root pr = {.ecam_base = MACHINE_ECAM_BASE,
				       .buses = 1,
				       .mmio_base = MACHINE_PCI_MMIO_BASE,
				       .mmio_size = MACHINE_PCI_MMIO_SIZE};
	struct fake_fn *f = vdev_setup();
	const struct platform_pci_function *pf;

	fake_put8(f, PCI_INTERRUPT_LINE, 0);
	platform_init(&p, machine_hal(&m));
	ck_assert_int_eq(platform_probe_pci(&p, &pr), 0);
	ck_assert_uint_eq(p.pci_count, 1);
	pf = &p.pci[0];
	ck_assert(pf->dev.found);
	ck_assert_uint_eq(pf->dev.irq_line, VIRTIO_NO_IRQ);
	ck_assert_uint_eq(pf->transport.irq_line, VIRTIO_NO_IRQ);

	pr.line_zero_assigned = true;
	platform_init(&p, machine_hal(&m));
	ck_assert_int_eq(platform_probe_pci(&p, &pr), 0);
	ck_assert_uint_eq(p.pci[0].dev.irq_line, 0);
	ck_assert_uint_eq(
	    p.pci[0].transport.base.ops->irq_line(&p.pci[0].transport.base), 0);

	pr.intx_route = test_intx_route;
	pr.intx_ctx = &route_calls;
	fake_put8(f, PCI_INTERRUPT_LINE, 5);
	platform_init(&p, machine_hal(&m));
	ck_assert_int_eq(platform_probe_pci(&p, &pr), 0);
	ck_assert_uint_eq(route_calls, 1);
	ck_assert_uint_eq(p.pci[0].dev.irq_line, 32 + (1 + 1 - 1) % 4);

	fake_put8(f, PCI_INTERRUPT_PIN, 0);
	platform_init(&p, machine_hal(&m));
	ck_assert_int_eq(platform_probe_pci(&p, &pr), 0);
	ck_assert_uint_eq(route_calls, 1);
	ck_assert_uint_eq(p.pci[0].dev.irq_line, VIRTIO_NO_IRQ);
}
END_TEST
#endif

START_TEST(transport_queue_unset_uses_ring_reset_only)
{
	struct virtio_transport *t = &tp.base;

	vdev_setup();
	ck_assert_int_eq(virtio_pci_transport_init(&tp, &root, VDEV_BDF), 0);
	ck_assert_int_eq(t->ops->queue_set(t, 0, 16, 0x40001000, 0x40002000,
					   0x40003000),
			 0);
	/* PCI-D-15: queue_enable is never written 0. */
	t->ops->queue_unset(t, 0);
	ck_assert_uint_eq(vdev.q[0].enable, 1);
	/* A device reset disables it. */
	t->ops->set_status(t, 0);
	ck_assert(!t->ops->queue_used(t, 0));
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc;

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, root_init_rejects_bad_arguments);
	tcase_add_test(tc, config_access_is_bounds_and_alignment_checked);
	tcase_add_test(tc, function_info_reads_the_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("enumeration");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, enumeration_walks_functions_and_bridges);
	tcase_add_test(tc, enumeration_of_an_empty_bus);
	suite_add_tcase(s, tc);

	tc = tcase_create("bars");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bar_sizing_restores_bar_and_command);
	tcase_add_test(tc, bar_sizing_rejects_reserved_and_truncated_bars);
	tcase_add_test(tc, bar_assignment_is_naturally_aligned);
	tcase_add_test(tc, bar_assignment_64bit_above_4g_and_32bit_below);
	tcase_add_test(tc, command_and_enable);
	suite_add_tcase(s, tc);

	tc = tcase_create("capabilities");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, capability_list_is_walked);
	tcase_add_test(tc, capability_loop_is_rejected);
	tcase_add_test(tc, capability_bad_pointers_are_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("virtio_pci");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, virtio_device_type_table);
	tcase_add_test(tc, transport_drives_common_cfg);
	tcase_add_test(tc, transport_refuses_odd_notify_multiplier);
	tcase_add_test(tc, transport_without_device_cap_is_config_space_missing);
	tcase_add_test(tc, transport_short_device_cap_is_config_space_too_small);
	tcase_add_test(tc, transport_skips_caps_outside_their_bar);
	tcase_add_test(tc, transport_ignores_reserved_bar_and_short_caps);
	tcase_add_test(tc, transport_rejects_malformed_lists_and_other_functions);
	tcase_add_test(tc, transport_keeps_doorbells_inside_the_notify_region);
	tcase_add_test(tc, transport_irq_line_unknown_without_pin);
	tcase_add_test(tc, transport_irq_line_zero_is_unassigned);
#ifdef VIRTSIM_HAVE_BLK
	tcase_add_test(tc, platform_routes_intx);
#endif
	tcase_add_test(tc, transport_queue_unset_uses_ring_reset_only);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(pci_suite)
