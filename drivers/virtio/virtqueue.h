/* SPDX-License-Identifier: MIT */
/*
 * virtqueue.h - the driver side of a split virtqueue (§2.7).
 *
 * One queue engine for every VirtIO driver. A request is a chain of
 * buffers, device-readable ones first; virtqueue_add makes it available
 * and returns a token (the chain's head descriptor), virtqueue_pop_used
 * hands tokens back in the order the device used them. A driver that
 * finishes requests later than it takes them off the ring uses
 * virtqueue_get_used and virtqueue_release instead: in between the chain
 * is held, so its token names that one request and no other. No allocation
 * besides hal_dma_alloc at init: rings, indirect tables and the driver's
 * own per-descriptor state all live in DMA pages, so struct virtqueue can
 * sit by value inside a driver.
 *
 * Not thread-safe: one caller at a time per queue. The device may run
 * concurrently; ring accesses use atomic loads/stores and the barriers of
 * §2.7.13.
 */
#ifndef VIRTSIM_DRIVERS_VIRTQUEUE_H
#define VIRTSIM_DRIVERS_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"
#include "drivers/wire/virtio_ring.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* virtqueue_init flags: what was negotiated, and the ring layout. */
#define VIRTQUEUE_F_INDIRECT 1u	 /* VIRTIO_F_INDIRECT_DESC */
#define VIRTQUEUE_F_EVENT_IDX 2u /* VIRTIO_F_EVENT_IDX */
/* A legacy device's queue: one contiguous area, used ring 4096-aligned,
 * every ring field in the guest's native byte order. */
#define VIRTQUEUE_F_LEGACY 4u

/* Entries of the indirect table kept per head descriptor. */
#define VIRTQUEUE_INDIRECT_MAX 32u

/* One buffer of a chain, as the device sees it. */
struct virtqueue_buf {
	uint64_t paddr; /* device address (hal_share / hal_dma_alloc) */
	uint32_t len;	/* non-zero */
	bool device_writes;
};

struct virtqueue_desc_state; /* driver-private, per descriptor */

struct virtqueue {
	const struct hal *hal;
	struct virtio_transport *transport;
	uint16_t index; /* queue number on the transport */
	uint16_t size;	/* descriptors, a power of 2 */
	unsigned flags; /* VIRTQUEUE_F_* */

	/* Rings: one DMA area (desc | avail | used), see virtqueue.c. */
	void *ring_vaddr;
	uint64_t ring_paddr;
	size_t ring_pages;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint64_t desc_paddr, avail_paddr, used_paddr;

	/* VIRTQUEUE_INDIRECT_MAX entries per descriptor (INDIRECT only). */
	struct virtq_desc *indirect;
	uint64_t indirect_paddr;
	size_t indirect_pages;

	/* Driver-private state, never read back from device-visible memory. */
	struct virtqueue_desc_state *state;
	uint64_t state_paddr;
	size_t state_pages;

	uint16_t free_head, free_tail; /* FIFO free list: delays token reuse */
	uint16_t num_free;	       /* free descriptors in the main table */
	uint16_t in_flight;	       /* chains made available, not used */
	uint16_t num_held;	       /* chains used, not released */
	uint16_t avail_idx;	       /* shadow of avail->idx */
	uint16_t num_added;	       /* made available since the last kick */
	uint16_t last_used_idx;	       /* next used entry to read */
	/* Used entries read so far, and the most ever seen on the ring (64
	 * bits, never wrapping): an entry seen before a chain was made
	 * available is not that chain's. */
	uint64_t used_read, used_seen;
	bool cb_enabled;	       /* used-buffer notifications wanted */

	/* Statistics, for dumps and tests. */
	uint64_t adds, kicks, notifies, pops, bad_used;
};

/*
 * Allocate the rings for @size descriptors (a power of 2, at most 32768)
 * aligned as §2.7 requires (VQ-D-01), zero used->flags (VQ-D-15) and hand
 * them to the device with the transport's queue_set. With
 * VIRTQUEUE_F_LEGACY the rings form the contiguous legacy layout with the
 * used ring at virtq_legacy_used_offset(size, VIRTQ_LEGACY_ALIGN).
 * Returns 0, -VIRTIO_ERR_INVALID_PARAM, -VIRTIO_ERR_ALREADY_USED when
 * the transport says the queue is in use already (queue_used; nothing is
 * allocated then), -VIRTIO_ERR_DMA_ERROR, or what queue_set returned.
 */
int virtqueue_init(struct virtqueue *vq, const struct hal *hal,
		   struct virtio_transport *transport, uint16_t index,
		   uint16_t size, unsigned flags);
/*
 * Take the queue from the device (queue_unset) and free its DMA memory.
 * Reset the device first if buffers are still in flight (INIT-D-13).
 * Chains in flight or held are dropped with the rings: whatever buffers
 * they carried are the driver's to give back first (detach_unused,
 * release).
 */
void virtqueue_destroy(struct virtqueue *vq);

/*
 * Make a chain available: @n_out device-readable buffers then @n_in
 * device-writable ones (VQ-D-02: the device_writes flags must agree).
 * Uses one descriptor and an indirect table when INDIRECT was negotiated
 * and the chain has more than one buffer, else a chain of descriptors.
 * Publishes avail->idx (after a write barrier, VQ-D-20) but does not
 * notify: call virtqueue_kick. *@token names the chain until it is
 * released (pop_used releases at once); no add hands it out before.
 * Returns 0, -VIRTIO_ERR_QUEUE_FULL when not enough descriptors are free,
 * -VIRTIO_ERR_INVALID_PARAM for an empty, mis-ordered or too long chain.
 */
int virtqueue_add(struct virtqueue *vq, const struct virtqueue_buf *bufs,
		  unsigned n_out, unsigned n_in, uint16_t *token);
/* virtqueue_add that also records @cookie for virtqueue_cookie. */
int virtqueue_add_cookie(struct virtqueue *vq, const struct virtqueue_buf *bufs,
			 unsigned n_out, unsigned n_in, void *cookie,
			 uint16_t *token);
/*
 * The cookie given to virtqueue_add_cookie for @token: valid while the
 * chain is in flight or held and, after it was released, until the next
 * add. NULL for an unknown token.
 */
void *virtqueue_cookie(const struct virtqueue *vq, uint16_t token);

/*
 * Whether the device wants a notification for what was added since the
 * last call: full barrier (VQ-D-21), then vring_need_event on avail_event
 * with EVENT_IDX (VQ-D-19), else used->flags NO_NOTIFY (VQ-D-17).
 */
bool virtqueue_should_notify(struct virtqueue *vq);
/* should_notify, then notify through the transport. True if notified. */
bool virtqueue_kick(struct virtqueue *vq);

/* True if the device has used a chain not popped yet. */
bool virtqueue_peek_used(struct virtqueue *vq);
/*
 * Take the next used chain off the used ring (acquire barrier after
 * reading used->idx) and return its token and the used length (bytes the
 * device wrote; never trust bytes past it, VQ-D-14). The chain is then
 * held: its descriptors stay taken, its cookie readable, and a used entry
 * naming it again is ALREADY_USED, until virtqueue_release. Returns 0,
 * -VIRTIO_ERR_NOT_READY when nothing was used, -VIRTIO_ERR_WRONG_TOKEN
 * when the used id is out of range or not the head of a chain in flight,
 * -VIRTIO_ERR_ALREADY_USED when it names a chain held or released. A bad
 * entry is consumed (counted in bad_used) and its id left in *@token.
 * A used->idx more than the queue size ahead is -VIRTIO_ERR_IO_ERROR,
 * counted, and consumes nothing: the device broke the ring.
 */
int virtqueue_get_used(struct virtqueue *vq, uint16_t *token, uint32_t *len);
/*
 * Free the descriptors of a held chain; its token may be handed out
 * again. Returns 0, -VIRTIO_ERR_WRONG_TOKEN if @token is not held.
 */
int virtqueue_release(struct virtqueue *vq, uint16_t token);
/* virtqueue_get_used, then virtqueue_release: same returns. */
int virtqueue_pop_used(struct virtqueue *vq, uint16_t *token, uint32_t *len);
/*
 * Reclaim a chain still in flight, for teardown after a device reset
 * (INIT-D-13). Returns 0 and its token, -VIRTIO_ERR_NOT_READY if none.
 * Held chains are not the device's: release those.
 */
int virtqueue_detach_unused(struct virtqueue *vq, uint16_t *token);

/*
 * Ask the device not to send used-buffer notifications (a hint):
 * avail->flags NO_INTERRUPT (VQ-D-11), or with EVENT_IDX a used_event the
 * used index will not reach soon, avail->flags staying 0 (VQ-D-12).
 */
void virtqueue_disable_cb(struct virtqueue *vq);
/*
 * Ask for a notification on the next used chain. Returns true if chains
 * were used meanwhile: pop them before waiting for an interrupt.
 */
bool virtqueue_enable_cb(struct virtqueue *vq);

static inline unsigned virtqueue_num_free(const struct virtqueue *vq)
{
	return vq->num_free;
}

/* Chains the device owns: made available and not used yet. */
static inline unsigned virtqueue_num_in_flight(const struct virtqueue *vq)
{
	return vq->in_flight;
}

/* Chains taken by virtqueue_get_used and not released yet. */
static inline unsigned virtqueue_num_held(const struct virtqueue *vq)
{
	return vq->num_held;
}

static inline bool virtqueue_is_full(const struct virtqueue *vq)
{
	return vq->num_free == 0;
}

/* One line of state for test failures and logs; NUL terminated. */
void virtqueue_dump(const struct virtqueue *vq, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTQUEUE_H */
