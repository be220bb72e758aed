/* SPDX-License-Identifier: MIT */
/*
 * bus.h - the guest-physical MMIO bus: address ranges mapped to
 * (opaque, read, write) handlers, as TinyEMU's PhysMemoryMap.
 *
 * An access that hits no region, or whose size or alignment the region
 * does not accept, is counted and traced; reads of it return all ones.
 */
#ifndef VIRTSIM_SIM_BUS_H
#define VIRTSIM_SIM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bus_region_ops {
	uint32_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint32_t val,
		      unsigned size);
	/* Accepted access sizes as a mask of BUS_SIZE_*; 0 means all. */
	unsigned sizes;
	/* Reject accesses not naturally aligned to their size. */
	bool aligned_only;
	/* The handlers trace their accesses (decoded): the bus does not. */
	bool traced;
};

#define BUS_SIZE_8 (1u << 1)
#define BUS_SIZE_16 (1u << 2)
#define BUS_SIZE_32 (1u << 4)

struct bus_region {
	uint64_t base, size;
	const struct bus_region_ops *ops;
	void *opaque;
	const char *name;
};

#define BUS_MAX_REGIONS 128

struct bus {
	struct bus_region regions[BUS_MAX_REGIONS]; /* sorted by base */
	unsigned count;
	unsigned last_hit;   /* index of the last region hit: most accesses repeat */
	uint64_t unmapped;   /* accesses that hit no region */
	uint64_t bad_access; /* accesses of a size or alignment refused */
	struct trace *trace;
	/* Held for every access when set (thread mode: the machine lock). */
	pthread_mutex_t *lock;
};

void bus_init(struct bus *bus, struct trace *trace);
/* Map [base, base + size); -EEXIST on overlap, -ENOSPC when full. */
int bus_map(struct bus *bus, uint64_t base, uint64_t size,
	    const struct bus_region_ops *ops, void *opaque, const char *name);
/* Unmap the region that starts at @base; -ENOENT if there is none. */
int bus_unmap(struct bus *bus, uint64_t base);
/* The region containing [addr, addr + size), or NULL. */
const struct bus_region *bus_find(struct bus *bus, uint64_t addr,
				  unsigned size);

uint32_t bus_read(struct bus *bus, uint64_t addr, unsigned size);
void bus_write(struct bus *bus, uint64_t addr, uint32_t val, unsigned size);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_BUS_H */
