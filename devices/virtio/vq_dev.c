/* SPDX-License-Identifier: MIT */
/*
 * The device side of a split virtqueue (§2.7).
 *
 * Everything read from guest memory is hostile: avail->idx is read once
 * per pop, each descriptor is copied once into a local before it is
 * checked, and every buffer is translated through guest_mem_span so a
 * model only ever sees host pointers into RAM. The rings themselves are
 * checked and mapped once, when the queue starts.
 */
#include "devices/virtio/vq_dev.h"

#include <errno.h>
#include <string.h>

#include "drivers/wire/virtio_ring.h"
#include "drivers/wire/virtio_types.h"
#include "sim/trace.h"

/* Used lengths are 32 bits (§2.7.8): a chain must fit in them. */
#define VQ_DEV_MAX_TOTAL_LEN UINT32_MAX

static const char *const vq_dev_error_names[] = {
    [VQ_DEV_E_AVAIL_IDX] = "avail idx jumped past the queue size (2.7.6)",
    [VQ_DEV_E_HEAD_INDEX] = "avail head >= queue size (2.7.6)",
    [VQ_DEV_E_DESC_INDEX] = "desc next >= table size (2.7.5)",
    [VQ_DEV_E_LOOP] = "descriptor loop (2.7.5.2)",
    [VQ_DEV_E_TOO_LONG] = "chain too long (2.7.4.1)",
    [VQ_DEV_E_BUF_ADDR] = "buffer outside RAM (2.7.5)",
    [VQ_DEV_E_ORDER] = "readable after writable (2.7.5.2)",
    [VQ_DEV_E_INDIRECT] = "bad indirect descriptor (2.7.5.3)",
    [VQ_DEV_E_TOTAL_LEN] = "chain over 4 GiB (2.7.8)",
    [VQ_DEV_E_AVAIL_FLAGS] = "undefined avail->flags (2.7.7)",
};

const char *vq_dev_error_name(int err)
{
	if (err < 0)
		err = -err;
	if (err <= 0 ||
	    (size_t)err >=
		sizeof(vq_dev_error_names) / sizeof(vq_dev_error_names[0]) ||
	    !vq_dev_error_names[err])
		return "unknown virtqueue error";
	return vq_dev_error_names[err];
}

void vq_dev_reset(struct vq_dev *vq, const struct guest_mem *mem,
		  struct trace *trace)
{
	const char *name = vq->name ? vq->name : "vq";
	unsigned dev_id = vq->dev_id, index = vq->index;

	memset(vq, 0, sizeof(*vq));
	vq->name = name;
	vq->dev_id = dev_id;
	vq->index = index;
	vq->mem = mem;
	vq->trace = trace;
	vq->err_rule = STRICT_NUM_RULES;
	/* used->idx starts at 0 and no interrupt is owed for it. */
	vq->signalled_valid = true;
}

bool vq_dev_rings_ok(const struct vq_dev *vq)
{
	unsigned n = vq->size;

	if (!vq->mem || n == 0 || n > VIRTQ_MAX_QUEUE_SIZE)
		return false;
	/* §2.7: alignment is a driver MUST; it also keeps idx loads atomic. */
	if (vq->desc_gpa % VIRTQ_DESC_ALIGN ||
	    vq->avail_gpa % VIRTQ_AVAIL_ALIGN ||
	    vq->used_gpa % VIRTQ_USED_ALIGN)
		return false;
	return guest_mem_range_ok(vq->mem, vq->desc_gpa, virtq_desc_size(n)) &&
	       guest_mem_range_ok(vq->mem, vq->avail_gpa,
				  virtq_avail_size(n)) &&
	       guest_mem_range_ok(vq->mem, vq->used_gpa, virtq_used_size(n));
}

bool vq_dev_start(struct vq_dev *vq)
{
	vq->ready = false;
	if (!vq_dev_rings_ok(vq))
		return false;
	/* A started queue begins at index 0 on both rings (§2.7). */
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = true;
	vq->err_detail = NULL;
	vq->size_pow2 = !(vq->size & (vq->size - 1));
	vq->desc =
	    guest_mem_span(vq->mem, vq->desc_gpa, virtq_desc_size(vq->size));
	vq->avail =
	    guest_mem_span(vq->mem, vq->avail_gpa, virtq_avail_size(vq->size));
	vq->used =
	    guest_mem_span(vq->mem, vq->used_gpa, virtq_used_size(vq->size));
	vq->ready = true;
	return true;
}

/* The ring entry a free-running index names. */
static inline uint16_t vq_dev_slot(const struct vq_dev *vq, uint16_t idx)
{
	return vq->size_pow2 ? idx & (vq->size - 1) : idx % vq->size;
}

static int vq_dev_reject(struct vq_dev *vq, int err, enum strict_rule rule,
			 const char *detail)
{
	vq->err_detail = detail;
	vq->err_rule = rule;
	trace_vq_reject(vq->trace, vq->name, vq->dev_id, vq->index,
			vq->last_avail_idx, vq_dev_error_name(err), detail);
	return -err;
}

static uint16_t vq_dev_load_idx(const void *p)
{
	return virtio_le16(
	    __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

/*
 * A store of ours before a load of the driver's fields: a full fence
 * where the driver runs meanwhile (thread mode). In the other modes the
 * device runs on the driver's own thread, inside its notify or its
 * wait, and program order is all the ordering there is (an mfence is
 * 2-3 ns here, and a request took four).
 */
static inline void vq_dev_full_fence(const struct vq_dev *vq)
{
	if (vq->concurrent)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* avail_event (§2.7.10): "notify me when you make entry @idx available". */
static void vq_dev_store_avail_event(struct vq_dev *vq)
{
	uint16_t *ev = (uint16_t *)(vq->used + 4 + 8u * vq->size);

	__atomic_store_n(ev, virtio_le16(vq->last_avail_idx), __ATOMIC_RELAXED);
}

static int vq_dev_add_seg(struct vq_dev *vq, struct vq_elem *elem,
			  const struct virtq_desc *d, uint64_t *total)
{
	struct vq_seg *seg;
	void *host;

	/* A zero-length buffer carries nothing: accept it and drop it. */
	if (d->len == 0)
		return 0;
	host = d->flags & VIRTQ_DESC_F_WRITE
		   ? guest_mem_span_w(vq->mem, d->addr, d->len)
		   : guest_mem_span(vq->mem, d->addr, d->len);
	if (!host)
		return vq_dev_reject(vq, VQ_DEV_E_BUF_ADDR, STRICT_NUM_RULES,
				     "a buffer is not inside guest RAM or "
				     "a buffer mapped for this access");
	if (!(d->flags & VIRTQ_DESC_F_WRITE) && elem->n_in)
		return vq_dev_reject(
		    vq, VQ_DEV_E_ORDER, STRICT_VQ_D_02,
		    "a readable buffer follows a writable one");
	if (elem->n_out + elem->n_in == VQ_ELEM_MAX_SEGS)
		return vq_dev_reject(vq, VQ_DEV_E_TOO_LONG, STRICT_NUM_RULES,
				     "the chain has more than 256 buffers");
	*total += d->len;
	/* The driver's limit is 2^32 (VQ-D-03); ours, one byte less. */
	if (*total > VQ_DEV_MAX_TOTAL_LEN)
		return vq_dev_reject(vq, VQ_DEV_E_TOTAL_LEN,
				     *total > 1ull << 32 ? STRICT_VQ_D_03
							 : STRICT_NUM_RULES,
				     "the chain is longer than 4 GiB");
	seg = &elem->seg[elem->n_out + elem->n_in];
	seg->host = host;
	seg->len = d->len;
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		elem->n_in++;
		elem->in_bytes += d->len;
	} else {
		elem->n_out++;
		elem->out_bytes += d->len;
	}
	return 0;
}

/* Walk the chain at @head, direct and then at most one indirect table. */
static int vq_dev_walk(struct vq_dev *vq, struct vq_elem *elem, uint16_t head)
{
	const uint8_t *table = vq->desc;
	uint32_t table_n = vq->size, visited = 0, idx = head;
	bool in_indirect = false;
	uint64_t total = 0;
	int ret;

	elem->head = head;
	elem->n_out = elem->n_in = 0;
	elem->out_bytes = elem->in_bytes = 0;
	for (;;) {
		struct virtq_desc d;

		/* One copy per descriptor: later guest writes cannot race us.
		 */
		memcpy(&d, table + 16u * idx, sizeof(d));
		d.addr = virtio_le64(d.addr);
		d.len = virtio_le32(d.len);
		d.flags = virtio_le16(d.flags);
		d.next = virtio_le16(d.next);

		if (++visited > table_n)
			return vq_dev_reject(vq, VQ_DEV_E_LOOP, STRICT_VQ_D_07,
					     "the chain loops");
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* §2.7.5.3.1; WRITE on it is ignored (VQ-V-04). */
			if (!vq->indirect)
				return vq_dev_reject(
				    vq, VQ_DEV_E_INDIRECT, STRICT_VQ_D_05,
				    "INDIRECT_DESC was not negotiated");
			if (in_indirect)
				return vq_dev_reject(
				    vq, VQ_DEV_E_INDIRECT, STRICT_VQ_D_06,
				    "an indirect table points to another");
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return vq_dev_reject(
				    vq, VQ_DEV_E_INDIRECT, STRICT_VQ_D_08,
				    "an indirect descriptor has NEXT set");
			if (d.len == 0 || d.len % sizeof(struct virtq_desc))
				return vq_dev_reject(
				    vq, VQ_DEV_E_INDIRECT, STRICT_NUM_RULES,
				    "indirect table length is not a "
				    "non-zero multiple of 16");
			table = guest_mem_span(vq->mem, d.addr, d.len);
			if (!table)
				return vq_dev_reject(
				    vq, VQ_DEV_E_INDIRECT, STRICT_NUM_RULES,
				    "an indirect table is outside guest RAM");
			table_n = d.len / sizeof(struct virtq_desc);
			/* Bound the walk, empty descriptors included. */
			if (table_n > VQ_ELEM_MAX_SEGS)
				return vq_dev_reject(
				    vq, VQ_DEV_E_TOO_LONG, STRICT_NUM_RULES,
				    "an indirect table has more than 256 "
				    "entries");
			in_indirect = true;
			visited = 0;
			idx = 0;
			continue;
		}
		ret = vq_dev_add_seg(vq, elem, &d, &total);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= table_n)
			return vq_dev_reject(
			    vq, VQ_DEV_E_DESC_INDEX, STRICT_NUM_RULES,
			    in_indirect ? "an indirect next index "
					  "is past its table"
					: "a next index is past "
					  "the descriptor table");
		idx = d.next;
	}
}

int vq_dev_peek(struct vq_dev *vq, uint16_t *head)
{
	uint16_t avail_idx, pending;

	if (!vq->ready)
		return 0;
	/* Acquire: the ring entry and descriptors are read after it (the
	 * fence below says so too; thread sanitizers see only this). */
	avail_idx = virtio_le16(__atomic_load_n(
	    (const uint16_t *)(vq->avail + 2), __ATOMIC_ACQUIRE));
	if (avail_idx == vq->last_avail_idx && vq->event_idx) {
		/* Empty: ask for a notify at the next entry, then look
		 * again, or one made available in between goes unnoticed. */
		vq_dev_store_avail_event(vq);
		vq_dev_full_fence(vq);
		avail_idx = virtio_le16(__atomic_load_n(
		    (const uint16_t *)(vq->avail + 2), __ATOMIC_ACQUIRE));
	}
	pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (pending > vq->size)
		return vq_dev_reject(vq, VQ_DEV_E_AVAIL_IDX, STRICT_VQ_D_10,
				     "avail->idx is more than the queue size "
				     "ahead of the device");
	if (!pending)
		return 0;
	/* Read the ring entry and descriptors only after the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (vq->strict) {
		uint16_t flags = vq_dev_load_idx(vq->avail);

		if (vq->event_idx ? flags != 0
				  : (flags & ~VIRTQ_AVAIL_F_NO_INTERRUPT) != 0)
			return vq_dev_reject(
			    vq, VQ_DEV_E_AVAIL_FLAGS,
			    vq->event_idx ? STRICT_VQ_D_12 : STRICT_VQ_D_11,
			    vq->event_idx ? "avail->flags is not 0 with "
					    "EVENT_IDX"
					  : "avail->flags has bits other "
					    "than NO_INTERRUPT");
	}

	*head = virtio_ld_le16(vq->avail + 4 +
			       2u * vq_dev_slot(vq, vq->last_avail_idx));
	if (*head >= vq->size)
		return vq_dev_reject(vq, VQ_DEV_E_HEAD_INDEX, STRICT_NUM_RULES,
				     "an avail ring entry is past the "
				     "descriptor table");
	return 1;
}

int vq_dev_take(struct vq_dev *vq, uint16_t head, struct vq_elem *elem)
{
	int ret = vq_dev_walk(vq, elem, head);

	if (ret)
		return ret;
	vq->last_avail_idx++;
	vq->popped++;
	/* avail_event stays where the last empty peek put it: while the
	 * device has entries to pop, a notify would tell it nothing (Linux
	 * vhost turns them off while it works, too). */
	trace_vq_pop(vq->trace, vq->name, vq->dev_id, vq->index, head,
		     elem->n_out, elem->out_bytes, elem->n_in, elem->in_bytes);
	return 1;
}

int vq_dev_pop(struct vq_dev *vq, struct vq_elem *elem)
{
	uint16_t head;
	int ret = vq_dev_peek(vq, &head);

	return ret <= 0 ? ret : vq_dev_take(vq, head, elem);
}

int vq_dev_push(struct vq_dev *vq, uint16_t head, uint32_t len)
{
	if (vq->ready && head >= vq->size)
		return -VQ_DEV_E_HEAD_INDEX; /* a model bug, not the guest's */
	return vq_dev_push_id(vq, head, len);
}

int vq_dev_push_id(struct vq_dev *vq, uint32_t id, uint32_t len)
{
	uint8_t *e;

	if (!vq->ready)
		return -EINVAL;
	e = vq->used + 4 + 8u * vq_dev_slot(vq, vq->used_idx);
	virtio_st_le32(e, id);
	virtio_st_le32(e + 4, len);
	/* VQ-V-10: the element (and the buffers the model wrote) is
	 * visible before the index that covers it: a release store. */
	vq->used_idx++;
	__atomic_store_n((uint16_t *)(vq->used + 2), virtio_le16(vq->used_idx),
			 __ATOMIC_RELEASE);
	vq->pushed++;
	trace_vq_push(vq->trace, vq->name, vq->dev_id, vq->index, id, len,
		      vq->used_idx);
	return 0;
}

void vq_dev_used_jump(struct vq_dev *vq, uint16_t n)
{
	if (!vq->ready)
		return;
	vq->used_idx = (uint16_t)(vq->used_idx + n);
	__atomic_store_n((uint16_t *)(vq->used + 2), virtio_le16(vq->used_idx),
			 __ATOMIC_RELAXED);
	trace_vq_used_jump(vq->trace, vq->name, vq->dev_id, vq->index, n,
			   vq->used_idx);
}

bool vq_dev_head_posted(const struct vq_dev *vq, uint16_t head)
{
	uint16_t avail_idx, pending;

	if (!vq->ready)
		return false;
	avail_idx = vq_dev_load_idx(vq->avail + 2);
	pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (pending > vq->size)
		pending = vq->size; /* the next pop says what is wrong */
	for (uint16_t i = 0; i < pending; i++) {
		uint16_t slot =
		    vq_dev_slot(vq, (uint16_t)(vq->last_avail_idx + i));

		if (virtio_ld_le16(vq->avail + 4 + 2u * slot) == head)
			return true;
	}
	return false;
}

bool vq_dev_should_notify(struct vq_dev *vq)
{
	const uint8_t *avail = vq->avail;
	uint16_t old, new, used_event;
	bool valid;

	if (!vq->ready)
		return false;
	/* used->idx must be visible before we read the driver's wishes. */
	vq_dev_full_fence(vq);
	if (!vq->event_idx) {
		/* VQ-V-07: flags 0 means notify; 1 lets us skip. */
		return !(vq_dev_load_idx(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	/* VQ-V-08/09: ignore the flag, compare against used_event. */
	used_event = vq_dev_load_idx(avail + 4 + 2u * vq->size);
	valid = vq->signalled_valid;
	old = vq->signalled_used;
	new = vq->used_idx;
	vq->signalled_used = new;
	vq->signalled_valid = true;
	return !valid || vring_need_event(used_event, new, old);
}
