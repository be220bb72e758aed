/* SPDX-License-Identifier: MIT */
/*
 * The adapter's contract tables (seed: virtio-core-abstraction.md):
 * as_dev_type, as_dev_err row by row, the error and type names, and
 * MMIO probing of windows that hold no usable device.
 */
#include <limits.h>
#include <string.h>

#include "devices/virtio/virtio_mmio.h"
#include "drivers/adapter/adapter.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/virtio.h"
#include "sim/machine.h"
#include "tests/testutil.h"

/* Device Type Mapping: Block, Network, GPU; other types -> none. */
START_TEST(dev_type_supported_rows)
{
	enum dev_type t = DEV_TYPE_CHAR;

#ifdef VIRTSIM_HAVE_BLK
	ck_assert(as_dev_type(VIRTIO_ID_BLOCK, &t));
	ck_assert_int_eq(t, DEV_TYPE_BLOCK);
#else
	ck_assert(!as_dev_type(VIRTIO_ID_BLOCK, &t));
#endif
	t = DEV_TYPE_CHAR;
#ifdef VIRTSIM_HAVE_NET
	ck_assert(as_dev_type(VIRTIO_ID_NET, &t));
	ck_assert_int_eq(t, DEV_TYPE_NET);
#else
	ck_assert(!as_dev_type(VIRTIO_ID_NET, &t));
#endif
	t = DEV_TYPE_CHAR;
#ifdef VIRTSIM_HAVE_GPU
	ck_assert(as_dev_type(VIRTIO_ID_GPU, &t));
	ck_assert_int_eq(t, DEV_TYPE_DISPLAY);
#else
	ck_assert(!as_dev_type(VIRTIO_ID_GPU, &t));
#endif
}
END_TEST

START_TEST(dev_type_other_rows_are_none)
{
	const uint32_t others[] = {0,
				   VIRTIO_ID_CONSOLE,
				   VIRTIO_ID_RNG,
				   VIRTIO_ID_BALLOON,
				   VIRTIO_ID_SCSI,
				   VIRTIO_ID_9P,
				   VIRTIO_ID_INPUT,
				   VIRTIO_ID_VSOCK,
				   VIRTIO_ID_FS,
				   17,
				   0xffff,
				   0xffffffffu};

	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		enum dev_type t = DEV_TYPE_CHAR;

		ck_assert_msg(!as_dev_type(others[i], &t), "id %u", others[i]);
		ck_assert_int_eq(t, DEV_TYPE_CHAR); /* untouched */
	}
}
END_TEST

static const struct {
	int virtio;
	enum dev_err dev;
} err_rows[] = {
    {VIRTIO_ERR_QUEUE_FULL, DEV_ERR_BAD_STATE},
    {VIRTIO_ERR_NOT_READY, DEV_ERR_AGAIN},
    {VIRTIO_ERR_WRONG_TOKEN, DEV_ERR_BAD_STATE},
    {VIRTIO_ERR_ALREADY_USED, DEV_ERR_ALREADY_EXISTS},
    {VIRTIO_ERR_INVALID_PARAM, DEV_ERR_INVALID_PARAM},
    {VIRTIO_ERR_DMA_ERROR, DEV_ERR_NO_MEMORY},
    {VIRTIO_ERR_IO_ERROR, DEV_ERR_IO},
    {VIRTIO_ERR_UNSUPPORTED, DEV_ERR_UNSUPPORTED},
    {VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL, DEV_ERR_BAD_STATE},
    {VIRTIO_ERR_CONFIG_SPACE_MISSING, DEV_ERR_BAD_STATE},
};

/* Error Mapping Table, every row, negated or not. */
START_TEST(dev_err_rows)
{
	for (unsigned i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
		ck_assert_int_eq(as_dev_err(err_rows[i].virtio),
				 err_rows[i].dev);
		ck_assert_int_eq(as_dev_err(-err_rows[i].virtio),
				 err_rows[i].dev);
	}
}
END_TEST

/* The Default row: anything else is BadState. */
START_TEST(dev_err_default_row)
{
	const int others[] = {0, 11, -11, 99, -1000, INT_MAX, INT_MIN};

	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		ck_assert_int_eq(as_dev_err(others[i]), DEV_ERR_BAD_STATE);
}
END_TEST

START_TEST(virtio_error_names)
{
	static const char *const names[] = {
	    "QueueFull",	 "NotReady",	 "WrongToken",
	    "AlreadyUsed",	 "InvalidParam", "DmaError",
	    "IoError",		 "Unsupported",	 "ConfigSpaceTooSmall",
	    "ConfigSpaceMissing"};

	for (int e = 1; e <= 10; e++) {
		ck_assert_str_eq(virtio_error_name(e), names[e - 1]);
		ck_assert_str_eq(virtio_error_name(-e), names[e - 1]);
	}
	ck_assert_str_eq(virtio_error_name(0), "Unknown");
	ck_assert_str_eq(virtio_error_name(11), "Unknown");
	ck_assert_str_eq(virtio_error_name(INT_MIN), "Unknown");
}
END_TEST

START_TEST(dev_err_and_type_names)
{
	static const char *const names[] = {
	    "AlreadyExists", "Again",	     "BadState",   "InvalidParam", "Io",
	    "NoMemory",	     "ResourceBusy", "Unsupported"};

	for (int e = 1; e <= 8; e++) {
		ck_assert_str_eq(dev_err_name(e), names[e - 1]);
		ck_assert_str_eq(dev_err_name(-e), names[e - 1]);
	}
	ck_assert_str_eq(dev_err_name(0), "Unknown");
	ck_assert_str_eq(dev_err_name(9), "Unknown");
	ck_assert_str_eq(dev_err_name(INT_MIN), "Unknown");
	/* Each mapped error names itself. */
	ck_assert_str_eq(dev_err_name(as_dev_err(-VIRTIO_ERR_NOT_READY)),
			 "Again");
	ck_assert_str_eq(dev_type_name(DEV_TYPE_BLOCK), "Block");
	ck_assert_str_eq(dev_type_name(DEV_TYPE_CHAR), "Char");
	ck_assert_str_eq(dev_type_name(DEV_TYPE_NET), "Net");
	ck_assert_str_eq(dev_type_name(DEV_TYPE_DISPLAY), "Display");
	ck_assert_str_eq(dev_type_name((enum dev_type)42), "Unknown");
}
END_TEST

/* MMIO-D-04, MMIO-D-06, MMIO-D-15, MMIO-D-16: nothing usable in the window -> none. */
START_TEST(probe_mmio_without_device)
{
	struct machine m;
	struct machine_options o = {.mem_size = 1u << 20};
	struct virtio_mmio_transport t;
	enum dev_type type = DEV_TYPE_CHAR;
	int slot;

	ck_assert_int_eq(machine_init(&m, &o), 0);
	/* Nothing mapped: magic reads all ones. */
	ck_assert(!probe_mmio_device(machine_hal(&m), machine_mmio_slot_base(0),
				     MACHINE_MMIO_SLOT_SIZE, &t, &type));
	ck_assert_int_eq(virtio_mmio_transport_init(&t, machine_hal(&m),
						    machine_mmio_slot_base(0),
						    MACHINE_MMIO_SLOT_SIZE),
			 -VIRTIO_ERR_UNSUPPORTED);
	/* A window too small for the header. */
	ck_assert_int_eq(virtio_mmio_transport_init(&t, machine_hal(&m),
						    machine_mmio_slot_base(0),
						    0x80),
			 -VIRTIO_ERR_INVALID_PARAM);
	/* A placeholder slot: DeviceID 0, silently ignored. */
	slot = virtio_mmio_attach_empty(&m);
	ck_assert_int_ge(slot, 0);
	ck_assert_int_eq(
	    virtio_mmio_transport_init(&t, machine_hal(&m),
				       machine_mmio_slot_base((unsigned)slot),
				       MACHINE_MMIO_SLOT_SIZE),
	    -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(t.irq_line, VIRTIO_NO_IRQ);
	ck_assert(!probe_mmio_device(machine_hal(&m),
				     machine_mmio_slot_base((unsigned)slot),
				     MACHINE_MMIO_SLOT_SIZE, &t, &type));
	ck_assert_int_eq(type, DEV_TYPE_CHAR);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}
END_TEST

static Suite *adapter_suite(void)
{
	Suite *s = suite_create("adapter");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, dev_type_supported_rows);
	tcase_add_test(tc, dev_type_other_rows_are_none);
	tcase_add_test(tc, dev_err_rows);
	tcase_add_test(tc, dev_err_default_row);
	tcase_add_test(tc, virtio_error_names);
	tcase_add_test(tc, dev_err_and_type_names);
	tcase_add_test(tc, probe_mmio_without_device);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(adapter_suite)
