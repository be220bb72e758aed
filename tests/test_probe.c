/* SPDX-License-Identifier: MIT */
/*
 * probe_mmio_device over windows that answer with chosen header values:
 * "none" for a bad magic, a bad version, device id 0 (an empty slot) and
 * an unsupported device type; the device type mapped for the others.
 */
#include "devices/virtio/virtio_mmio.h"
#include "drivers/adapter/adapter.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/wire/virtio_mmio.h"
#include "sim/machine.h"
#include "tests/testutil.h"

#define FAKE_BASE 0x20000000ull

struct fake_header {
	uint32_t magic, version, device_id, vendor_id;
	unsigned reads, writes; /* accesses the probe made */
};

static uint32_t fake_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake_header *h = opaque;

	h->reads++;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return h->magic;
	case VIRTIO_MMIO_VERSION: return h->version;
	case VIRTIO_MMIO_DEVICE_ID: return h->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return h->vendor_id;
	}
	return 0;
}

static void fake_write(void *opaque, uint64_t off, uint32_t val,
		       unsigned size)
{
	((struct fake_header *)opaque)->writes++;
}

static const struct bus_region_ops fake_ops = {.read = fake_read,
					       .write = fake_write};

static struct machine m;

static void setup(void)
{
	struct machine_options o = {.mem_size = 1u << 20};

	ck_assert_int_eq(machine_init(&m, &o), 0);
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

/* Probe a window whose header reads @h; true if probe says yes. */
static bool probe(struct fake_header *h, enum dev_type *type)
{
	struct virtio_mmio_transport t;
	bool found;

	ck_assert_int_eq(bus_map(&m.bus, FAKE_BASE, VIRTIO_MMIO_WINDOW_SIZE,
				 &fake_ops, h, "fake"), 0);
	found = probe_mmio_device(machine_hal(&m), FAKE_BASE,
				  VIRTIO_MMIO_WINDOW_SIZE, &t, type);
	ck_assert_int_eq(bus_unmap(&m.bus, FAKE_BASE), 0);
	return found;
}

/* MMIO-D-04, MMIO-D-15: ignore a device whose magic is not "virt". */
START_TEST(bad_magic_is_none)
{
	struct fake_header h = {0x12345678, 2, VIRTIO_ID_BLOCK, 0, 0, 0};
	enum dev_type type;

	ck_assert(!probe(&h, &type));
	h.magic = 0x76697274; /* "virt" byte-swapped */
	ck_assert(!probe(&h, &type));
}
END_TEST

/* MMIO-D-05: versions other than 1 and 2 are not driven. */
START_TEST(bad_version_is_none)
{
	struct fake_header h = {VIRTIO_MMIO_MAGIC, 0, VIRTIO_ID_BLOCK, 0, 0, 0};
	enum dev_type type;

	ck_assert(!probe(&h, &type));
	h.version = 3;
	ck_assert(!probe(&h, &type));
	h.version = 0xffffffffu;
	ck_assert(!probe(&h, &type));
}
END_TEST

/* MMIO-D-06, MMIO-D-16: device id 0 is a placeholder: ignore it. */
START_TEST(device_id_zero_is_none)
{
	struct fake_header h = {VIRTIO_MMIO_MAGIC, 2, 0, 0, 0, 0};
	enum dev_type type;

	ck_assert(!probe(&h, &type));
	/* Magic, version, device id: nothing after it, nothing written. */
	ck_assert_uint_eq(h.reads, 3);
	ck_assert_uint_eq(h.writes, 0);
	h.version = 1;
	ck_assert(!probe(&h, &type));
}
END_TEST

/* The seed's "other types -> none" row, through the probe. */
START_TEST(unsupported_type_is_none)
{
	const uint32_t others[] = {VIRTIO_ID_CONSOLE, VIRTIO_ID_RNG,
				   VIRTIO_ID_BALLOON, VIRTIO_ID_INPUT,
				   VIRTIO_ID_VSOCK, 42};
	enum dev_type type;

	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct fake_header h = {VIRTIO_MMIO_MAGIC, 2, others[i], 0, 0, 0};

		ck_assert_msg(!probe(&h, &type), "device id %u",
			      (unsigned)others[i]);
	}
}
END_TEST

/* Supported ids map to their device types, on both versions. */
#if defined(VIRTSIM_HAVE_BLK) || defined(VIRTSIM_HAVE_NET) ||                \
    defined(VIRTSIM_HAVE_GPU)
#define HAVE_A_CLASS 1
#endif

#ifdef HAVE_A_CLASS
START_TEST(supported_types_are_mapped)
{
	const struct {
		uint32_t id;
		enum dev_type type;
	} rows[] = {
#ifdef VIRTSIM_HAVE_BLK
		{VIRTIO_ID_BLOCK, DEV_TYPE_BLOCK},
#endif
#ifdef VIRTSIM_HAVE_NET
		{VIRTIO_ID_NET, DEV_TYPE_NET},
#endif
#ifdef VIRTSIM_HAVE_GPU
		{VIRTIO_ID_GPU, DEV_TYPE_DISPLAY},
#endif
	};

	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (uint32_t v = 1; v <= 2; v++) {
			struct fake_header h = {VIRTIO_MMIO_MAGIC, v,
						rows[i].id, 0, 0, 0};
			enum dev_type type = (enum dev_type)-1;

			ck_assert_msg(probe(&h, &type), "id %u v%u",
				      (unsigned)rows[i].id, (unsigned)v);
			ck_assert_int_eq(type, rows[i].type);
		}
	}
}
END_TEST
#endif

/* Nothing mapped there at all: the bus reads all ones. */
START_TEST(unmapped_window_is_none)
{
	struct virtio_mmio_transport t;
	enum dev_type type;

	ck_assert(!probe_mmio_device(machine_hal(&m), FAKE_BASE,
				     VIRTIO_MMIO_WINDOW_SIZE, &t, &type));
	ck_assert_uint_gt(m.bus.unmapped, 0);
}
END_TEST

/* An empty machine slot (the MMIO front-end with no device) is none. */
START_TEST(empty_machine_slot_is_none)
{
	struct virtio_mmio_transport t;
	enum dev_type type;
	int slot = virtio_mmio_attach_empty(&m);

	ck_assert_int_ge(slot, 0);
	ck_assert_uint_eq(hal_mmio_read32(machine_hal(&m),
					  machine_mmio_slot_base(slot) +
						  VIRTIO_MMIO_MAGIC_VALUE),
			  VIRTIO_MMIO_MAGIC);
	ck_assert(!probe_mmio_device(machine_hal(&m),
				     machine_mmio_slot_base(slot),
				     MACHINE_MMIO_SLOT_SIZE, &t, &type));
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe_mmio");
	TCase *tc = tcase_create("header");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bad_magic_is_none);
	tcase_add_test(tc, bad_version_is_none);
	tcase_add_test(tc, device_id_zero_is_none);
	tcase_add_test(tc, unsupported_type_is_none);
#ifdef HAVE_A_CLASS /* a build with every class left out maps none */
	tcase_add_test(tc, supported_types_are_mapped);
#endif
	tcase_add_test(tc, unmapped_window_is_none);
	tcase_add_test(tc, empty_machine_slot_is_none);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(probe_suite)
