/* SPDX-License-Identifier: MIT */
/*
 * virtio_gpu.c - the virtio-gpu driver (§5.7), 2D, over any transport.
 *
 * Every call blocks until the device used each chain it posted. A
 * control command is its slot's command (one device-readable
 * descriptor) and room for the longest response (one device-writable
 * one); a cursor command has no response. At most two chains are in
 * flight on the control queue (a frame's transfer and flush) and one on
 * the cursor queue, so three slots in one DMA area do for any queue
 * size. ATTACH_BACKING's entries follow its command in DMA memory of
 * their own, as long as the call. Bring-up, interrupts, waiting and
 * teardown are struct virtio_device's.
 */
#include "drivers/virtio/virtio_gpu.h"

#include <string.h>

#define GPU_DEFAULT_QUEUE_SIZE 64u
/* Two chains of two descriptors each, without INDIRECT_DESC. */
#define GPU_MIN_QUEUE_SIZE 4u
#define GPU_CTRL_SLOTS 2u
#define GPU_MAX_BACKING_ENTRIES 16384u /* QEMU's limit */

union virtio_gpu_cmd {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_get_edid get_edid;
	struct virtio_gpu_resource_create_2d create_2d;
	struct virtio_gpu_resource_unref unref;
	struct virtio_gpu_set_scanout set_scanout;
	struct virtio_gpu_resource_flush flush;
	struct virtio_gpu_transfer_to_host_2d transfer;
	struct virtio_gpu_resource_detach_backing detach;
	struct virtio_gpu_update_cursor cursor;
};

union virtio_gpu_resp {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_resp_display_info display_info;
	struct virtio_gpu_resp_edid edid;
};

struct virtio_gpu_slot {
	union virtio_gpu_cmd cmd;   /* device reads */
	union virtio_gpu_resp resp; /* device writes */
};

struct virtio_gpu_slots {
	struct virtio_gpu_slot ctrl[GPU_CTRL_SLOTS];
	struct virtio_gpu_update_cursor cursor; /* no response (§5.7.6.10) */
};

/* One command of a call: where it is, what must come back. */
struct gpu_cmd {
	uint64_t cmd_paddr;
	uint32_t cmd_len;
	uint64_t resp_paddr;
	uint32_t resp_len; /* room for the response; 0: none */
	const struct virtio_gpu_ctrl_hdr *resp;
	uint32_t resp_type; /* the OK_* the command expects */
	uint32_t resp_size; /* its size: a shorter used length is an error */
	uint64_t fence_id;
	uint16_t token;
	bool done;
	uint32_t used_len;
};

static const struct hal *gpu_hal(const struct virtio_gpu *gpu)
{
	return gpu->vdev.transport->hal;
}

static bool gpu_up(const struct virtio_gpu *gpu)
{
	return gpu && gpu->vdev.transport && gpu->slots;
}

static uint64_t gpu_slot_paddr(const struct virtio_gpu *gpu, const void *p)
{
	return gpu->slots_paddr +
	       (uint64_t)((const uint8_t *)p - (const uint8_t *)gpu->slots);
}

/*
 * Control slot @i for a command of @type, @cmd_len bytes (zeroed, header
 * filled, fenced with the next fence id), whose answer is @resp_type of
 * @resp_size bytes. Returns the command for the caller's fields.
 */
static union virtio_gpu_cmd *gpu_ctrl_cmd(struct virtio_gpu *gpu, unsigned i,
					  uint32_t type, uint32_t cmd_len,
					  uint32_t resp_type,
					  uint32_t resp_size, struct gpu_cmd *c)
{
	struct virtio_gpu_slot *s = &gpu->slots->ctrl[i];

	memset(&s->cmd, 0, cmd_len);
	/* A stale answer must not pass for this one's. */
	memset(&s->resp.hdr, 0, sizeof(s->resp.hdr));
	gpu->next_fence++;
	s->cmd.hdr.type = virtio_le32(type);
	s->cmd.hdr.flags = virtio_le32(VIRTIO_GPU_FLAG_FENCE);
	s->cmd.hdr.fence_id = virtio_le64(gpu->next_fence);
	*c = (struct gpu_cmd){
	    .cmd_paddr = gpu_slot_paddr(gpu, &s->cmd),
	    .cmd_len = cmd_len,
	    .resp_paddr = gpu_slot_paddr(gpu, &s->resp),
	    .resp_len = sizeof(s->resp),
	    .resp = &s->resp.hdr,
	    .resp_type = resp_type,
	    .resp_size = resp_size,
	    .fence_id = gpu->next_fence,
	};
	return &s->cmd;
}

static union virtio_gpu_cmd *gpu_nodata_cmd(struct virtio_gpu *gpu, unsigned i,
					    uint32_t type, uint32_t cmd_len,
					    struct gpu_cmd *c)
{
	return gpu_ctrl_cmd(gpu, i, type, cmd_len, VIRTIO_GPU_RESP_OK_NODATA,
			    sizeof(struct virtio_gpu_ctrl_hdr), c);
}

/*
 * The outcome of a used command. VQ-D-14: only the used length is the
 * answer; a length past the buffer is a broken device, as is a fenced
 * command answered without its fence (GPU-V-01).
 */
static int gpu_check(struct virtio_gpu *gpu, const struct gpu_cmd *c)
{
	uint32_t type;

	if (c->resp_len == 0)
		return c->used_len == 0 ? 0 : -VIRTIO_ERR_IO_ERROR;
	if (c->used_len < sizeof(*c->resp) || c->used_len > c->resp_len)
		return -VIRTIO_ERR_IO_ERROR;
	type = virtio_le32(c->resp->type);
	if ((type & 0xff00u) == VIRTIO_GPU_RESP_ERR_UNSPEC) {
		gpu->last_error = type;
		gpu->errors++;
		return -VIRTIO_ERR_IO_ERROR;
	}
	if (!(virtio_le32(c->resp->flags) & VIRTIO_GPU_FLAG_FENCE) ||
	    virtio_le64(c->resp->fence_id) != c->fence_id)
		return -VIRTIO_ERR_IO_ERROR;
	if (type != c->resp_type || c->used_len < c->resp_size)
		return -VIRTIO_ERR_IO_ERROR;
	return 0;
}

/*
 * The device failed a call (NEEDS_RESET, silence, a broken used ring):
 * reset it so it lets go of our slots (INIT-D-13), take the chains back.
 * Commands fail from then on.
 */
static void gpu_stop(struct virtio_gpu *gpu)
{
	uint16_t token;

	virtio_device_reset(&gpu->vdev);
	gpu->stopped = true;
	while (virtqueue_detach_unused(&gpu->ctrlq, &token) == 0)
		;
	while (virtqueue_detach_unused(&gpu->cursorq, &token) == 0)
		;
}

struct gpu_waiter {
	struct virtqueue *vq;
	struct gpu_cmd *cmds;
	unsigned n, left;
};

/*
 * virtio_device_wait's look: take used chains until each command was
 * used (1), the ring is empty (0) or it names no chain of this call (<0:
 * nothing else is in flight).
 */
static int gpu_reap(void *arg)
{
	struct gpu_waiter *w = arg;

	while (w->left) {
		struct gpu_cmd *c = NULL;
		uint16_t token;
		uint32_t len;
		int err = virtqueue_pop_used(w->vq, &token, &len);

		if (err == -VIRTIO_ERR_NOT_READY)
			return 0;
		if (err)
			return err;
		for (unsigned i = 0; i < w->n && !c; i++) {
			if (!w->cmds[i].done && w->cmds[i].token == token)
				c = &w->cmds[i];
		}
		if (!c)
			return -VIRTIO_ERR_WRONG_TOKEN;
		c->done = true;
		c->used_len = len;
		w->left--;
	}
	return 1;
}

/*
 * Post @n commands on @vq, notify once, wait for all of them and check
 * their answers. Returns 0 or the first error.
 */
static int gpu_run(struct virtio_gpu *gpu, struct virtqueue *vq,
		   struct gpu_cmd *cmds, unsigned n)
{
	struct gpu_waiter w = {vq, cmds, 0, 0};
	int err = 0, werr;

	if (gpu->stopped)
		return -VIRTIO_ERR_IO_ERROR;
	for (unsigned i = 0; i < n && !err; i++) {
		struct virtqueue_buf bufs[2] = {
		    {cmds[i].cmd_paddr, cmds[i].cmd_len, false},
		    {cmds[i].resp_paddr, cmds[i].resp_len, true},
		};

		cmds[i].done = false;
		err = virtqueue_add(vq, bufs, 1, cmds[i].resp_len ? 1 : 0,
				    &cmds[i].token);
		if (!err)
			w.n = w.left = i + 1;
	}
	if (w.n == 0)
		return err;
	virtqueue_kick(vq);
	if (vq == &gpu->cursorq)
		gpu->cursor_commands += w.n;
	else
		gpu->commands += w.n;
	/* What was posted is waited for, even if a later add failed. */
	werr = virtio_device_wait(&gpu->vdev, gpu_reap, &w);
	if (werr) {
		gpu_stop(gpu);
		return werr;
	}
	for (unsigned i = 0; i < w.n && !err; i++)
		err = gpu_check(gpu, &cmds[i]);
	return err;
}

static int gpu_ctrl(struct virtio_gpu *gpu, struct gpu_cmd *c)
{
	return gpu_run(gpu, &gpu->ctrlq, c, 1);
}

bool virtio_gpu_display_changed(struct virtio_gpu *gpu)
{
	struct virtio_transport *t;
	uint8_t b[4];
	uint32_t events;

	if (!gpu_up(gpu))
		return false;
	t = gpu->vdev.transport;
	/* Cleared before the read: a change during it flags again. */
	gpu->vdev.config_changed = false;
	if (virtio_transport_config_read(
		t, offsetof(struct virtio_gpu_config, events_read), b, 4))
		return false;
	events = virtio_ld_le32(b);
	if (!events)
		return false;
	/* GPU-D-01: events_read is the device's; clear through
	 * events_clear exactly what was seen. */
	virtio_st_le32(b, events);
	virtio_transport_config_write(
	    t, offsetof(struct virtio_gpu_config, events_clear), b, 4);
	return events & VIRTIO_GPU_EVENT_DISPLAY;
}

int virtio_gpu_get_display_info(struct virtio_gpu *gpu)
{
	const struct virtio_gpu_resp_display_info *info;
	struct gpu_cmd c;
	int err;

	if (!gpu_up(gpu))
		return -VIRTIO_ERR_INVALID_PARAM;
	gpu_ctrl_cmd(gpu, 0, VIRTIO_GPU_CMD_GET_DISPLAY_INFO,
		     sizeof(struct virtio_gpu_ctrl_hdr),
		     VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
		     sizeof(struct virtio_gpu_resp_display_info), &c);
	err = gpu_ctrl(gpu, &c);
	if (err)
		return err;
	info = &gpu->slots->ctrl[0].resp.display_info;
	memset(gpu->modes, 0, sizeof(gpu->modes));
	/* Scanouts past num_scanouts do not exist, whatever was written. */
	for (uint32_t i = 0; i < gpu->num_scanouts; i++) {
		const struct virtio_gpu_display_one *p = &info->pmodes[i];

		gpu->modes[i] = (struct virtio_gpu_mode){
		    .x = virtio_le32(p->r.x),
		    .y = virtio_le32(p->r.y),
		    .width = virtio_le32(p->r.width),
		    .height = virtio_le32(p->r.height),
		    .enabled = virtio_le32(p->enabled) != 0,
		};
	}
	return 0;
}

int virtio_gpu_get_edid(struct virtio_gpu *gpu, uint32_t scanout, uint8_t *edid,
			size_t cap, size_t *len)
{
	const struct virtio_gpu_resp_edid *r;
	union virtio_gpu_cmd *cmd;
	struct gpu_cmd c;
	uint32_t size;
	int err;

	if (!gpu_up(gpu) || !edid || !len || scanout >= gpu->num_scanouts)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (!gpu->has_edid)
		return -VIRTIO_ERR_UNSUPPORTED;
	cmd = gpu_ctrl_cmd(
	    gpu, 0, VIRTIO_GPU_CMD_GET_EDID, sizeof(struct virtio_gpu_get_edid),
	    VIRTIO_GPU_RESP_OK_EDID, sizeof(struct virtio_gpu_resp_edid), &c);
	cmd->get_edid.scanout = virtio_le32(scanout);
	err = gpu_ctrl(gpu, &c);
	if (err)
		return err;
	r = &gpu->slots->ctrl[0].resp.edid;
	size = virtio_le32(r->size);
	if (size > VIRTIO_GPU_EDID_MAX || size > cap)
		return -VIRTIO_ERR_IO_ERROR;
	memcpy(edid, r->edid, size);
	*len = size;
	return 0;
}

#define EDID_BLOCK 128u
#define EDID_DTD 54u /* the first detailed timing descriptor */

int virtio_gpu_edid_preferred_mode(const uint8_t *edid, size_t len,
				   uint32_t *width, uint32_t *height)
{
	static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0x00};
	const uint8_t *dtd = edid + EDID_DTD;
	uint8_t sum = 0;
	uint32_t w, h;

	if (!edid || len < EDID_BLOCK || !width || !height)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (memcmp(edid, header, sizeof(header)))
		return -VIRTIO_ERR_INVALID_PARAM;
	for (unsigned i = 0; i < EDID_BLOCK; i++)
		sum += edid[i];
	if (sum)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* EDID 1.x; before 1.4 the first timing is the preferred one only
	 * when the feature byte says so (1.3 requires it set). */
	if (edid[18] != 1 || (edid[19] < 4 && !(edid[24] & 0x02)))
		return -VIRTIO_ERR_INVALID_PARAM;
	/* A zero pixel clock makes it a display descriptor, no timing. */
	if ((dtd[0] | dtd[1]) == 0)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* Active pixels: low 8 bits, high 4 in the upper nibble after. */
	w = dtd[2] | (uint32_t)(dtd[4] >> 4) << 8;
	h = dtd[5] | (uint32_t)(dtd[7] >> 4) << 8;
	if (w == 0 || h == 0)
		return -VIRTIO_ERR_INVALID_PARAM;
	*width = w;
	*height = h;
	return 0;
}

int virtio_gpu_resource_create_2d(struct virtio_gpu *gpu, uint32_t id,
				  uint32_t format, uint32_t width,
				  uint32_t height)
{
	union virtio_gpu_cmd *cmd;
	struct gpu_cmd c;

	/* GPU-N-02: resource id 0 is invalid. */
	if (!gpu_up(gpu) || id == 0)
		return -VIRTIO_ERR_INVALID_PARAM;
	cmd = gpu_nodata_cmd(gpu, 0, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
			     sizeof(cmd->create_2d), &c);
	cmd->create_2d.resource_id = virtio_le32(id);
	cmd->create_2d.format = virtio_le32(format);
	cmd->create_2d.width = virtio_le32(width);
	cmd->create_2d.height = virtio_le32(height);
	return gpu_ctrl(gpu, &c);
}

/* UNREF and DETACH_BACKING: a resource id and padding. */
static int gpu_resource_cmd(struct virtio_gpu *gpu, uint32_t type, uint32_t id)
{
	union virtio_gpu_cmd *cmd;
	struct gpu_cmd c;

	_Static_assert(sizeof(struct virtio_gpu_resource_unref) ==
			   sizeof(struct virtio_gpu_resource_detach_backing),
		       "unref and detach share a layout");
	if (!gpu_up(gpu) || id == 0)
		return -VIRTIO_ERR_INVALID_PARAM;
	cmd = gpu_nodata_cmd(gpu, 0, type, sizeof(cmd->unref), &c);
	cmd->unref.resource_id = virtio_le32(id);
	return gpu_ctrl(gpu, &c);
}

int virtio_gpu_resource_unref(struct virtio_gpu *gpu, uint32_t id)
{
	return gpu_resource_cmd(gpu, VIRTIO_GPU_CMD_RESOURCE_UNREF, id);
}

int virtio_gpu_detach_backing(struct virtio_gpu *gpu, uint32_t id)
{
	return gpu_resource_cmd(gpu, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
				id);
}

int virtio_gpu_attach_backing(struct virtio_gpu *gpu, uint32_t id,
			      const struct virtio_gpu_backing *pieces,
			      unsigned n)
{
	struct virtio_gpu_resource_attach_backing *cmd;
	struct virtio_gpu_mem_entry *entries;
	size_t bytes, pages;
	struct gpu_cmd c;
	uint64_t paddr;
	void *p;
	int err;

	if (!gpu_up(gpu) || id == 0 || !pieces || n == 0 ||
	    n > GPU_MAX_BACKING_ENTRIES)
		return -VIRTIO_ERR_INVALID_PARAM;
	for (unsigned i = 0; i < n; i++) {
		if (pieces[i].len == 0)
			return -VIRTIO_ERR_INVALID_PARAM;
	}
	/* GPU-N-02: the command, then its scatter list, one buffer. */
	bytes = sizeof(*cmd) + (size_t)n * sizeof(*entries);
	pages = (bytes + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	if (hal_dma_alloc(gpu_hal(gpu), pages, &paddr, &p))
		return -VIRTIO_ERR_DMA_ERROR;
	cmd = p;
	entries = (struct virtio_gpu_mem_entry *)(cmd + 1);
	cmd->resource_id = virtio_le32(id);
	cmd->nr_entries = virtio_le32(n);
	for (unsigned i = 0; i < n; i++) {
		entries[i].addr = virtio_le64(pieces[i].paddr);
		entries[i].length = virtio_le32(pieces[i].len);
		entries[i].padding = 0;
	}
	/* The answer goes to slot 0, whose fenced header the command
	 * takes; the command itself is this buffer. */
	gpu_nodata_cmd(gpu, 0, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
		       sizeof(struct virtio_gpu_ctrl_hdr), &c);
	cmd->hdr = gpu->slots->ctrl[0].cmd.hdr;
	c.cmd_paddr = paddr;
	c.cmd_len = (uint32_t)bytes;
	err = gpu_ctrl(gpu, &c);
	hal_dma_free(gpu_hal(gpu), paddr, p, pages);
	return err;
}

static struct virtio_gpu_rect gpu_rect_le(const struct virtio_gpu_rect *r)
{
	return (struct virtio_gpu_rect){virtio_le32(r->x), virtio_le32(r->y),
					virtio_le32(r->width),
					virtio_le32(r->height)};
}

int virtio_gpu_set_scanout(struct virtio_gpu *gpu, uint32_t scanout,
			   uint32_t id, const struct virtio_gpu_rect *r)
{
	static const struct virtio_gpu_rect none;
	union virtio_gpu_cmd *cmd;
	struct gpu_cmd c;

	if (!gpu_up(gpu) || scanout >= gpu->num_scanouts || (id && !r))
		return -VIRTIO_ERR_INVALID_PARAM;
	cmd = gpu_nodata_cmd(gpu, 0, VIRTIO_GPU_CMD_SET_SCANOUT,
			     sizeof(cmd->set_scanout), &c);
	/* GPU-N-03: resource 0 disables the scanout; its rectangle is
	 * then of no use. */
	cmd->set_scanout.r = gpu_rect_le(id ? r : &none);
	cmd->set_scanout.scanout_id = virtio_le32(scanout);
	cmd->set_scanout.resource_id = virtio_le32(id);
	return gpu_ctrl(gpu, &c);
}

static bool gpu_rect_ok(const struct virtio_gpu_rect *r)
{
	return r && r->width && r->height;
}

/* TRANSFER_TO_HOST_2D of @r from backing byte @offset, in slot @i. */
static void gpu_transfer_cmd(struct virtio_gpu *gpu, unsigned i, uint32_t id,
			     const struct virtio_gpu_rect *r, uint64_t offset,
			     struct gpu_cmd *c)
{
	union virtio_gpu_cmd *cmd =
	    gpu_nodata_cmd(gpu, i, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
			   sizeof(cmd->transfer), c);

	cmd->transfer.r = gpu_rect_le(r);
	cmd->transfer.offset = virtio_le64(offset);
	cmd->transfer.resource_id = virtio_le32(id);
}

static void gpu_flush_cmd(struct virtio_gpu *gpu, unsigned i, uint32_t id,
			  const struct virtio_gpu_rect *r, struct gpu_cmd *c)
{
	union virtio_gpu_cmd *cmd = gpu_nodata_cmd(
	    gpu, i, VIRTIO_GPU_CMD_RESOURCE_FLUSH, sizeof(cmd->flush), c);

	cmd->flush.r = gpu_rect_le(r);
	cmd->flush.resource_id = virtio_le32(id);
}

int virtio_gpu_transfer_to_host_2d(struct virtio_gpu *gpu, uint32_t id,
				   const struct virtio_gpu_rect *r,
				   uint64_t offset)
{
	struct gpu_cmd c;

	if (!gpu_up(gpu) || id == 0 || !gpu_rect_ok(r))
		return -VIRTIO_ERR_INVALID_PARAM;
	gpu_transfer_cmd(gpu, 0, id, r, offset, &c);
	return gpu_ctrl(gpu, &c);
}

int virtio_gpu_resource_flush(struct virtio_gpu *gpu, uint32_t id,
			      const struct virtio_gpu_rect *r)
{
	struct gpu_cmd c;

	if (!gpu_up(gpu) || id == 0 || !gpu_rect_ok(r))
		return -VIRTIO_ERR_INVALID_PARAM;
	gpu_flush_cmd(gpu, 0, id, r, &c);
	return gpu_ctrl(gpu, &c);
}

int virtio_gpu_update_rect(struct virtio_gpu *gpu, uint32_t id,
			   const struct virtio_gpu_rect *r, uint32_t stride)
{
	struct gpu_cmd c[GPU_CTRL_SLOTS];

	/* The rectangle's rows lie within the stride. */
	if (!gpu_up(gpu) || id == 0 || !gpu_rect_ok(r) ||
	    ((uint64_t)r->x + r->width) * VIRTIO_GPU_BYTES_PER_PIXEL > stride)
		return -VIRTIO_ERR_INVALID_PARAM;
	gpu_transfer_cmd(gpu, 0, id, r,
			 (uint64_t)r->y * stride +
			     (uint64_t)r->x * VIRTIO_GPU_BYTES_PER_PIXEL,
			 &c[0]);
	gpu_flush_cmd(gpu, 1, id, r, &c[1]);
	return gpu_run(gpu, &gpu->ctrlq, c, GPU_CTRL_SLOTS);
}

/* A cursor command: no response, no fence (nothing to echo it). */
static int gpu_cursor(struct virtio_gpu *gpu, uint32_t type, uint32_t scanout,
		      uint32_t id, uint32_t hot_x, uint32_t hot_y, uint32_t x,
		      uint32_t y)
{
	struct virtio_gpu_update_cursor *cmd;
	struct gpu_cmd c;

	if (!gpu_up(gpu) || scanout >= gpu->num_scanouts)
		return -VIRTIO_ERR_INVALID_PARAM;
	cmd = &gpu->slots->cursor;
	memset(cmd, 0, sizeof(*cmd));
	cmd->hdr.type = virtio_le32(type);
	cmd->pos.scanout_id = virtio_le32(scanout);
	cmd->pos.x = virtio_le32(x);
	cmd->pos.y = virtio_le32(y);
	cmd->resource_id = virtio_le32(id);
	cmd->hot_x = virtio_le32(hot_x);
	cmd->hot_y = virtio_le32(hot_y);
	c = (struct gpu_cmd){.cmd_paddr = gpu_slot_paddr(gpu, cmd),
			     .cmd_len = sizeof(*cmd)};
	return gpu_run(gpu, &gpu->cursorq, &c, 1);
}

int virtio_gpu_update_cursor(struct virtio_gpu *gpu, uint32_t scanout,
			     uint32_t id, uint32_t hot_x, uint32_t hot_y,
			     uint32_t x, uint32_t y)
{
	if (hot_x >= VIRTIO_GPU_CURSOR_SIZE || hot_y >= VIRTIO_GPU_CURSOR_SIZE)
		return -VIRTIO_ERR_INVALID_PARAM;
	return gpu_cursor(gpu, VIRTIO_GPU_CMD_UPDATE_CURSOR, scanout, id, hot_x,
			  hot_y, x, y);
}

int virtio_gpu_move_cursor(struct virtio_gpu *gpu, uint32_t scanout, uint32_t x,
			   uint32_t y)
{
	/* GPU-N-06: the device uses only pos. */
	return gpu_cursor(gpu, VIRTIO_GPU_CMD_MOVE_CURSOR, scanout, 0, 0, 0, x,
			  y);
}

static int gpu_queue_init(struct virtio_gpu *gpu, struct virtqueue *vq,
			  uint16_t index, uint16_t want)
{
	uint16_t size;
	int err;

	if (want && want < GPU_MIN_QUEUE_SIZE)
		return -VIRTIO_ERR_INVALID_PARAM;
	err = virtio_device_queue_size(&gpu->vdev, index, want,
				       GPU_DEFAULT_QUEUE_SIZE, &size);
	if (err)
		return err;
	/* VQ-D-07: a frame's two chains of two must fit the ring. A
	 * device whose queues are shorter is InvalidParam, as blk's and
	 * net's (and virtio-drivers' for a maximum below the size). */
	if (size < GPU_MIN_QUEUE_SIZE)
		return -VIRTIO_ERR_INVALID_PARAM;
	return virtio_device_queue_init(&gpu->vdev, vq, index, size);
}

static int gpu_alloc_slots(struct virtio_gpu *gpu)
{
	void *p;

	gpu->slots_pages =
	    (sizeof(struct virtio_gpu_slots) + HAL_PAGE_SIZE - 1) /
	    HAL_PAGE_SIZE;
	if (hal_dma_alloc(gpu_hal(gpu), gpu->slots_pages, &gpu->slots_paddr,
			  &p)) {
		gpu->slots_pages = 0;
		return -VIRTIO_ERR_DMA_ERROR;
	}
	gpu->slots = p;
	return 0;
}

static void gpu_free_slots(struct virtio_gpu *gpu, const struct hal *hal)
{
	if (gpu->slots_pages)
		hal_dma_free(hal, gpu->slots_paddr, gpu->slots,
			     gpu->slots_pages);
	gpu->slots_pages = 0;
	gpu->slots = NULL;
}

int virtio_gpu_init(struct virtio_gpu *gpu, struct virtio_transport *t,
		    const struct virtio_gpu_options *opts, unsigned irq_line)
{
	bool use_irq = opts && opts->use_irq;
	uint16_t qsize = opts ? opts->queue_size : 0;
	uint64_t supported;
	uint8_t b[4];
	int err;

	if (!gpu || !t)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(gpu, 0, sizeof(*gpu));
	supported =
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	if (!opts || !opts->no_edid)
		supported |= VIRTIO_BIT(VIRTIO_GPU_F_EDID);
	/* §3.1.1 up to FEATURES_OK; unwinds (FAILED) by itself. */
	err = virtio_device_begin(&gpu->vdev, t, VIRTIO_ID_GPU, supported);
	if (err)
		return err;
	gpu->has_edid =
	    virtio_device_has_feature(&gpu->vdev, VIRTIO_GPU_F_EDID);

	err = virtio_transport_config_read(
	    t, offsetof(struct virtio_gpu_config, num_scanouts), b, 4);
	if (err)
		goto fail;
	gpu->num_scanouts = virtio_ld_le32(b);
	/* GPU-N-01 */
	if (gpu->num_scanouts < 1 ||
	    gpu->num_scanouts > VIRTIO_GPU_MAX_SCANOUTS) {
		err = -VIRTIO_ERR_UNSUPPORTED;
		goto fail;
	}
	err = gpu_queue_init(gpu, &gpu->ctrlq, VIRTIO_GPU_CONTROL_QUEUE, qsize);
	if (err)
		goto fail;
	err =
	    gpu_queue_init(gpu, &gpu->cursorq, VIRTIO_GPU_CURSOR_QUEUE, qsize);
	if (err)
		goto fail;
	err = gpu_alloc_slots(gpu);
	if (err)
		goto fail;
	err = virtio_device_irq_init(&gpu->vdev, use_irq, irq_line);
	if (err)
		goto fail;
	virtio_device_ready(&gpu->vdev);
	/* A display event from before we came is answered by the display
	 * info read next. */
	virtio_gpu_display_changed(gpu);
	err = virtio_gpu_get_display_info(gpu);
	if (err)
		goto fail;
	return 0;

fail:
	/* FAILED and the generic unwind, then our own DMA. */
	virtio_device_fail(&gpu->vdev, err);
	gpu_free_slots(gpu, t->hal);
	memset(gpu, 0, sizeof(*gpu));
	return err;
}

void virtio_gpu_destroy(struct virtio_gpu *gpu)
{
	const struct hal *hal;

	if (!gpu || !gpu->vdev.transport)
		return;
	hal = gpu_hal(gpu);
	/* INIT-D-13: the device lets go of the queues and of every
	 * resource's backing first. */
	gpu_stop(gpu);
	gpu_free_slots(gpu, hal);
	virtio_device_teardown(&gpu->vdev);
	memset(gpu, 0, sizeof(*gpu));
}
