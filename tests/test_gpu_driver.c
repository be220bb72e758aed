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
 *
 * Every test ends with the HAL's books: machine_destroy counts leaked
 * DMA pages and shares as errors.
 */
#include <string.h>

#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "drivers/adapter/adapter.h"
#include "drivers/adapter/display_device.h"
#include "drivers/virtio/mmio_transport.h"
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
	BAD_TYPE,     /* the wrong OK_* type, full length */
	BAD_SHORT,    /* one byte short of the response */
	BAD_NO_FENCE, /* FLAG_FENCE not echoed */
	BAD_FENCE_ID, /* another fence_id */
	BAD_ERROR,    /* ERR_INVALID_PARAMETER */
	BAD_USED_ID,  /* a used entry naming a descriptor of no chain */
	BAD_USED_TWICE /* answered, then its head used once more */,
	BAD_SILENT, /* never answered */
	BAD_CURSOR_LEN /* a used length on the cursor queue */,
};

#define BAD_HELD_MAX 8
#define BAD_FENCES_MAX 64

struct bad_gpu {
	struct virtio_dev vdev;
	uint8_t config[sizeof(struct virtio_gpu_config)];
	enum bad_fault fault;
	uint32_t fault_cmd; /* the command type to break */
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
	if (rtype == VIRTIO_GPU_RESP_OK_DISPLAY_INFO) {
		resp.info.pmodes[0].r.width = virtio_le32(640);
		resp.info.pmodes[0].r.height = virtio_le32(480);
		resp.info.pmodes[0].enabled = virtio_le32(1);
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
			 -VIRTIO_ERR_UNSUPPORTED);
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
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(gpu_driver_suite)
