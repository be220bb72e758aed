/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk.c - the virtio-blk driver (§5.2) over any transport.
 *
 * A request is header (device-readable), data, status byte
 * (device-writable). Both APIs take header and status from a slot in DMA
 * memory set up at init (one per descriptor, so there are never fewer
 * slots than requests the ring holds), so only the data buffer is shared
 * per request; a token-API request keeps its slot's index, and its status
 * is copied to the caller's struct virtio_blk_req at complete. Completions
 * always come from the used ring; with use_irq the interrupt only says when to
 * look. Bring-up, interrupts, waiting and teardown are struct virtio_device's.
 *
 * A used token-API request stays held on the virtqueue (and on the done
 * list) until virtio_blk_complete, so its token is not handed out again
 * before then: one token, one request. Blocking requests are released as
 * soon as they are taken off the ring.
 */
#include "drivers/virtio/virtio_blk.h"

#include <string.h>

#define BLK_DEFAULT_QUEUE_SIZE 256u
/* Header and status take two descriptors of an indirect table. */
#define BLK_MAX_SEGS (VIRTQUEUE_INDIRECT_MAX - 2u)
/* Bound a blocking request so a bounced buffer stays small. */
#define BLK_MAX_XFER (1u << 20)
#define BLK_STATUS_NONE 0xffu /* not a status a device may write */
#define BLK_NO_SLOT 0xffffu

enum blk_slot_state { SLOT_FREE, SLOT_BUSY };

struct virtio_blk_slot {
	struct virtio_blk_req_hdr hdr; /* device reads */
	uint8_t status;		       /* device writes */
	uint8_t state;		       /* enum blk_slot_state */
	uint16_t next_free;
	uint32_t used_len;
	void *data;
	uint64_t data_paddr;
	uint32_t len;
	uint8_t dir;
	bool done;
};

static const struct hal *blk_hal(const struct virtio_blk *blk)
{
	return blk->vdev.transport->hal;
}

/* Legacy: header and config in the guest's byte order (virtio_types.h). */
static bool blk_legacy(const struct virtio_blk *blk)
{
	return blk->vdev.legacy;
}

static bool blk_has(const struct virtio_blk *blk, unsigned feature)
{
	return virtio_device_has_feature(&blk->vdev, feature);
}

static enum hal_dma_dir blk_dir(uint32_t type)
{
	return (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID)
		   ? HAL_DMA_FROM_DEVICE
		   : HAL_DMA_TO_DEVICE;
}

/*
 * Outcome of a used request. VQ-D-14: the status byte is only valid if
 * the used length covers it, and read data only up to the used length;
 * a length past the writable buffers is a broken device.
 */
static int blk_result(uint32_t type, uint8_t status, uint32_t used_len,
		      size_t data_len)
{
	size_t writable =
	    (blk_dir(type) == HAL_DMA_FROM_DEVICE ? data_len : 0) + 1;

	if (used_len == 0 || used_len > writable)
		return -VIRTIO_ERR_IO_ERROR;
	switch (status) {
	case VIRTIO_BLK_S_OK:
		if (blk_dir(type) == HAL_DMA_FROM_DEVICE &&
		    used_len < data_len + 1)
			return -VIRTIO_ERR_IO_ERROR;
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return -VIRTIO_ERR_UNSUPPORTED;
	default:
		return -VIRTIO_ERR_IO_ERROR;
	}
}

static bool blk_is_slot(const struct virtio_blk *blk, const void *cookie)
{
	const struct virtio_blk_slot *s = cookie;

	return blk->slots && s >= blk->slots && s < blk->slots + blk->nslots;
}

static struct virtio_blk_slot *blk_slot_get(struct virtio_blk *blk)
{
	struct virtio_blk_slot *s;

	if (blk->slot_free == BLK_NO_SLOT)
		return NULL;
	s = &blk->slots[blk->slot_free];
	blk->slot_free = s->next_free;
	s->state = SLOT_BUSY;
	return s;
}

static void blk_slot_put(struct virtio_blk *blk, struct virtio_blk_slot *s)
{
	s->state = SLOT_FREE;
	s->next_free = blk->slot_free;
	blk->slot_free = (uint16_t)(s - blk->slots);
}

static uint64_t blk_slot_paddr(const struct virtio_blk *blk,
			       const struct virtio_blk_slot *s)
{
	return blk->slots_paddr +
	       (uint64_t)((const uint8_t *)s - (const uint8_t *)blk->slots);
}

/* Give a blocking request's buffer and slot back (virtio_blk_stop). */
static void blk_slot_release(struct virtio_blk *blk, struct virtio_blk_slot *s)
{
	const struct hal *hal = blk_hal(blk);

	if (s->len)
		hal_unshare(hal, s->data_paddr, s->data, s->len,
			    (enum hal_dma_dir)s->dir);
	blk_slot_put(blk, s);
}

/* Give a token-API request's data buffer and slot back; its status. */
static void blk_req_release(struct virtio_blk *blk, struct virtio_blk_req *r,
			    int *err)
{
	struct virtio_blk_slot *s = &blk->slots[r->slot];

	if (r->len &&
	    hal_unshare(blk_hal(blk), r->data_paddr, r->data, r->len,
			blk_dir(r->type)) &&
	    err && !*err)
		*err = -VIRTIO_ERR_DMA_ERROR;
	r->status = s->status;
	blk_slot_put(blk, s);
}

/*
 * The done list: used token-API requests not completed yet, in used
 * order; poll hands them out from done_next on, so the ones before it
 * were polled already.
 */
static void blk_done_push(struct virtio_blk *blk, struct virtio_blk_req *r)
{
	r->next_done = NULL;
	if (blk->done_tail)
		blk->done_tail->next_done = r;
	else
		blk->done_head = r;
	blk->done_tail = r;
	if (!blk->done_next)
		blk->done_next = r;
}

static void blk_done_unlink(struct virtio_blk *blk, struct virtio_blk_req *r)
{
	struct virtio_blk_req *prev = NULL;

	for (struct virtio_blk_req *p = blk->done_head; p; p = p->next_done) {
		if (p != r) {
			prev = p;
			continue;
		}
		if (prev)
			prev->next_done = p->next_done;
		else
			blk->done_head = p->next_done;
		if (blk->done_tail == p)
			blk->done_tail = prev;
		if (blk->done_next == p)
			blk->done_next = p->next_done;
		p->next_done = NULL;
		return;
	}
}

/*
 * Take one used request off the ring and mark it done: a blocking one is
 * released at once (its caller is waiting for it), a token-API one stays
 * held and goes on the done list. Returns 1, 0 if the ring is empty, or
 * the ring error.
 */
static int blk_pop_one(struct virtio_blk *blk)
{
	struct virtio_blk_slot *s;
	uint16_t token;
	uint32_t len;
	void *c;
	int err;

	err = virtqueue_get_used(&blk->vq, &token, &len);
	if (err == -VIRTIO_ERR_NOT_READY)
		return 0;
	if (err)
		return err;
	c = virtqueue_cookie(&blk->vq, token);
	if (!blk_is_slot(blk, c)) {
		struct virtio_blk_req *r = c;

		r->used_len = len;
		r->done = true;
		blk_done_push(blk, r);
		return 1;
	}
	s = c;
	s->used_len = len;
	s->done = true;
	virtqueue_release(&blk->vq, token);
	return 1;
}

struct blk_waiter {
	struct virtio_blk *blk;
	struct virtio_blk_slot *s;
};

/*
 * virtio_device_wait's look for a blocking request: take used requests
 * (others go to the done list) until w->s is done (1), the ring is
 * empty (0) or broken (<0).
 */
static int blk_reap(void *arg)
{
	struct blk_waiter *w = arg;

	while (!w->s->done) {
		int r = blk_pop_one(w->blk);

		if (r <= 0)
			return r;
	}
	return 1;
}

/* Header, data split into segments of at most seg_bytes, status. */
static int blk_queue(struct virtio_blk *blk, uint64_t hdr_paddr,
		     uint64_t status_paddr, uint32_t type, uint64_t data_paddr,
		     size_t len, void *cookie, uint16_t *token)
{
	struct virtqueue_buf bufs[VIRTQUEUE_INDIRECT_MAX];
	bool in = blk_dir(type) == HAL_DMA_FROM_DEVICE;
	unsigned n = 0, n_out;
	int err;

	bufs[n++] = (struct virtqueue_buf){
	    hdr_paddr, sizeof(struct virtio_blk_req_hdr), false};
	for (size_t off = 0; off < len;) {
		uint32_t seg = len - off < blk->seg_bytes
				   ? (uint32_t)(len - off)
				   : blk->seg_bytes;

		if (n > blk->max_segs)
			return -VIRTIO_ERR_INVALID_PARAM;
		bufs[n++] = (struct virtqueue_buf){data_paddr + off, seg, in};
		off += seg;
	}
	n_out = in ? 1 : n;
	bufs[n++] = (struct virtqueue_buf){status_paddr, 1, true};
	err = virtqueue_add_cookie(&blk->vq, bufs, n_out, n - n_out, cookie,
				   token);
	if (err)
		return err;
	blk->requests++;
	virtqueue_kick(&blk->vq);
	return 0;
}

/*
 * Argument checks shared by both APIs (BLK-D-03/04/05/07), and I/O in
 * whole logical blocks.
 */
static int blk_check(struct virtio_blk *blk, uint32_t type, uint64_t sector,
		     const void *buf, size_t len)
{
	if (!blk || !blk->vdev.transport)
		return -VIRTIO_ERR_INVALID_PARAM;
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (!buf || len == 0 || len % VIRTIO_BLK_SECTOR_SIZE)
			return -VIRTIO_ERR_INVALID_PARAM;
		/* Whole logical blocks only: a 4096-byte disk fails the
		 * rest with IOERR (QEMU), or worse, so it is not sent. */
		/* blk_size is a power of 2 (blk_read_config): masks, not
		 * two divisions a request. */
		if ((len & (blk->blk_size - 1)) ||
		    (sector & (blk->blk_size / VIRTIO_BLK_SECTOR_SIZE - 1)))
			return -VIRTIO_ERR_INVALID_PARAM;
		if (sector > blk->capacity ||
		    len / VIRTIO_BLK_SECTOR_SIZE > blk->capacity - sector)
			return -VIRTIO_ERR_INVALID_PARAM;
		/* A device offering RO fails writes with IOERR (§5.2.6.2);
		 * answer the same without bothering it. */
		if (type == VIRTIO_BLK_T_OUT && blk->readonly)
			return -VIRTIO_ERR_IO_ERROR;
		return 0;
	case VIRTIO_BLK_T_FLUSH:
		if (!blk_has(blk, VIRTIO_BLK_F_FLUSH))
			return -VIRTIO_ERR_UNSUPPORTED;
		return sector == 0 && len == 0 ? 0 : -VIRTIO_ERR_INVALID_PARAM;
	case VIRTIO_BLK_T_GET_ID:
		return buf && len == VIRTIO_BLK_ID_BYTES
			   ? 0
			   : -VIRTIO_ERR_INVALID_PARAM;
	}
	return -VIRTIO_ERR_UNSUPPORTED;
}

/*
 * Reset the device and take back every request it still had: a reset
 * device touches no queue (§2.4, INIT-D-13), so buffers can be unshared.
 * Used when the device fails a blocking request (NEEDS_RESET, silence, a
 * broken used ring), at teardown, and by callers giving up on their
 * token-API requests; I/O fails from then on.
 */
void virtio_blk_stop(struct virtio_blk *blk)
{
	uint16_t token;

	virtio_device_reset(&blk->vdev);
	blk->stopped = true;
	while (virtqueue_detach_unused(&blk->vq, &token) == 0) {
		void *c = virtqueue_cookie(&blk->vq, token);

		if (blk_is_slot(blk, c)) {
			blk_slot_release(blk, c);
		} else if (c) {
			struct virtio_blk_req *r = c;

			blk_req_release(blk, r, NULL);
			r->in_flight = false;
		}
	}
	/* Used but never completed by the caller: give the buffers back,
	 * then the held chain. */
	while (blk->done_head) {
		struct virtio_blk_req *r = blk->done_head;

		blk_done_unlink(blk, r);
		blk_req_release(blk, r, NULL);
		virtqueue_release(&blk->vq, r->token);
		r->in_flight = false;
	}
}

/* One blocking request through a slot: submit, wait, complete. */
static int blk_do(struct virtio_blk *blk, uint32_t type, uint64_t sector,
		  void *buf, size_t len)
{
	const struct hal *hal = blk_hal(blk);
	enum hal_dma_dir dir = blk_dir(type);
	struct virtio_blk_slot *s;
	struct blk_waiter w;
	uint16_t token;
	int err;

	if (blk->stopped)
		return -VIRTIO_ERR_IO_ERROR;
	s = blk_slot_get(blk);
	if (!s)
		return -VIRTIO_ERR_QUEUE_FULL;
	s->hdr.type = virtio32(blk_legacy(blk), type);
	s->hdr.reserved = 0;
	s->hdr.sector = virtio64(blk_legacy(blk), sector);
	s->status = BLK_STATUS_NONE;
	s->used_len = 0;
	s->done = false;
	s->data = buf;
	s->len = (uint32_t)len;
	s->dir = (uint8_t)dir;
	if (len && hal_share(hal, buf, len, dir, &s->data_paddr)) {
		s->len = 0;
		err = -VIRTIO_ERR_DMA_ERROR;
		goto fail;
	}
	err = blk_queue(blk, blk_slot_paddr(blk, s),
			blk_slot_paddr(blk, s) +
			    offsetof(struct virtio_blk_slot, status),
			type, s->data_paddr, len, s, &token);
	if (err)
		goto fail;
	w = (struct blk_waiter){blk, s};
	err = virtio_device_wait(&blk->vdev, blk_reap, &w);
	if (err) {
		/* The caller's buffer must be ours again before we return. */
		virtio_blk_stop(blk);
		return err;
	}
	err = blk_result(type, s->status, s->used_len, len);
fail:
	if (s->len && hal_unshare(hal, s->data_paddr, buf, len, dir) && !err)
		err = -VIRTIO_ERR_DMA_ERROR;
	blk_slot_put(blk, s);
	return err;
}

static int blk_rw(struct virtio_blk *blk, uint32_t type, uint64_t sector,
		  void *buf, size_t len)
{
	int err = blk_check(blk, type, sector, buf, len);

	for (size_t done = 0; !err && done < len;) {
		size_t n =
		    len - done < blk->max_xfer ? len - done : blk->max_xfer;

		err = blk_do(blk, type, sector + done / VIRTIO_BLK_SECTOR_SIZE,
			     (uint8_t *)buf + done, n);
		done += n;
	}
	return err;
}

int virtio_blk_read(struct virtio_blk *blk, uint64_t sector, void *buf,
		    size_t len)
{
	return blk_rw(blk, VIRTIO_BLK_T_IN, sector, buf, len);
}

int virtio_blk_write(struct virtio_blk *blk, uint64_t sector, const void *buf,
		     size_t len)
{
	/* TO_DEVICE: the HAL never writes into the buffer. */
	return blk_rw(blk, VIRTIO_BLK_T_OUT, sector, (void *)(uintptr_t)buf,
		      len);
}

int virtio_blk_flush(struct virtio_blk *blk)
{
	if (!blk || !blk->vdev.transport)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (!blk_has(blk, VIRTIO_BLK_F_FLUSH))
		return 0;
	/* BLK-D-04: sector 0, no data. */
	return blk_do(blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

int virtio_blk_get_id(struct virtio_blk *blk, char id[VIRTIO_BLK_ID_BYTES + 1])
{
	int err =
	    blk_check(blk, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);

	if (err)
		return err;
	memset(id, 0, VIRTIO_BLK_ID_BYTES + 1);
	err = blk_do(blk, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES);
	if (err)
		memset(id, 0, VIRTIO_BLK_ID_BYTES);
	return err;
}

int virtio_blk_submit(struct virtio_blk *blk, struct virtio_blk_req *req,
		      uint32_t type, uint64_t sector, void *buf, size_t len)
{
	struct virtio_blk_slot *s;
	const struct hal *hal;
	int err;

	if (!req)
		return -VIRTIO_ERR_INVALID_PARAM;
	err = blk_check(blk, type, sector, buf, len);
	if (err)
		return err;
	if (len > blk->max_req)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (blk->stopped)
		return -VIRTIO_ERR_IO_ERROR;
	/* Submitting it again before complete would give two chains one
	 * request: its token names it while in flight or held. */
	if (req->in_flight && virtqueue_cookie(&blk->vq, req->token) == req)
		return -VIRTIO_ERR_ALREADY_USED;
	hal = blk_hal(blk);
	memset(req, 0, sizeof(*req));
	req->hdr.type = virtio32(blk_legacy(blk), type);
	req->hdr.sector = virtio64(blk_legacy(blk), sector);
	req->status = BLK_STATUS_NONE;
	req->type = type;
	req->data = buf;
	s = blk_slot_get(blk);
	if (!s)
		return -VIRTIO_ERR_QUEUE_FULL;
	req->slot = (uint16_t)(s - blk->slots);
	s->hdr = req->hdr;
	s->status = BLK_STATUS_NONE;
	s->len = 0; /* the data is the request's, not the slot's */
	if (len && hal_share(hal, buf, len, blk_dir(type), &req->data_paddr)) {
		err = -VIRTIO_ERR_DMA_ERROR;
		goto put_slot;
	}
	req->len = len;
	err = blk_queue(blk, blk_slot_paddr(blk, s),
			blk_slot_paddr(blk, s) +
			    offsetof(struct virtio_blk_slot, status),
			type, req->data_paddr, len, req, &req->token);
	if (err)
		goto unshare_data;
	req->in_flight = true;
	return 0;

unshare_data:
	if (len)
		hal_unshare(hal, req->data_paddr, buf, len, blk_dir(type));
	req->len = 0;
put_slot:
	blk_slot_put(blk, s);
	return err;
}

int virtio_blk_poll(struct virtio_blk *blk, uint16_t *token)
{
	if (!blk || !blk->vdev.transport || !token)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* Requests a blocking call took off the ring come first. */
	while (!blk->done_next) {
		int r = blk_pop_one(blk);

		if (r <= 0)
			return r;
	}
	*token = blk->done_next->token;
	blk->done_next = blk->done_next->next_done;
	return 1;
}

int virtio_blk_complete(struct virtio_blk *blk, uint16_t token,
			struct virtio_blk_req *req)
{
	int err;

	if (!blk || !blk->vdev.transport || !req)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* Held since it was used, so @token names @req and nothing else. */
	if (!req->in_flight || !req->done || req->token != token ||
	    virtqueue_cookie(&blk->vq, token) != req)
		return -VIRTIO_ERR_WRONG_TOKEN;
	blk_done_unlink(blk, req);
	req->in_flight = false;
	err = 0;
	/* Unshare first: bounced read data is copied back here. */
	blk_req_release(blk, req, &err);
	/* Only now may the next submit reuse the token. */
	virtqueue_release(&blk->vq, token);
	if (err)
		return err;
	return blk_result(req->type, req->status, req->used_len, req->len);
}

/*
 * INIT-D-05: an optional 32-bit config field, read only when @feature
 * was negotiated. Returns 1 with *@v, 0 without the feature, or an error.
 */
static int blk_config_u32(struct virtio_blk *blk, unsigned feature,
			  uint32_t off, uint32_t *v)
{
	uint8_t b[4];
	int err;

	if (!blk_has(blk, feature))
		return 0;
	err = virtio_transport_config_read(blk->vdev.transport, off, b, 4);
	if (err)
		return err;
	*v = virtio_ld32(blk_legacy(blk), b);
	return 1;
}

static int blk_read_config(struct virtio_blk *blk)
{
	uint8_t b[8];
	uint32_t v = 0;
	int err;

	/* capacity is 64-bit: the generation loop keeps it whole. */
	err = virtio_transport_config_read(
	    blk->vdev.transport, offsetof(struct virtio_blk_config, capacity),
	    b, 8);
	if (err)
		return err;
	blk->capacity = virtio_ld64(blk_legacy(blk), b);

	blk->blk_size = VIRTIO_BLK_SECTOR_SIZE;
	err = blk_config_u32(blk, VIRTIO_BLK_F_BLK_SIZE,
			     offsetof(struct virtio_blk_config, blk_size), &v);
	if (err < 0)
		return err;
	/* The logical block size every request is aligned to. One we
	 * cannot honour (not a power of 2 in [512, 64 KiB], as Linux's
	 * blk_validate_block_size) is no disk we can drive: guessing 512
	 * would have it fail or mangle I/O. */
	if (err && (v < VIRTIO_BLK_SECTOR_SIZE || v > VIRTIO_BLK_MAX_BLK_SIZE ||
		    (v & (v - 1))))
		return -VIRTIO_ERR_UNSUPPORTED;
	if (err)
		blk->blk_size = v;

	blk->seg_bytes = UINT32_MAX & ~(VIRTIO_BLK_SECTOR_SIZE - 1);
	err = blk_config_u32(blk, VIRTIO_BLK_F_SIZE_MAX,
			     offsetof(struct virtio_blk_config, size_max), &v);
	if (err < 0)
		return err;
	if (err && v)
		blk->seg_bytes = v;

	blk->max_segs = BLK_MAX_SEGS;
	err = blk_config_u32(blk, VIRTIO_BLK_F_SEG_MAX,
			     offsetof(struct virtio_blk_config, seg_max), &v);
	if (err < 0)
		return err;
	if (err && v && v < blk->max_segs)
		blk->max_segs = v;
	return 0;
}

/* One header and one status byte per descriptor, in DMA memory. */
static int blk_alloc_slots(struct virtio_blk *blk, uint16_t n)
{
	void *p;

	blk->slots_pages =
	    ((size_t)n * sizeof(struct virtio_blk_slot) + HAL_PAGE_SIZE - 1) /
	    HAL_PAGE_SIZE;
	if (hal_dma_alloc(blk_hal(blk), blk->slots_pages, &blk->slots_paddr,
			  &p)) {
		blk->slots_pages = 0;
		return -VIRTIO_ERR_DMA_ERROR;
	}
	blk->slots = p;
	blk->nslots = n;
	memset(blk->slots, 0, blk->slots_pages * HAL_PAGE_SIZE);
	for (uint16_t i = n; i-- > 0;)
		blk_slot_put(blk, &blk->slots[i]);
	return 0;
}

static void blk_free_slots(struct virtio_blk *blk, const struct hal *hal)
{
	if (blk->slots_pages)
		hal_dma_free(hal, blk->slots_paddr, blk->slots,
			     blk->slots_pages);
	blk->slots_pages = 0;
	blk->slots = NULL;
}

int virtio_blk_init(struct virtio_blk *blk, struct virtio_transport *t,
		    const struct virtio_blk_options *opts, unsigned irq_line)
{
	bool use_irq = opts && opts->use_irq;
	uint64_t supported, segs;
	uint16_t qsize;
	int err;

	if (!blk || !t)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(blk, 0, sizeof(*blk));
	supported =
	    VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) |
	    VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_RO) |
	    VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (!opts || !opts->no_indirect)
		supported |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (!opts || !opts->no_event_idx)
		supported |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	/* §3.1.1 up to FEATURES_OK; unwinds (FAILED) by itself. */
	err = virtio_device_begin(&blk->vdev, t, VIRTIO_ID_BLOCK, supported);
	if (err)
		return err;
	blk->slot_free = BLK_NO_SLOT;

	err = blk_read_config(blk);
	if (err)
		goto fail;
	blk->readonly = blk_has(blk, VIRTIO_BLK_F_RO);

	qsize = opts ? opts->queue_size : 0;
	err = virtio_device_queue_size(&blk->vdev, 0, qsize,
				       BLK_DEFAULT_QUEUE_SIZE, &qsize);
	if (err)
		goto fail;
	/* VQ-D-07: no chain, indirect or not, longer than the queue; a
	 * request is header + data + status. */
	if (qsize < 3)
		blk->max_segs = 0;
	else if (blk->max_segs > qsize - 2u)
		blk->max_segs = qsize - 2u;
	if (blk->max_segs == 0) {
		err = -VIRTIO_ERR_INVALID_PARAM;
		goto fail;
	}

	/* Largest request the limits allow, whole logical blocks (a power
	 * of 2, so split transfers stay aligned). */
	segs = (uint64_t)blk->max_segs * blk->seg_bytes;
	if (segs > UINT32_MAX)
		segs = UINT32_MAX;
	blk->max_req = (uint32_t)segs & ~(blk->blk_size - 1);
	if (blk->max_req == 0) {
		err = -VIRTIO_ERR_UNSUPPORTED; /* not even one block */
		goto fail;
	}
	blk->max_xfer =
	    blk->max_req < BLK_MAX_XFER ? blk->max_req : BLK_MAX_XFER;

	err = virtio_device_queue_init(&blk->vdev, &blk->vq, 0, qsize);
	if (err)
		goto fail;
	err = blk_alloc_slots(blk, qsize);
	if (err)
		goto fail;
	err = virtio_device_irq_init(&blk->vdev, use_irq, irq_line);
	if (err)
		goto fail;
	virtio_device_ready(&blk->vdev);
	return 0;

fail:
	/* FAILED and the generic unwind, then blk's own DMA. */
	virtio_device_fail(&blk->vdev, err);
	blk_free_slots(blk, t->hal);
	memset(blk, 0, sizeof(*blk));
	return err;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	const struct hal *hal;

	if (!blk || !blk->vdev.transport)
		return;
	hal = blk_hal(blk);
	/* Reset and reclaim every buffer (INIT-D-13), then free. */
	virtio_blk_stop(blk);
	blk_free_slots(blk, hal);
	virtio_device_teardown(&blk->vdev);
	memset(blk, 0, sizeof(*blk));
}
