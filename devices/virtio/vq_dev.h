/* SPDX-License-Identifier: MIT */
/*
 * vq_dev.h - the device side of a split virtqueue.
 *
 * The walker trusts nothing it reads from guest memory: every descriptor is
 * copied once (no double fetch), and its index, address, length, flags and
 * chain position are validated before the device model sees the chain.
 */
#ifndef VIRTSIM_DEVICES_VQ_DEV_H
#define VIRTSIM_DEVICES_VQ_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/guest_mem.h"
#include "sim/strict.h"
#include "sim/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest chain a device accepts, direct plus indirect (VQ-V-01 limit). */
#define VQ_ELEM_MAX_SEGS 256

/* Why a chain was rejected; vq_dev_pop returns these negated. */
enum vq_dev_error {
	VQ_DEV_E_AVAIL_IDX = 1, /* avail->idx moved more than the queue size */
	VQ_DEV_E_HEAD_INDEX,	/* avail ring entry >= queue size */
	VQ_DEV_E_DESC_INDEX,	/* desc.next >= table size */
	VQ_DEV_E_LOOP,		/* chain longer than the table: a loop */
	VQ_DEV_E_TOO_LONG,	/* more than VQ_ELEM_MAX_SEGS buffers */
	VQ_DEV_E_BUF_ADDR,	/* buffer outside guest RAM, or wraps */
	VQ_DEV_E_ORDER,		/* device-readable after device-writable */
	VQ_DEV_E_INDIRECT,	/* bad indirect table: nested, NEXT|INDIRECT,
				   size not a multiple of 16, empty, or
				   INDIRECT not negotiated */
	VQ_DEV_E_TOTAL_LEN,	/* total chain length above 4 GiB */
	VQ_DEV_E_AVAIL_FLAGS,	/* strict only: avail->flags undefined */
};

/* A short name for @err or -@err, naming the spec rule it enforces. */
const char *vq_dev_error_name(int err);

/*
 * One guest buffer of a chain, already translated to a host pointer.
 * Laid out as a struct iovec, so a chain's segments go to preadv as is.
 */
struct vq_seg {
	void *host;
	size_t len;
};

/* A popped chain: n_out device-readable segments, then n_in writable. */
struct vq_elem {
	uint16_t head;
	uint16_t n_out, n_in;
	uint64_t out_bytes, in_bytes;
	struct vq_seg seg[VQ_ELEM_MAX_SEGS];
};

struct vq_dev {
	const struct guest_mem *mem;
	struct trace *trace;
	/* Its device and queue, for the trace; kept across resets. */
	const char *name;
	unsigned dev_id, index;
	uint16_t size;           /* 0: queue not configured */
	bool size_pow2;		 /* ring slots by mask, not by division */
	bool ready;		 /* started: the host views below are valid */
	bool event_idx;          /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;           /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool strict;		 /* check avail->flags too (sim/strict.h) */
	bool concurrent;	 /* thread mode: the driver runs meanwhile */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* The rings in host memory, checked once at start: RAM never moves. */
	const uint8_t *desc;
	uint8_t *avail, *used;
	uint16_t last_avail_idx; /* next avail entry to pop */
	uint16_t used_idx;       /* shadow of used->idx */
	uint16_t signalled_used; /* used_idx at the last notification */
	bool signalled_valid;
	uint64_t popped, pushed; /* statistics */
	const char *err_detail;  /* the rule the last rejected chain broke */
	/* Its driver MUST; STRICT_NUM_RULES when it is none in the list. */
	enum strict_rule err_rule;
};

/* Forget all state (reset); the queue is not ready afterwards. */
void vq_dev_reset(struct vq_dev *vq, const struct guest_mem *mem,
		  struct trace *trace);
/* Check that the configured rings lie in guest RAM; false if not. */
bool vq_dev_rings_ok(const struct vq_dev *vq);
/*
 * Start the queue on the configured size and rings: checks them
 * (vq_dev_rings_ok), maps them, starts both indices at 0 and sets
 * ready. False if they are bad.
 */
bool vq_dev_start(struct vq_dev *vq);
/*
 * The head of the next available chain, without taking it: 1 and *@head,
 * 0 when the ring is empty, or -vq_dev_error when the guest broke the
 * rules (the caller then marks the device NEEDS_RESET).
 */
int vq_dev_peek(struct vq_dev *vq, uint16_t *head);
/*
 * Take the chain vq_dev_peek returned: walk it into @elem and move past
 * its avail entry. Returns 1, or -vq_dev_error (the entry is not taken).
 */
int vq_dev_take(struct vq_dev *vq, uint16_t head, struct vq_elem *elem);
/* vq_dev_peek and vq_dev_take in one: 1 with a chain, 0, or -error. */
int vq_dev_pop(struct vq_dev *vq, struct vq_elem *elem);
/* Put @head on the used ring with @len bytes written (VQ-V-10). */
int vq_dev_push(struct vq_dev *vq, uint16_t head, uint32_t len);
/*
 * What a broken device does, for the fault points: vq_dev_push of any
 * @id, a head or not; and used->idx moved on by @n entries never written.
 */
int vq_dev_push_id(struct vq_dev *vq, uint32_t id, uint32_t len);
void vq_dev_used_jump(struct vq_dev *vq, uint16_t n);
/* Whether @head is in an avail entry not yet popped (the driver's). */
bool vq_dev_head_posted(const struct vq_dev *vq, uint16_t head);
/* Should the device interrupt now (VQ-V-07, VQ-V-09)? */
bool vq_dev_should_notify(struct vq_dev *vq);

/* Copy between @buf and @len bytes of segments [@first, @end) of @e. */
static inline size_t vq_elem_copy(const struct vq_elem *e, unsigned first,
				  unsigned end, uint64_t off, uint8_t *buf,
				  size_t len, bool to_guest)
{
	size_t done = 0;

	for (unsigned i = first; i < end && done < len; i++) {
		const struct vq_seg *s = &e->seg[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len - done ? (size_t)(s->len - off)
					       : len - done;
		if (to_guest)
			memmove((uint8_t *)s->host + off, buf + done, n);
		else
			memcpy(buf + done, (const uint8_t *)s->host + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/*
 * Copy @len bytes of @e's readable part from byte @off on into @dst, or
 * as many as it has; returns how many.
 */
static inline size_t vq_elem_read(const struct vq_elem *e, uint64_t off,
				  void *dst, size_t len)
{
	return vq_elem_copy(e, 0, e->n_out, off, (uint8_t *)dst, len, false);
}

/*
 * Write @len bytes into @e's writable part from byte @off on, or as many
 * as fit; returns how many. The source may be guest memory itself (a
 * frame looped back from a transmit buffer): overlap is allowed.
 */
static inline size_t vq_elem_write(const struct vq_elem *e, uint64_t off,
				   const void *src, size_t len)
{
	return vq_elem_copy(e, e->n_out, e->n_out + e->n_in, off,
			    (uint8_t *)(uintptr_t)src, len, true);
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_VQ_DEV_H */
