/* SPDX-License-Identifier: MIT */
/*
 * virtqueue.c - split virtqueue, driver side (§2.7).
 *
 * Ring layout, one DMA area per queue: descriptor table at 0, available
 * ring right after it, used ring at the next 4-byte boundary (modern) or
 * the next 4096-byte boundary (legacy, §2.7.2). Free descriptors form a
 * FIFO list kept in driver-private state, so a misbehaving device can
 * neither corrupt the free list nor get a just-freed token reused at once
 * (which lets a duplicate completion be told from a new one).
 *
 * A chain's life: free -> IN_FLIGHT (add: the device owns it) -> HELD
 * (get_used: the driver owns it, descriptors and token still taken) ->
 * USED (release: descriptors back on the free list) -> reused by an add.
 */
#include "drivers/virtio/virtqueue.h"

#include <string.h>

#include "drivers/wire/virtio_ring.h"

/* Per-descriptor state flags. */
#define VQ_ST_IN_FLIGHT 1u /* head of a chain the device owns */
#define VQ_ST_USED 2u	   /* head of a chain released and not reused since */
#define VQ_ST_INDIRECT 4u  /* that chain went through the indirect table */
#define VQ_ST_HELD 8u	   /* head of a chain used but not released */

struct virtqueue_desc_state {
	void *cookie;
	uint16_t next;	 /* free list and chain links: desc.next, unshared */
	uint16_t ndescs; /* chain head: main-table descriptors it holds */
	uint16_t nbufs;	 /* chain head: buffers in the chain */
	uint8_t flags;	 /* VQ_ST_* */
	uint8_t pad;
	/* Chain head: vq->used_seen when it was made available. */
	uint64_t added_at;
};

/*
 * Ring fields the device writes concurrently (thread mode) are read and
 * written with relaxed atomics; ordering comes from the explicit fences
 * (§2.7.13), as in Linux's virtio_ring.c. A legacy queue is in the
 * guest's native byte order, a modern one little-endian.
 */
static inline bool vq_legacy(const struct virtqueue *vq)
{
	return vq->flags & VIRTQUEUE_F_LEGACY;
}

static inline uint16_t vq_ld16(const struct virtqueue *vq, const uint16_t *p)
{
	return virtio16(vq_legacy(vq), __atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void vq_st16(const struct virtqueue *vq, uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, virtio16(vq_legacy(vq), v), __ATOMIC_RELAXED);
}

static inline uint32_t vq_ld32(const struct virtqueue *vq, const uint32_t *p)
{
	return virtio32(vq_legacy(vq), __atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline uint16_t *vq_used_event(struct virtqueue *vq)
{
	return &vq->avail->ring[vq->size];
}

static inline uint16_t *vq_avail_event(struct virtqueue *vq)
{
	return (uint16_t *)(void *)&vq->used->ring[vq->size];
}

static size_t vq_pages(size_t bytes)
{
	return (bytes + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
}

static void vq_free_dma(struct virtqueue *vq)
{
	if (vq->indirect_pages)
		hal_dma_free(vq->hal, vq->indirect_paddr, vq->indirect,
			     vq->indirect_pages);
	if (vq->state_pages)
		hal_dma_free(vq->hal, vq->state_paddr, vq->state,
			     vq->state_pages);
	if (vq->ring_pages)
		hal_dma_free(vq->hal, vq->ring_paddr, vq->ring_vaddr,
			     vq->ring_pages);
	vq->indirect_pages = vq->state_pages = vq->ring_pages = 0;
	vq->indirect = NULL;
	vq->state = NULL;
	vq->ring_vaddr = NULL;
}

int virtqueue_init(struct virtqueue *vq, const struct hal *hal,
		   struct virtio_transport *transport, uint16_t index,
		   uint16_t size, unsigned flags)
{
	size_t desc_sz, avail_sz, used_off, total;
	void *p;
	int err;

	if (!vq || !hal || !transport)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(vq, 0, sizeof(*vq));
	/* §2.7: a split queue's size is a power of 2, at most 32768. */
	if (size == 0 || (size & (size - 1)) || size > VIRTQ_MAX_QUEUE_SIZE)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* Set up already (re-init without a reset): not ours to take. */
	if (transport->ops->queue_used(transport, index))
		return -VIRTIO_ERR_ALREADY_USED;
	vq->hal = hal;
	vq->transport = transport;
	vq->index = index;
	vq->size = size;
	vq->flags = flags;

	/* VQ-D-01: desc 16-aligned (page start), avail 2, used 4. */
	desc_sz = virtq_desc_size(size);
	avail_sz = virtq_avail_size(size);
	if (flags & VIRTQUEUE_F_LEGACY) {
		used_off = virtq_legacy_used_offset(size, VIRTQ_LEGACY_ALIGN);
		total = virtq_legacy_size(size, VIRTQ_LEGACY_ALIGN);
	} else {
		used_off = (desc_sz + avail_sz + VIRTQ_USED_ALIGN - 1) &
			   ~(size_t)(VIRTQ_USED_ALIGN - 1);
		total = used_off + virtq_used_size(size);
	}
	if (hal_dma_alloc(hal, vq_pages(total), &vq->ring_paddr, &p)) {
		err = -VIRTIO_ERR_DMA_ERROR;
		goto fail;
	}
	vq->ring_vaddr = p;
	vq->ring_pages = vq_pages(total);
	if (hal_dma_alloc(hal, vq_pages(size * sizeof(*vq->state)),
			  &vq->state_paddr, &p)) {
		err = -VIRTIO_ERR_DMA_ERROR;
		goto fail;
	}
	vq->state = p;
	vq->state_pages = vq_pages(size * sizeof(*vq->state));
	if (flags & VIRTQUEUE_F_INDIRECT) {
		size_t bytes = (size_t)size * VIRTQUEUE_INDIRECT_MAX *
			       sizeof(struct virtq_desc);

		if (hal_dma_alloc(hal, vq_pages(bytes), &vq->indirect_paddr,
				  &p)) {
			err = -VIRTIO_ERR_DMA_ERROR;
			goto fail;
		}
		vq->indirect = p;
		vq->indirect_pages = vq_pages(bytes);
	}

	/* VQ-D-15: used->flags (and everything else) starts at 0; the HAL
	 * promises zeroed pages, a bare-metal one might not. */
	memset(vq->ring_vaddr, 0, vq->ring_pages * HAL_PAGE_SIZE);
	memset(vq->state, 0, vq->state_pages * HAL_PAGE_SIZE);
	vq->desc = vq->ring_vaddr;
	vq->avail = (void *)((uint8_t *)vq->ring_vaddr + desc_sz);
	vq->used = (void *)((uint8_t *)vq->ring_vaddr + used_off);
	vq->desc_paddr = vq->ring_paddr;
	vq->avail_paddr = vq->ring_paddr + desc_sz;
	vq->used_paddr = vq->ring_paddr + used_off;

	for (unsigned i = 0; i < size; i++)
		vq->state[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->free_tail = (uint16_t)(size - 1);
	vq->num_free = size;
	vq->cb_enabled = true;

	err = transport->ops->queue_set(transport, index, size, vq->desc_paddr,
					vq->avail_paddr, vq->used_paddr);
	if (err)
		goto fail;
	return 0;

fail:
	vq_free_dma(vq);
	return err;
}

void virtqueue_destroy(struct virtqueue *vq)
{
	if (!vq || !vq->ring_pages)
		return;
	vq->transport->ops->queue_unset(vq->transport, vq->index);
	vq_free_dma(vq);
}

/*
 * Give the chain headed by @head back to the tail of the free list; the
 * caller accounts for it in in_flight or num_held.
 */
static void vq_free_chain(struct virtqueue *vq, uint16_t head)
{
	struct virtqueue_desc_state *st = &vq->state[head];
	uint16_t last = head;

	for (unsigned i = 1; i < st->ndescs; i++)
		last = vq->state[last].next;
	if (vq->num_free)
		vq->state[vq->free_tail].next = head;
	else
		vq->free_head = head;
	vq->free_tail = last;
	vq->num_free = (uint16_t)(vq->num_free + st->ndescs);
	st->flags = VQ_ST_USED;
	st->ndescs = 0;
}

static void vq_fill_desc(const struct virtqueue *vq, struct virtq_desc *d,
			 const struct virtqueue_buf *b, uint16_t flags,
			 uint16_t next)
{
	bool legacy = vq_legacy(vq);

	if (b->device_writes)
		flags |= VIRTQ_DESC_F_WRITE;
	d->addr = virtio64(legacy, b->paddr);
	d->len = virtio32(legacy, b->len);
	d->flags = virtio16(legacy, flags);
	d->next = virtio16(legacy, next);
}

int virtqueue_add_cookie(struct virtqueue *vq, const struct virtqueue_buf *bufs,
			 unsigned n_out, unsigned n_in, void *cookie,
			 uint16_t *token)
{
	unsigned n = n_out + n_in, need;
	uint64_t total = 0;
	uint16_t head, i;
	bool indirect;

	if (!vq || !vq->ring_pages || !bufs || !token || n == 0 || n < n_out)
		return -VIRTIO_ERR_INVALID_PARAM;
	for (unsigned k = 0; k < n; k++) {
		/* VQ-D-02: readable buffers first, then writable ones. */
		if (bufs[k].len == 0 || bufs[k].device_writes != (k >= n_out))
			return -VIRTIO_ERR_INVALID_PARAM;
		total += bufs[k].len;
	}
	/* VQ-D-03: a chain carries at most 2^32 bytes. */
	if (total > UINT32_MAX)
		return -VIRTIO_ERR_INVALID_PARAM;
	/* VQ-D-05 / VQ-D-07: indirect only when negotiated, and no chain
	 * (indirect or not) longer than the queue. */
	indirect = (vq->flags & VIRTQUEUE_F_INDIRECT) && n > 1 &&
		   n <= VIRTQUEUE_INDIRECT_MAX && n <= vq->size;
	if (!indirect && n > vq->size)
		return -VIRTIO_ERR_INVALID_PARAM;
	need = indirect ? 1 : n;
	if (vq->num_free < need)
		return -VIRTIO_ERR_QUEUE_FULL;

	head = vq->free_head;
	if (indirect) {
		struct virtq_desc *table =
		    &vq->indirect[(size_t)head * VIRTQUEUE_INDIRECT_MAX];

		/* VQ-D-06/09: one level, entries linked 1, 2, 3, ... */
		for (unsigned k = 0; k < n; k++)
			vq_fill_desc(vq, &table[k], &bufs[k],
				     k + 1 < n ? VIRTQ_DESC_F_NEXT : 0,
				     k + 1 < n ? (uint16_t)(k + 1) : 0);
		/* VQ-D-08: INDIRECT without NEXT. */
		vq->desc[head].addr = virtio64(
		    vq_legacy(vq), vq->indirect_paddr +
				       (uint64_t)head * VIRTQUEUE_INDIRECT_MAX *
					   sizeof(struct virtq_desc));
		vq->desc[head].len = virtio32(
		    vq_legacy(vq), (uint32_t)(n * sizeof(struct virtq_desc)));
		vq->desc[head].flags =
		    virtio16(vq_legacy(vq), VIRTQ_DESC_F_INDIRECT);
		vq->desc[head].next = 0;
		vq->state[head].flags = 0;
		i = vq->state[head].next;
	} else {
		i = head;
		for (unsigned k = 0; k < n; k++) {
			uint16_t next = vq->state[i].next;

			vq_fill_desc(vq, &vq->desc[i], &bufs[k],
				     k + 1 < n ? VIRTQ_DESC_F_NEXT : 0,
				     k + 1 < n ? next : 0);
			vq->state[i].flags = 0; /* no longer a used head */
			i = next;
		}
	}
	vq->free_head = i;
	vq->num_free = (uint16_t)(vq->num_free - need);
	vq->state[head].cookie = cookie;
	vq->state[head].ndescs = (uint16_t)need;
	vq->state[head].nbufs = (uint16_t)n;
	vq->state[head].flags =
	    VQ_ST_IN_FLIGHT | (indirect ? VQ_ST_INDIRECT : 0);
	vq->state[head].added_at = vq->used_seen;

	vq_st16(vq, &vq->avail->ring[vq->avail_idx & (vq->size - 1)], head);
	/* VQ-D-20: descriptors and ring entry before the index. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail_idx++;
	/* Release as well: what thread sanitizers see (they miss fences). */
	__atomic_store_n(&vq->avail->idx,
			 virtio16(vq_legacy(vq), vq->avail_idx),
			 __ATOMIC_RELEASE);
	vq->num_added++;
	vq->in_flight++;
	vq->adds++;
	*token = head;
	return 0;
}

int virtqueue_add(struct virtqueue *vq, const struct virtqueue_buf *bufs,
		  unsigned n_out, unsigned n_in, uint16_t *token)
{
	return virtqueue_add_cookie(vq, bufs, n_out, n_in, NULL, token);
}

void *virtqueue_cookie(const struct virtqueue *vq, uint16_t token)
{
	if (!vq || !vq->state || token >= vq->size ||
	    !(vq->state[token].flags &
	      (VQ_ST_IN_FLIGHT | VQ_ST_HELD | VQ_ST_USED)))
		return NULL;
	return vq->state[token].cookie;
}

bool virtqueue_should_notify(struct virtqueue *vq)
{
	uint16_t new_idx = vq->avail_idx;
	uint16_t old_idx = (uint16_t)(new_idx - vq->num_added);

	/* VQ-D-21: publish idx before reading the device's suppression. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->num_added = 0;
	if (vq->flags & VIRTQUEUE_F_EVENT_IDX) {
		/* VQ-D-18/19: used->flags ignored, avail_event decides. */
		return vring_need_event(vq_ld16(vq, vq_avail_event(vq)),
					new_idx, old_idx);
	}
	/* VQ-D-16/17: avail_event ignored; notify unless NO_NOTIFY. */
	return !(vq_ld16(vq, &vq->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtqueue_kick(struct virtqueue *vq)
{
	vq->kicks++;
	if (!virtqueue_should_notify(vq))
		return false;
	vq->notifies++;
	virtio_transport_notify(vq->transport, vq->index);
	return true;
}

bool virtqueue_peek_used(struct virtqueue *vq)
{
	return vq_ld16(vq, &vq->used->idx) != vq->last_used_idx;
}

int virtqueue_get_used(struct virtqueue *vq, uint16_t *token, uint32_t *len)
{
	struct virtq_used_elem *e;
	uint32_t id, used_len;
	/* Acquire, beside the fence below, for thread sanitizers. */
	uint16_t ahead =
	    (uint16_t)(virtio16(
			   vq_legacy(vq),
			   __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE)) -
		       vq->last_used_idx);
	uint64_t at = vq->used_read;
	uint8_t flags;

	if (!ahead)
		return -VIRTIO_ERR_NOT_READY;
	/* More used than the ring holds: the entries past the ring's
	 * worth would be stale ones read again. Nothing is taken. */
	if (ahead > vq->size) {
		vq->bad_used++;
		return -VIRTIO_ERR_IO_ERROR;
	}
	/* Entries [used_read, used_seen) are on the ring now: none of them
	 * can name a chain made available from here on. */
	if (vq->used_read + ahead > vq->used_seen)
		vq->used_seen = vq->used_read + ahead;
	/* §2.7.13: read the entry only after seeing the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = &vq->used->ring[vq->last_used_idx & (vq->size - 1)];
	id = vq_ld32(vq, &e->id);
	used_len = vq_ld32(vq, &e->len);
	vq->last_used_idx++;
	vq->used_read++;
	if (vq->cb_enabled && (vq->flags & VIRTQUEUE_F_EVENT_IDX)) {
		/* Keep interrupts coming for the next used chain; full
		 * barrier so the device sees it before we look again. */
		vq_st16(vq, vq_used_event(vq), vq->last_used_idx);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	if (token)
		*token = (uint16_t)id;
	if (len)
		*len = 0;
	if (id >= vq->size) {
		vq->bad_used++;
		return -VIRTIO_ERR_WRONG_TOKEN;
	}
	flags = vq->state[id].flags;
	if (!(flags & VQ_ST_IN_FLIGHT)) {
		vq->bad_used++;
		return (flags & (VQ_ST_HELD | VQ_ST_USED))
			   ? -VIRTIO_ERR_ALREADY_USED
			   : -VIRTIO_ERR_WRONG_TOKEN;
	}
	/* On the ring before this chain was made available: an entry for
	 * its head's previous chain again (a duplicate), not its own. */
	if (at < vq->state[id].added_at) {
		vq->bad_used++;
		return -VIRTIO_ERR_ALREADY_USED;
	}
	/* The driver owns it now; its head stays taken until release. */
	vq->state[id].flags =
	    (uint8_t)((flags & ~VQ_ST_IN_FLIGHT) | VQ_ST_HELD);
	vq->in_flight--;
	vq->num_held++;
	vq->pops++;
	if (len)
		*len = used_len;
	return 0;
}

int virtqueue_release(struct virtqueue *vq, uint16_t token)
{
	if (!vq || !vq->state || token >= vq->size ||
	    !(vq->state[token].flags & VQ_ST_HELD))
		return -VIRTIO_ERR_WRONG_TOKEN;
	vq_free_chain(vq, token);
	vq->num_held--;
	return 0;
}

int virtqueue_pop_used(struct virtqueue *vq, uint16_t *token, uint32_t *len)
{
	uint16_t t = 0;
	int err = virtqueue_get_used(vq, &t, len);

	if (token)
		*token = t;
	return err ? err : virtqueue_release(vq, t);
}

int virtqueue_detach_unused(struct virtqueue *vq, uint16_t *token)
{
	for (uint16_t i = 0; vq->state && i < vq->size; i++) {
		if (vq->state[i].flags & VQ_ST_IN_FLIGHT) {
			vq_free_chain(vq, i);
			vq->in_flight--;
			if (token)
				*token = i;
			return 0;
		}
	}
	return -VIRTIO_ERR_NOT_READY;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	vq->cb_enabled = false;
	if (vq->flags & VIRTQUEUE_F_EVENT_IDX) {
		/* VQ-D-12: flags stay 0. used_event one behind the used
		 * index means "not until the index wraps around". */
		vq_st16(vq, vq_used_event(vq),
			(uint16_t)(vq->last_used_idx - 1));
	} else {
		vq_st16(vq, &vq->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	vq->cb_enabled = true;
	if (vq->flags & VIRTQUEUE_F_EVENT_IDX)
		vq_st16(vq, vq_used_event(vq), vq->last_used_idx);
	else
		vq_st16(vq, &vq->avail->flags, 0);
	/* The device must see the request before we check for used
	 * chains, or a completion in between would go unnoticed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtqueue_peek_used(vq);
}

/* Minimal formatting: drivers/ has no snprintf. */
struct vq_out {
	char *buf;
	size_t size, pos;
};

static void vq_puts(struct vq_out *o, const char *s)
{
	for (; *s; s++) {
		if (o->pos + 1 < o->size)
			o->buf[o->pos] = *s;
		o->pos++;
	}
}

static void vq_putu(struct vq_out *o, const char *label, uint64_t v)
{
	char tmp[21];
	unsigned n = 0;

	vq_puts(o, label);
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n) {
		char c[2] = {tmp[--n], 0};

		vq_puts(o, c);
	}
}

void virtqueue_dump(const struct virtqueue *vq, char *buf, size_t size)
{
	struct vq_out o = {buf, size, 0};

	if (!buf || !size)
		return;
	if (!vq || !vq->ring_pages) {
		vq_puts(&o, "vq: not set up");
	} else {
		vq_putu(&o, "vq", vq->index);
		vq_putu(&o, ": size=", vq->size);
		vq_putu(&o, " free=", vq->num_free);
		vq_putu(&o, " in_flight=", vq->in_flight);
		vq_putu(&o, " held=", vq->num_held);
		vq_putu(&o, " avail_idx=", vq->avail_idx);
		vq_putu(
		    &o, " used_idx=",
		    virtio16(vq_legacy(vq), __atomic_load_n(&vq->used->idx,
							    __ATOMIC_RELAXED)));
		vq_putu(&o, " last_used=", vq->last_used_idx);
		vq_putu(&o, " free_head=", vq->free_head);
		vq_putu(&o, " adds=", vq->adds);
		vq_putu(&o, " kicks=", vq->kicks);
		vq_putu(&o, " notifies=", vq->notifies);
		vq_putu(&o, " pops=", vq->pops);
		vq_putu(&o, " bad_used=", vq->bad_used);
		vq_puts(&o, vq->cb_enabled ? " cb=on" : " cb=off");
		if (vq->flags & VIRTQUEUE_F_INDIRECT)
			vq_puts(&o, " indirect");
		if (vq->flags & VIRTQUEUE_F_EVENT_IDX)
			vq_puts(&o, " event_idx");
		if (vq->flags & VIRTQUEUE_F_LEGACY)
			vq_puts(&o, " legacy");
	}
	o.buf[o.pos < size ? o.pos : size - 1] = '\0';
}
