/* SPDX-License-Identifier: MIT */
/*
 * probe_pci_device over the fake ECAM: the seed's PCI probing flow
 * (device type, as_dev_type, then the transport).
 */
#include <string.h>

#include "drivers/adapter/adapter.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/pci_transport.h"
#include "tests/fake_ecam.h"
#include "tests/testutil.h"

static struct machine m;
static struct fake_ecam ecam;
static struct fake_vdev vdev;
static struct pci_root root;
static struct virtio_pci_transport tp;

static void setup(void)
{
	fake_ecam_machine(&ecam, &m, &root);
	pci_root_set_mmio_window(&root, MACHINE_PCI_MMIO_BASE,
				 MACHINE_PCI_MMIO_SIZE);
}

static void teardown(void)
{
	if (m.mem.host)
		machine_destroy(&m, false);
}

/* Enumerate like platform code and probe what is found. */
static unsigned probe_all(enum dev_type *types, uint32_t *bdfs, unsigned max)
{
	struct pci_function_info info;
	struct pci_enum it;
	enum dev_type type;
	unsigned n = 0;
	uint32_t bdf;

	pci_enum_begin(&it, &root, 0);
	while (pci_enum_next(&it, &bdf, &info) > 0) {
		if (pci_assign_bars(&root, bdf) != 0)
			continue;
		if (!probe_pci_device(&root, bdf, &info, &tp, &type))
			continue;
		ck_assert_uint_lt(n, max);
		types[n] = type;
		bdfs[n++] = bdf;
	}
	return n;
}

START_TEST(probe_finds_the_virtio_block_function)
{
	enum dev_type types[4];
	uint32_t bdfs[4];

	/* A host bridge (not VirtIO), a virtio-blk, an absent slot. */
	fake_fn_add(&ecam, PCI_BDF(0, 0, 0), 0x8086, 0x29c0, 0x06, 0x00, 0);
	fake_vdev_add(&ecam, &vdev, PCI_BDF(0, 2, 0), 0x1042);
#ifndef VIRTSIM_HAVE_BLK
	/* Built without virtio-blk: Block is "other types -> none". */
	ck_assert_uint_eq(probe_all(types, bdfs, 4), 0);
	return;
#endif
	ck_assert_uint_eq(probe_all(types, bdfs, 4), 1);
	ck_assert_uint_eq(bdfs[0], PCI_BDF(0, 2, 0));
	ck_assert_int_eq(types[0], DEV_TYPE_BLOCK);
	/* The transport drives the function at its assigned BARs. */
	fake_vdev_map_bars(&vdev, &m);
	ck_assert_uint_eq(vdev.bar0, MACHINE_PCI_MMIO_BASE);
	ck_assert_uint_eq(tp.base.ops->device_type(&tp.base), 2);
	ck_assert_uint_eq(tp.base.ops->device_features(&tp.base),
			  0x0000000100000206ull);
	ck_assert_uint_eq(vdev.decode_off_accesses, 0);
}
END_TEST

START_TEST(probe_refuses_what_it_cannot_drive)
{
	struct pci_function_info info;
	enum dev_type type;
	struct fake_fn *f;

	/* Not VirtIO. */
	f = fake_fn_add(&ecam, PCI_BDF(0, 0, 0), 0x8086, 0x29c0, 0x06, 0, 0);
	ck_assert_int_eq(pci_function_info_read(&root, f->bdf, &info), 0);
	ck_assert(!probe_pci_device(&root, f->bdf, &info, &tp, &type));

	/* A VirtIO console: no driver-facing type for it. */
	f = fake_vdev_add(&ecam, &vdev, PCI_BDF(0, 1, 0), 0x1043);
	ck_assert_int_eq(pci_assign_bars(&root, f->bdf), 0);
	fake_vdev_map_bars(&vdev, &m);
	ck_assert_int_eq(pci_function_info_read(&root, f->bdf, &info), 0);
	ck_assert(!probe_pci_device(&root, f->bdf, &info, &tp, &type));

	/* A network device whose transport cannot be created (no caps). */
	fake_put16(f, PCI_DEVICE_ID, 0x1041);
	ck_assert_int_eq(pci_function_info_read(&root, f->bdf, &info), 0);
#ifdef VIRTSIM_HAVE_NET
	ck_assert(probe_pci_device(&root, f->bdf, &info, &tp, &type));
	ck_assert_int_eq(type, DEV_TYPE_NET);
#endif
	f->cfg[PCI_STATUS] = 0;
	ck_assert(!probe_pci_device(&root, f->bdf, &info, &tp, &type));
	ck_assert(!probe_pci_device(NULL, f->bdf, &info, &tp, &type));
}
END_TEST

static Suite *pci_probe_suite(void)
{
	Suite *s = suite_create("pci_probe");
	TCase *tc = tcase_create("probe");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, probe_finds_the_virtio_block_function);
	tcase_add_test(tc, probe_refuses_what_it_cannot_drive);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(pci_probe_suite)
