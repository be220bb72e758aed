/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu driver (drivers/virtio/virtio_gpu.h) and the display
 * device around it (drivers/adapter/display_device.h).
 *
 * - The EDID parser on blocks built here.
 * - A small GPU of this file's own ("badgpu"), registered with the real
 *   device core behind the MMIO front-end, that answers like a GPU until
 *   told to break one command: the wrong response type, a short used
 *   length, a missing or wrong fence, a used id of no chain, a used
 *   entry twice, silence, a used length on the cursor queue. Each must
 *   be the driver's error, never a crash or an endless wait, and leave
 *   no DMA page behind.
 * - The real GPU model (devices/gpu/gpu_model.h) over MMIO v2 and PCI,
 *   polling and with interrupts, sync and deferred: pixels compared
 *   byte for byte with the headless display's shadow, what flush sent
 *   (transfer_bytes), the cursor, a resize and a rebuild that fails.
 *
 * Every test ends with the HAL's books: machine_destroy counts leaked
 * DMA pages and shares as errors.
 */
#include <string.h>

#include "devices/gpu/gpu_model.h"
#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/adapter/adapter.h"
#include "drivers/adapter/display_device.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/pci_transport.h"
#include "drivers/virtio/virtio_gpu.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_gpu.h"
#include "sim/machine.h"
#include "tests/testutil.h"

#define RAM_SIZE (32ull << 20)

/* ---- EDID blocks ---- */

/* An EDID 1.@rev base block whose first detailed timing is @w x @h. */
static void edid_make(uint8_t e[128], uint8_t rev, uint32_t w, uint32_t h)
{
	static const uint8_t header[8] = {0,	0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0};
	uint8_t sum = 0;

	memset(e, 0, 128);
	memcpy(e, header, 8);
	e[18] = 1;
	e[19] = rev;
	e[24] = 0x0a; /* RGB colour, preferred timing mode */
	e[54] = 0x40; /* pixel clock 0x1540 * 10 kHz: any non-zero */
	e[55] = 0x15;
	e[56] = (uint8_t)w;
	e[57] = 0x20; /* horizontal blanking, low */
	e[58] = (uint8_t)((w >> 8) << 4);
	e[59] = (uint8_t)h;
	e[60] = 0x10;
	e[61] = (uint8_t)((h >> 8) << 4);
	for (unsigned i = 0; i < 127; i++)
		sum += e[i];
	e[127] = (uint8_t)(0x100 - sum);
}

static void edid_fix_checksum(uint8_t e[128])
{
	uint8_t sum = 0;

	for (unsigned i = 0; i < 127; i++)
		sum += e[i];
	e[127] = (uint8_t)(0x100 - sum);
}

static int edid_mode(const uint8_t *e, size_t len, uint32_t *w, uint32_t *h)
{
	*w = *h = 0;
	return virtio_gpu_edid_preferred_mode(e, len, w, h);
}

START_TEST(edid_preferred_mode_of_good_blocks)
{
	uint8_t e[256];
	uint32_t w, h;

	edid_make(e, 4, 1280, 800);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), 0);
	ck_assert_uint_eq(w, 1280);
	ck_assert_uint_eq(h, 800);
	/* The upper nibbles carry bits 8..11 of each side. */
	edid_make(e, 4, 3840, 2160);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), 0);
	ck_assert_uint_eq(w, 3840);
	ck_assert_uint_eq(h, 2160);
	/* An extension block after the base one is fine. */
	memset(e + 128, 0x55, 128);
	ck_assert_int_eq(edid_mode(e, 256, &w, &h), 0);
	ck_assert_uint_eq(w, 3840);
	/* EDID 1.3 with the preferred-timing bit. */
	edid_make(e, 3, 640, 480);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), 0);
	ck_assert_uint_eq(w, 640);
	ck_assert_uint_eq(h, 480);
}
END_TEST

START_TEST(edid_bad_blocks_are_refused)
{
	uint8_t e[128];
	uint32_t w, h;

	edid_make(e, 4, 1024, 768);
	ck_assert_int_eq(edid_mode(e, 127, &w, &h), -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(edid_mode(NULL, 128, &w, &h),
			 -VIRTIO_ERR_INVALID_PARAM);

	e[3] = 0xfe; /* header */
	edid_fix_checksum(e);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);

	edid_make(e, 4, 1024, 768);
	e[127]++; /* checksum */
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);

	edid_make(e, 4, 1024, 768);
	e[54] = e[55] = 0; /* a display descriptor, not a timing */
	edid_fix_checksum(e);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);

	edid_make(e, 4, 1024, 768);
	e[18] = 2; /* not EDID 1.x */
	edid_fix_checksum(e);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);

	edid_make(e, 3, 1024, 768);
	e[24] &= (uint8_t)~0x02; /* 1.3 without a preferred timing */
	edid_fix_checksum(e);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);

	edid_make(e, 4, 0, 768);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);
	edid_make(e, 4, 1024, 0);
	ck_assert_int_eq(edid_mode(e, 128, &w, &h), -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_uint_eq(w, 0); /* nothing written on refusal */
}
END_TEST

/* ---- badgpu: a GPU that breaks one command on request ---- */

enum bad_fault {
	BAD_NONE,
	BAD_TYPE,	/* the wrong OK_* type, full length */
	BAD_SHORT,	/* one byte short of the response */
	BAD_NO_FENCE,	/* FLAG_FENCE not echoed */
	BAD_FENCE_ID,	/* another fence_id */
	BAD_ERROR,	/* ERR_INVALID_PARAMETER */
	BAD_USED_ID,	/* a used entry naming a descriptor of no chain */
	BAD_USED_TWICE, /* answered, then its head used once more */
	BAD_SILENT,	/* never answered */
	BAD_CURSOR_LEN, /* a used length on the cursor queue */
};

#define BAD_HELD_MAX 8
#define BAD_FENCES_MAX 64

struct bad_gpu {
	struct virtio_dev vdev;
	uint8_t config[sizeof(struct virtio_gpu_config)];
	enum bad_fault fault;
	uint32_t fault_cmd; /* the command type to break */
	bool no_mode;	    /* scanout 0 disabled in the display info */
	uint8_t edid[128];  /* GET_EDID's block; all 0: size 0 */
	struct virtio_req *held[BAD_HELD_MAX];
	unsigned nheld;
	/* What the driver sent. */
	unsigned ctrl_cmds, cursor_cmds, unfenced_ctrl, fenced_cursor;
	uint64_t fences[BAD_FENCES_MAX];
	unsigned nfences;
	unsigned events_read_writes, events_clear_writes;
	uint32_t events_cleared; /* bits written to events_clear */
};

static struct machine m;
static struct bad_gpu *bad;
static struct virtio_mmio_transport mt;
static unsigned bad_line;

static uint32_t bad_resp_type(uint32_t cmd)
{
	switch (cmd) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		return VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
	case VIRTIO_GPU_CMD_GET_EDID:
		return VIRTIO_GPU_RESP_OK_EDID;
	default:
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
}

static uint32_t bad_resp_size(uint32_t type)
{
	switch (type) {
	case VIRTIO_GPU_RESP_OK_DISPLAY_INFO:
		return sizeof(struct virtio_gpu_resp_display_info);
	case VIRTIO_GPU_RESP_OK_EDID:
		return sizeof(struct virtio_gpu_resp_edid);
	default:
		return sizeof(struct virtio_gpu_ctrl_hdr);
	}
}

/* Write @len bytes of @resp into the chain's writable part, used. */
static void bad_answer(struct virtio_req *r, const void *resp, uint32_t len)
{
	const struct vq_elem *e = &r->elem;
	uint32_t n = 0;

	if (e->n_in) {
		n = len < e->seg[e->n_out].len ? len
					       : (uint32_t)e->seg[e->n_out].len;
		memcpy(e->seg[e->n_out].host, resp, n);
	}
	virtio_dev_complete(r, n);
}

static void bad_ctrl(struct bad_gpu *b, struct virtio_req *r,
		     const struct virtio_gpu_ctrl_hdr *cmd)
{
	static union {
		struct virtio_gpu_ctrl_hdr hdr;
		struct virtio_gpu_resp_display_info info;
		struct virtio_gpu_resp_edid edid;
	} resp;
	uint32_t type = virtio_le32(cmd->type);
	bool fault = type == b->fault_cmd;
	uint32_t rtype = bad_resp_type(type), len;

	b->ctrl_cmds++;
	if (virtio_le32(cmd->flags) & VIRTIO_GPU_FLAG_FENCE) {
		if (b->nfences < BAD_FENCES_MAX)
			b->fences[b->nfences++] = virtio_le64(cmd->fence_id);
	} else {
		b->unfenced_ctrl++;
	}
	if (fault && b->fault == BAD_SILENT) {
		ck_assert_uint_lt(b->nheld, BAD_HELD_MAX);
		b->held[b->nheld++] = r;
		return;
	}
	if (fault && b->fault == BAD_USED_ID) {
		struct vq_dev *vq = &b->vdev.vq[r->q];

		/* Held (queue_stop gives it back); the used entry names the
		 * next descriptor, which heads no chain. */
		ck_assert_uint_lt(b->nheld, BAD_HELD_MAX);
		b->held[b->nheld++] = r;
		vq_dev_push(vq, (uint16_t)((r->elem.head + 1) % vq->size), 24);
		return;
	}
	memset(&resp, 0, sizeof(resp));
	if (fault && b->fault == BAD_TYPE)
		rtype = rtype == VIRTIO_GPU_RESP_OK_NODATA
			    ? VIRTIO_GPU_RESP_OK_DISPLAY_INFO
			    : VIRTIO_GPU_RESP_OK_NODATA;
	len = bad_resp_size(rtype);
	if (fault && b->fault == BAD_TYPE)
		len = sizeof(resp); /* only the type is wrong */
	if (rtype == VIRTIO_GPU_RESP_OK_DISPLAY_INFO && !b->no_mode) {
		resp.info.pmodes[0].r.width = virtio_le32(640);
		resp.info.pmodes[0].r.height = virtio_le32(480);
		resp.info.pmodes[0].enabled = virtio_le32(1);
	}
	if (rtype == VIRTIO_GPU_RESP_OK_EDID && b->edid[0] == 0 &&
	    b->edid[1] == 0xff) {
		memcpy(resp.edid.edid, b->edid, sizeof(b->edid));
		resp.edid.size = virtio_le32(sizeof(b->edid));
	}
	if (fault && b->fault == BAD_ERROR) {
		rtype = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
		len = sizeof(resp.hdr);
	}
	if (fault && b->fault == BAD_SHORT)
		len--;
	resp.hdr.type = virtio_le32(rtype);
	/* GPU-V-01, unless told to break it. */
	resp.hdr.flags = cmd->flags & virtio_le32(VIRTIO_GPU_FLAG_FENCE);
	resp.hdr.fence_id = cmd->fence_id;
	if (fault && b->fault == BAD_NO_FENCE)
		resp.hdr.flags = 0;
	if (fault && b->fault == BAD_FENCE_ID)
		resp.hdr.fence_id = virtio_le64(virtio_le64(cmd->fence_id) + 1);
	{
		uint16_t head = r->elem.head;
		struct vq_dev *vq = &b->vdev.vq[r->q];

		bad_answer(r, &resp, len);
		if (fault && b->fault == BAD_USED_TWICE)
			vq_dev_push(vq, head, 0);
	}
}

static void bad_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct bad_gpu *b = (struct bad_gpu *)dev;
	struct virtio_req *r;

	while (virtio_dev_pop_req(dev, q, &r) > 0) {
		struct virtio_gpu_ctrl_hdr cmd = {0};
		const struct vq_seg *s = &r->elem.seg[0];

		if (r->elem.n_out)
			memcpy(&cmd, s->host,
			       s->len < sizeof(cmd) ? s->len : sizeof(cmd));
		if (q == VIRTIO_GPU_CURSOR_QUEUE) {
			b->cursor_cmds++;
			if (virtio_le32(cmd.flags) & VIRTIO_GPU_FLAG_FENCE)
				b->fenced_cursor++;
			/* Nothing writable: a length is a lie. */
			virtio_dev_complete(r, b->fault == BAD_CURSOR_LEN &&
						       virtio_le32(cmd.type) ==
							   b->fault_cmd
						   ? 8
						   : 0);
			continue;
		}
		bad_ctrl(b, r, &cmd);
	}
}

static void bad_queue_stop(struct virtio_dev *dev, unsigned q)
{
	struct bad_gpu *b = (struct bad_gpu *)dev;

	while (b->nheld)
		virtio_dev_complete(b->held[--b->nheld], 0);
}

static void bad_config_write(struct virtio_dev *dev, uint32_t off, unsigned len)
{
	struct bad_gpu *b = (struct bad_gpu *)dev;
	const uint32_t clear = offsetof(struct virtio_gpu_config, events_clear);

	if (off < clear) {
		b->events_read_writes++; /* GPU-D-01: never */
		return;
	}
	if (off == clear && len == 4) {
		uint32_t v = virtio_ld_le32(b->config + clear);

		b->events_clear_writes++;
		b->events_cleared |= v;
		virtio_st_le32(b->config, virtio_ld_le32(b->config) & ~v);
	}
}

static const struct virtio_dev_ops bad_ops = {
    .device_id = VIRTIO_ID_GPU,
    .num_queues = 2,
    .queue_size_max = 256,
    .config_write = bad_config_write,
    .queue_notify = bad_queue_notify,
    .queue_stop = bad_queue_stop,
};

static void bad_free(void *dev)
{
	virtio_dev_release(dev);
	free(dev);
}

/* A badgpu with @num_scanouts and @events_read pending, QueueNumMax
 * @qmax, behind MMIO v2; mt is its transport. */
static void bad_attach(uint32_t num_scanouts, uint32_t events_read,
		       uint16_t qmax)
{
	enum dev_type type;
	int slot;

	bad = calloc(1, sizeof(*bad));
	ck_assert_ptr_nonnull(bad);
	virtio_st_le32(bad->config, events_read);
	virtio_st_le32(bad->config +
			   offsetof(struct virtio_gpu_config, num_scanouts),
		       num_scanouts);
	ck_assert_int_eq(machine_on_destroy(&m, bad_free, bad), 0);
	virtio_dev_init(&bad->vdev, &bad_ops, "badgpu", &m.env,
			VIRTIO_BIT(VIRTIO_GPU_F_EDID) |
			    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			    VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
			bad->config, sizeof(bad->config));
	bad->vdev.queue_size_max = qmax;
	slot = virtio_mmio_attach(&m, &bad->vdev, 2);
	ck_assert_int_ge(slot, 0);
	bad_line = machine_mmio_slot_irq((unsigned)slot);
	ck_assert(probe_mmio_device(machine_hal(&m),
				    machine_mmio_slot_base((unsigned)slot),
				    MACHINE_MMIO_SLOT_SIZE, &mt, &type));
	ck_assert_int_eq(type, DEV_TYPE_DISPLAY);
}

static void bad_setup(void)
{
	struct machine_options o = {.mem_size = RAM_SIZE};

	ck_assert_int_eq(machine_init(&m, &o), 0);
	bad_attach(1, 0, 256);
}

static void bad_teardown(void)
{
	/* Every DMA page back, every share undone. */
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

static void bad_break(uint32_t cmd, enum bad_fault fault)
{
	bad->fault_cmd = cmd;
	bad->fault = fault;
}

static struct virtio_gpu gpu;

static void gpu_up_polling(void)
{
	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, NULL, VIRTIO_NO_IRQ),
			 0);
}

static uint8_t bad_status(void)
{
	return virtio_transport_get_status(&mt.base);
}

/* VQ-D-07, GPU-N-01: both queues of 64 by default, EDID negotiated. */
START_TEST(bad_gpu_answering_well_brings_the_driver_up)
{
	struct virtio_gpu_options o = {.use_irq = true};

	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, &o, bad_line), 0);
	ck_assert_uint_eq(gpu.ctrlq.size, 64);
	ck_assert_uint_eq(gpu.cursorq.size, 64);
	ck_assert(gpu.has_edid);
	ck_assert_uint_eq(gpu.num_scanouts, 1);
	ck_assert(gpu.modes[0].enabled);
	ck_assert_uint_eq(gpu.modes[0].width, 640);
	ck_assert_uint_eq(gpu.modes[0].height, 480);
	ck_assert(bad_status() & VIRTIO_CONFIG_S_DRIVER_OK);
	virtio_gpu_destroy(&gpu);
	ck_assert_uint_eq(bad_status(), 0);
}
END_TEST

/* GPU-N-01: num_scanouts outside 1..16 is not a GPU we can drive. */
START_TEST(bad_num_scanouts_is_unsupported)
{
	const uint32_t counts[] = {0, 17, 0xffffffffu};

	for (unsigned i = 0; i < 3; i++) {
		virtio_st_le32(bad->config + offsetof(struct virtio_gpu_config,
						      num_scanouts),
			       counts[i]);
		ck_assert_int_eq(
		    virtio_gpu_init(&gpu, &mt.base, NULL, VIRTIO_NO_IRQ),
		    -VIRTIO_ERR_UNSUPPORTED);
		ck_assert(bad_status() & VIRTIO_CONFIG_S_FAILED);
	}
	virtio_st_le32(
	    bad->config + offsetof(struct virtio_gpu_config, num_scanouts), 16);
	gpu_up_polling();
	ck_assert_uint_eq(gpu.num_scanouts, 16);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* Queues of more than 2: a device offering fewer than 4 is refused. */
START_TEST(queue_sizes_are_at_least_four)
{
	struct virtio_gpu_options o = {.queue_size = 2};

	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, &o, VIRTIO_NO_IRQ),
			 -VIRTIO_ERR_INVALID_PARAM);
	o.queue_size = 8;
	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, &o, VIRTIO_NO_IRQ), 0);
	ck_assert_uint_eq(gpu.ctrlq.size, 8);
	virtio_gpu_destroy(&gpu);
	bad->vdev.queue_size_max = 2;
	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, NULL, VIRTIO_NO_IRQ),
			 -VIRTIO_ERR_INVALID_PARAM);
	bad->vdev.queue_size_max = 16;
	gpu_up_polling();
	ck_assert_uint_eq(gpu.ctrlq.size, 16); /* halved to the maximum */
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* GPU-V-01 from the driver side: every control command fenced, fence
 * ids increasing; cursor commands are not (nothing echoes them). */
START_TEST(control_commands_are_fenced_with_increasing_ids)
{
	struct virtio_gpu_rect r = {0, 0, 16, 16};

	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &gpu, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16, 16),
			 0);
	ck_assert_int_eq(virtio_gpu_update_rect(&gpu, 1, &r, 64), 0);
	ck_assert_int_eq(virtio_gpu_move_cursor(&gpu, 0, 3, 4), 0);
	ck_assert_int_eq(virtio_gpu_resource_unref(&gpu, 1), 0);
	ck_assert_uint_eq(bad->unfenced_ctrl, 0);
	ck_assert_uint_eq(bad->nfences, bad->ctrl_cmds);
	ck_assert_uint_ge(bad->nfences, 5);
	for (unsigned i = 1; i < bad->nfences; i++)
		ck_assert_uint_gt(bad->fences[i], bad->fences[i - 1]);
	ck_assert_uint_eq(bad->cursor_cmds, 1);
	ck_assert_uint_eq(bad->fenced_cursor, 0);
	ck_assert_uint_eq(gpu.commands, bad->ctrl_cmds);
	ck_assert_uint_eq(gpu.cursor_commands, 1);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* GPU-D-01: an event pending at init is cleared through events_clear;
 * events_read is never written. */
START_TEST(display_events_are_cleared_through_events_clear)
{
	virtio_st_le32(bad->config, VIRTIO_GPU_EVENT_DISPLAY);
	gpu_up_polling();
	ck_assert_uint_eq(bad->events_cleared, VIRTIO_GPU_EVENT_DISPLAY);
	ck_assert_uint_eq(bad->events_clear_writes, 1);
	/* Nothing pending: nothing written, no change. */
	ck_assert(!virtio_gpu_display_changed(&gpu));
	ck_assert_uint_eq(bad->events_clear_writes, 1);
	/* The device raises it again. */
	virtio_st_le32(bad->config, VIRTIO_GPU_EVENT_DISPLAY);
	ck_assert(virtio_gpu_display_changed(&gpu));
	ck_assert_uint_eq(bad->events_clear_writes, 2);
	ck_assert(!virtio_gpu_display_changed(&gpu));
	ck_assert_uint_eq(bad->events_read_writes, 0);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/*
 * Init broken at GET_DISPLAY_INFO by @fault: virtio_gpu_init says @err
 * and leaves the device FAILED; the display device says as_dev_err of it.
 */
static void init_fails(enum bad_fault fault, int err)
{
	struct virtio_gpu_display_device d;

	bad_break(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, fault);
	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, NULL, VIRTIO_NO_IRQ),
			 err);
	ck_assert(bad_status() & VIRTIO_CONFIG_S_FAILED);
	ck_assert_ptr_null(gpu.vdev.transport); /* zeroed */
	ck_assert_int_eq(
	    virtio_gpu_display_init(&d, &mt.base, NULL, VIRTIO_NO_IRQ),
	    -(int)as_dev_err(err));
	ck_assert_ptr_null(d.base.ops);
}

/* GPU-N-05: OK_NODATA where OK_DISPLAY_INFO was due is IoError. */
START_TEST(response_type_mismatch_is_io_error)
{
	init_fails(BAD_TYPE, -VIRTIO_ERR_IO_ERROR);
	/* And a data response where OK_NODATA was due. */
	bad_break(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, BAD_TYPE);
	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &gpu, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(gpu.last_error, 0); /* not an error response */
	/* A mismatch is the device's answer, not a broken ring: the driver
	 * goes on. */
	ck_assert_int_eq(virtio_gpu_resource_unref(&gpu, 1), 0);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* VQ-D-14: a used length short of the response is IoError. */
START_TEST(short_used_length_is_io_error)
{
	init_fails(BAD_SHORT, -VIRTIO_ERR_IO_ERROR);
	/* Shorter than a header, for a NODATA command. */
	bad_break(VIRTIO_GPU_CMD_RESOURCE_UNREF, BAD_SHORT);
	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_resource_unref(&gpu, 1),
			 -VIRTIO_ERR_IO_ERROR);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* GPU-V-01 from the driver side: the fence must come back, and its id. */
START_TEST(missing_or_wrong_fence_is_io_error)
{
	init_fails(BAD_NO_FENCE, -VIRTIO_ERR_IO_ERROR);
	init_fails(BAD_FENCE_ID, -VIRTIO_ERR_IO_ERROR);
}
END_TEST

/* GPU-N-05: a 0x12xx answer is IoError, its code kept. */
START_TEST(error_response_is_io_error_and_kept)
{
	init_fails(BAD_ERROR, -VIRTIO_ERR_IO_ERROR);
	bad_break(VIRTIO_GPU_CMD_SET_SCANOUT, BAD_ERROR);
	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_set_scanout(&gpu, 0, 0, NULL),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(gpu.last_error,
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(gpu.errors, 1);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/*
 * A used id naming no chain is WrongToken: the driver resets the
 * device, takes its chain back and fails later commands.
 */
START_TEST(used_id_of_no_chain_is_wrong_token)
{
	init_fails(BAD_USED_ID, -VIRTIO_ERR_WRONG_TOKEN);
	bad_break(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, BAD_USED_ID);
	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &gpu, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert(gpu.stopped);
	ck_assert_uint_eq(bad_status(), 0); /* reset */
	ck_assert_uint_eq(virtqueue_num_in_flight(&gpu.ctrlq), 0);
	ck_assert_int_eq(virtio_gpu_resource_unref(&gpu, 1),
			 -VIRTIO_ERR_IO_ERROR);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* A chain used twice: the second use is AlreadyUsed, at the next call. */
START_TEST(chain_used_twice_is_already_used)
{
	bad_break(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, BAD_USED_TWICE);
	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &gpu, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8),
			 0);
	ck_assert_int_eq(virtio_gpu_resource_unref(&gpu, 1),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert(gpu.stopped);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* A device that never answers: NotReady (Again), no endless wait. */
START_TEST(silent_device_is_not_ready)
{
	struct virtio_gpu_options o = {.use_irq = true};

	init_fails(BAD_SILENT, -VIRTIO_ERR_NOT_READY);
	ck_assert_int_eq(as_dev_err(-VIRTIO_ERR_NOT_READY), DEV_ERR_AGAIN);
	/* With interrupts too, after init. */
	bad_break(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, BAD_SILENT);
	ck_assert_int_eq(virtio_gpu_init(&gpu, &mt.base, &o, bad_line), 0);
	ck_assert_int_eq(
	    virtio_gpu_update_rect(&gpu, 1,
				   &(struct virtio_gpu_rect){0, 0, 4, 4}, 16),
	    -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(virtqueue_num_in_flight(&gpu.ctrlq), 0);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* Cursor commands have nothing writable: a used length is IoError. */
START_TEST(cursor_used_length_is_io_error)
{
	bad_break(VIRTIO_GPU_CMD_MOVE_CURSOR, BAD_CURSOR_LEN);
	gpu_up_polling();
	ck_assert_int_eq(virtio_gpu_update_cursor(&gpu, 0, 0, 0, 0, 1, 1), 0);
	ck_assert_int_eq(virtio_gpu_move_cursor(&gpu, 0, 5, 5),
			 -VIRTIO_ERR_IO_ERROR);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* Arguments the driver refuses before the device sees them. */
START_TEST(bad_arguments_are_invalid_param)
{
	struct virtio_gpu_backing piece = {MACHINE_RAM_BASE, 4096};
	struct virtio_gpu_rect r = {0, 0, 4, 4};
	unsigned before;

	gpu_up_polling();
	before = bad->ctrl_cmds;
	/* GPU-N-02: resource id 0 is invalid. */
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &gpu, 0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 4, 4),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_gpu_attach_backing(&gpu, 1, &piece, 0),
			 -VIRTIO_ERR_INVALID_PARAM);
	piece.len = 0;
	ck_assert_int_eq(virtio_gpu_attach_backing(&gpu, 1, &piece, 1),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_gpu_set_scanout(&gpu, 1, 1, &r),
			 -VIRTIO_ERR_INVALID_PARAM);
	/* Rows wider than the stride. */
	ck_assert_int_eq(virtio_gpu_update_rect(&gpu, 1, &r, 15),
			 -VIRTIO_ERR_INVALID_PARAM);
	r.width = 0;
	ck_assert_int_eq(virtio_gpu_resource_flush(&gpu, 1, &r),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_gpu_update_cursor(&gpu, 0, 1, 64, 0, 0, 0),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_uint_eq(bad->ctrl_cmds, before);
	virtio_gpu_destroy(&gpu);
}
END_TEST

/* ---- the real GPU model, over MMIO v2 and PCI ---- */

/*
 * Variant i: i % 4 is 0 MMIO v2 polling, 1 MMIO v2 interrupts, 2 PCI
 * polling, 3 PCI interrupts; i >= 4 runs in deferred mode (completions
 * late and out of order: a frame's transfer and flush may come back
 * either way round).
 */
#define VARIANTS 8

static bool variant_pci(int i)
{
	return i % 4 >= 2;
}

static bool variant_irq(int i)
{
	return i % 2 == 1;
}

static struct pci_root root;
static struct virtio_dev *model;
static struct virtio_pci_transport pt;
static struct virtio_transport *transport;
static unsigned irq_line;
static struct virtio_gpu_options gopts;
static struct virtio_gpu_display_device disp;

static void destroy_model(void *dev)
{
	gpu_model_destroy(dev);
}

/* A machine for variant @i with a GPU model made with @mo, probed. */
static void start(int i, const struct gpu_model_options *mo)
{
	struct machine_options o = {.mem_size = RAM_SIZE,
				    .mode = i >= 4 ? SIM_MODE_DEFERRED
						   : SIM_MODE_SYNC,
				    .seed = (uint64_t)i};
	enum dev_type type;

	ck_assert_int_eq(machine_init(&m, &o), 0);
	model = gpu_model_create(&m.env, NULL, mo);
	ck_assert_ptr_nonnull(model);
	/* Registered before the attach: released after the front-end. */
	ck_assert_int_eq(machine_on_destroy(&m, destroy_model, model), 0);
	if (variant_pci(i)) {
		struct pci_function_info info;
		int slot = virtio_pci_attach(&m, model, NULL);
		uint32_t bdf = PCI_BDF(0, (unsigned)slot, 0);

		ck_assert_int_gt(slot, 0);
		ck_assert_int_eq(pci_root_init(&root, machine_hal(&m),
					       MACHINE_ECAM_BASE,
					       MACHINE_ECAM_BUSES),
				 0);
		pci_root_set_mmio_window(&root, MACHINE_PCI_MMIO_BASE,
					 MACHINE_PCI_MMIO_SIZE);
		ck_assert_int_eq(pci_function_info_read(&root, bdf, &info), 0);
		ck_assert_int_eq(pci_assign_bars(&root, bdf), 0);
		pci_enable(&root, bdf);
		ck_assert(probe_pci_device(&root, bdf, &info, &pt, &type));
		transport = &pt.base;
		irq_line = virtio_transport_irq_line(transport);
	} else {
		int slot = virtio_mmio_attach(&m, model, 2);

		ck_assert_int_ge(slot, 0);
		ck_assert(probe_mmio_device(
		    machine_hal(&m), machine_mmio_slot_base((unsigned)slot),
		    MACHINE_MMIO_SLOT_SIZE, &mt, &type));
		transport = &mt.base;
		irq_line = machine_mmio_slot_irq((unsigned)slot);
	}
	ck_assert_int_eq(type, DEV_TYPE_DISPLAY);
	gopts = (struct virtio_gpu_options){.use_irq = variant_irq(i)};
}

static void start_display(int i, const struct gpu_model_options *mo)
{
	start(i, mo);
	ck_assert_int_eq(
	    virtio_gpu_display_init(&disp, transport, &gopts, irq_line), 0);
}

/* Destroy the display: not a DMA page is left, then the HAL's books. */
static void stop_display(void)
{
	virtio_gpu_display_destroy(&disp);
	ck_assert_ptr_null(disp.base.ops);
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

static const struct gpu_model_stats *mstats(void)
{
	return gpu_model_stats(model);
}

static struct display *shown(void)
{
	return gpu_model_display(model);
}

static struct display_device *base(void)
{
	return virtio_gpu_display_base(&disp);
}

static uint8_t pattern(uint32_t x, uint32_t y, unsigned c, unsigned seed)
{
	return (uint8_t)(x * 7u + y * 13u + c * 61u + seed * 101u);
}

/* Draw @seed's pattern into (@x, @y, @w, @h) of the framebuffer. */
static void draw(uint32_t x, uint32_t y, uint32_t w, uint32_t h, unsigned seed)
{
	struct display_framebuffer fb;

	base()->ops->fb(base(), &fb);
	for (uint32_t r = y; r < y + h; r++)
		for (uint32_t col = x; col < x + w; col++)
			for (unsigned c = 0; c < 4; c++)
				fb.base[r * fb.stride + col * 4 + c] =
				    pattern(col, r, c, seed);
}

/* The shadow's rows in (@x, @y, @w, @h) equal @seed's pattern. */
static void assert_shown(uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			 unsigned seed)
{
	const struct display *d = shown();

	for (uint32_t r = y; r < y + h; r++)
		for (uint32_t col = x; col < x + w; col++)
			for (unsigned c = 0; c < 4; c++) {
				uint8_t got =
				    d->shadow[(r * d->width + col) * 4 + c];

				if (got != pattern(col, r, c, seed))
					ck_abort_msg("pixel (%u,%u) byte %u: "
						     "%u, want %u",
						     col, r, c, got,
						     pattern(col, r, c, seed));
			}
}

/* The shadow shows the whole framebuffer, byte for byte. */
static void assert_shadow_is_fb(void)
{
	struct display_framebuffer fb;

	base()->ops->fb(base(), &fb);
	ck_assert(shown()->enabled);
	ck_assert_uint_eq(shown()->width, fb.width);
	ck_assert_uint_eq(shown()->height, fb.height);
	ck_assert_mem_eq(shown()->shadow, fb.base, fb.size);
}

/*
 * GPU-N-04, GPU-N-05: transfer and flush of the whole framebuffer and of
 * a partial rectangle, byte-exact in the display's shadow; flush sends
 * the dirty rectangle alone (transfer_bytes), need_flush only when
 * something was drawn.
 */
START_TEST(e2e_full_and_partial_rectangles_are_byte_exact)
{
	const struct gpu_model_options mo = {.width = 320, .height = 240};
	struct display_info info;
	uint64_t bytes;

	start_display(_i, &mo);
	ck_assert_str_eq(base()->ops->name(base()), "virtio-gpu");
	ck_assert_int_eq(base()->ops->type(base()), DEV_TYPE_DISPLAY);
	base()->ops->info(base(), &info);
	ck_assert_uint_eq(info.width, 320);
	ck_assert_uint_eq(info.height, 240);
	ck_assert_uint_eq(info.fb_size, 320 * 240 * 4);
	ck_assert(info.fb_base_vaddr != 0);
	/* The first full update of a cleared framebuffer. */
	ck_assert_uint_eq(mstats()->transfer_bytes, 320 * 240 * 4);
	assert_shadow_is_fb();
	/* Nothing drawn: nothing to flush, and nothing sent. */
	ck_assert(!base()->ops->need_flush(base()));
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	ck_assert_uint_eq(mstats()->transfers, 1);

	draw(0, 0, 320, 240, 1);
	base()->ops->damage(base(), 0, 0, 320, 240);
	ck_assert(base()->ops->need_flush(base()));
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	ck_assert(!base()->ops->need_flush(base()));
	assert_shadow_is_fb();

	/* A rectangle drawn and damaged, and pixels drawn outside it but
	 * never damaged: only the rectangle reaches the display. */
	bytes = mstats()->transfer_bytes;
	draw(37, 11, 50, 29, 2);
	draw(200, 100, 10, 10, 3);
	base()->ops->damage(base(), 37, 11, 50, 29);
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	ck_assert_uint_eq(mstats()->transfer_bytes - bytes, 50 * 29 * 4);
	assert_shown(37, 11, 50, 29, 2);
	assert_shown(200, 100, 10, 10, 1);
	ck_assert_uint_eq(disp.flushes, 2);

	/* Two damages flush as their bounding box. */
	bytes = mstats()->transfer_bytes;
	base()->ops->damage(base(), 200, 100, 10, 10);
	base()->ops->damage(base(), 190, 105, 5, 20);
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	ck_assert_uint_eq(mstats()->transfer_bytes - bytes, 20 * 25 * 4);
	assert_shadow_is_fb();
	stop_display();
}
END_TEST

/* damage clips to the screen; off-screen or empty damage is none. */
START_TEST(e2e_damage_is_clipped)
{
	const struct gpu_model_options mo = {.width = 320, .height = 240};
	uint64_t bytes;

	start_display(_i, &mo);
	base()->ops->damage(base(), 320, 0, 5, 5);
	base()->ops->damage(base(), 0, 240, 5, 5);
	base()->ops->damage(base(), 3, 3, 0, 5);
	ck_assert(!base()->ops->need_flush(base()));
	draw(0, 0, 320, 240, 4);
	bytes = mstats()->transfer_bytes;
	base()->ops->damage(base(), 300, 200, 0xffffffffu, 0xffffffffu);
	ck_assert_uint_eq(disp.dirty_w, 20);
	ck_assert_uint_eq(disp.dirty_h, 40);
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	ck_assert_uint_eq(mstats()->transfer_bytes - bytes, 20 * 40 * 4);
	assert_shown(300, 200, 20, 40, 4);
	stop_display();
}
END_TEST

/*
 * GPU-N-02: backing from three separate DMA allocations, not contiguous
 * and split mid-row, attached as three entries; the picture is their
 * concatenation. Also GPU-N-03: resource 0 disables the scanout.
 */
START_TEST(e2e_backing_of_separate_allocations)
{
	enum { W = 100, H = 30, ROW = W * 4, BYTES = W * H * 4 };
	const struct gpu_model_options mo = {.width = W, .height = H};
	const uint32_t lens[3] = {4096, 4096, BYTES - 8192};
	struct virtio_gpu_backing pieces[3];
	struct virtio_gpu_rect all = {0, 0, W, H};
	uint64_t spacer_pa[3];
	void *chunk[3], *spacer[3];
	struct virtio_gpu g;
	uint32_t off = 0;

	start(_i, &mo);
	ck_assert_int_eq(virtio_gpu_init(&g, transport, &gopts, irq_line), 0);
	for (unsigned k = 0; k < 3; k++) {
		ck_assert_int_eq(hal_dma_alloc(machine_hal(&m), 1,
					       &pieces[k].paddr, &chunk[k]),
				 0);
		ck_assert_int_eq(hal_dma_alloc(machine_hal(&m), 1,
					       &spacer_pa[k], &spacer[k]),
				 0);
		pieces[k].len = lens[k];
		/* Row y, column x of the picture lives at byte off. */
		for (uint32_t b = 0; b < lens[k]; b++, off++)
			((uint8_t *)chunk[k])[b] =
			    pattern(off % ROW / 4, off / ROW, off % 4, 5);
	}
	for (unsigned k = 0; k + 1 < 3; k++)
		ck_assert(pieces[k].paddr + pieces[k].len !=
			  pieces[k + 1].paddr);
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &g, 7, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H),
			 0);
	ck_assert_int_eq(virtio_gpu_attach_backing(&g, 7, pieces, 3), 0);
	ck_assert_int_eq(virtio_gpu_set_scanout(&g, 0, 7, &all), 0);
	ck_assert_int_eq(virtio_gpu_update_rect(&g, 7, &all, ROW), 0);
	ck_assert_uint_eq(mstats()->transfer_bytes, BYTES);
	assert_shown(0, 0, W, H, 5);
	/* A partial rectangle across the piece boundaries, alone. */
	memset(chunk[1], 0, 4096);
	ck_assert_int_eq(virtio_gpu_transfer_to_host_2d(
			     &g, 7, &(struct virtio_gpu_rect){10, 12, 20, 5},
			     12 * ROW + 10 * 4),
			 0);
	ck_assert_int_eq(virtio_gpu_resource_flush(
			     &g, 7, &(struct virtio_gpu_rect){10, 12, 20, 5}),
			 0);
	ck_assert_uint_eq(shown()->shadow[(12 * W + 10) * 4], 0);
	assert_shown(0, 0, W, 10, 5); /* rows before chunk 1: untouched */
	ck_assert_int_eq(virtio_gpu_set_scanout(&g, 0, 0, NULL), 0);
	ck_assert(!shown()->enabled);
	ck_assert_int_eq(virtio_gpu_detach_backing(&g, 7), 0);
	ck_assert_int_eq(virtio_gpu_resource_unref(&g, 7), 0);
	ck_assert_uint_eq(mstats()->resources, 0);
	virtio_gpu_destroy(&g);
	for (unsigned k = 0; k < 3; k++) {
		hal_dma_free(machine_hal(&m), pieces[k].paddr, chunk[k], 1);
		hal_dma_free(machine_hal(&m), spacer_pa[k], spacer[k], 1);
	}
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}
END_TEST

/* GPU-D-02, GPU-N-06: the cursor image, hotspot and position reach the
 * display; NULL hides it. */
START_TEST(e2e_cursor_reaches_the_display)
{
	const struct gpu_model_options mo = {.width = 320, .height = 240};
	static uint8_t image[64 * 64 * 4];
	uint64_t transfers;

	start_display(_i, &mo);
	for (unsigned k = 0; k < sizeof(image); k++)
		image[k] = (uint8_t)(k * 29u + 3u);
	ck_assert_int_eq(virtio_gpu_display_move_cursor(&disp, 100, 50), 0);
	transfers = mstats()->transfers;
	ck_assert_int_eq(virtio_gpu_display_set_cursor(&disp, image, 5, 7), 0);
	ck_assert_uint_eq(mstats()->transfers, transfers + 1);
	ck_assert_uint_eq(mstats()->resources, 2);
	ck_assert(shown()->cursor_visible);
	ck_assert_mem_eq(shown()->cursor_image, image, sizeof(image));
	ck_assert_uint_eq(shown()->cursor_hot_x, 5);
	ck_assert_uint_eq(shown()->cursor_hot_y, 7);
	ck_assert_int_eq(shown()->cursor_x, 100);
	ck_assert_int_eq(shown()->cursor_y, 50);
	ck_assert_int_eq(virtio_gpu_display_move_cursor(&disp, 12, 34), 0);
	ck_assert_int_eq(shown()->cursor_x, 12);
	ck_assert_int_eq(shown()->cursor_y, 34);
	/* A new image: the same resource, transferred again. */
	image[0] ^= 0xff;
	ck_assert_int_eq(virtio_gpu_display_set_cursor(&disp, image, 0, 0), 0);
	ck_assert_uint_eq(mstats()->resources, 2);
	ck_assert_uint_eq(shown()->cursor_image[0], image[0]);
	ck_assert_int_eq(virtio_gpu_display_set_cursor(&disp, NULL, 0, 0), 0);
	ck_assert(!shown()->cursor_visible);
	ck_assert_int_eq(virtio_gpu_display_set_cursor(&disp, image, 64, 0),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_uint_eq(mstats()->errors, 0);
	stop_display();
}
END_TEST

static uint64_t fb_pages(uint32_t w, uint32_t h)
{
	return ((uint64_t)w * h * 4 + 4095) / 4096;
}

/* Bring the model to @w x @h and let the display follow (GPU-N-01). */
static int resize(uint32_t w, uint32_t h)
{
	ck_assert_int_eq(gpu_model_set_display_size(model, 0, w, h), 0);
	if (gopts.use_irq) {
		/* The config interrupt reaches the driver's handler. */
		while (!disp.gpu.vdev.config_changed)
			ck_assert_int_eq(hal_wait(machine_hal(&m)), 0);
	}
	return virtio_gpu_display_check_mode(&disp);
}

/*
 * GPU-N-01, GPU-D-01: a resize raises the event with a config interrupt;
 * check_mode rebuilds at the new size, gives the old framebuffer back,
 * and the pixels are right afterwards.
 */
START_TEST(e2e_resolution_change_rebuilds_the_framebuffer)
{
	const struct gpu_model_options mo = {
	    .width = 320, .height = 240, .edid = true};
	struct display_info info;
	uint64_t pages;

	start_display(_i, &mo);
	ck_assert_uint_eq(disp.edid_width, 320); /* EDID agrees */
	ck_assert_uint_eq(disp.edid_height, 240);
	pages = m.hal.pages_in_use;
	ck_assert_int_eq(virtio_gpu_display_check_mode(&disp), 0);
	ck_assert_int_eq(resize(400, 300), 1);
	base()->ops->info(base(), &info);
	ck_assert_uint_eq(info.width, 400);
	ck_assert_uint_eq(info.height, 300);
	ck_assert_uint_eq(disp.edid_width, 400);
	ck_assert_uint_eq(mstats()->resources, 1);
	ck_assert_uint_eq(mstats()->resource_bytes, 400 * 300 * 4);
	ck_assert_uint_eq(m.hal.pages_in_use,
			  pages - fb_pages(320, 240) + fb_pages(400, 300));
	assert_shadow_is_fb();
	draw(0, 0, 400, 300, 6);
	base()->ops->damage(base(), 0, 0, 400, 300);
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	assert_shown(0, 0, 400, 300, 6);
	/* The event was cleared: nothing more to do. */
	ck_assert_int_eq(virtio_gpu_display_check_mode(&disp), 0);
	/* The same size again: an event, no rebuild. */
	ck_assert_int_eq(resize(400, 300), 0);
	assert_shown(0, 0, 400, 300, 6);
	ck_assert_uint_eq(mstats()->errors, 0);
	stop_display();
}
END_TEST

/*
 * A rebuild the model's budget cannot hold: check_mode says Io, the
 * display has no framebuffer and has given back every page of the old
 * one; a later call retries, and a size that fits works again.
 */
START_TEST(e2e_failed_rebuild_leaks_nothing_and_recovers)
{
	const struct gpu_model_options mo = {
	    .width = 320, .height = 240, .budget = 600000};
	struct display_info info;
	uint64_t pages;

	start_display(_i, &mo);
	pages = m.hal.pages_in_use - fb_pages(320, 240);
	ck_assert_int_eq(resize(640, 480), -DEV_ERR_IO);
	ck_assert_uint_eq(disp.gpu.last_error,
			  VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	base()->ops->info(base(), &info);
	ck_assert_uint_eq(info.width, 0);
	ck_assert_uint_eq(info.fb_size, 0);
	ck_assert_ptr_null(disp.fb);
	ck_assert_uint_eq(m.hal.pages_in_use, pages);
	ck_assert_uint_eq(mstats()->resources, 0);
	ck_assert(!shown()->enabled);
	/* Nothing to draw on: damage and flush do nothing. */
	base()->ops->damage(base(), 0, 0, 10, 10);
	ck_assert(!base()->ops->need_flush(base()));
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	/* No new event, no framebuffer: check_mode tries again. */
	ck_assert_int_eq(virtio_gpu_display_check_mode(&disp), -DEV_ERR_IO);
	ck_assert_uint_eq(m.hal.pages_in_use, pages);
	ck_assert_int_eq(resize(400, 300), 1);
	ck_assert_uint_eq(disp.width, 400);
	draw(0, 0, 400, 300, 7);
	base()->ops->damage(base(), 0, 0, 400, 300);
	ck_assert_int_eq(base()->ops->flush(base()), 0);
	assert_shadow_is_fb();
	stop_display();
}
END_TEST

/*
 * GPU-N-05: error responses of the real model are IoError, code kept,
 * and Io through as_dev_err; a display init the budget cannot hold
 * fails, FAILED, without a page left.
 */
START_TEST(e2e_error_responses_are_io_errors)
{
	const struct gpu_model_options mo = {.width = 320, .height = 240};
	struct virtio_gpu_rect r = {0, 0, 16, 16};
	struct virtio_gpu g;

	start(_i, &mo);
	ck_assert_int_eq(virtio_gpu_init(&g, transport, &gopts, irq_line), 0);
	ck_assert_int_eq(virtio_gpu_transfer_to_host_2d(&g, 9, &r, 0),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(g.last_error,
			  VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_int_eq(as_dev_err(-VIRTIO_ERR_IO_ERROR), DEV_ERR_IO);
	ck_assert_int_eq(virtio_gpu_set_scanout(&g, 0, 9, &r),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_int_eq(virtio_gpu_resource_create_2d(&g, 9, 0xdead, 16, 16),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(g.last_error, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(g.errors, 3);
	ck_assert_uint_eq(mstats()->errors, 3);
	/* Errors are answers: the driver goes on. */
	ck_assert(!g.stopped);
	ck_assert_int_eq(virtio_gpu_resource_create_2d(
			     &g, 9, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16, 16),
			 0);
	/* Transfer without backing. */
	ck_assert_int_eq(virtio_gpu_update_rect(&g, 9, &r, 64),
			 -VIRTIO_ERR_IO_ERROR);
	virtio_gpu_destroy(&g);
	ck_assert_uint_eq(mstats()->resources, 0); /* the reset */

	/* Through the display device: the flush of a resource whose
	 * backing went behind its back. */
	ck_assert_int_eq(
	    virtio_gpu_display_init(&disp, transport, &gopts, irq_line), 0);
	ck_assert_int_eq(virtio_gpu_detach_backing(&disp.gpu, disp.fb_resource),
			 0);
	base()->ops->damage(base(), 0, 0, 8, 8);
	ck_assert_int_eq(base()->ops->flush(base()), -DEV_ERR_IO);
	ck_assert(base()->ops->need_flush(base())); /* kept for a retry */
	virtio_gpu_display_destroy(&disp);
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}
END_TEST

START_TEST(e2e_display_init_over_budget_gives_everything_back)
{
	const struct gpu_model_options mo = {
	    .width = 320, .height = 240, .budget = 100000};

	start(_i, &mo);
	ck_assert_int_eq(
	    virtio_gpu_display_init(&disp, transport, &gopts, irq_line),
	    -DEV_ERR_IO);
	ck_assert_ptr_null(disp.base.ops);
	ck_assert(virtio_transport_get_status(transport) &
		  VIRTIO_CONFIG_S_FAILED);
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
	ck_assert_uint_eq(mstats()->resources, 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}
END_TEST

/*
 * The display device's mode: the display info's when scanout 0 has one,
 * whatever the EDID prefers; else the EDID's; else 1024x768. The bad GPU
 * answers every other command with OK_NODATA.
 */
START_TEST(display_mode_comes_from_display_info_then_edid)
{
	struct virtio_gpu_display_device d;
	struct virtio_gpu_options no_edid = {.no_edid = true};

	edid_make(bad->edid, 4, 800, 600);
	ck_assert_int_eq(
	    virtio_gpu_display_init(&d, &mt.base, NULL, VIRTIO_NO_IRQ), 0);
	ck_assert_uint_eq(d.width, 640);
	ck_assert_uint_eq(d.height, 480);
	ck_assert_uint_eq(d.edid_width, 800);
	ck_assert_uint_eq(d.edid_height, 600);
	virtio_gpu_display_destroy(&d);

	bad->no_mode = true;
	ck_assert_int_eq(
	    virtio_gpu_display_init(&d, &mt.base, NULL, VIRTIO_NO_IRQ), 0);
	ck_assert_uint_eq(d.width, 800);
	ck_assert_uint_eq(d.height, 600);
	virtio_gpu_display_destroy(&d);

	/* EDID not negotiated, or a block that does not parse. */
	ck_assert_int_eq(
	    virtio_gpu_display_init(&d, &mt.base, &no_edid, VIRTIO_NO_IRQ), 0);
	ck_assert(!d.gpu.has_edid);
	ck_assert_uint_eq(d.width, VIRTIO_GPU_DISPLAY_DEFAULT_WIDTH);
	ck_assert_uint_eq(d.height, VIRTIO_GPU_DISPLAY_DEFAULT_HEIGHT);
	virtio_gpu_display_destroy(&d);
	bad->edid[127]++;
	ck_assert_int_eq(
	    virtio_gpu_display_init(&d, &mt.base, NULL, VIRTIO_NO_IRQ), 0);
	ck_assert_uint_eq(d.edid_width, 0);
	ck_assert_uint_eq(d.width, VIRTIO_GPU_DISPLAY_DEFAULT_WIDTH);
	virtio_gpu_display_destroy(&d);
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
}
END_TEST

static Suite *gpu_driver_suite(void)
{
	Suite *s = suite_create("gpu_driver");
	TCase *tc = tcase_create("edid");

	tcase_add_test(tc, edid_preferred_mode_of_good_blocks);
	tcase_add_test(tc, edid_bad_blocks_are_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_device");
	tcase_add_checked_fixture(tc, bad_setup, bad_teardown);
	tcase_add_test(tc, bad_gpu_answering_well_brings_the_driver_up);
	tcase_add_test(tc, bad_num_scanouts_is_unsupported);
	tcase_add_test(tc, queue_sizes_are_at_least_four);
	tcase_add_test(tc, control_commands_are_fenced_with_increasing_ids);
	tcase_add_test(tc, display_events_are_cleared_through_events_clear);
	tcase_add_test(tc, response_type_mismatch_is_io_error);
	tcase_add_test(tc, short_used_length_is_io_error);
	tcase_add_test(tc, missing_or_wrong_fence_is_io_error);
	tcase_add_test(tc, error_response_is_io_error_and_kept);
	tcase_add_test(tc, used_id_of_no_chain_is_wrong_token);
	tcase_add_test(tc, chain_used_twice_is_already_used);
	tcase_add_test(tc, silent_device_is_not_ready);
	tcase_add_test(tc, cursor_used_length_is_io_error);
	tcase_add_test(tc, bad_arguments_are_invalid_param);
	tcase_add_test(tc, display_mode_comes_from_display_info_then_edid);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, e2e_full_and_partial_rectangles_are_byte_exact,
			    0, VARIANTS);
	tcase_add_loop_test(tc, e2e_damage_is_clipped, 0, VARIANTS);
	tcase_add_loop_test(tc, e2e_backing_of_separate_allocations, 0,
			    VARIANTS);
	tcase_add_loop_test(tc, e2e_cursor_reaches_the_display, 0, VARIANTS);
	tcase_add_loop_test(tc, e2e_resolution_change_rebuilds_the_framebuffer,
			    0, VARIANTS);
	tcase_add_loop_test(tc, e2e_failed_rebuild_leaks_nothing_and_recovers,
			    0, VARIANTS);
	tcase_add_loop_test(tc, e2e_error_responses_are_io_errors, 0, VARIANTS);
	tcase_add_loop_test(tc,
			    e2e_display_init_over_budget_gives_everything_back,
			    0, VARIANTS);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(gpu_driver_suite)
