/* SPDX-License-Identifier: MIT */
/*
 * guest_mem.h - guest physical RAM: one contiguous region at a fixed
 * guest-physical base, host-backed by an anonymous mapping.
 *
 * Every access a device model makes to guest memory goes through these
 * checks: an address range that leaves RAM, or wraps, fails cleanly.
 * Translation is O(1).
 */
#ifndef VIRTSIM_SIM_GUEST_MEM_H
#define VIRTSIM_SIM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct guest_mem {
	uint8_t *host;
	uint64_t base; /* guest-physical address of host[0] */
	uint64_t size;
};

/* Map @size bytes (a multiple of 4 KiB) of zeroed RAM at @base. */
int guest_mem_init(struct guest_mem *mem, uint64_t base, uint64_t size);
void guest_mem_destroy(struct guest_mem *mem);

/* True if [gpa, gpa + len) lies inside RAM without wrapping. */
static inline bool guest_mem_range_ok(const struct guest_mem *mem,
				      uint64_t gpa, uint64_t len)
{
	uint64_t off = gpa - mem->base;

	return gpa >= mem->base && off <= mem->size && len <= mem->size - off;
}

/* Host pointer to [gpa, gpa + len), or NULL if the range is not RAM. */
static inline void *guest_mem_span(const struct guest_mem *mem, uint64_t gpa,
				   uint64_t len)
{
	if (!guest_mem_range_ok(mem, gpa, len))
		return NULL;
	return mem->host + (gpa - mem->base);
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
