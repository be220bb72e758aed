/* SPDX-License-Identifier: MIT */
/*
 * The transport, device-core and queue fault points, end to end: each
 * armed by a fixed plan on a machine with virtio-blk models over MMIO v1,
 * MMIO v2 and PCI, driven by the real driver stack. Every test checks
 * (1) the point's hits and fires exactly, (2) the driver's VirtIO error
 * and the device error as_dev_err maps it to (the seed's table row),
 * (3) that without the fault (after a reset and re-init, or on the
 * device the plan spared) the next operation succeeds, and (4) that no
 * DMA page leaked (machine_destroy's HAL books).
 *
 * Loop index _i is the transport: 0 MMIO v1 (legacy), 1 MMIO v2, 2 PCI.
 * The device-core and queue points run in the sync and the deferred
 * execution mode (test case "deferred"): the same plan, the same counts.
 */
#include <string.h>
#include <unistd.h>

#include "devices/virtio/virtio_mmio.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/adapter/adapter.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/pci_transport.h"
#include "drivers/virtio/virtio_blk.h"
#include "drivers/wire/virtio_pci.h"
#include "sim/fault.h"
#include "sim/machine.h"
#include "tests/testutil.h"
#ifdef VIRTSIM_HAVE_NET
#include "devices/net/net_loop.h"
#include "devices/net/net_model.h"
#include "drivers/virtio/virtio_net.h"
#endif

enum { V_MMIO1, V_MMIO2, V_PCI, NVARIANTS };

#define DISK_BYTES (64u * 1024u)
#define MAX_DEVS 2

static struct machine m;
static struct pci_root root;
static int variant;
static enum sim_mode run_mode; /* set by the test case's fixture */
static unsigned ndevs;
static char paths[MAX_DEVS][4096];
static struct virtio_dev *models[MAX_DEVS];
static int where[MAX_DEVS]; /* MMIO slot or PCI device number */
static struct virtio_mmio_transport mt;
static struct virtio_pci_transport pt;
static struct virtio_transport *tr;
static struct virtio_blk blk;
static enum dev_type want_type; /* what probe must find */
static const char *const variant_names[] = {"MMIO v1", "MMIO v2", "PCI"};

#ifdef VIRTSIM_HAVE_NET
static void destroy_net_model(void *dev)
{
	net_model_destroy(dev);
}
#endif

/*
 * A machine with @n blk models (with @net, one net model on the loop
 * switch) on transport @v, the plan @plan armed.
 */
static void start_models(int v, const char *plan, unsigned n, bool net)
{
	struct fault_arm arm;
	struct machine_options o = {.mem_size = 8u << 20,
				    .mode = run_mode,
				    .faults = &arm,
				    .fault_count = 1};
	char err[256];

	ck_assert_msg(fault_arm_parse(plan, &arm, err, sizeof(err)) == 0, "%s",
		      err);
	variant = v;
	ndevs = n;
	ck_assert_int_eq(machine_init(&m, &o), 0);
	if (v == V_PCI) {
		ck_assert_int_eq(pci_root_init(&root, machine_hal(&m),
					       MACHINE_ECAM_BASE,
					       MACHINE_ECAM_BUSES),
				 0);
		pci_root_set_mmio_window(&root, MACHINE_PCI_MMIO_BASE,
					 MACHINE_PCI_MMIO_SIZE);
	}
	want_type = net ? DEV_TYPE_NET : DEV_TYPE_BLOCK;
	for (unsigned i = 0; i < n; i++) {
		if (!net) {
			test_make_file(paths[i], sizeof(paths[i]), "fault",
				       DISK_BYTES, 1);
			models[i] = test_blk_model(&m, paths[i], false, NULL);
		}
#ifdef VIRTSIM_HAVE_NET
		if (net) {
			models[i] = net_model_create(
			    &m.env, net_loop_create(&m.env), NULL);
			ck_assert_ptr_nonnull(models[i]);
			ck_assert_int_eq(machine_on_destroy(
					     &m, destroy_net_model, models[i]),
					 0);
		}
#endif
		/* dev=N in a plan is this instance number. */
		ck_assert_uint_eq(models[i]->id, i);
		if (v == V_PCI)
			where[i] = virtio_pci_attach(&m, models[i], NULL);
		else
			where[i] = virtio_mmio_attach(&m, models[i],
						      v == V_MMIO1 ? 1 : 2);
		ck_assert_int_ge(where[i], 0);
		if (v == V_PCI) {
			uint32_t bdf = PCI_BDF(0, where[i], 0);

			/* Firmware's part, once per function. */
			ck_assert_int_eq(pci_assign_bars(&root, bdf), 0);
			pci_enable(&root, bdf);
		}
	}
}

static void start(int v, const char *plan, unsigned n)
{
	start_models(v, plan, n, false);
}

/* (4): every DMA page back, every share undone. */
static void stop(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	for (unsigned i = 0; i < ndevs && want_type == DEV_TYPE_BLOCK; i++)
		unlink(paths[i]);
}

static void expect_counts(enum fault_point p, uint64_t hits, uint64_t fires)
{
	ck_assert_msg(m.faults.hits[p] == hits && m.faults.fires[p] == fires,
		      "%s on %s, %s: %llu hits, %llu fired; want %llu, %llu",
		      fault_point_name(p), variant_names[variant],
		      run_mode == SIM_MODE_DEFERRED ? "deferred" : "sync",
		      (unsigned long long)m.faults.hits[p],
		      (unsigned long long)m.faults.fires[p],
		      (unsigned long long)hits, (unsigned long long)fires);
}

/* probe_mmio_device / probe_pci_device for device @i: true if found. */
static bool probe(unsigned i)
{
	enum dev_type type;
	bool found;

	if (variant == V_PCI) {
		struct pci_function_info info;

		ck_assert_int_eq(pci_function_info_read(
				     &root, PCI_BDF(0, where[i], 0), &info),
				 0);
		found = probe_pci_device(&root, PCI_BDF(0, where[i], 0), &info,
					 &pt, &type);
		tr = &pt.base;
	} else {
		found = probe_mmio_device(
		    machine_hal(&m), machine_mmio_slot_base((unsigned)where[i]),
		    MACHINE_MMIO_SLOT_SIZE, &mt, &type);
		tr = &mt.base;
	}
	if (found)
		ck_assert_int_eq(type, want_type);
	return found;
}

/* The transport's own answer for device @i (what made the probe fail). */
static int transport_init(unsigned i)
{
	if (variant == V_PCI)
		return virtio_pci_transport_init(&pt, &root,
						 PCI_BDF(0, where[i], 0));
	return virtio_mmio_transport_init(
	    &mt, machine_hal(&m), machine_mmio_slot_base((unsigned)where[i]),
	    MACHINE_MMIO_SLOT_SIZE);
}

static int init(const struct virtio_blk_options *o)
{
	return virtio_blk_init(&blk, tr, o, VIRTIO_NO_IRQ);
}

/* (2): @err is the VirtIO error @want, and as_dev_err says @dev. */
static void expect_error(int err, enum virtio_error want, enum dev_err dev)
{
	ck_assert_msg(err == -(int)want, "%s: %s, want %s",
		      variant_names[variant], virtio_error_name(err),
		      virtio_error_name(want));
	ck_assert_int_eq(as_dev_err(err), dev);
}

/* A read of the first 4 KiB, checked against the file's pattern. */
static int read_check(void)
{
	static uint8_t buf[4096];
	int err = virtio_blk_read(&blk, 0, buf, sizeof(buf));

	for (unsigned k = 0; !err && k < sizeof(buf); k++)
		ck_assert_uint_eq(buf[k], test_pattern_byte(k));
	return err;
}

/* Let the machine run until nothing can happen any more (deferred). */
static void run_idle(void)
{
	int ret = 0;

	for (unsigned k = 0; k < 100000 && ret == 0; k++)
		ret = hal_wait(machine_hal(&m));
	ck_assert_int_eq(ret, -HAL_EIDLE);
}

/* (3): set up again from scratch and read. */
static void reinit_and_read(void)
{
	virtio_blk_destroy(&blk);
	ck_assert_int_eq(init(NULL), 0);
	ck_assert_int_eq(read_check(), 0);
}

/*
 * MMIO-D-04/05/06 (MMIO-D-15): a bad magic, a version not 1 or 2 and
 * device id 0 make the probe say none. count=2: the probe and the
 * transport's own answer fail, the third look finds the disk.
 */
static void header_fault(int v, const char *plan, enum fault_point p,
			 enum virtio_error want, enum dev_err dev)
{
	start(v, plan, 1);
	ck_assert(!probe(0));
	expect_error(transport_init(0), want, dev);
	expect_counts(p, 2, 2);
	ck_assert(probe(0));
	ck_assert_int_eq(init(NULL), 0);
	ck_assert_int_eq(read_check(), 0);
	expect_counts(p, 3, 2);
	virtio_blk_destroy(&blk);
	stop();
}

START_TEST(bad_magic_probes_none)
{
	header_fault(_i, "bad-magic,count=2", FAULT_BAD_MAGIC,
		     VIRTIO_ERR_UNSUPPORTED, DEV_ERR_UNSUPPORTED);
}
END_TEST

START_TEST(bad_version_probes_none)
{
	header_fault(_i, "bad-version,count=2", FAULT_BAD_VERSION,
		     VIRTIO_ERR_UNSUPPORTED, DEV_ERR_UNSUPPORTED);
}
END_TEST

/* MMIO-D-06: an empty slot is ignored silently (NotReady -> Again). */
START_TEST(mmio_device_id_zero_probes_none)
{
	header_fault(_i, "device-id-zero,count=2", FAULT_DEVICE_ID_ZERO,
		     VIRTIO_ERR_NOT_READY, DEV_ERR_AGAIN);
}
END_TEST

/*
 * PCI-D-01: the function of instance 0 has device id 0x1040, VirtIO id
 * 0, no device: the probe says none. Asked as each function is attached
 * (two hits), so instance 1 beside it is a working disk.
 */
START_TEST(pci_device_id_zero_probes_none)
{
	struct pci_function_info info;

	start(V_PCI, "device-id-zero,dev=0", 2);
	expect_counts(FAULT_DEVICE_ID_ZERO, 2, 1);
	ck_assert_int_eq(
	    pci_function_info_read(&root, PCI_BDF(0, where[0], 0), &info), 0);
	ck_assert_uint_eq(info.vendor_id, VIRTIO_PCI_VENDOR_ID);
	ck_assert_uint_eq(info.device_id, VIRTIO_PCI_DEVICE_ID_MODERN_BASE);
	ck_assert(!probe(0));
	expect_error(transport_init(0), VIRTIO_ERR_UNSUPPORTED,
		     DEV_ERR_UNSUPPORTED);
	ck_assert(probe(1));
	ck_assert_int_eq(init(NULL), 0);
	ck_assert_int_eq(read_check(), 0);
	virtio_blk_destroy(&blk);
	expect_counts(FAULT_DEVICE_ID_ZERO, 2, 1);
	stop();
}
END_TEST

/*
 * The PCI quirks as fault points, asked once per function at attach:
 * dev=0 breaks instance 0 only, instance 1 works.
 */
enum quirk_outcome {
	PROBE_NONE, /* the transport refuses it: Unsupported */
	INIT_FAILS, /* probed; virtio_blk_init fails with .err */
	WORKS,	    /* a correct driver copes */
};

static const struct {
	const char *plan;
	enum fault_point point;
	unsigned quirk;
	enum quirk_outcome outcome;
	enum virtio_error err;
} quirk_cases[] = {
    /* PCI-D-26: no modern interface without these three. */
    {"pci-no-common-cfg,dev=0", FAULT_PCI_NO_COMMON_CFG,
     VIRTIO_PCI_QUIRK_NO_COMMON_CFG, PROBE_NONE, VIRTIO_ERR_UNSUPPORTED},
    {"pci-no-notify-cfg,dev=0", FAULT_PCI_NO_NOTIFY_CFG,
     VIRTIO_PCI_QUIRK_NO_NOTIFY_CFG, PROBE_NONE, VIRTIO_ERR_UNSUPPORTED},
    {"pci-no-isr-cfg,dev=0", FAULT_PCI_NO_ISR_CFG, VIRTIO_PCI_QUIRK_NO_ISR_CFG,
     PROBE_NONE, VIRTIO_ERR_UNSUPPORTED},
    {"pci-cap-loop,dev=0", FAULT_PCI_CAP_LOOP, VIRTIO_PCI_QUIRK_CAP_LOOP,
     PROBE_NONE, VIRTIO_ERR_UNSUPPORTED},
    /* PCI-D-08: no device config at all. */
    {"no-device-cfg,dev=0", FAULT_NO_DEVICE_CFG, VIRTIO_PCI_QUIRK_NO_DEVICE_CFG,
     INIT_FAILS, VIRTIO_ERR_CONFIG_SPACE_MISSING},
    /* INIT-D-06: a config shorter than the driver needs. */
    {"config-short,dev=0", FAULT_CONFIG_SHORT,
     VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG, INIT_FAILS,
     VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL},
    /* PCI-D-08: a structure running past its BAR is not used. */
    {"pci-cap-outside-bar,dev=0", FAULT_PCI_CAP_OUTSIDE_BAR,
     VIRTIO_PCI_QUIRK_CAP_OUTSIDE_BAR, INIT_FAILS,
     VIRTIO_ERR_CONFIG_SPACE_MISSING},
    /* The driver needs no PCI_CFG window. */
    {"pci-no-pci-cfg,dev=0", FAULT_PCI_NO_PCI_CFG, VIRTIO_PCI_QUIRK_NO_PCI_CFG,
     WORKS, 0},
    /* PCI-D-05/06/07: caps to skip come first. */
    {"pci-odd-caps,dev=0", FAULT_PCI_ODD_CAPS, VIRTIO_PCI_QUIRK_ODD_CAPS, WORKS,
     0},
};

START_TEST(pci_quirk_points_break_one_function)
{
	const unsigned c = (unsigned)_i;
	struct virtio_pci_dev *vp[MAX_DEVS];
	int err;

	start(V_PCI, quirk_cases[c].plan, 2);
	expect_counts(quirk_cases[c].point, 2, 1);
	for (unsigned i = 0; i < 2; i++) {
		vp[i] = virtio_pci_from_function(
		    pci_host_function(&m.pci, 0, (unsigned)where[i], 0));
		ck_assert_ptr_nonnull(vp[i]);
	}
	/* The broken function is built as the quirk says, the other not. */
	ck_assert_uint_eq(vp[0]->quirks, quirk_cases[c].quirk);
	ck_assert_uint_eq(vp[1]->quirks, 0);
	if (quirk_cases[c].point == FAULT_PCI_NO_PCI_CFG)
		ck_assert_uint_eq(vp[0]->cap_offset[VIRTIO_PCI_CAP_PCI_CFG], 0);
	if (quirk_cases[c].point == FAULT_PCI_ODD_CAPS)
		ck_assert_uint_eq(
		    pci_config_read8(&root, PCI_BDF(0, where[0], 0),
				     vp[0]->fn.cfg[PCI_CAPABILITY_LIST] + 3),
		    0x63); /* a reserved cfg_type, first */

	switch (quirk_cases[c].outcome) {
	case PROBE_NONE:
		ck_assert(!probe(0));
		expect_error(transport_init(0), VIRTIO_ERR_UNSUPPORTED,
			     DEV_ERR_UNSUPPORTED);
		break;
	case INIT_FAILS:
		ck_assert(probe(0));
		err = init(NULL);
		/* INIT-D-10: the driver gave up and said so. */
		ck_assert(virtio_transport_get_status(tr) &
			  VIRTIO_CONFIG_S_FAILED);
		expect_error(err, quirk_cases[c].err, DEV_ERR_BAD_STATE);
		break;
	case WORKS:
		ck_assert(probe(0));
		ck_assert_int_eq(init(NULL), 0);
		ck_assert_int_eq(read_check(), 0);
		virtio_blk_destroy(&blk);
		break;
	}
	ck_assert(probe(1));
	ck_assert_int_eq(init(NULL), 0);
	ck_assert_int_eq(read_check(), 0);
	virtio_blk_destroy(&blk);
	expect_counts(quirk_cases[c].point, 2, 1);
	stop();
}
END_TEST

/*
 * FEAT-D-05, INIT-D-07: the device refuses FEATURES_OK, the re-read lacks
 * it: Unsupported, FAILED. Legacy has no FEATURES_OK: never hit.
 */
START_TEST(features_ok_dropped_is_unsupported)
{
	bool legacy = _i == V_MMIO1;
	int err;

	start(_i, "features-ok-dropped,count=1", 1);
	ck_assert(probe(0));
	err = init(NULL);
	if (legacy) {
		ck_assert_int_eq(err, 0);
		expect_counts(FAULT_FEATURES_OK_DROPPED, 0, 0);
	} else {
		expect_error(err, VIRTIO_ERR_UNSUPPORTED, DEV_ERR_UNSUPPORTED);
		ck_assert(virtio_transport_get_status(tr) &
			  VIRTIO_CONFIG_S_FAILED);
		ck_assert(!(virtio_transport_get_status(tr) &
			    VIRTIO_CONFIG_S_FEATURES_OK));
		expect_counts(FAULT_FEATURES_OK_DROPPED, 1, 1);
		ck_assert_int_eq(init(NULL), 0);
	}
	ck_assert_int_eq(read_check(), 0);
	expect_counts(FAULT_FEATURES_OK_DROPPED, legacy ? 0 : 2,
		      legacy ? 0 : 1);
	virtio_blk_destroy(&blk);
	stop();
}
END_TEST

/*
 * INIT-V-02, §2.1.2: the device sets NEEDS_RESET at the read's notify;
 * the driver's wait sees it: IoError, and the driver resets (I/O fails
 * until it is set up again).
 */
START_TEST(needs_reset_is_io_error)
{
	start(_i, "needs-reset,count=1", 1);
	ck_assert(probe(0));
	ck_assert_int_eq(init(NULL), 0);
	expect_error(read_check(), VIRTIO_ERR_IO_ERROR, DEV_ERR_IO);
	ck_assert(models[0]->broken == false); /* the driver reset it */
	ck_assert_uint_eq(models[0]->guest_errors, 1);
	expect_counts(FAULT_NEEDS_RESET, 1, 1);
	expect_error(read_check(), VIRTIO_ERR_IO_ERROR, DEV_ERR_IO);
	reinit_and_read();
	expect_counts(FAULT_NEEDS_RESET, 2, 1);
	virtio_blk_destroy(&blk);
	stop();
}
END_TEST

/*
 * MMIO-D-10: queue 0 reads in use (QueuePFN, QueueReady, queue_enable)
 * before set-up: virtqueue_init refuses it, AlreadyUsed -> AlreadyExists,
 * allocating nothing. Re-init: queue_used and queue_set's own look.
 */
START_TEST(queue_in_use_is_already_used)
{
	start(_i, "queue-in-use,count=1", 1);
	ck_assert(probe(0));
	expect_error(init(NULL), VIRTIO_ERR_ALREADY_USED,
		     DEV_ERR_ALREADY_EXISTS);
	expect_counts(FAULT_QUEUE_IN_USE, 1, 1);
	ck_assert_int_eq(init(NULL), 0);
	expect_counts(FAULT_QUEUE_IN_USE, 3, 1);
	ck_assert_int_eq(read_check(), 0);
	virtio_blk_destroy(&blk);
	stop();
}
END_TEST

/*
 * MMIO-D-09, VQ-D-07: QueueNumMax 1 (PCI: queue_size) is shorter than a
 * request's chain (header, data, status): InvalidParam -> InvalidParam.
 * Re-init reads it twice (sizing, then queue_set's check).
 */
START_TEST(queue_max_small_is_invalid_param)
{
	start(_i, "queue-max-small,count=1", 1);
	ck_assert(probe(0));
	expect_error(init(NULL), VIRTIO_ERR_INVALID_PARAM,
		     DEV_ERR_INVALID_PARAM);
	expect_counts(FAULT_QUEUE_MAX_SMALL, 1, 1);
	ck_assert_int_eq(init(NULL), 0);
	expect_counts(FAULT_QUEUE_MAX_SMALL, 3, 1);
	ck_assert_int_eq(read_check(), 0);
	virtio_blk_destroy(&blk);
	stop();
}
END_TEST

/*
 * The device stops taking from queue 0 at the first notify: the token API
 * fills the ring, then QueueFull -> BadState; nothing completes. A
 * stalled queue is not asked again (one hit) until the reset.
 */
START_TEST(queue_stall_fills_the_ring)
{
	static struct virtio_blk_req reqs[8];
	static uint8_t bufs[8][512];
	const struct virtio_blk_options o = {.queue_size = 4};
	unsigned n = 0;
	uint16_t token;
	int err = 0;

	start(_i, "queue-stall,count=1", 1);
	ck_assert(probe(0));
	ck_assert_int_eq(init(&o), 0);
	while (n < 8 &&
	       !(err = virtio_blk_submit(&blk, &reqs[n], VIRTIO_BLK_T_IN, n,
					 bufs[n], 512)))
		n++;
	/* One chain per descriptor (indirect) or three: 1 to 4 fit. */
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, 4);
	expect_error(err, VIRTIO_ERR_QUEUE_FULL, DEV_ERR_BAD_STATE);
	run_idle(); /* however long it waits, nothing completes */
	ck_assert_int_eq(virtio_blk_poll(&blk, &token), 0);
	expect_counts(FAULT_QUEUE_STALL, 1, 1);
	/* Give the requests back (a reset), then start again. */
	virtio_blk_stop(&blk);
	for (unsigned k = 0; k < n; k++)
		ck_assert(!reqs[k].in_flight);
	reinit_and_read();
	expect_counts(FAULT_QUEUE_STALL, 2, 1);
	virtio_blk_destroy(&blk);
	stop();
}
END_TEST

#ifdef VIRTSIM_HAVE_NET
/*
 * The same for virtio-net's transmit queue: transmit_begin says
 * QueueFull once the ring is full of frames the device never took.
 */
START_TEST(queue_stall_fills_the_tx_ring)
{
	static uint8_t frames[8][128];
	const struct virtio_net_options o = {.queue_size = 4};
	struct virtio_net net;
	unsigned n = 0;
	uint16_t token;
	size_t len;
	int err = 0;

	start_models(_i, "queue-stall,count=1", 1, true);
	ck_assert(probe(0));
	ck_assert_int_eq(virtio_net_init(&net, tr, &o, VIRTIO_NO_IRQ), 0);
	len = virtio_net_hdr_len(&net) + 60;
	for (unsigned k = 0; k < 8; k++) {
		memset(frames[k], 0, sizeof(frames[k]));
		/* Broadcast, from the NIC's own address. */
		memset(frames[k] + virtio_net_hdr_len(&net), 0xff, 6);
		virtio_net_mac(&net, frames[k] + virtio_net_hdr_len(&net) + 6);
	}
	while (n < 8 &&
	       !(err = virtio_net_transmit_begin(&net, frames[n], len, &token)))
		n++;
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, 4);
	expect_error(err, VIRTIO_ERR_QUEUE_FULL, DEV_ERR_BAD_STATE);
	run_idle();
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &token), 0);
	expect_counts(FAULT_QUEUE_STALL, 1, 1);
	/* Reset (the frames are the caller's again), set up, send one. */
	virtio_net_destroy(&net);
	ck_assert_int_eq(virtio_net_init(&net, tr, &o, VIRTIO_NO_IRQ), 0);
	ck_assert_int_eq(
	    virtio_net_transmit_begin(&net, frames[0], len, &token), 0);
	ck_assert_int_eq(virtio_net_wait(&net, false, true), 0);
	ck_assert_int_eq(virtio_net_transmit_poll(&net, &token), 1);
	ck_assert_int_eq(virtio_net_transmit_complete(&net, token, frames[0]),
			 0);
	expect_counts(FAULT_QUEUE_STALL, 2, 1);
	virtio_net_destroy(&net);
	stop();
}
END_TEST
#endif

/*
 * The used-ring faults, at the read's completion (one hit each): the
 * driver's token books say what it was, the driver resets, re-init works.
 */
static void used_fault(int v, const char *plan, enum fault_point p,
		       enum virtio_error want, enum dev_err dev)
{
	start(v, plan, 1);
	ck_assert(probe(0));
	ck_assert_int_eq(init(NULL), 0);
	expect_error(read_check(), want, dev);
	expect_counts(p, 1, 1);
	reinit_and_read();
	expect_counts(p, 2, 1);
	virtio_blk_destroy(&blk);
	stop();
}

/* A used id that is no chain's head (id == queue size): WrongToken. */
START_TEST(used_wrong_id_is_wrong_token)
{
	used_fault(_i, "used-wrong-id,count=1", FAULT_USED_WRONG_ID,
		   VIRTIO_ERR_WRONG_TOKEN, DEV_ERR_BAD_STATE);
}
END_TEST

/* VQ-D-14: a used length past the writable buffers: IoError. */
START_TEST(used_bad_len_is_io_error)
{
	used_fault(_i, "used-bad-len,count=1", FAULT_USED_BAD_LEN,
		   VIRTIO_ERR_IO_ERROR, DEV_ERR_IO);
}
END_TEST

/*
 * A completion used twice: the first read is fine, the second finds the
 * duplicate first, naming a chain already released: AlreadyUsed.
 */
START_TEST(used_duplicate_is_already_used)
{
	const unsigned deferred = run_mode == SIM_MODE_DEFERRED;

	start(_i, "used-duplicate,count=1", 1);
	ck_assert(probe(0));
	ck_assert_int_eq(init(NULL), 0);
	ck_assert_int_eq(read_check(), 0);
	expect_counts(FAULT_USED_DUPLICATE, 1, 1);
	expect_error(read_check(), VIRTIO_ERR_ALREADY_USED,
		     DEV_ERR_ALREADY_EXISTS);
	/* Sync: the second read completed inside its notify, before the
	 * driver looked; deferred: the driver found the duplicate first
	 * and reset, so the second read never reached the used ring. */
	expect_counts(FAULT_USED_DUPLICATE, 2 - deferred, 1);
	reinit_and_read();
	expect_counts(FAULT_USED_DUPLICATE, 3 - deferred, 1);
	virtio_blk_destroy(&blk);
	stop();
}
END_TEST

/* used->idx more than the ring's size ahead: IoError, nothing taken. */
START_TEST(used_idx_jump_is_io_error)
{
	used_fault(_i, "used-idx-jump,count=1", FAULT_USED_IDX_JUMP,
		   VIRTIO_ERR_IO_ERROR, DEV_ERR_IO);
}
END_TEST

static void setup_sync(void)
{
	run_mode = SIM_MODE_SYNC;
}

static void setup_deferred(void)
{
	run_mode = SIM_MODE_DEFERRED;
}

/* The device-core and queue points, on every transport. */
static void add_core_tests(TCase *tc)
{
	tcase_add_loop_test(tc, features_ok_dropped_is_unsupported, 0,
			    NVARIANTS);
	tcase_add_loop_test(tc, needs_reset_is_io_error, 0, NVARIANTS);
	tcase_add_loop_test(tc, queue_in_use_is_already_used, 0, NVARIANTS);
	tcase_add_loop_test(tc, queue_max_small_is_invalid_param, 0, NVARIANTS);
	tcase_add_loop_test(tc, queue_stall_fills_the_ring, 0, NVARIANTS);
#ifdef VIRTSIM_HAVE_NET
	tcase_add_loop_test(tc, queue_stall_fills_the_tx_ring, 0, NVARIANTS);
#endif
	tcase_add_loop_test(tc, used_wrong_id_is_wrong_token, 0, NVARIANTS);
	tcase_add_loop_test(tc, used_bad_len_is_io_error, 0, NVARIANTS);
	tcase_add_loop_test(tc, used_duplicate_is_already_used, 0, NVARIANTS);
	tcase_add_loop_test(tc, used_idx_jump_is_io_error, 0, NVARIANTS);
}

static Suite *fault_points_suite(void)
{
	Suite *s = suite_create("fault_points");
	TCase *tc = tcase_create("points");
	TCase *td = tcase_create("deferred");
	const int nq = sizeof(quirk_cases) / sizeof(quirk_cases[0]);

	tcase_add_checked_fixture(tc, setup_sync, NULL);
	tcase_add_checked_fixture(td, setup_deferred, NULL);

	/* The MMIO header points: v1 and v2. */
	tcase_add_loop_test(tc, bad_magic_probes_none, V_MMIO1, V_MMIO2 + 1);
	tcase_add_loop_test(tc, bad_version_probes_none, V_MMIO1, V_MMIO2 + 1);
	tcase_add_loop_test(tc, mmio_device_id_zero_probes_none, V_MMIO1,
			    V_MMIO2 + 1);
	/* PCI at attach. */
	tcase_add_test(tc, pci_device_id_zero_probes_none);
	tcase_add_loop_test(tc, pci_quirk_points_break_one_function, 0, nq);
	/* The device core and the queues: every transport, both modes. */
	add_core_tests(tc);
	add_core_tests(td);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, td);
	return s;
}

VIRTSIM_TEST_MAIN(fault_points_suite)
