/* SPDX-License-Identifier: MIT */
/*
 * Drivers never trust the device: a blocking call gives up with an error
 * when the device makes no progress, and a reset that never completes is
 * an error (drivers/virtio/virtio_device.h, virtio.h).
 *
 * A small hostile device of this file's own, on the real device core
 * behind the real MMIO front-end, with a shim on its registers: it
 * answers like a blk, net or GPU device until armed, then takes every
 * request it is given, never completes one and
 *  - holds its interrupt line up with InterruptStatus reading 0, or
 *  - only reserved bits (MMIO-D-12: nothing the driver may acknowledge),
 *  - or a used-buffer cause it never lets go of (it ignores the ACK,
 *    MMIO-D-13/20), or
 *  - raises a proper, acknowledged used-buffer interrupt every
 *    millisecond of virtual time (VQ-D-13: spurious), which also keeps a
 *    polling driver's hal_wait busy;
 * or its status keeps reading non-zero after the driver wrote 0 (INIT-N-01,
 * PCI-D-14 for the same rule on PCI).
 *
 * blk read, net wait and GPU command must come back with
 * -VIRTIO_ERR_NOT_READY, in sync and deferred mode, with interrupts and
 * polling, and the reset that follows must end the storm; a device that
 * is only slow, or makes progress on other requests, is waited for; a
 * HAL without a clock is bounded by the wakeup count alone. Init must
 * fail with -VIRTIO_ERR_NOT_READY on a reset that never completes (FAILED
 * set, INIT-D-10), a slow reset still initialises, and teardown on one
 * does not hang. Check's timeout is the hang detector. Every test ends
 * with the HAL's books: machine_destroy counts leaked DMA pages and
 * shares.
 *
 * Checklist: MMIO-D-12, MMIO-D-13, MMIO-D-19, MMIO-D-20, VQ-D-13,
 * INIT-D-07, INIT-D-10, INIT-D-13, INIT-N-01 (PCI-D-14: the same reset
 * loop, reached here through MMIO).
 */
#include <string.h>

#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/virtio_blk.h"
#include "drivers/virtio/virtio_device.h"
#include "drivers/virtio/virtio_gpu.h"
#include "drivers/virtio/virtio_net.h"
#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_gpu.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_net.h"
#include "sim/machine.h"
#include "tests/testutil.h"

#define RAM_SIZE (32ull << 20)
#define TICK_NS 1000000ull /* STORM_TICK's period: 1 ms */
#define HELD_MAX 16

enum storm {
	STORM_NONE,
	STORM_ZERO,	/* line up, InterruptStatus reads 0 */
	STORM_RESERVED, /* line up, only reserved InterruptStatus bits */
	STORM_NO_ACK,	/* line up, VRING, InterruptACK ignored */
	STORM_TICK, /* a VRING interrupt every TICK_NS, acked as it should */
};

struct hostile {
	struct virtio_dev vdev;
	uint8_t config[sizeof(struct virtio_blk_config)]; /* the largest */
	struct virtio_mmio_dev *md;			  /* its front-end */
	unsigned line;
	bool armed;		 /* take requests and never complete them */
	enum storm storm;	 /* what it does once armed and given one */
	bool storming;		 /* since the first request after arming */
	uint32_t complete_every; /* STORM_TICK: answer one every N ticks */
	uint32_t ticks;
	struct ev_timer tick;
	struct virtio_req *held[HELD_MAX];
	unsigned nheld;
	/* Reads of Status that still say non-zero after a reset write;
	 * UINT64_MAX: forever. */
	uint64_t stuck_reads, stuck_left;
	uint64_t status_reads, acks_ignored;
	unsigned storms, taken; /* storms begun, requests held, ever */
};

static struct machine m;
static struct hostile *h;
static struct virtio_mmio_transport mt;

static void hostile_tick(void *opaque);

static bool hostile_line_up(const struct hostile *d)
{
	return d->storming && d->storm != STORM_TICK;
}

static void hostile_gpu_answer(struct virtio_req *r);

/* A late but proper answer: blk's status byte OK, the GPU's response,
 * nothing written for net. */
static void hostile_answer(struct hostile *d, struct virtio_req *r)
{
	const struct vq_elem *e = &r->elem;
	uint32_t len = 0;

	switch (d->vdev.ops->device_id) {
	case VIRTIO_ID_BLOCK:
		for (unsigned i = e->n_out; i < e->n_out + e->n_in; i++)
			len += (uint32_t)e->seg[i].len;
		if (e->n_in)
			((uint8_t *)e->seg[e->n_out + e->n_in - 1].host)[0] =
			    VIRTIO_BLK_S_OK;
		virtio_dev_complete(r, len);
		return;
	case VIRTIO_ID_GPU:
		hostile_gpu_answer(r);
		return;
	default:
		virtio_dev_complete(r, 0);
	}
}

/* Give back what is held of queue @q (-1: all): answered, onto the used
 * ring; or, from queue_stop, nowhere (the queue is stopped). */
static void hostile_release(struct hostile *d, int q)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < d->nheld; i++) {
		if (q < 0 || d->held[i]->q == (unsigned)q)
			hostile_answer(d, d->held[i]);
		else
			d->held[keep++] = d->held[i];
	}
	d->nheld = keep;
}

static void hostile_storm(struct hostile *d)
{
	if (d->storming)
		return;
	d->storming = true;
	d->storms++;
	if (d->storm == STORM_TICK)
		ck_assert_int_eq(
		    evloop_timer_arm(&m.loop, &d->tick,
				     evloop_now(&m.loop) + TICK_NS),
		    0);
	else
		irq_set_level(&m.irq, d->line, true);
}

static void hostile_tick(void *opaque)
{
	struct hostile *d = opaque;

	if (d->complete_every && ++d->ticks % d->complete_every == 0 &&
	    d->nheld) {
		/* The oldest request, answered at last. */
		hostile_answer(d, d->held[0]);
		memmove(d->held, d->held + 1, --d->nheld * sizeof(d->held[0]));
		if (!d->nheld)
			return;
	} else {
		/* The front-end's used-buffer interrupt, for nothing. */
		d->vdev.irq.notify(d->vdev.irq.opaque, 0, false);
	}
	ck_assert_int_eq(
	    evloop_timer_arm(&m.loop, &d->tick, evloop_now(&m.loop) + TICK_NS),
	    0);
}

/* A GPU's answer to any command: its OK type, the fence echoed. */
static void hostile_gpu_answer(struct virtio_req *r)
{
	struct virtio_gpu_resp_display_info resp = {0};
	struct virtio_gpu_ctrl_hdr cmd = {0};
	const struct vq_elem *e = &r->elem;
	uint32_t len = sizeof(resp.hdr);

	if (e->n_out)
		memcpy(&cmd, e->seg[0].host,
		       e->seg[0].len < sizeof(cmd) ? e->seg[0].len
						   : sizeof(cmd));
	resp.hdr.type = virtio_le32(VIRTIO_GPU_RESP_OK_NODATA);
	if (virtio_le32(cmd.type) == VIRTIO_GPU_CMD_GET_DISPLAY_INFO) {
		resp.hdr.type = virtio_le32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
		len = sizeof(resp);
	}
	resp.hdr.flags = cmd.flags & virtio_le32(VIRTIO_GPU_FLAG_FENCE);
	resp.hdr.fence_id = cmd.fence_id;
	if (!e->n_in)
		len = 0;
	else if (len > e->seg[e->n_out].len)
		len = (uint32_t)e->seg[e->n_out].len;
	if (len)
		memcpy(e->seg[e->n_out].host, &resp, len);
	virtio_dev_complete(r, len);
}

static void hostile_notify(struct virtio_dev *dev, unsigned q)
{
	struct hostile *d = (struct hostile *)dev;
	struct virtio_req *r;

	if (!d->armed) {
		/* Well behaved: a GPU answers (init asks for the display
		 * info); blk and net buffers wait on the ring. */
		while (dev->ops->device_id == VIRTIO_ID_GPU &&
		       virtio_dev_pop_req(dev, q, &r) > 0)
			hostile_gpu_answer(r);
		return;
	}
	while (d->nheld < HELD_MAX && virtio_dev_pop_req(dev, q, &r) > 0) {
		d->held[d->nheld++] = r;
		d->taken++;
	}
	hostile_storm(d);
}

static void hostile_queue_stop(struct virtio_dev *dev, unsigned q)
{
	hostile_release((struct hostile *)dev, (int)q);
}

/* A reset makes it well again: its front-end drops the line. */
static void hostile_reset(struct virtio_dev *dev)
{
	struct hostile *d = (struct hostile *)dev;

	evloop_timer_cancel(&m.loop, &d->tick);
	d->armed = d->storming = false;
}

static const struct virtio_dev_ops hostile_blk_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_size_max = 64,
    .queue_notify = hostile_notify,
    .queue_stop = hostile_queue_stop,
    .reset = hostile_reset,
};

static const struct virtio_dev_ops hostile_net_ops = {
    .device_id = VIRTIO_ID_NET,
    .num_queues = 2,
    .queue_size_max = 64,
    .queue_notify = hostile_notify,
    .queue_stop = hostile_queue_stop,
    .reset = hostile_reset,
};

static const struct virtio_dev_ops hostile_gpu_ops = {
    .device_id = VIRTIO_ID_GPU,
    .num_queues = 2,
    .queue_size_max = 64,
    .queue_notify = hostile_notify,
    .queue_stop = hostile_queue_stop,
    .reset = hostile_reset,
};

/* ---- the shim: the front-end's registers, as the device lies ---- */

static uint32_t shim_read(void *opaque, uint64_t off, unsigned size)
{
	struct hostile *d = opaque;
	uint32_t v = virtio_mmio_region_ops.read(d->md, off, size);

	if (off == VIRTIO_MMIO_INTERRUPT_STATUS && hostile_line_up(d)) {
		switch (d->storm) {
		case STORM_ZERO:
			return 0;
		case STORM_RESERVED:
			return ~(uint32_t)(VIRTIO_MMIO_INT_VRING |
					   VIRTIO_MMIO_INT_CONFIG);
		default:
			return VIRTIO_MMIO_INT_VRING;
		}
	}
	if (off == VIRTIO_MMIO_STATUS) {
		d->status_reads++;
		if (d->stuck_left) {
			if (d->stuck_left != UINT64_MAX)
				d->stuck_left--;
			/* Still in its last life, as far as FEATURES_OK. */
			return VIRTIO_CONFIG_S_ACKNOWLEDGE |
			       VIRTIO_CONFIG_S_DRIVER |
			       VIRTIO_CONFIG_S_FEATURES_OK;
		}
	}
	return v;
}

static void shim_write(void *opaque, uint64_t off, uint32_t val, unsigned size)
{
	struct hostile *d = opaque;

	if (off == VIRTIO_MMIO_INTERRUPT_ACK && hostile_line_up(d) &&
	    d->storm == STORM_NO_ACK) {
		d->acks_ignored++;
		return;
	}
	if (off == VIRTIO_MMIO_STATUS && val == 0)
		d->stuck_left = d->stuck_reads;
	virtio_mmio_region_ops.write(d->md, off, val, size);
	/* The front-end lowers the line on an ACK that clears its causes;
	 * a device holding it up raises it again. */
	if (hostile_line_up(d))
		irq_set_level(&m.irq, d->line, true);
}

static const struct bus_region_ops shim_ops = {
    .read = shim_read,
    .write = shim_write,
    .sizes = BUS_SIZE_8 | BUS_SIZE_16 | BUS_SIZE_32,
    .aligned_only = true,
};

static void hostile_free(void *opaque)
{
	struct hostile *d = opaque;

	evloop_timer_cancel(&m.loop, &d->tick);
	virtio_dev_release(&d->vdev);
	free(d);
}

/* A hostile device of @id on machine m in @mode; mt is its transport on
 * @hal (NULL: the machine's). */
static void hostile_attach(uint32_t id, const struct hal *hal)
{
	const struct virtio_dev_ops *ops =
	    id == VIRTIO_ID_BLOCK ? &hostile_blk_ops
	    : id == VIRTIO_ID_NET ? &hostile_net_ops
				  : &hostile_gpu_ops;
	uint32_t config_len = sizeof(struct virtio_gpu_config);
	const struct bus_region *r;
	uint64_t base;
	int slot;

	h = calloc(1, sizeof(*h));
	ck_assert_ptr_nonnull(h);
	ev_timer_init(&h->tick, hostile_tick, h);
	ck_assert_int_eq(machine_on_destroy(&m, hostile_free, h), 0);
	if (id == VIRTIO_ID_BLOCK) {
		virtio_st_le64(h->config, 64); /* capacity, sectors */
		config_len = sizeof(struct virtio_blk_config);
	} else if (id == VIRTIO_ID_NET) {
		config_len = sizeof(struct virtio_net_config);
	} else {
		virtio_st_le32(h->config + offsetof(struct virtio_gpu_config,
						    num_scanouts),
			       1);
	}
	virtio_dev_init(&h->vdev, ops, "hostile", &m.env, 0, h->config,
			config_len);
	slot = virtio_mmio_attach(&m, &h->vdev, 2);
	ck_assert_int_ge(slot, 0);
	h->line = machine_mmio_slot_irq((unsigned)slot);
	base = machine_mmio_slot_base((unsigned)slot);
	r = bus_find(&m.bus, base, 4);
	ck_assert_ptr_nonnull(r);
	h->md = r->opaque;
	ck_assert_int_eq(bus_unmap(&m.bus, base), 0);
	ck_assert_int_eq(bus_map(&m.bus, base, MACHINE_MMIO_SLOT_SIZE,
				 &shim_ops, h, "hostile"),
			 0);
	ck_assert_int_eq(
	    virtio_mmio_transport_init(&mt, hal ? hal : machine_hal(&m), base,
				       MACHINE_MMIO_SLOT_SIZE),
	    0);
}

static void machine_up(enum sim_mode mode)
{
	struct machine_options o = {.mem_size = RAM_SIZE, .mode = mode};

	ck_assert_int_eq(machine_init(&m, &o), 0);
}

static void machine_down(void)
{
	/* Every DMA page back, every share undone. */
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

/* ---- the three drivers, one shape ---- */

enum drv { DRV_BLK, DRV_NET, DRV_GPU, DRV_COUNT };

static const uint32_t drv_id[DRV_COUNT] = {VIRTIO_ID_BLOCK, VIRTIO_ID_NET,
					   VIRTIO_ID_GPU};

static struct virtio_blk blk;
static struct virtio_net net;
static struct virtio_gpu gpu;

static bool drv_built(enum drv d)
{
	switch (d) {
	case DRV_BLK:
#ifdef VIRTSIM_HAVE_BLK
		return true;
#else
		return false;
#endif
	case DRV_NET:
#ifdef VIRTSIM_HAVE_NET
		return true;
#else
		return false;
#endif
	default:
#ifdef VIRTSIM_HAVE_GPU
		return true;
#else
		return false;
#endif
	}
}

static struct virtio_device *drv_vdev(enum drv d)
{
	return d == DRV_BLK ? &blk.vdev : d == DRV_NET ? &net.vdev : &gpu.vdev;
}

static int drv_init(enum drv d, bool use_irq)
{
	unsigned line = use_irq ? h->line : VIRTIO_NO_IRQ;

	(void)line; /* in a build with no driver */
	switch (d) {
#ifdef VIRTSIM_HAVE_BLK
	case DRV_BLK: {
		struct virtio_blk_options o = {.use_irq = use_irq};

		return virtio_blk_init(&blk, &mt.base, &o, line);
	}
#endif
#ifdef VIRTSIM_HAVE_NET
	case DRV_NET: {
		struct virtio_net_options o = {.use_irq = use_irq};

		return virtio_net_init(&net, &mt.base, &o, line);
	}
#endif
#ifdef VIRTSIM_HAVE_GPU
	case DRV_GPU: {
		struct virtio_gpu_options o = {.use_irq = use_irq};

		return virtio_gpu_init(&gpu, &mt.base, &o, line);
	}
#endif
	default:
		ck_abort_msg("driver %d is not built", (int)d);
	}
	return -1;
}

/*
 * The blocking call: a read of sector 0, a wait for a transmitted frame
 * (or any received one), GET_DISPLAY_INFO. What the call left posted
 * stays with the driver until drv_destroy.
 */
static int drv_block(enum drv d)
{
	static uint8_t buf[4096];

	(void)buf; /* in a build with no driver */
	switch (d) {
#ifdef VIRTSIM_HAVE_BLK
	case DRV_BLK:
		return virtio_blk_read(&blk, 0, buf, VIRTIO_BLK_SECTOR_SIZE);
#endif
#ifdef VIRTSIM_HAVE_NET
	case DRV_NET: {
		size_t len = virtio_net_hdr_len(&net) + 60;
		uint16_t token;

		memset(buf, 0, len);
		memset(buf + virtio_net_hdr_len(&net), 0xff, 6);
		ck_assert_int_eq(
		    virtio_net_transmit_begin(&net, buf, len, &token), 0);
		return virtio_net_wait(&net, true, true);
	}
#endif
#ifdef VIRTSIM_HAVE_GPU
	case DRV_GPU:
		return virtio_gpu_get_display_info(&gpu);
#endif
	default:
		ck_abort_msg("driver %d is not built", (int)d);
	}
	return -1;
}

static void drv_destroy(enum drv d)
{
	switch (d) {
#ifdef VIRTSIM_HAVE_BLK
	case DRV_BLK:
		virtio_blk_destroy(&blk);
		break;
#endif
#ifdef VIRTSIM_HAVE_NET
	case DRV_NET:
		virtio_net_destroy(&net);
		break;
#endif
#ifdef VIRTSIM_HAVE_GPU
	case DRV_GPU:
		virtio_gpu_destroy(&gpu);
		break;
#endif
	default:
		break;
	}
}

/* The driver stopped the device after the error (blk, GPU) or the
 * caller does (net, virtio_net.h): the reset ends the storm. */
static void drv_stop_after_error(enum drv d)
{
	if (d == DRV_NET) {
		drv_destroy(d);
		return;
	}
	ck_assert(d == DRV_BLK ? blk.stopped : gpu.stopped);
	ck_assert_uint_eq(virtio_transport_get_status(&mt.base), 0);
	drv_destroy(d);
}

/* ---- (a) a device that makes no progress ---- */

struct stall_case {
	enum drv drv;
	enum sim_mode mode;
	enum storm storm;
	bool use_irq;
};

static const struct {
	enum storm storm;
	bool use_irq;
} stall_kinds[] = {
    {STORM_ZERO, true}, {STORM_RESERVED, true}, {STORM_NO_ACK, true},
    {STORM_TICK, true}, {STORM_TICK, false},
};
#define STALL_KINDS (sizeof(stall_kinds) / sizeof(stall_kinds[0]))
#define STALL_CASES (DRV_COUNT * 2 * STALL_KINDS)

static struct stall_case stall_case(int i)
{
	unsigned k = (unsigned)i % STALL_KINDS;

	return (struct stall_case){
	    (enum drv)((unsigned)i / STALL_KINDS / 2),
	    ((unsigned)i / STALL_KINDS) % 2 ? SIM_MODE_DEFERRED : SIM_MODE_SYNC,
	    stall_kinds[k].storm, stall_kinds[k].use_irq};
}

/*
 * MMIO-D-12/13/19/20, VQ-D-13, INIT-D-13: whatever the interrupt says,
 * a call on a device that never completes comes back -NOT_READY within
 * the bounds: a storm at one instant after VIRTIO_WAIT_STALL_WAKEUPS
 * wakeups, a device that keeps time moving after VIRTIO_WAIT_STALL_NS of
 * it; the driver (or for net the caller) resets it, which ends the storm
 * and gives every buffer back.
 */
START_TEST(stalled_device_call_gives_up)
{
	struct stall_case c = stall_case(_i);
	struct virtio_device *vd;
	uint64_t t0, irqs0, spurious0;

	if (!drv_built(c.drv))
		return;
	machine_up(c.mode);
	hostile_attach(drv_id[c.drv], NULL);
	h->storm = c.storm;
	ck_assert_int_eq(drv_init(c.drv, c.use_irq), 0);
	vd = drv_vdev(c.drv);
	h->armed = true;
	t0 = evloop_now(&m.loop);
	irqs0 = vd->irqs;
	spurious0 = vd->spurious_irqs;

	ck_assert_int_eq(drv_block(c.drv), -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(h->storms, 1);
	ck_assert_uint_gt(h->taken, 0);
	if (c.storm == STORM_TICK) {
		/* Time moved: the time bound, give or take a tick. */
		uint64_t waited = evloop_now(&m.loop) - t0;

		ck_assert_uint_ge(waited, VIRTIO_WAIT_STALL_NS);
		ck_assert_uint_le(waited, VIRTIO_WAIT_STALL_NS + 2 * TICK_NS);
	} else {
		/* A storm at one instant: the wakeup bound. */
		ck_assert_uint_eq(evloop_now(&m.loop), t0);
		ck_assert_uint_ge(vd->irqs - irqs0, VIRTIO_WAIT_STALL_WAKEUPS);
		if (c.storm == STORM_NO_ACK)
			ck_assert_uint_ge(h->acks_ignored,
					  VIRTIO_WAIT_STALL_WAKEUPS);
		else
			ck_assert_uint_ge(vd->spurious_irqs - spurious0,
					  VIRTIO_WAIT_STALL_WAKEUPS);
	}
	drv_stop_after_error(c.drv);
	ck_assert(!h->storming);
	ck_assert_uint_eq(h->nheld, 0);
	ck_assert_uint_eq(m.irq.level & (1ull << h->line), 0);
	machine_down();
}
END_TEST

/* Not a hair trigger: a device that interrupts for nothing for two
 * thirds of VIRTIO_WAIT_STALL_NS and then completes is waited for. */
START_TEST(slow_device_is_waited_for)
{
	enum drv d = (enum drv)_i;

	if (!drv_built(d))
		return;
	machine_up(SIM_MODE_DEFERRED);
	hostile_attach(drv_id[d], NULL);
	h->storm = STORM_TICK;
	h->complete_every = (uint32_t)(VIRTIO_WAIT_STALL_NS / TICK_NS * 2 / 3);
	ck_assert_int_eq(drv_init(d, true), 0);
	h->armed = true;
	ck_assert_int_eq(drv_block(d), 0);
	ck_assert_uint_eq(h->ticks, h->complete_every);
	if (d == DRV_BLK)
		ck_assert(!blk.stopped);
	drv_destroy(d);
	machine_down();
}
END_TEST

#ifdef VIRTSIM_HAVE_BLK
/*
 * Progress restarts the bound: another request used two thirds of the
 * way is progress, so the blocking read, answered after four thirds of
 * VIRTIO_WAIT_STALL_NS in all, is waited for (blk's wait takes others'
 * completions off the ring for them, virtio_blk_poll).
 */
START_TEST(progress_restarts_the_bound)
{
	static uint8_t a[VIRTIO_BLK_SECTOR_SIZE], b[VIRTIO_BLK_SECTOR_SIZE];
	struct virtio_blk_req req = {0};
	uint16_t token;
	uint64_t t0;

	machine_up(_i ? SIM_MODE_DEFERRED : SIM_MODE_SYNC);
	hostile_attach(VIRTIO_ID_BLOCK, NULL);
	h->storm = STORM_TICK;
	h->complete_every = (uint32_t)(VIRTIO_WAIT_STALL_NS / TICK_NS * 2 / 3);
	ck_assert_int_eq(drv_init(DRV_BLK, true), 0);
	h->armed = true;
	t0 = evloop_now(&m.loop);
	ck_assert_int_eq(
	    virtio_blk_submit(&blk, &req, VIRTIO_BLK_T_IN, 1, a, sizeof(a)), 0);
	ck_assert_int_eq(virtio_blk_read(&blk, 2, b, sizeof(b)), 0);
	ck_assert_uint_ge(evloop_now(&m.loop) - t0,
			  VIRTIO_WAIT_STALL_NS * 4 / 3);
	ck_assert_int_eq(virtio_blk_poll(&blk, &token), 1);
	ck_assert_uint_eq(token, req.token);
	ck_assert_int_eq(virtio_blk_complete(&blk, token, &req), 0);
	ck_assert_uint_eq(h->ticks, 2 * h->complete_every);
	drv_destroy(DRV_BLK);
	machine_down();
}
END_TEST
#endif

/* A HAL without a clock (hal_now_ns 0, the optional op left NULL): the
 * wakeup count alone bounds, whatever the device does with time. */
START_TEST(clockless_hal_bounds_by_wakeups)
{
	struct hal_ops ops;
	struct hal clockless;
	uint64_t t0;

	if (!drv_built(DRV_BLK))
		return;
	machine_up(SIM_MODE_SYNC);
	ops = *machine_hal(&m)->ops;
	ops.now_ns = NULL;
	clockless = (struct hal){&ops, machine_hal(&m)->ctx};
	ck_assert_uint_eq(hal_now_ns(&clockless), 0);
	hostile_attach(VIRTIO_ID_BLOCK, &clockless);
	h->storm = STORM_TICK;
	ck_assert_int_eq(drv_init(DRV_BLK, false), 0);
	h->armed = true;
	t0 = evloop_now(&m.loop);
	ck_assert_int_eq(drv_block(DRV_BLK), -VIRTIO_ERR_NOT_READY);
	/* Far past the time bound: only the count stopped it. */
	ck_assert_uint_ge(evloop_now(&m.loop) - t0,
			  (uint64_t)VIRTIO_WAIT_STALL_WAKEUPS * TICK_NS);
	drv_stop_after_error(DRV_BLK);
	machine_down();
}
END_TEST

static void count_fire(void *opaque)
{
	(*(unsigned *)opaque)++;
}

/* The simulated HAL's clock is the machine's virtual time: it moves
 * only while the CPU waits, to the timer that fires. */
START_TEST(sim_hal_clock_is_virtual_time)
{
	struct ev_timer t;
	unsigned fired = 0;

	machine_up(SIM_MODE_SYNC);
	ev_timer_init(&t, count_fire, &fired);
	ck_assert_uint_eq(hal_now_ns(machine_hal(&m)), 0);
	ck_assert_int_eq(evloop_timer_arm(&m.loop, &t, 12345), 0);
	ck_assert_uint_eq(hal_now_ns(machine_hal(&m)), 0);
	ck_assert_int_eq(hal_wait(machine_hal(&m)), 0);
	ck_assert_uint_eq(fired, 1);
	ck_assert_uint_eq(hal_now_ns(machine_hal(&m)), 12345);
	ck_assert_int_eq(hal_wait(machine_hal(&m)), -HAL_EIDLE);
	ck_assert_uint_eq(hal_now_ns(machine_hal(&m)), 12345);
	machine_down();
}
END_TEST

/* ---- (b) a reset that never completes ---- */

/* INIT-N-01, INIT-D-07/10: init fails with -NOT_READY after a bounded
 * number of Status reads, FAILED set, the driver zeroed, nothing
 * allocated; sync and deferred. */
START_TEST(reset_never_completing_fails_init)
{
	enum drv d = (enum drv)(_i / 4);

	if (!drv_built(d))
		return;
	machine_up(_i % 2 ? SIM_MODE_DEFERRED : SIM_MODE_SYNC);
	hostile_attach(drv_id[d], NULL);
	h->stuck_reads = UINT64_MAX;
	ck_assert_int_eq(drv_init(d, _i / 2 % 2), -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_ge(h->status_reads, 1u << 20);
	ck_assert_uint_le(h->status_reads, (1u << 20) + 8);
	ck_assert(h->vdev.status & VIRTIO_CONFIG_S_FAILED);
	ck_assert(!(h->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK));
	ck_assert_ptr_null(drv_vdev(d)->transport);
	ck_assert_uint_eq(drv_vdev(d)->nqueues, 0);
	machine_down();
}
END_TEST

/* A slow reset is a reset: status reads 0 after a thousand reads. */
START_TEST(slow_reset_still_initialises)
{
	enum drv d = (enum drv)_i;

	if (!drv_built(d))
		return;
	machine_up(SIM_MODE_SYNC);
	hostile_attach(drv_id[d], NULL);
	h->stuck_reads = 1000;
	ck_assert_int_eq(drv_init(d, true), 0);
	ck_assert(h->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK);
	drv_destroy(d);
	machine_down();
}
END_TEST

/* Teardown on a device whose reset never completes: no hang, every
 * buffer the driver shared is taken back anyway. */
START_TEST(reset_never_completing_at_teardown)
{
	enum drv d = (enum drv)_i;

	if (!drv_built(d))
		return;
	machine_up(SIM_MODE_SYNC);
	hostile_attach(drv_id[d], NULL);
	ck_assert_int_eq(drv_init(d, true), 0);
	h->stuck_reads = UINT64_MAX;
	ck_assert_int_eq(virtio_device_reset(drv_vdev(d)),
			 -VIRTIO_ERR_NOT_READY);
	drv_destroy(d);
	ck_assert_ptr_null(drv_vdev(d)->transport);
	machine_down();
}
END_TEST

static Suite *hardening_suite(void)
{
	Suite *s = suite_create("driver_hardening");
	TCase *tc = tcase_create("stall");

	/* The hang detector: each case takes well under a second. */
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, stalled_device_call_gives_up, 0, STALL_CASES);
	tcase_add_loop_test(tc, slow_device_is_waited_for, 0, DRV_COUNT);
#ifdef VIRTSIM_HAVE_BLK
	tcase_add_loop_test(tc, progress_restarts_the_bound, 0, 2);
#endif
	tcase_add_test(tc, clockless_hal_bounds_by_wakeups);
	tcase_add_test(tc, sim_hal_clock_is_virtual_time);
	suite_add_tcase(s, tc);

	tc = tcase_create("reset");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, reset_never_completing_fails_init, 0,
			    DRV_COUNT * 4);
	tcase_add_loop_test(tc, slow_reset_still_initialises, 0, DRV_COUNT);
	tcase_add_loop_test(tc, reset_never_completing_at_teardown, 0,
			    DRV_COUNT);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(hardening_suite)
