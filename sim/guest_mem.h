/* SPDX-License-Identifier: MIT */
/*
 * guest_mem.h - guest physical memory as devices see it: RAM, one
 * contiguous region at a fixed guest-physical base, host-backed by an
 * anonymous mapping; and the DMA map window, where the HAL maps a
 * driver's own buffers (outside RAM) for the devices to reach in place,
 * as an IOMMU maps pages for a device.
 *
 * Every access a device model makes to guest memory goes through these
 * checks: an address range that leaves RAM, or a mapped buffer, or
 * wraps, fails cleanly. Translation is O(1).
 */
#ifndef VIRTSIM_SIM_GUEST_MEM_H
#define VIRTSIM_SIM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The DMA map window: GUEST_MEM_MAP_SLOTS slots of 4 MiB from 1 TiB, far
 * above any RAM; a mapped buffer takes one slot, from its start.
 */
#define GUEST_MEM_MAP_BASE (1ull << 40)
#define GUEST_MEM_MAP_SLOT_SHIFT 22
#define GUEST_MEM_MAP_SLOT_SIZE (1ull << GUEST_MEM_MAP_SLOT_SHIFT)
#define GUEST_MEM_MAP_SLOTS 1024u

/*
 * One slot. The driver's thread maps and unmaps, device threads look up
 * (thread mode): seq is a seqlock, odd while the slot changes, so a
 * lookup sees a whole mapping or none, never one buffer's address with
 * another's length.
 */
struct guest_mem_map {
	uint32_t seq;
	bool writable; /* the device may write it (DMA from the device) */
	uint64_t len;
	uint8_t *host; /* NULL: the slot is free */
};

struct guest_mem {
	uint8_t *host;
	uint64_t base; /* guest-physical address of host[0] */
	uint64_t size;
	/* The map window's slots, and a stack of the free ones (the one
	 * freed last on top); NULL until the first guest_mem_map. One
	 * thread maps and unmaps, any may look up. */
	struct guest_mem_map *maps;
	uint32_t *map_free;
	uint32_t map_nfree;
};

/* Map @size bytes (a multiple of 4 KiB) of zeroed RAM at @base. */
int guest_mem_init(struct guest_mem *mem, uint64_t base, uint64_t size);
void guest_mem_destroy(struct guest_mem *mem);

/*
 * Map [@host, +@len) in the window: its guest address in *@gpa. 0,
 * -EINVAL for an empty buffer, -E2BIG for one larger than a slot,
 * -ENOSPC with every slot taken, -ENOMEM.
 */
int guest_mem_map(struct guest_mem *mem, void *host, uint64_t len,
		  bool writable, uint64_t *gpa);
/* Unmap what guest_mem_map mapped at @gpa; -EINVAL if nothing was. */
int guest_mem_unmap(struct guest_mem *mem, uint64_t gpa);
/* Buffers mapped now. */
unsigned guest_mem_mapped(const struct guest_mem *mem);
/* guest_mem_span's way into the window (out of line: RAM is the hot one). */
void *guest_mem_map_span(const struct guest_mem *mem, uint64_t gpa,
			 uint64_t len, bool write);

/*
 * True if [gpa, gpa + len) lies inside RAM without wrapping. What a
 * device keeps for long (rings, a GPU's backing pages) must be RAM: a
 * mapped buffer is the device's only from share to unshare.
 */
static inline bool guest_mem_range_ok(const struct guest_mem *mem,
				      uint64_t gpa, uint64_t len)
{
	uint64_t off = gpa - mem->base;

	return gpa >= mem->base && off <= mem->size && len <= mem->size - off;
}

/*
 * Host pointer to [gpa, gpa + len), or NULL if the range is neither in
 * RAM nor inside one mapped buffer.
 */
static inline void *guest_mem_span(const struct guest_mem *mem, uint64_t gpa,
				   uint64_t len)
{
	if (guest_mem_range_ok(mem, gpa, len))
		return mem->host + (gpa - mem->base);
	return mem->maps ? guest_mem_map_span(mem, gpa, len, false) : NULL;
}

/* The same for a range the device writes: a mapped buffer must allow it. */
static inline void *guest_mem_span_w(const struct guest_mem *mem, uint64_t gpa,
				     uint64_t len)
{
	if (guest_mem_range_ok(mem, gpa, len))
		return mem->host + (gpa - mem->base);
	return mem->maps ? guest_mem_map_span(mem, gpa, len, true) : NULL;
}

/* Guest address of a host pointer into RAM, or false if it is not RAM. */
static inline bool guest_mem_gpa_of(const struct guest_mem *mem,
				    const void *host, uint64_t len,
				    uint64_t *gpa)
{
	uintptr_t p = (uintptr_t)host, start = (uintptr_t)mem->host;

	if (p < start || p - start > mem->size || len > mem->size - (p - start))
		return false;
	*gpa = mem->base + (p - start);
	return true;
}

/* Checked copies; -1 if the guest range is not RAM (nothing is copied). */
int guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst,
		   size_t len);
int guest_mem_write(const struct guest_mem *mem, uint64_t gpa,
		    const void *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_GUEST_MEM_H */
