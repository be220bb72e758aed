/* SPDX-License-Identifier: MIT */
/*
 * PCI end to end on the machine's own host bridge: the guest enumerates
 * bus 0, assigns BARs, probes with probe_pci_device and drives virtio-blk
 * models placed as correct and as deliberately broken virtio-pci
 * functions. Broken config capabilities must surface as
 * ConfigSpaceMissing / ConfigSpaceTooSmall and map to BadState; broken
 * capability lists must make the probe say none.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "devices/blk/blk_model.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/adapter/adapter.h"
#include "drivers/adapter/blk_device.h"
#include "drivers/virtio/pci_transport.h"
#include "drivers/wire/virtio_pci.h"
#include "sim/machine.h"
#include "tests/testutil.h"

#define DISK_BYTES (256u * 512u)
#define MAX_FILES 8

static struct machine m;
static struct pci_root root;
static char paths[MAX_FILES][4096];
static unsigned nfiles;

static void setup_mode(enum sim_mode mode)
{
	struct machine_options o = {.mem_size = 8u << 20, .mode = mode};

	nfiles = 0;
	ck_assert_int_eq(machine_init(&m, &o), 0);
	ck_assert_int_eq(pci_root_init(&root, machine_hal(&m),
				       MACHINE_ECAM_BASE, MACHINE_ECAM_BUSES),
			 0);
	pci_root_set_mmio_window(&root, MACHINE_PCI_MMIO_BASE,
				 MACHINE_PCI_MMIO_SIZE);
}

static void setup_sync(void)
{
	setup_mode(SIM_MODE_SYNC);
}

static void setup_deferred(void)
{
	setup_mode(SIM_MODE_DEFERRED);
}

static void setup_thread(void)
{
	setup_mode(SIM_MODE_THREAD);
}

static void teardown(void)
{
	/* Failed inits gave back every DMA page they took. */
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	while (nfiles)
		unlink(paths[--nfiles]);
}

/* A blk model on a fresh patterned file. */
static struct virtio_dev *new_blk(void)
{
	ck_assert_uint_lt(nfiles, MAX_FILES);
	test_make_file(paths[nfiles], sizeof(paths[0]), "pci", DISK_BYTES, 1);
	return test_blk_model(&m, paths[nfiles++], false, NULL);
}

static int add_blk(unsigned quirk_flags)
{
	struct virtio_pci_quirks q = {.flags = quirk_flags};
	int slot = virtio_pci_attach(&m, new_blk(), &q);

	ck_assert_int_gt(slot, 0);
	return slot;
}

/* Firmware's part for @bdf, then the probe. */
static bool probe(uint32_t bdf, struct virtio_pci_transport *t,
		  enum dev_type *type)
{
	struct pci_function_info info;

	ck_assert_int_eq(pci_function_info_read(&root, bdf, &info), 0);
	ck_assert_int_eq(pci_assign_bars(&root, bdf), 0);
	pci_enable(&root, bdf);
	return probe_pci_device(&root, bdf, &info, t, type);
}

/* virtio_blk_init's error on the device at 00:@slot.0 (probe must work). */
static int blk_init_error(int slot)
{
	struct virtio_pci_transport t;
	struct virtio_blk_device d;
	struct virtio_blk blk;
	enum dev_type type;
	int err;

	ck_assert(probe(PCI_BDF(0, slot, 0), &t, &type));
	ck_assert_int_eq(type, DEV_TYPE_BLOCK);
	err = virtio_blk_init(&blk, &t.base, NULL, VIRTIO_NO_IRQ);
	if (!err) {
		virtio_blk_destroy(&blk);
		return 0;
	}
	/* FEAT-D-05 / INIT-D-10: the driver gave up and said so. */
	ck_assert(virtio_transport_get_status(&t.base) &
		  VIRTIO_CONFIG_S_FAILED);
	/* The same failure through the adapter is a device error. */
	ck_assert_int_eq(virtio_blk_device_init(&d, &t.base, NULL,
						VIRTIO_NO_IRQ),
			 -(int)as_dev_err(err));
	return err;
}

/* PCI-D-08: no device-specific config structure at all. */
START_TEST(missing_device_cfg_is_config_space_missing)
{
	int err = blk_init_error(add_blk(VIRTIO_PCI_QUIRK_NO_DEVICE_CFG));

	ck_assert_str_eq(virtio_error_name(err), "ConfigSpaceMissing");
	ck_assert_int_eq(as_dev_err(err), DEV_ERR_BAD_STATE);
}
END_TEST

/* INIT-D-06: a config structure shorter than the driver needs. */
START_TEST(short_device_cfg_is_config_space_too_small)
{
	int err = blk_init_error(add_blk(VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG));

	ck_assert_str_eq(virtio_error_name(err), "ConfigSpaceTooSmall");
	ck_assert_int_eq(as_dev_err(err), DEV_ERR_BAD_STATE);
}
END_TEST

/* PCI-D-09: a capability pointing outside its BAR is not used. */
START_TEST(device_cfg_outside_its_bar_is_not_used)
{
	int err = blk_init_error(add_blk(VIRTIO_PCI_QUIRK_CAP_OUTSIDE_BAR));

	ck_assert_str_eq(virtio_error_name(err), "ConfigSpaceMissing");
	ck_assert_int_eq(as_dev_err(err), DEV_ERR_BAD_STATE);
}
END_TEST

/* Capability lists the transport cannot use: the probe says none. */
START_TEST(unusable_capabilities_probe_none)
{
	const unsigned quirks[] = {
		VIRTIO_PCI_QUIRK_CAP_LOOP,      VIRTIO_PCI_QUIRK_NO_COMMON_CFG,
		VIRTIO_PCI_QUIRK_NO_NOTIFY_CFG, VIRTIO_PCI_QUIRK_NO_ISR_CFG,
		VIRTIO_PCI_QUIRK_NO_CAPS,
	};
	struct virtio_pci_transport t;
	enum dev_type type;

	for (unsigned i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++) {
		int slot = add_blk(quirks[i]);

		ck_assert_msg(!probe(PCI_BDF(0, slot, 0), &t, &type),
			      "quirk 0x%x probed", quirks[i]);
	}
}
END_TEST

/* Read sector 0..7 of @dev at @bdf through the stack, compare the file. */
static void read_and_compare(uint32_t bdf, const char *path)
{
	static uint8_t got[4096], want[4096];
	struct virtio_pci_transport t;
	struct virtio_blk blk;
	enum dev_type type;

	ck_assert(probe(bdf, &t, &type));
	ck_assert_int_eq(type, DEV_TYPE_BLOCK);
	ck_assert_int_eq(virtio_blk_init(&blk, &t.base, NULL, VIRTIO_NO_IRQ),
			 0);
	ck_assert_int_eq(virtio_blk_read(&blk, 0, got, sizeof(got)), 0);
	test_file_read(path, want, sizeof(want), 0);
	ck_assert_mem_eq(got, want, sizeof(want));
	virtio_blk_destroy(&blk);
}

/* PCI-D-05..07: unknown cfg_type, a reserved BAR, a long cap are skipped. */
START_TEST(odd_capabilities_are_ignored)
{
	int slot = add_blk(VIRTIO_PCI_QUIRK_ODD_CAPS);

	read_and_compare(PCI_BDF(0, slot, 0), paths[0]);
}
END_TEST

/*
 * Enumeration on the real bridge: the host bridge (not VirtIO), devices
 * in slots 1 and 2, absent slots, and a multi-function device in slot 5
 * whose two functions are both driven. BARs do not overlap.
 */
START_TEST(enumeration_finds_every_function)
{
	const uint32_t want[] = {PCI_BDF(0, 0, 0), PCI_BDF(0, 1, 0),
				 PCI_BDF(0, 2, 0), PCI_BDF(0, 5, 0),
				 PCI_BDF(0, 5, 1)};
	struct pci_function_info info[8];
	uint64_t bar_base[8] = {0};
	struct pci_enum it;
	uint32_t bdf[8];
	unsigned n = 0;

	ck_assert_int_eq(add_blk(0), 1);
	ck_assert_int_eq(add_blk(0), 2);
	ck_assert_int_eq(virtio_pci_attach_function(&m, 5, 0, new_blk(), NULL),
			 0);
	ck_assert_int_eq(virtio_pci_attach_function(&m, 5, 1, new_blk(), NULL),
			 0);
	pci_enum_begin(&it, &root, 0);
	while (n < 8 && pci_enum_next(&it, &bdf[n], &info[n]) > 0)
		n++;
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(bdf[i], want[i]);
	ck_assert_uint_eq(info[0].class_code, PCI_CLASS_BRIDGE);
	ck_assert(info[3].multi_function);
	for (unsigned i = 1; i < n; i++) {
		struct pci_bar_info bar;

		ck_assert_uint_eq(info[i].vendor_id, VIRTIO_PCI_VENDOR_ID);
		ck_assert_int_eq(pci_assign_bars(&root, bdf[i]), 0);
		ck_assert_int_eq(pci_bar_info_read(&root, bdf[i], 4, &bar), 0);
		ck_assert_int_eq(bar.type, PCI_BAR_MEM64);
		bar_base[i] = bar.address;
		for (unsigned j = 1; j < i; j++)
			ck_assert(bar_base[j] + bar.size <= bar.address ||
				  bar.address + bar.size <= bar_base[j]);
	}
	/* Both functions of the multi-function device work, each its own. */
	read_and_compare(PCI_BDF(0, 5, 0), paths[2]);
	read_and_compare(PCI_BDF(0, 5, 1), paths[3]);
}
END_TEST

static Suite *pci_blk_suite(void)
{
	Suite *s = suite_create("pci_blk_end_to_end");
	/* Every case in every execution mode. */
	void (*const setups[])(void) = {setup_sync, setup_deferred,
					setup_thread};
	const char *const names[] = {"sync", "deferred", "thread"};

	for (unsigned i = 0; i < 3; i++) {
		TCase *tc = tcase_create(names[i]);

		tcase_add_checked_fixture(tc, setups[i], teardown);
		tcase_add_test(tc, missing_device_cfg_is_config_space_missing);
		tcase_add_test(tc, short_device_cfg_is_config_space_too_small);
		tcase_add_test(tc, device_cfg_outside_its_bar_is_not_used);
		tcase_add_test(tc, unusable_capabilities_probe_none);
		tcase_add_test(tc, odd_capabilities_are_ignored);
		tcase_add_test(tc, enumeration_finds_every_function);
		suite_add_tcase(s, tc);
	}
	return s;
}

VIRTSIM_TEST_MAIN(pci_blk_suite)
