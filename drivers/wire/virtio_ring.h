/* SPDX-License-Identifier: MIT */
/*
 * virtio_ring.h - the split virtqueue (§2.7): descriptor table, available
 * and used rings, their alignment and sizes, and the EVENT_IDX rule.
 * Freestanding, shared by drivers/ and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_RING_H
#define VIRTSIM_WIRE_VIRTIO_RING_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/wire/wire_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Split virtqueue (§2.7). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_MAX_QUEUE_SIZE 32768u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* then le16 used_event with EVENT_IDX */
};

struct virtq_used_elem {
	uint32_t id; /* le32 by the specification; only 16 bits are used */
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* then le16 avail_event */
};

WIRE_STATIC_ASSERT(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
WIRE_STATIC_ASSERT(offsetof(struct virtq_desc, len) == 8, "virtq_desc.len");
WIRE_STATIC_ASSERT(offsetof(struct virtq_desc, flags) == 12,
		   "virtq_desc.flags");
WIRE_STATIC_ASSERT(offsetof(struct virtq_desc, next) == 14, "virtq_desc.next");
WIRE_STATIC_ASSERT(sizeof(struct virtq_used_elem) == 8,
		   "used element is 8 bytes");
WIRE_STATIC_ASSERT(offsetof(struct virtq_avail, ring) == 4, "avail.ring");
WIRE_STATIC_ASSERT(offsetof(struct virtq_used, ring) == 4, "used.ring");

/* Alignment of each part (§2.7, VQ-D-01) and their sizes for @n entries. */
#define VIRTQ_DESC_ALIGN 16u
#define VIRTQ_AVAIL_ALIGN 2u
#define VIRTQ_USED_ALIGN 4u
#define VIRTQ_LEGACY_ALIGN 4096u

static inline size_t virtq_desc_size(unsigned n) { return 16u * n; }
static inline size_t virtq_avail_size(unsigned n) { return 6u + 2u * n; }
static inline size_t virtq_used_size(unsigned n) { return 6u + 8u * n; }

/* Legacy contiguous layout (§2.7.2): desc, avail, pad to @align, used. */
static inline size_t virtq_legacy_used_offset(unsigned n, size_t align)
{
	size_t a = virtq_desc_size(n) + virtq_avail_size(n);
	return (a + align - 1) & ~(align - 1);
}

static inline size_t virtq_legacy_size(unsigned n, size_t align)
{
	size_t u = virtq_legacy_used_offset(n, align) + virtq_used_size(n);
	return (u + align - 1) & ~(align - 1);
}

/* EVENT_IDX (§2.7.7): notify if new_idx has just passed event_idx. */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx,
				   uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_RING_H */
