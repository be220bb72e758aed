/* SPDX-License-Identifier: MIT */
/*
 * The device models' fault points end to end: each armed with a fixed
 * plan on a machine built by tools/vm, the real driver over MMIO v2
 * (loop index i even) and PCI (odd), in the sync mode (i & 2 clear) and
 * the deferred one (set): VARIANTS per case. For every point:
 * hits and fires exactly as planned, the VirtIO error the driver
 * returns and the device error as_dev_err makes of it (the seed's
 * table), the next operation without the fault succeeding, and not a
 * DMA page or share left (vm_destroy returns 0).
 *
 * Spec items: BLK-N-02 (UNSUPP; used length with the status byte),
 * BLK-V-09 (a flush that did not reach the medium is no success),
 * VQ-V-11 with VQ-D-14 (a used length may fall short; nothing past it is
 * data), NET-V-10 and NET-V-11 (num_buffers), INIT-N-01, MMIO-V-05 and
 * PCI-V-10 (the link change as a config change), GPU-N-05 (an error
 * response is one of the 0x12xx codes; IoError, the code kept).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "drivers/adapter/adapter.h"
#include "drivers/virtio/virtio.h"
#include "hal/hal.h"
#include "sim/fault.h"
#include "tests/testutil.h"
#include "tools/vm/vm.h"

#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/blk_model.h"
#include "drivers/virtio/virtio_blk.h"
#include "tools/vm/blk_class.h"
#endif
#ifdef VIRTSIM_HAVE_NET
#include "drivers/adapter/net_device.h"
#include "drivers/virtio/virtio_net.h"
#include "tools/vm/net_class.h"
#endif
#ifdef VIRTSIM_HAVE_GPU
#include "drivers/adapter/display_device.h"
#include "drivers/virtio/virtio_gpu.h"
#include "tools/vm/gpu_class.h"
#endif

#if defined(VIRTSIM_HAVE_BLK) || defined(VIRTSIM_HAVE_NET) || \
    defined(VIRTSIM_HAVE_GPU)
#define MAX_ARMS 2
#define VARIANTS 4

static struct vm vm;
static struct fault_arm arms[MAX_ARMS];
static unsigned narms;

static void plan(const char *spec)
{
	char err[256];

	ck_assert_uint_lt(narms, MAX_ARMS);
	ck_assert_msg(!fault_arm_parse(spec, &arms[narms], err, sizeof(err)),
		      "%s", err);
	narms++;
}

static enum vm_transport variant_transport(int i)
{
	return i & 1 ? VM_TRANSPORT_PCI : VM_TRANSPORT_MMIO;
}

static enum sim_mode variant_mode(int i)
{
	return i & 2 ? SIM_MODE_DEFERRED : SIM_MODE_SYNC;
}

/* One device of @cls with @options in variant @i, probed. */
static void start(int i, const struct device_class *cls, const void *options,
		  uint64_t seed)
{
	struct vm_device_config dc = {.cls = cls,
				      .options = options,
				      .transport = variant_transport(i),
				      .mmio_version = i & 1 ? 0 : 2};
	struct vm_config cfg = {.mem_size = 16u << 20,
				.mode = variant_mode(i),
				.seed = seed,
				.devices = &dc,
				.device_count = 1,
				.faults = arms,
				.fault_count = narms};
	char err[256];

	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
}

/* Not a DMA page or share left (the HAL's books). */
static void stop(void)
{
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
	narms = 0;
}

static void expect_faults(enum fault_point p, uint64_t hits, uint64_t fires)
{
	const struct fault_injector *f = &vm.machine.faults;

	ck_assert_msg(f->hits[p] == hits && f->fires[p] == fires,
		      "%s: %llu hits, %llu fired; want %llu, %llu",
		      fault_point_name(p), (unsigned long long)f->hits[p],
		      (unsigned long long)f->fires[p], (unsigned long long)hits,
		      (unsigned long long)fires);
}

/* @got_dev is the device error as_dev_err makes of @virtio_err. */
static void expect_mapped(int virtio_err, enum dev_err dev, int got_dev)
{
	ck_assert_int_eq(as_dev_err(virtio_err), dev);
	ck_assert_msg(got_dev == -(int)dev, "device: %d (%s), want %s", got_dev,
		      dev_err_name(got_dev), dev_err_name(-(int)dev));
}
#endif

/* blk -------------------------------------------------------------------- */

#ifdef VIRTSIM_HAVE_BLK
/* The driver's error, and the device error for the same fault. */
static void expect_errors(int virtio_err, int got_virtio, enum dev_err dev,
			  int got_dev)
{
	ck_assert_msg(got_virtio == virtio_err, "driver: %d (%s), want %s",
		      got_virtio, virtio_error_name(got_virtio),
		      virtio_error_name(virtio_err));
	expect_mapped(virtio_err, dev, got_dev);
}

#define DISK_BYTES (1u << 20)
#define IO_LEN 4096u
#define IO_SECTORS (IO_LEN / 512u)

enum blk_op { OP_READ, OP_WRITE, OP_FLUSH };

static char path[4096];

static uint8_t write_byte(unsigned k, size_t i)
{
	return (uint8_t)(0xa5 ^ (k * 29u) ^ (i * 3u));
}

/* Request @k (at sector @k * 8) through the driver or the block device:
 * its error (a VirtIO error or a device error). */
static int blk_op(enum blk_op op, bool device, unsigned k, uint8_t *buf)
{
	struct block_device *bd = vm_disk(&vm, 0);
	struct virtio_blk *b = vm_virtio_blk(&vm, 0);
	uint64_t lba = (uint64_t)k * IO_SECTORS;

	switch (op) {
	case OP_READ:
		memset(buf, 0xcc, IO_LEN);
		return device ? bd->ops->read_block(bd, lba, buf, IO_LEN)
			      : virtio_blk_read(b, lba, buf, IO_LEN);
	case OP_WRITE:
		for (size_t i = 0; i < IO_LEN; i++)
			buf[i] = write_byte(k, i);
		return device ? bd->ops->write_block(bd, lba, buf, IO_LEN)
			      : virtio_blk_write(b, lba, buf, IO_LEN);
	case OP_FLUSH:
		return device ? bd->ops->flush(bd) : virtio_blk_flush(b);
	}
	return -1;
}

/* The host reads request @k's place as written (or as it was), and
 * @read (if any) holds what the host reads. */
static void check_file(unsigned k, bool written, const uint8_t *read)
{
	static uint8_t got[IO_LEN];
	off_t off = (off_t)k * IO_LEN;

	test_file_read(path, got, IO_LEN, (unsigned long long)off);
	for (size_t i = 0; i < IO_LEN; i++) {
		uint8_t want = written ? write_byte(k, i)
				       : test_pattern_byte((size_t)off + i);

		if (got[i] != want || (read && read[i] != want))
			ck_abort_msg("request %u byte %zu: file 0x%02x, read "
				     "0x%02x, want 0x%02x",
				     k, i, got[i], read ? read[i] : 0, want);
	}
}

static const struct blk_row {
	const char *plan;
	enum fault_point point;
	enum blk_op op;
	int virtio_err;
	enum dev_err dev_err;
	bool counted; /* an IOERR the model counts in its errors */
} blk_rows[] = {
    {"blk-ioerr,after=1,count=2", FAULT_BLK_IOERR, OP_READ,
     -VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, true},
    {"blk-unsupp,after=1,count=2", FAULT_BLK_UNSUPP, OP_READ,
     -VIRTIO_ERR_UNSUPPORTED, DEV_ERR_UNSUPPORTED, false},
    /* §5.2.6 defines OK, IOERR and UNSUPP only. The request is used
     * and its token released: NotReady (Again, "ask later") would
     * promise an answer that never comes, so the driver's default row,
     * IoError (Io), as Linux's virtblk_result, is the one to keep. */
    {"blk-bad-status,after=1,count=2", FAULT_BLK_BAD_STATUS, OP_READ,
     -VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, false},
    {"blk-short,after=1,count=2", FAULT_BLK_SHORT, OP_READ,
     -VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, false},
    {"blk-read-err,after=1,count=2", FAULT_BLK_READ_ERR, OP_READ,
     -VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, true},
    {"blk-write-err,after=1,count=2", FAULT_BLK_WRITE_ERR, OP_WRITE,
     -VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, true},
    {"blk-flush-err,after=1,count=2", FAULT_BLK_FLUSH_ERR, OP_FLUSH,
     -VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, true},
};

#define BLK_ROWS (int)(sizeof(blk_rows) / sizeof(blk_rows[0]))

static void blk_start(int i, uint64_t seed)
{
	struct blk_options bo = {.path = path};

	test_make_file(path, sizeof(path), "fault", DISK_BYTES, 1);
	start(i, &blk_class, &bo, seed);
}

static void blk_stop(void)
{
	stop();
	unlink(path);
}

/*
 * Four requests of the row's kind: the first passes, the second fails
 * through the driver, the third through the block device, the fourth
 * passes again (the driver needs no reset for a failed request). Data
 * read is the file's, data of a failed write never reaches it.
 */
START_TEST(blk_point)
{
	const struct blk_row *r = &blk_rows[_i / VARIANTS];
	static uint8_t buf[4][IO_LEN];
	const struct blk_model_stats *st;
	int err;

	plan(r->plan);
	blk_start(_i, 1);
	st = blk_model_stats(vm_device(&vm, &blk_class, 0)->model);
	ck_assert_int_eq(blk_op(r->op, false, 0, buf[0]), 0);
	err = blk_op(r->op, false, 1, buf[1]);
	expect_errors(r->virtio_err, err, r->dev_err,
		      blk_op(r->op, true, 2, buf[2]));
	ck_assert_int_eq(blk_op(r->op, true, 3, buf[3]), 0);
	expect_faults(r->point, 4, 2);
	ck_assert_uint_eq(st->errors, r->counted ? 2 : 0);
	for (unsigned k = 0; r->op != OP_FLUSH && k < 4; k++) {
		bool ok = k == 0 || k == 3;

		check_file(k, r->op == OP_WRITE && ok,
			   r->op == OP_READ && ok ? buf[k] : NULL);
	}
	/* Every flush reached the model, failed or not (BLK-V-09). */
	ck_assert_uint_eq(st->flushes, r->op == OP_FLUSH ? 4 : 0);
	blk_stop();
}
END_TEST

/*
 * dev=: the backend's point fires as its device's: of two disks, only
 * disk 1's image fails a read (the model gave its disk the device id).
 */
START_TEST(blk_dev_picks_the_disk)
{
	struct blk_options bo = {.scratch_size = DISK_BYTES};
	struct vm_device_config dc[2];
	struct vm_config cfg = {.mem_size = 16u << 20,
				.mode = variant_mode(_i),
				.devices = dc,
				.device_count = 2,
				.faults = arms,
				.fault_count = 1};
	static uint8_t buf[IO_LEN];
	char err[256];

	for (unsigned k = 0; k < 2; k++)
		dc[k] = (struct vm_device_config){
		    &blk_class, &bo, variant_transport(_i), _i & 1 ? 0 : 2};
	plan("blk-read-err,dev=1,count=1");
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(vm_device(&vm, &blk_class, 1)->model->id, 1);
	ck_assert_int_eq(virtio_blk_read(vm_virtio_blk(&vm, 0), 0, buf, IO_LEN),
			 0);
	ck_assert_int_eq(virtio_blk_read(vm_virtio_blk(&vm, 1), 0, buf, IO_LEN),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_int_eq(virtio_blk_read(vm_virtio_blk(&vm, 1), 0, buf, IO_LEN),
			 0);
	expect_faults(FAULT_BLK_READ_ERR, 3, 1);
	stop();
}
END_TEST

/* prob=: which of 64 reads fail follows the seed, the same seed the same. */
static uint64_t blk_prob_pattern(uint64_t seed)
{
	static uint8_t buf[IO_LEN];
	uint64_t failed = 0;

	plan("blk-ioerr,prob=0.25");
	blk_start(0, seed);
	for (unsigned k = 0; k < 64; k++) {
		int err = blk_op(OP_READ, false, k % 32, buf);

		if (err) {
			ck_assert_int_eq(err, -VIRTIO_ERR_IO_ERROR);
			failed |= 1ull << k;
		}
	}
	expect_faults(FAULT_BLK_IOERR, 64,
		      (uint64_t)__builtin_popcountll(failed));
	blk_stop();
	return failed;
}

START_TEST(blk_prob_follows_the_seed)
{
	uint64_t a = blk_prob_pattern(7), b = blk_prob_pattern(7),
		 c = blk_prob_pattern(8);
	int n = __builtin_popcountll(a);

	ck_assert_int_gt(n, 4);
	ck_assert_int_lt(n, 32);
	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, c);
}
END_TEST
#endif /* VIRTSIM_HAVE_BLK */

/* net -------------------------------------------------------------------- */

#ifdef VIRTSIM_HAVE_NET
#define FRAME_LEN 100u

static const uint8_t self_mac[NET_MAC_LEN] = {0x52, 0x54, 0x00,
					      0xfa, 0x17, 0x01};

/* A NIC alone on the loop switch: frames to itself come back to it. */
static void net_start(int i)
{
	struct net_options o = {.backend = NET_BACKEND_LOOP};

	memcpy(o.model.mac, self_mac, NET_MAC_LEN);
	start(i, &net_class, &o, 1);
}

static struct net_device *nic(void)
{
	return vm_nic(&vm, 0);
}

static const struct net_model_stats *net_stats(void)
{
	return net_model_stats(vm_device(&vm, &net_class, 0)->model);
}

/* Let every completion and interrupt happen. */
static void settle(void)
{
	unsigned k = 0;

	while (hal_wait(machine_hal(&vm.machine)) == 0)
		ck_assert_uint_lt(++k, 100000);
}

/* Frame @seq to ourselves; its transmit buffer back once used. */
static void send_self(uint8_t seq)
{
	struct net_buf *b;
	uint8_t *p;

	ck_assert_int_eq(nic()->ops->alloc_tx_buffer(nic(), FRAME_LEN, &b), 0);
	p = net_buf_packet(b);
	memcpy(p, self_mac, NET_MAC_LEN);
	memcpy(p + NET_MAC_LEN, self_mac, NET_MAC_LEN);
	p[12] = 0x88;
	p[13] = 0xb5; /* IEEE local experimental */
	memset(p + 14, seq, FRAME_LEN - 14);
	ck_assert_int_eq(nic()->ops->transmit(nic(), b), 0);
	settle();
	ck_assert_int_eq(nic()->ops->recycle_tx_buffers(nic()), 0);
}

/* What receive returns now; a frame must be @seq's, and is given back. */
static int recv_self(uint8_t seq)
{
	struct net_buf *b = NULL;
	int err;

	settle();
	err = nic()->ops->receive(nic(), &b);
	if (err) {
		ck_assert_ptr_null(b);
		return err;
	}
	ck_assert_uint_eq(b->packet_len, FRAME_LEN);
	ck_assert_uint_eq(net_buf_packet(b)[FRAME_LEN - 1], seq);
	ck_assert_int_eq(nic()->ops->recycle_rx_buffer(nic(), b), 0);
	return 0;
}

/* Every pool buffer is back, free or posted: none lost on the way. */
static void check_pool(void)
{
	struct virtio_net_device *d = vm_device(&vm, &net_class, 0)->driver;

	ck_assert_uint_eq(d->held, 0);
	ck_assert_uint_eq(d->tx_in_flight, 0);
	ck_assert_uint_eq(net_buf_pool_free_count(d->pool) + d->rx_posted,
			  net_buf_pool_capacity(d->pool));
	ck_assert_uint_eq(d->rx_posted, d->rx_target);
}

/*
 * Lost on the wire: of four frames the second and third never arrive,
 * counted in the model's stats; the driver sees nothing (NotReady ->
 * Again); the fourth arrives.
 */
static void net_drop(int i, const char *spec, enum fault_point p, bool tx)
{
	struct virtio_net *vn;
	uint64_t frames;

	plan(spec);
	net_start(i);
	vn = vm_virtio_net(&vm, 0);
	frames = vn->rx_buffers;
	for (uint8_t k = 0; k < 4; k++) {
		send_self(k);
		if (k == 1 || k == 2) {
			uint16_t token;

			/* Nothing used (the ring's NotReady, which poll
			 * says as 0): the device's Again. */
			ck_assert_int_eq(virtio_net_receive_poll(vn, &token),
					 0);
			ck_assert_int_eq(as_dev_err(-VIRTIO_ERR_NOT_READY),
					 DEV_ERR_AGAIN);
			ck_assert_int_eq(recv_self(k), -DEV_ERR_AGAIN);
		} else {
			ck_assert_int_eq(recv_self(k), 0);
		}
	}
	expect_faults(p, 4, 2);
	ck_assert_uint_eq(
	    tx ? net_stats()->tx_dropped : net_stats()->rx_dropped, 2);
	ck_assert_uint_eq(net_stats()->tx_frames, tx ? 2 : 4);
	ck_assert_uint_eq(net_stats()->rx_frames, 2);
	ck_assert_uint_eq(vn->rx_buffers - frames, 2);
	check_pool();
	stop();
}

START_TEST(net_drop_tx)
{
	net_drop(_i, "net-drop-tx,after=1,count=2", FAULT_NET_DROP_TX, true);
}
END_TEST

START_TEST(net_drop_rx)
{
	net_drop(_i, "net-drop-rx,after=1,count=2", FAULT_NET_DROP_RX, false);
}
END_TEST

/*
 * The link goes down at the second frame's transmit (hit 3: the first
 * frame's transmit and receive pass), with a config change; the driver
 * reads it down, the frames sent meanwhile are dropped and counted; at
 * the fourth frame (count spent) it is up again, with another change.
 */
START_TEST(net_link_down)
{
	struct virtio_transport *t;
	struct virtio_net *vn;
	uint32_t gen;

	plan("net-link-down,after=2,count=2");
	net_start(_i);
	vn = vm_virtio_net(&vm, 0);
	t = vm_device(&vm, &net_class, 0)->found->transport;
	ck_assert(virtio_net_link_up(vn));
	send_self(0);
	ck_assert_int_eq(recv_self(0), 0);
	ck_assert(!virtio_net_config_changed(vn));
	gen = t->ops->config_generation(t);
	send_self(1);
	/* The config interrupt came (INIT-N-01), a new generation
	 * (MMIO-V-05, PCI-V-10). */
	ck_assert(virtio_net_config_changed(vn));
	ck_assert_uint_ne(t->ops->config_generation(t), gen);
	ck_assert(!virtio_net_link_up(vn));
	ck_assert_int_eq(recv_self(1), -DEV_ERR_AGAIN);
	send_self(2);
	ck_assert(!virtio_net_config_changed(vn)); /* no change: still down */
	ck_assert(!virtio_net_link_up(vn));
	ck_assert_int_eq(recv_self(2), -DEV_ERR_AGAIN);
	ck_assert_uint_eq(net_stats()->tx_dropped, 2);
	send_self(3);
	ck_assert(virtio_net_config_changed(vn));
	ck_assert(virtio_net_link_up(vn));
	ck_assert_int_eq(recv_self(3), 0);
	/* Frames 0 and 3 both ways, 1 and 2 on transmit only. */
	expect_faults(FAULT_NET_LINK_DOWN, 6, 2);
	ck_assert_uint_eq(net_stats()->tx_frames, 2);
	check_pool();
	stop();
}
END_TEST

/*
 * num_buffers 0 in the second frame's header: the driver refuses the
 * buffer (IoError in virtio_net_receive_complete, counted), the adapter
 * posts it again and says Io; the next frame is received.
 */
START_TEST(net_rx_bad_hdr)
{
	struct virtio_net *vn;

	plan("net-rx-bad-hdr,after=1,count=1");
	net_start(_i);
	vn = vm_virtio_net(&vm, 0);
	send_self(0);
	ck_assert_int_eq(recv_self(0), 0);
	send_self(1);
	/* The driver's IoError shows as its count, and mapped. */
	expect_mapped(-VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, recv_self(1));
	ck_assert_uint_eq(vn->rx_errors, 1);
	check_pool();
	send_self(2);
	ck_assert_int_eq(recv_self(2), 0);
	expect_faults(FAULT_NET_RX_BAD_HDR, 3, 1);
	ck_assert_uint_eq(net_stats()->rx_frames, 3);
	check_pool();
	stop();
}
END_TEST
#endif /* VIRTSIM_HAVE_NET */

/* gpu -------------------------------------------------------------------- */

#ifdef VIRTSIM_HAVE_GPU
#define RES_ID 1000u /* far above the display's own ids */
#define RES_SIDE 16u

enum gpu_step {
	STEP_DISPLAY_INFO,
	STEP_EDID,
	STEP_CREATE_2D,
	STEP_ATTACH,
	STEP_SET_SCANOUT,
	STEP_TRANSFER,
	STEP_FLUSH,
	STEP_RESTORE_SCANOUT, /* the display's framebuffer shown again */
	STEP_DETACH,
	STEP_UNREF,
	GPU_STEPS,
};

static const char *const step_name[GPU_STEPS] = {
    "get_display_info", "get_edid", "create_2d", "attach",
    "set_scanout",	"transfer", "flush",	 "set_scanout (back)",
    "detach",		"unref",
};

/* Each command type the driver has, once the failing one. */
static const enum gpu_step gpu_targets[] = {
    STEP_DISPLAY_INFO, STEP_EDID,	 STEP_CREATE_2D,
    STEP_ATTACH,       STEP_SET_SCANOUT, STEP_TRANSFER,
    STEP_FLUSH,	       STEP_DETACH,	 STEP_UNREF,
};

#define GPU_TARGETS (int)(sizeof(gpu_targets) / sizeof(gpu_targets[0]))

/* Arm @spec on the running machine: its hits count from now. */
static void arm_now(const char *spec)
{
	plan(spec);
	ck_assert_int_eq(fault_add(&vm.machine.faults, &arms[narms - 1]), 0);
}

static void gpu_start(int i)
{
	struct gpu_options o = {
	    .display = DISPLAY_HEADLESS,
	    .model = {.width = 64, .height = 48, .edid = true}};

	start(i, &gpu_class, &o, 1);
}

static struct virtio_gpu_display_device *disp(void)
{
	return vm_gpu(&vm, 0);
}

static const struct gpu_model_stats *gpu_stats(void)
{
	return gpu_model_stats(vm_device(&vm, &gpu_class, 0)->model);
}

/* One command of the sequence on resource RES_ID backed by @piece. */
static int gpu_step(unsigned s, const struct virtio_gpu_backing *piece)
{
	struct virtio_gpu *g = &disp()->gpu;
	struct virtio_gpu_rect r = {0, 0, RES_SIDE, RES_SIDE};
	struct virtio_gpu_rect fb = {0, 0, disp()->width, disp()->height};
	uint8_t edid[1024];
	size_t len;

	switch (s) {
	case STEP_DISPLAY_INFO:
		return virtio_gpu_get_display_info(g);
	case STEP_EDID:
		return virtio_gpu_get_edid(g, 0, edid, sizeof(edid), &len);
	case STEP_CREATE_2D:
		return virtio_gpu_resource_create_2d(
		    g, RES_ID, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, RES_SIDE,
		    RES_SIDE);
	case STEP_ATTACH:
		return virtio_gpu_attach_backing(g, RES_ID, piece, 1);
	case STEP_SET_SCANOUT:
		return virtio_gpu_set_scanout(g, 0, RES_ID, &r);
	case STEP_TRANSFER:
		return virtio_gpu_transfer_to_host_2d(g, RES_ID, &r, 0);
	case STEP_FLUSH:
		return virtio_gpu_resource_flush(g, RES_ID, &r);
	case STEP_RESTORE_SCANOUT:
		return virtio_gpu_set_scanout(g, 0, disp()->fb_resource, &fb);
	case STEP_DETACH:
		return virtio_gpu_detach_backing(g, RES_ID);
	case STEP_UNREF:
		return virtio_gpu_resource_unref(g, RES_ID);
	}
	return -1;
}

/*
 * Every command type in turn is the one answered ERR_UNSPEC: the plan,
 * armed once the display is up, lets the @target commands before it
 * pass. The driver returns IoError with the code kept in last_error,
 * the model ran nothing (the same command again succeeds: a second
 * create_2d of one id, or attach, would be refused), and the sequence
 * goes on. Each target on its own machine.
 */
START_TEST(gpu_error_per_command)
{
	enum gpu_step target = gpu_targets[_i / VARIANTS];
	const struct hal *h;
	struct virtio_gpu_backing piece;
	char spec[64];
	void *va;

	gpu_start(_i);
	h = machine_hal(&vm.machine);
	ck_assert_int_eq(hal_dma_alloc(h, 1, &piece.paddr, &va), 0);
	piece.len = RES_SIDE * RES_SIDE * 4;
	memset(va, 0x3c, piece.len);
	snprintf(spec, sizeof(spec), "gpu-error,after=%u,count=1",
		 (unsigned)target);
	arm_now(spec);
	for (unsigned s = 0; s < GPU_STEPS; s++) {
		uint64_t resources = gpu_stats()->resources;
		int e = gpu_step(s, &piece);

		if (s != target) {
			ck_assert_msg(e == 0, "%s: %s", step_name[s],
				      virtio_error_name(e));
			continue;
		}
		ck_assert_msg(e == -VIRTIO_ERR_IO_ERROR, "%s: %s", step_name[s],
			      virtio_error_name(e));
		ck_assert_int_eq(as_dev_err(e), DEV_ERR_IO);
		ck_assert_uint_eq(disp()->gpu.last_error,
				  VIRTIO_GPU_RESP_ERR_UNSPEC);
		ck_assert_uint_eq(disp()->gpu.errors, 1);
		ck_assert_uint_eq(gpu_stats()->resources, resources);
		ck_assert_msg(gpu_step(s, &piece) == 0, "%s again",
			      step_name[s]);
	}
	/* Ten commands and the one sent again. */
	expect_faults(FAULT_GPU_ERROR, GPU_STEPS + 1, 1);
	ck_assert_uint_eq(gpu_stats()->errors, 1);
	hal_dma_free(h, piece.paddr, va, 1);
	stop();
}
END_TEST

/*
 * The display device: a flush answered with an error is Io, the
 * rectangle stays dirty, and the next flush shows it.
 */
START_TEST(gpu_error_display_flush)
{
	struct display_device *d;
	struct display_framebuffer fb;

	gpu_start(_i);
	d = virtio_gpu_display_base(disp());
	d->ops->fb(d, &fb);
	memset(fb.base, 0x77, fb.stride * 4);
	d->ops->damage(d, 0, 0, fb.width, 4);
	arm_now("gpu-error,count=1");
	expect_mapped(-VIRTIO_ERR_IO_ERROR, DEV_ERR_IO, d->ops->flush(d));
	ck_assert_uint_eq(disp()->gpu.last_error, VIRTIO_GPU_RESP_ERR_UNSPEC);
	ck_assert(d->ops->need_flush(d));
	ck_assert_int_eq(d->ops->flush(d), 0);
	ck_assert(!d->ops->need_flush(d));
	/* The failed transfer and its flush, then both again. */
	expect_faults(FAULT_GPU_ERROR, 4, 1);
	stop();
}
END_TEST
#endif /* VIRTSIM_HAVE_GPU */

static Suite *fault_devices_suite(void)
{
	Suite *s = suite_create("fault_devices");
	TCase *tc = tcase_create("points");

	tcase_set_timeout(tc, 60);
#ifdef VIRTSIM_HAVE_BLK
	tcase_add_loop_test(tc, blk_point, 0, VARIANTS * BLK_ROWS);
	tcase_add_loop_test(tc, blk_dev_picks_the_disk, 0, VARIANTS);
	tcase_add_test(tc, blk_prob_follows_the_seed);
#endif
#ifdef VIRTSIM_HAVE_NET
	tcase_add_loop_test(tc, net_drop_tx, 0, VARIANTS);
	tcase_add_loop_test(tc, net_drop_rx, 0, VARIANTS);
	tcase_add_loop_test(tc, net_link_down, 0, VARIANTS);
	tcase_add_loop_test(tc, net_rx_bad_hdr, 0, VARIANTS);
#endif
#ifdef VIRTSIM_HAVE_GPU
	tcase_add_loop_test(tc, gpu_error_per_command, 0,
			    VARIANTS * GPU_TARGETS);
	tcase_add_loop_test(tc, gpu_error_display_flush, 0, VARIANTS);
#endif
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(fault_devices_suite)
