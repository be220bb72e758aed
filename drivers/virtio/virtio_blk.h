/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk.h - the virtio-blk driver (§5.2): capacity, block size,
 * read, write, flush and get_id, with a blocking API and a non-blocking
 * token API (submit, poll, complete), over any transport.
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_BLK_H
#define VIRTSIM_DRIVERS_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_device.h"
#include "drivers/virtio/virtqueue.h"
#include "drivers/wire/virtio_blk.h"

/* The largest logical block size the driver takes (as Linux). */
#define VIRTIO_BLK_MAX_BLK_SIZE 65536u

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_blk_options {
	uint16_t queue_size; /* 0: the device's maximum, capped at 256;
			      * else a power of 2 (at least 4), halved
			      * until the device takes it */
	bool use_irq;	     /* take completions by interrupt, not polling */
	bool no_indirect;    /* do not negotiate INDIRECT_DESC */
	bool no_event_idx;   /* do not negotiate EVENT_IDX */
};

/*
 * A request of the non-blocking API. The caller owns it until it is
 * completed, and it may live anywhere: what the device reads and writes
 * besides the data (header, status byte) sits in a driver slot in DMA
 * memory, so only the data buffer is shared per request. @hdr is the
 * header as sent, @status the device's status byte once completed.
 */
struct virtio_blk_req {
	struct virtio_blk_req_hdr hdr;
	uint8_t status;
	/* Driver bookkeeping: the slot, and what was shared. */
	uint16_t slot;
	uint64_t data_paddr;
	void *data;
	size_t len;
	uint32_t type;
	uint16_t token;
	bool in_flight;
	/* Set when the device used it: used length, and the done list of
	 * requests used and not completed yet. */
	bool done;
	uint32_t used_len;
	struct virtio_blk_req *next_done;
};

struct virtio_blk_slot; /* header + status of a request (DMA) */

struct virtio_blk {
	struct virtio_device vdev; /* transport, features, irq line and
				    * counts, the queue's lifetime */
	struct virtqueue vq;
	uint64_t capacity; /* in 512-byte sectors */
	uint32_t blk_size; /* logical block size, 512 unless BLK_SIZE: a
			    * power of 2, 512 to VIRTIO_BLK_MAX_BLK_SIZE */
	bool readonly;	   /* VIRTIO_BLK_F_RO */
	bool stopped;	   /* reset after it failed a request: I/O fails */
	uint64_t requests;
	/* Driver-private, set up by virtio_blk_init. */
	uint32_t seg_bytes; /* bytes per data descriptor (SIZE_MAX) */
	uint32_t max_segs;  /* data descriptors per request (SEG_MAX) */
	uint32_t max_req;   /* bytes per request, whole blocks */
	uint32_t max_xfer;  /* bytes per blocking request (bounded bounce) */
	struct virtio_blk_slot *slots; /* one per descriptor: no allocation
					* or share per request for them */
	uint64_t slots_paddr;
	size_t slots_pages;
	uint16_t nslots, slot_free;
	struct virtio_blk_req *done_head, *done_tail;
	struct virtio_blk_req *done_next; /* first one poll has not returned */
};

/*
 * Initialise the device behind @t (§3.1.1 and §5.2.5): negotiate
 * features, read the config, set up queue 0, DRIVER_OK. @irq_line is the
 * line to register when @opts->use_irq. Returns 0 or -virtio_error
 * (-VIRTIO_ERR_UNSUPPORTED for a block size it cannot honour).
 */
int virtio_blk_init(struct virtio_blk *blk, struct virtio_transport *t,
		    const struct virtio_blk_options *opts, unsigned irq_line);
/* Reset the device, give every request back, free the queue and slots. */
void virtio_blk_destroy(struct virtio_blk *blk);
/*
 * Give up: reset the device and take back every request, in flight or
 * finished and not completed (buffers unshared, bounced reads copied
 * back, tokens void). I/O fails with -VIRTIO_ERR_IO_ERROR afterwards,
 * until the driver is set up again.
 */
void virtio_blk_stop(struct virtio_blk *blk);

/* In 512-byte sectors, whatever the block size (§5.2.4). */
static inline uint64_t virtio_blk_capacity(const struct virtio_blk *blk)
{
	return blk->capacity;
}

/*
 * The device's logical block size (VIRTIO_BLK_F_BLK_SIZE, else 512):
 * I/O comes in whole, aligned blocks of it.
 */
static inline uint32_t virtio_blk_block_size(const struct virtio_blk *blk)
{
	return blk->blk_size;
}

/*
 * Blocking I/O. @sector counts 512-byte sectors, as the protocol does,
 * and is a multiple of block_size / 512; @len is a non-zero multiple of
 * the block size (virtio_blk_block_size). Anything else is refused with
 * -VIRTIO_ERR_INVALID_PARAM before it reaches the device. A transfer
 * above the device's SEG_MAX/SIZE_MAX limits (or above 1 MiB) is split
 * into several requests. A write to a read-only (VIRTIO_BLK_F_RO) device
 * fails with -VIRTIO_ERR_IO_ERROR, as the device itself would answer,
 * before anything reaches it.
 *
 * When a request cannot complete (the device set NEEDS_RESET, went
 * silent, or broke the ring protocol) the driver resets the device and
 * takes every buffer back before returning, so the caller's buffer is
 * free to reuse; I/O then fails with -VIRTIO_ERR_IO_ERROR until the
 * driver is set up again.
 *
 * Returns 0, -VIRTIO_ERR_IO_ERROR (device said IOERR, wrote too little,
 * needs a reset, or was stopped), -VIRTIO_ERR_UNSUPPORTED (UNSUPP),
 * -VIRTIO_ERR_INVALID_PARAM (bad length or alignment, or past the end
 * of the disk),
 * -VIRTIO_ERR_QUEUE_FULL, -VIRTIO_ERR_DMA_ERROR, -VIRTIO_ERR_NOT_READY
 * (the device never answered, or made no progress within
 * VIRTIO_WAIT_STALL_*), -VIRTIO_ERR_WRONG_TOKEN or
 * -VIRTIO_ERR_ALREADY_USED (a bad used ring entry). A used length that
 * does not cover the status byte (and, for reads, the data) is an
 * -VIRTIO_ERR_IO_ERROR (VQ-D-14).
 */
int virtio_blk_read(struct virtio_blk *blk, uint64_t sector, void *buf,
		    size_t len);
int virtio_blk_write(struct virtio_blk *blk, uint64_t sector, const void *buf,
		     size_t len);
/* Flush the device's write cache (VIRTIO_BLK_T_FLUSH); 0 without FLUSH. */
int virtio_blk_flush(struct virtio_blk *blk);
/* The device's id string, NUL terminated (at most 20 bytes + NUL). */
int virtio_blk_get_id(struct virtio_blk *blk, char id[VIRTIO_BLK_ID_BYTES + 1]);

/*
 * Non-blocking API. submit makes the request available and notifies the
 * device, and returns its token in @req->token. poll returns 1 and the
 * token of a finished request (each one once), 0 if none finished yet.
 * complete takes the finished @req back: -VIRTIO_ERR_WRONG_TOKEN if @req
 * is not the request that @token names (or has not finished), else its
 * outcome as for the blocking calls. A token names its request alone
 * from submit until complete: no other request gets it before. @type is
 * VIRTIO_BLK_T_IN, _OUT, _FLUSH (sector 0, no data) or _GET_ID (20
 * bytes); @len at most max_req. Requests not completed hold queue
 * descriptors; submitting one again before complete is
 * -VIRTIO_ERR_ALREADY_USED. A reset (a failed blocking call,
 * virtio_blk_stop, virtio_blk_destroy) gives every request back to its
 * caller, finished or not; complete then says -VIRTIO_ERR_WRONG_TOKEN
 * for them.
 */
int virtio_blk_submit(struct virtio_blk *blk, struct virtio_blk_req *req,
		      uint32_t type, uint64_t sector, void *buf, size_t len);
int virtio_blk_poll(struct virtio_blk *blk, uint16_t *token);
int virtio_blk_complete(struct virtio_blk *blk, uint16_t token,
			struct virtio_blk_req *req);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_BLK_H */
